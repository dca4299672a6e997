//! Linearizable reads: every completed get sees the writes that completed before it began.

use super::properties::{Done, REQUESTS};
use crate::engine::ids::{EventId, OpId};
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::raft::{KvRequest, KvResponse, Raft};
use std::collections::BTreeMap;

/// A client write as the checker saw it: when it began and when (if ever) it completed, as event
/// ids, which order events the way time does.
#[derive(Clone, Debug)]
struct Write {
    op: OpId,
    put: bool,
    value: String,
    begin: EventId,
    end: Option<EventId>,
}

/// Linearizable reads, for each key as a register with puts and appends: a completed get must
/// reflect every write that completed before it began, unless a put that may have come after that
/// write (it did not complete before the write began) began before the get completed. A put's value
/// must begin the result; an append's must appear in it.
///
/// The checker forgets what can no longer change a verdict: a completed operation's invocation,
/// and a write that completed before some completed put began (that put may be ordered after
/// it for every get still to come, and overwrites whatever the forgotten write would have).
#[derive(Clone, Debug, Default)]
pub(super) struct LinearizableReads {
    /// The operations in progress, by when they began.
    ops: BTreeMap<OpId, EventId>,
    done: Done,
    writes: BTreeMap<String, Vec<Write>>,
}

impl LinearizableReads {
    fn judge(&self, key: &str, begin: EventId, end: EventId, value: &str) -> Option<String> {
        let writes = self.writes.get(key)?;
        // The two puts that could be ordered latest before the get, by how late they completed
        // (never completing counts as latest): whichever is not the write being judged decides
        // whether that write may have been overwritten.
        let mut latest: [Option<(Option<EventId>, OpId)>; 2] = [None, None];
        let later = |a: Option<EventId>, b: Option<EventId>| match (a, b) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(a), Some(b)) => a > b,
        };
        for put in writes.iter().filter(|w| w.put && w.begin < end) {
            let candidate = (put.end, put.op);
            if latest[0].is_none_or(|l| later(candidate.0, l.0)) {
                latest[1] = latest[0];
                latest[0] = Some(candidate);
            } else if latest[1].is_none_or(|l| later(candidate.0, l.0)) {
                latest[1] = Some(candidate);
            }
        }
        for write in writes {
            let Some(completed) = write.end else {
                continue;
            };
            if completed >= begin {
                continue;
            }
            let other = match latest[0] {
                Some((_, op)) if op == write.op => latest[1],
                l => l,
            };
            let maybe_overwritten = other.is_some_and(|(e, _)| e.is_none_or(|e| e > write.begin));
            if maybe_overwritten {
                continue;
            }
            let visible = if write.put {
                value.starts_with(&write.value)
            } else {
                value.contains(&write.value)
            };
            if !visible {
                let verb = if write.put { "put" } else { "append" };
                return Some(format!(
                    "a get of {key} returned {value:?}, missing the {verb} of {:?} ({}) that \
                     completed before the get began",
                    write.value, write.op
                ));
            }
        }
        None
    }
}

impl Property<Raft> for LinearizableReads {
    fn name(&self) -> &'static str {
        "Linearizable reads"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "Every completed get sees every write that completed before it began (unless a later put \
         may have overwritten it)."
    }

    fn watches(&self) -> Kinds {
        REQUESTS
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. } => {
                    if self.ops.contains_key(&op) || self.done.contains(op) {
                        continue;
                    }
                    let Some(request) = cx.request(op) else {
                        continue;
                    };
                    if let KvRequest::Put { key, value } | KvRequest::Append { key, value } =
                        request
                    {
                        self.writes.entry(key.clone()).or_default().push(Write {
                            op,
                            put: matches!(request, KvRequest::Put { .. }),
                            value: value.clone(),
                            begin: id,
                            end: None,
                        });
                    }
                    self.ops.insert(op, id);
                }
                EventKind::Response { op, .. } => {
                    let reply = cx.response(id);
                    if matches!(reply, None | Some(KvResponse::Redirect(_))) {
                        continue;
                    }
                    let Some(begin) = self.ops.remove(&op) else {
                        continue;
                    };
                    self.done.insert(op);
                    let Some(request) = cx.request(op) else {
                        continue;
                    };
                    match (request, reply) {
                        (KvRequest::Get { key }, Some(KvResponse::Value(value))) => {
                            let key = key.clone();
                            let value = value.as_deref().unwrap_or("");
                            if let Some(message) = self.judge(&key, begin, id, value) {
                                return Verdict::Violated {
                                    message,
                                    involved: vec![begin, id],
                                };
                            }
                        }
                        (request, _) => {
                            if let Some(writes) = self.writes.get_mut(request.key())
                                && let Some(write) = writes.iter_mut().rev().find(|w| w.op == op)
                            {
                                write.end = Some(id);
                                if write.put {
                                    let put = write.begin;
                                    writes.retain(|w| w.op == op || w.end.is_none_or(|e| e >= put));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}
