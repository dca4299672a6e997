//! Primary-backup's checkers: linearizable reads (the library's, shared with Raft), at most one
//! primary answering clients in each view, and two guards against vacuity: a backup promoted and
//! a state transfer.

use super::{PbMsg, PbNote, PrimaryBackup, Role};
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::{always, sometimes};
use crate::engine::protocol::{Outcome, Property, Protocol, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::linearizable::linearizable_reads;
use std::collections::BTreeMap;

pub fn all() -> Vec<Box<dyn Property<PrimaryBackup>>> {
    vec![
        linearizable_reads(),
        one_primary_per_view(),
        sometimes(
            "A backup promoted",
            "The view service makes the backup the primary, so a failover is exercised.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(id, _)| {
                    matches!(
                        cx.note(id),
                        Some(PbNote::Role {
                            role: Role::Primary,
                            was: Role::Backup,
                            ..
                        })
                    )
                })
            },
        ),
        sometimes(
            "A state transfer",
            "A new backup installs the primary's whole store.",
            Kinds::SEND,
            |cx| {
                cx.new_events().any(|(_, e)| match e.kind {
                    EventKind::Send { msg, .. } => {
                        matches!(cx.message(msg), PbMsg::TransferOk { ok: true, .. })
                    }
                    _ => false,
                })
            },
        ),
    ]
}

/// Always: in each view, answers to clients come from one primary only.
fn one_primary_per_view() -> Box<dyn Property<PrimaryBackup>> {
    always(
        "One primary per view",
        "In each view, at most one server answers clients as the primary.",
        Kinds::RESPONSE,
        BTreeMap::<u64, (NodeId, EventId)>::new(),
        |primaries, cx| {
            for (id, event) in cx.new_events() {
                let (EventKind::Response { .. }, Some(node)) = (&event.kind, event.node) else {
                    continue;
                };
                let answered = cx
                    .response(id)
                    .is_some_and(|r| PrimaryBackup::outcome(r) == Outcome::Done);
                let Some(server) = cx.nodes[node.index()].state() else {
                    continue;
                };
                if !answered || server.role() != Role::Primary {
                    continue;
                }
                let view = server.view().num;
                match primaries.get(&view) {
                    Some(&(other, first)) if other != node => {
                        return Verdict::Violated {
                            message: format!(
                                "{other} and {node} both answered clients as the primary of view \
                                 {view}"
                            ),
                            involved: vec![first, id],
                        };
                    }
                    Some(_) => {}
                    None => {
                        primaries.insert(view, (node, id));
                    }
                }
            }
            Verdict::Holds
        },
    )
}
