//! Dynamo's checkers: *Fresh reads* (every get sees every put acknowledged before it began, or a
//! version that descends from it); with anti-entropy, *Replicas converge* (once the network has
//! healed and no request or fault has come for a while, every replica of a key holds the same
//! versions); and guards against vacuity: siblings, a read repair, a hinted handoff, an exchange
//! of keys.

use std::collections::BTreeMap;

use super::{Dynamo, DynamoMsg, DynamoNote, DynamoParams, DynamoResponse, Version};
use crate::checks::convergence::{Spell, UPDATES};
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::model::Assumption;
use crate::engine::property::{always, assuming, eventually, sometimes};
use crate::engine::protocol::{Property, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, Kinds};

pub(super) fn all(params: &DynamoParams) -> Vec<Box<dyn Property<Dynamo>>> {
    // A sloppy quorum counts stand-ins outside the key's replicas, so it meets a read quorum
    // only if the hints reach home: over links that lose messages, a lost hint leaves a read
    // stale for good (Dynamo trades that for availability).
    let fresh = if params.sloppy {
        assuming(&[Assumption::ReliableLinks], fresh_reads())
    } else {
        fresh_reads()
    };
    let mut all = vec![
        fresh,
        sometimes(
            "Siblings",
            "A get returns two or more concurrent versions, written without seeing each other.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(id, _)| {
                    matches!(cx.note(id), Some(DynamoNote::Reads { versions, .. }) if versions.len() > 1)
                })
            },
        ),
        sometimes(
            "A read repair",
            "A get finds a replica holding older versions and sends it the newest.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events()
                    .any(|(id, _)| matches!(cx.note(id), Some(DynamoNote::Repairs { .. })))
            },
        ),
    ];
    if let Some(every) = params.anti_entropy_every_us {
        all.push(replicas_converge(5 * every));
        all.push(sometimes(
            "Anti-entropy exchanges keys",
            "Two replicas' Merkle trees differ, and they exchange the keys of the buckets that do.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(id, _)| {
                    matches!(cx.note(id), Some(DynamoNote::Syncs { keys, .. }) if *keys > 0)
                })
            },
        ));
    }
    if params.check_availability {
        all.push(available());
    }
    if params.sloppy {
        all.push(sometimes(
            "A hinted handoff",
            "A node that stood in for a replica hands the versions it held over to that replica.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events()
                    .any(|(id, _)| matches!(cx.note(id), Some(DynamoNote::HandsOff { .. })))
            },
        ));
    }
    all
}

/// Eventually: once no request or fault has come for `quiet_us`, every node is up and no partition
/// is in force, every replica of every key (its preference list) holds the same versions.
fn replicas_converge(quiet_us: u64) -> Box<dyn Property<Dynamo>> {
    eventually(
        "Replicas converge",
        "Once the network has healed and anti-entropy has run, every replica of a key holds the \
         same versions.",
        Spell::new(UPDATES, quiet_us).watches(),
        Spell::new(UPDATES, quiet_us),
        |spell, cx| {
            spell.observe(cx);
            Verdict::Holds
        },
        |spell, cx| {
            if !spell.settled(cx) {
                return Verdict::Holds;
            }
            let stores: Vec<&Dynamo> = cx.nodes.iter().filter_map(|n| n.state()).collect();
            let keys: std::collections::BTreeSet<&String> =
                stores.iter().flat_map(|s| s.store.keys()).collect();
            for key in keys {
                let Some(first) = stores.first() else {
                    break;
                };
                let replicas = first.replicas(key);
                let held = |node: NodeId| {
                    stores
                        .iter()
                        .find(|s| s.id == node)
                        .map(|s| s.held(key))
                        .unwrap_or_default()
                };
                let expected = held(replicas[0]);
                if let Some(&other) = replicas.iter().find(|&&r| held(r) != expected) {
                    let words = |v: Vec<Version>| {
                        let values: Vec<String> =
                            v.iter().map(|v| format!("{:?}", v.value)).collect();
                        if values.is_empty() {
                            "nothing".to_string()
                        } else {
                            values.join(" and ")
                        }
                    };
                    return Verdict::Violated {
                        message: format!(
                            "{key}: {other} holds {} but {} holds {}, after the system had been \
                             quiet since {}",
                            words(held(other)),
                            replicas[0],
                            words(expected),
                            spell.since()
                        ),
                        involved: Vec::new(),
                    };
                }
            }
            Verdict::Satisfied
        },
    )
}

