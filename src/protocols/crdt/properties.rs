//! What the CRDT lessons claim: strong eventual consistency. Replicas that include the same updates
//! hold the same value at every moment (*Strong convergence*), and once updates and faults stop,
//! every replica comes to hold the same value (*Convergence*, from the checker library).

use std::collections::BTreeMap;

use super::{Crdt, CrdtNote, CrdtParams};
use crate::checks::convergence::{self, UPDATES};
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::{always, sometimes};
use crate::engine::protocol::{Property, Verdict};
use crate::engine::trace::{EventKind, Kinds};

/// The properties of every CRDT run.
pub fn all(params: &CrdtParams) -> Vec<Box<dyn Property<Crdt>>> {
    vec![
        strong_convergence(),
        // Five rounds of exchange after the last request or fault: enough for every replica to
        // hear from every other over links that lose some messages.
        convergence::convergence(5 * params.sync_every_us, UPDATES, |c: &Crdt| {
            c.replica().value()
        }),
        sometimes(
            "Concurrent updates",
            "Two replicas update before hearing of each other's update, so the merge has a \
             conflict to resolve.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(event, e)| {
                    let (Some(node), Some(CrdtNote::Updates { id, .. })) = (e.node, cx.note(event))
                    else {
                        return false;
                    };
                    let mine = &cx.nodes[node.index()];
                    // Some other replica made an update this one has not heard of, while it had
                    // not heard of this one.
                    mine.state().is_some_and(|me| {
                        cx.nodes.iter().filter(|n| n.id() != node).any(|other| {
                            other.state().is_some_and(|o| {
                                !o.includes().contains(id)
                                    && o.includes().iter().any(|u| {
                                        u.origin == other.id() && !me.includes().contains(u)
                                    })
                            })
                        })
                    })
                })
            },
        ),
    ]
}

/// Always: any two replicas that include the same updates hold the same value. Judged after every
/// update, delivery and merge, among the replicas that are up.
fn strong_convergence() -> Box<dyn Property<Crdt>> {
    always(
        "Strong convergence",
        "Replicas that include the same updates hold the same value, at every moment.",
        Kinds::ANNOTATE,
        (),
        |(), cx| {
            let changed: Vec<(NodeId, EventId)> = cx
                .new_events()
                .filter(|(_, e)| matches!(e.kind, EventKind::Annotate { .. }))
                .filter_map(|(id, e)| Some((e.node?, id)))
                .collect();
            if changed.is_empty() {
                return Verdict::Holds;
            }
            // Per set of updates, the first replica seen holding it, and its value.
            let mut by_updates = BTreeMap::new();
            for slot in cx.nodes {
                let Some(replica) = slot.state() else {
                    continue;
                };
                let value = replica.replica().value();
                match by_updates.entry(replica.includes()) {
                    std::collections::btree_map::Entry::Vacant(entry) => {
                        entry.insert((slot.id(), value));
                    }
                    std::collections::btree_map::Entry::Occupied(entry) => {
                        let (first, expected) = entry.get();
                        if *expected != value {
                            let mut involved: Vec<EventId> = changed
                                .iter()
                                .filter(|(n, _)| *n == slot.id() || n == first)
                                .map(|&(_, e)| e)
                                .collect();
                            if involved.is_empty() {
                                involved = changed.iter().map(|&(_, e)| e).collect();
                            }
                            return Verdict::Violated {
                                message: format!(
                                    "{} and {first} include the same {} updates but hold {value} \
                                     and {expected}",
                                    slot.id(),
                                    replica.includes().len()
                                ),
                                involved,
                            };
                        }
                    }
                }
            }
            Verdict::Holds
        },
    )
}
