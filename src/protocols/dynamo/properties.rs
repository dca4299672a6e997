//! Dynamo's checkers: *Fresh reads* (every get sees every put acknowledged before it began, or a
//! version that descends from it), and guards against vacuity: siblings and a read repair.

use std::collections::BTreeMap;

use super::{Dynamo, DynamoMsg, DynamoNote, DynamoParams, Version};
use crate::engine::ids::{EventId, OpId};
use crate::engine::property::{always, sometimes};
use crate::engine::protocol::{Property, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, Kinds};

pub(super) fn all(params: &DynamoParams) -> Vec<Box<dyn Property<Dynamo>>> {
    let mut all = vec![
        fresh_reads(),
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
