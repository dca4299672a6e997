//! What the inspector shows of a broadcast node: what it delivered, what it holds back and why,
//! and, when it retransmits, the copies its peers have not confirmed yet.

use super::{Broadcast, Order, SEQUENCER};
use crate::engine::ids::NodeId;
use crate::engine::protocol::{NodeView, ViewTable};

pub(super) fn view(node: &Broadcast) -> NodeView {
    let mut fields = vec![
        ("order".into(), node.params.order.describe().to_string()),
        ("delivered".into(), node.delivered.len().to_string()),
    ];
    match node.params.order {
        Order::Causal | Order::Fifo => {
            let vc: Vec<String> = node.delivered_from.iter().map(u32::to_string).collect();
            fields.push((
                "delivered per origin".into(),
                format!("[{}]", vc.join(", ")),
            ));
        }
        Order::TotalSequencer => {
            let what = if node.id == SEQUENCER {
                "last position assigned"
            } else {
                "last position delivered"
            };
            fields.push((what.into(), node.position.to_string()));
        }
        Order::TotalLamport => fields.push(("Lamport clock".into(), node.lamport.to_string())),
        Order::BestEffort | Order::Reliable | Order::Gossip => {}
    }
    if node.retransmits() {
        fields.push((
            "retransmits every".into(),
            crate::engine::time::format_us(i128::from(node.params.retransmit_us)),
        ));
    }
    if !node.params.holdback {
        fields.push(("hold-back".into(), "off (broken on purpose)".into()));
    }
    let delivered = node
        .delivered
        .iter()
        .enumerate()
        .map(|(i, (id, text))| vec![(i + 1).to_string(), id.to_string(), text.clone()])
        .collect();
    let held = node
        .held
        .iter()
        .map(|h| {
            vec![
                h.id.to_string(),
                h.text.clone(),
                node.blocked_by(h).unwrap_or_else(|| "nothing".into()),
            ]
        })
        .collect();
    let unconfirmed = node
        .unconfirmed
        .iter()
        .map(|(id, (_, peers))| {
            let peers: Vec<NodeId> = peers.iter().copied().collect();
            vec![id.to_string(), crate::engine::ids::join_nodes(&peers, ", ")]
        })
        .collect();
    let role = if node.params.order == Order::TotalSequencer && node.id == SEQUENCER {
        "sequencer"
    } else if node.held.is_empty() {
        "up to date"
    } else {
        "holding back"
    };
    NodeView {
        role: Some(role.into()),
        fields,
        tables: vec![
            ViewTable {
                title: "Not yet confirmed".into(),
                columns: vec!["message".into(), "resent to".into()],
                rows: unconfirmed,
            },
            ViewTable {
                title: "Delivered".into(),
                columns: vec!["#".into(), "message".into(), "text".into()],
                rows: delivered,
            },
            ViewTable {
                title: "Held back".into(),
                columns: vec!["message".into(), "text".into(), "waiting for".into()],
                rows: held,
            },
        ],
        log: Vec::new(),
    }
}
