//! The inspector's view of an ABD node: its registers, and the operations it coordinates with the
//! phase each is in and the replies it has.

use super::{Abd, Phase, Want};
use crate::engine::protocol::{NodeView, ViewTable};
use crate::protocols::kv::shown;

pub(super) fn view(node: &Abd) -> NodeView {
    let role = if node.pending.is_empty() {
        "replica"
    } else {
        "coordinating"
    };
    let quorum = node.quorum();
    let registers = node
        .registers
        .iter()
        .map(|(key, r)| vec![key.clone(), shown(r.value.as_deref()), r.tag.to_string()])
        .collect();
    let operations = node
        .pending
        .iter()
        .map(|(op, p)| {
            let what = match &p.want {
                Want::Write(value) => format!("{op} write {}={value:?}", p.key),
                Want::Read => format!("{op} read {}", p.key),
            };
            let (phase, answered) = match &p.phase {
                Phase::Query(replies) => (
                    "query".to_string(),
                    replies.keys().map(ToString::to_string).collect::<Vec<_>>(),
                ),
                Phase::Store(register, acks) => (
                    match p.want {
                        Want::Write(_) => format!("store {}", register.tag),
                        Want::Read => format!("write back {}", register.tag),
                    },
                    acks.iter().map(ToString::to_string).collect(),
                ),
            };
            vec![
                what,
                phase,
                format!("{}/{quorum}: {}", answered.len(), answered.join(" ")),
            ]
        })
        .collect();
    NodeView {
        role: Some(role.into()),
        fields: vec![(
            "quorum".to_string(),
            format!("{quorum} of {} replicas", node.nodes),
        )],
        tables: vec![
            ViewTable {
                title: "Registers".into(),
                columns: vec!["key".into(), "value".into(), "tag".into()],
                rows: registers,
            },
            ViewTable {
                title: "Operations it coordinates".into(),
                columns: vec!["operation".into(), "phase".into(), "answered".into()],
                rows: operations,
            },
        ],
        log: Vec::new(),
    }
}