/// Always: every request gets a successful answer; the first that fails (too few replicas
/// answered in time) is the run's loss of availability.
fn available() -> Box<dyn Property<Dynamo>> {
    always(
        "Available",
        "Every request gets a successful answer, whichever node it is sent to.",
        Kinds::RESPONSE,
        (),
        |(), cx| {
            for (id, event) in cx.new_events() {
                if let Some(DynamoResponse::Failed(why)) = cx.response(id) {
                    let node = event.node.map_or_else(String::new, |n| n.to_string());
                    return Verdict::Violated {
                        message: format!("{node} answered a request with a failure: {why}"),
                        involved: vec![id],
                    };
                }
            }
            Verdict::Holds
        },
    )
}

/// What *Fresh reads* remembers: when each operation was first requested, and per key the puts
/// acknowledged so far (version, acknowledgement event and time).
#[derive(Clone, Debug, Default)]
struct Seen {
    began: BTreeMap<OpId, SimTime>,
    acked: BTreeMap<String, Vec<(OpId, Version, EventId, SimTime)>>,
}

/// Always: a get returns, for every put on its key acknowledged before the get began, that put's
/// version or one descending from it. Holds when every read quorum meets every write quorum
/// (R + W > N); a violation names the put missed and the replicas the get read.
fn fresh_reads() -> Box<dyn Property<Dynamo>> {
    always(
        "Fresh reads",
        "A get sees every put acknowledged before it began (or a newer version that descends from \
         it), never an older value alone.",
        Kinds::REQUEST.or(Kinds::ANNOTATE),
        Seen::default(),
        |seen, cx| {
            for (id, event) in cx.new_events() {
                if let EventKind::Request { op, .. } = event.kind {
                    seen.began.entry(op).or_insert(event.time);
                    continue;
                }
                match cx.note(id) {
                    Some(DynamoNote::Acknowledges { op, key, version }) => {
                        seen.acked.entry(key.clone()).or_default().push((
                            *op,
                            version.clone(),
                            id,
                            event.time,
                        ));
                    }
                    Some(DynamoNote::Reads {
                        op,
                        key,
                        versions,
                        from,
                    }) => {
                        let began = seen.began.get(op).copied().unwrap_or(event.time);
                        let missed =
                            seen.acked
                                .get(key)
                                .into_iter()
                                .flatten()
                                .find(|(_, put, _, at)| {
                                    *at < began
                                        && !versions.iter().any(|v| v.clock.descends(&put.clock))
                                });
                        let Some((put, version, acked, at)) = missed else {
                            continue;
                        };
                        let got: Vec<String> =
                            versions.iter().map(|v| format!("{:?}", v.value)).collect();
                        let readers: Vec<String> = from.iter().map(ToString::to_string).collect();
                        // The replies the get read, so the diagram shows where it read from.
                        let replies = cx.events.iter().enumerate().filter_map(|(i, e)| match e.kind {
                            EventKind::Deliver { msg, .. }
                                if e.node == event.node
                                    && matches!(cx.message(msg), DynamoMsg::Fetched { op: o, .. } if o == op) =>
                            {
                                Some(EventId(i as u32))
                            }
                            _ => None,
                        });
                        let mut involved = vec![*acked];
                        involved.extend(replies);
                        involved.push(id);
                        return Verdict::Violated {
                            message: format!(
                                "get {key} ({op}) returned {} but put {key}={:?} ({put}) was \
                                 acknowledged at {at}, before the get began at {began}; {}",
                                if got.is_empty() {
                                    "nothing".to_string()
                                } else {
                                    got.join(" and ")
                                },
                                version.value,
                                match readers.as_slice() {
                                    [one] =>
                                        format!("the get read only {one}, which did not have it"),
                                    many => format!(
                                        "the get read {}, none of which had it",
                                        many.join(", ")
                                    ),
                                }
                            ),
                            involved,
                        };
                    }
                    _ => {}
                }
            }
            Verdict::Holds
        },
    )
}
