//! The inspector's picture of a Multi-Paxos node: its ballot and promise, the log of slots with
//! each vote and whether it is chosen, the key-value store, and on the leader its open slots and
//! how far each replica has learned.

use super::{MultiPaxos, Role};
use crate::engine::ids::NodeId;
use crate::engine::protocol::{LogCell, NodeView, ViewTable};
use crate::protocols::paxos::Ballot;

/// The inspector shows at most this many of the newest slots, so a long run's view stays cheap to
/// build every frame.
const SHOWN_SLOTS: usize = 100;

pub fn view(node: &MultiPaxos) -> NodeView {
    let ballot = |b: Option<Ballot>| b.map_or_else(|| "none".to_string(), |b| b.to_string());
    let name = |n: Option<NodeId>| n.map_or_else(|| "none".to_string(), |n| n.to_string());
    let learned = node.learned();
    let accepted = node.accepted();
    let slots = accepted.len().max(node.log().len());
    let first = slots.saturating_sub(SHOWN_SLOTS);
    // Per slot: the ballot of this node's vote, and the command it knows chosen, else voted for.
    let cells: Vec<(u64, String, String, bool)> = (first..slots)
        .map(|i| {
            let vote = accepted.get(i).and_then(Option::as_ref);
            let command = node
                .log()
                .get(i)
                .map(|c| c.describe())
                .or_else(|| vote.map(|v| v.command.describe()))
                .unwrap_or_else(|| "—".to_string());
            let round = vote.map_or(0, |v| v.ballot.round);
            let shown = vote.map_or_else(|| "—".to_string(), |v| v.ballot.to_string());
            (round, shown, command, (i as u64) < learned)
        })
        .collect();
    let mut fields = vec![
        ("ballot".to_string(), ballot(node.ballot())),
        ("promised".to_string(), ballot(node.promised())),
        ("leader".to_string(), name(node.leader())),
        ("learned".to_string(), format!("slots 1 to {learned}")),
    ];
    if node.role() == Role::Leader {
        fields.push(("next slot".to_string(), node.next_slot().to_string()));
    }
    if first > 0 {
        fields.push((
            "slots shown".to_string(),
            format!("the newest {SHOWN_SLOTS}"),
        ));
    }
    let mut tables = vec![
        ViewTable {
            title: "Slots".into(),
            columns: vec![
                "slot".into(),
                "accepted in".into(),
                "command".into(),
                "chosen".into(),
            ],
            rows: cells
                .iter()
                .enumerate()
                .map(|(i, (_, shown, command, chosen))| {
                    vec![
                        (first + i + 1).to_string(),
                        shown.clone(),
                        command.clone(),
                        if *chosen { "yes" } else { "not known" }.to_string(),
                    ]
                })
                .collect(),
        },
        node.kv().table(),
    ];
    if node.role() == Role::Leader {
        tables.push(ViewTable {
            title: "Open slots".into(),
            columns: vec!["slot".into(), "command".into(), "accepted by".into()],
            rows: node
                .open_slots()
                .map(|(slot, command, by)| {
                    let by: Vec<String> = by.iter().map(NodeId::to_string).collect();
                    vec![slot.to_string(), command.describe(), by.join(", ")]
                })
                .collect(),
        });
        tables.push(ViewTable {
            title: "Replicas".into(),
            columns: vec!["node".into(), "learned up to".into()],
            rows: node
                .replicas()
                .map(|(peer, learned)| vec![peer.to_string(), learned.to_string()])
                .collect(),
        });
    }
    // The log matrix shows the slots this node voted in or learned; the others stay blank.
    let log = cells
        .into_iter()
        .enumerate()
        .filter(|(_, (_, shown, _, committed))| *committed || shown != "—")
        .map(|(i, (round, _, command, committed))| LogCell {
            index: (first + i) as u64 + 1,
            term: round,
            command,
            committed,
        })
        .collect();
    NodeView {
        role: Some(node.role().name().to_string()),
        fields,
        tables,
        log,
    }
}
