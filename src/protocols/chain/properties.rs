//! Chain replication's checkers: linearizable reads (the library's, shared with Raft), every
//! acknowledged write held by every live member of the chain, and guards against vacuity: a chain
//! repaired, a server joining, and with CRAQ a dirty read that asks the tail.

use super::{Chain, ChainMsg, ChainNote, ChainParams};
use crate::engine::property::{always, sometimes};
use crate::engine::protocol::{Property, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::linearizable::linearizable_reads;
use crate::protocols::kv::{Command, KvResponse};

pub fn all(params: &ChainParams) -> Vec<Box<dyn Property<Chain>>> {
    let mut all = vec![
        linearizable_reads(),
        acknowledged_writes_survive(),
        sometimes(
            "The chain repaired",
            "The master removes a failed server and the chain closes the gap.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(id, _)| {
                    matches!(cx.note(id), Some(ChainNote::NewConfig { removed, .. }) if !removed.is_empty())
                })
            },
        ),
        sometimes(
            "A server joins",
            "A server outside the chain receives the tail's store and becomes the new tail.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(id, _)| {
                    matches!(
                        cx.note(id),
                        Some(ChainNote::Role {
                            role: super::Role::Tail,
                            was: super::Role::Joining,
                            ..
                        })
                    )
                })
            },
        ),
    ];
    if params.craq {
        all.push(sometimes(
            "A dirty read asks the tail",
            "A server whose copy of a key has a write in flight asks the tail which version is \
             committed.",
            Kinds::SEND,
            |cx| {
                cx.new_events().any(|(_, e)| match e.kind {
                    EventKind::Send { msg, .. } => {
                        matches!(cx.message(msg), ChainMsg::Version { .. })
                    }
                    _ => false,
                })
            },
        ));
    }
    all
}

/// Always: when a write is acknowledged, every live member of the acknowledging server's chain
/// holds it, so no single crash can lose it.
fn acknowledged_writes_survive() -> Box<dyn Property<Chain>> {
    always(
        "Acknowledged writes survive a crash",
        "When a write is acknowledged, every live member of the chain holds it, so no single \
         crash can lose it.",
        Kinds::RESPONSE,
        (),
        |_, cx| {
            for (id, event) in cx.new_events() {
                let (&EventKind::Response { op, .. }, Some(node)) = (&event.kind, event.node)
                else {
                    continue;
                };
                let (Some(KvResponse::Ok), Some(acker)) =
                    (cx.response(id), cx.nodes[node.index()].state())
                else {
                    continue;
                };
                for &member in acker.config().chain.iter().filter(|&&m| m != node) {
                    let Some(server) = cx.nodes[member.index()].state() else {
                        continue;
                    };
                    if server.is_member() && !server.holds_op(op) {
                        let write = cx.request(op).map_or_else(
                            || op.to_string(),
                            |r| Command::from_request(op, r).describe(),
                        );
                        return Verdict::Violated {
                            message: format!(
                                "{node} acknowledged the write {write} while {member}, a member of \
                                 its chain, did not hold it: a crash of {node} now loses an \
                                 acknowledged write"
                            ),
                            involved: event.cause.into_iter().chain([id]).collect(),
                        };
                    }
                }
            }
            Verdict::Holds
        },
    )
}
