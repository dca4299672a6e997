//! The inspector's view of a Dynamo node: its N, R and W, the keys it holds with every sibling's
//! vector clock, and the requests it coordinates with the replicas that answered.

use super::Dynamo;
use crate::engine::protocol::{NodeView, ViewTable};

pub(super) fn view(node: &Dynamo) -> NodeView {
    let n = node.params.n.unwrap_or(node.nodes);
    let keys = node
        .store
        .iter()
        .map(|(key, versions)| {
            let clocks: Vec<String> = versions
                .iter()
                .map(|v| format!("{} {}", v.value, v.clock))
                .collect();
            let list: Vec<String> = node.replicas(key).iter().map(ToString::to_string).collect();
            vec![key.clone(), clocks.join(" | "), list.join(" ")]
        })
        .collect();
    let requests = node
        .pending
        .iter()
        .map(|(op, p)| {
            let (what, wanted) = match &p.version {
                Some(v) => (format!("{op} put {}={}", p.key, v.value), node.params.w),
                None => (format!("{op} get {}", p.key), node.params.r),
            };
            let heard: Vec<String> = p.replies.keys().map(ToString::to_string).collect();
            let state = if p.answered { "answered" } else { "waiting" };
            vec![
                what,
                format!("{}/{wanted}: {}", heard.len(), heard.join(" ")),
                state.to_string(),
            ]
        })
        .collect();
    let siblings = node.store.values().filter(|v| v.len() > 1).count();
    let hints = node
        .hints
        .iter()
        .flat_map(|(for_node, keys)| {
            keys.iter().map(move |(key, versions)| {
                let held: Vec<String> = versions
                    .iter()
                    .map(|v| format!("{} {}", v.value, v.clock))
                    .collect();
                vec![key.clone(), held.join(" | "), for_node.to_string()]
            })
        })
        .collect();
    NodeView {
        role: Some(
            if node.pending.is_empty() {
                "replica"
            } else {
                "coordinating"
            }
            .into(),
        ),
        fields: vec![
            (
                "N, R, W".to_string(),
                format!(
                    "{n}, {}, {}{}",
                    node.params.r,
                    node.params.w,
                    if node.params.r + node.params.w > n {
                        " (R + W > N: read and write quorums meet)"
                    } else {
                        " (R + W ≤ N: a read may miss a write)"
                    }
                ),
            ),
            ("keys with siblings".to_string(), siblings.to_string()),
        ],
        tables: vec![
            ViewTable {
                title: "Versions held".into(),
                columns: vec![
                    "key".into(),
                    "versions (vector clock)".into(),
                    "replicas".into(),
                ],
                rows: keys,
            },
            ViewTable {
                title: "Hints held for other replicas".into(),
                columns: vec!["key".into(), "versions".into(), "for".into()],
                rows: hints,
            },
            ViewTable {
                title: "Requests it coordinates".into(),
                columns: vec!["request".into(), "heard from".into(), "state".into()],
                rows: requests,
            },
        ],
        log: Vec::new(),
    }
}
