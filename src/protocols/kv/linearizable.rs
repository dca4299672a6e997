//! Linearizable reads: each completed get is screened for staleness by the checker library as it
//! completes; a stale one is explained by the library's exact search over its key's history.

use crate::checks::heal::{Done, REQUESTS};
use crate::checks::linearizability::{
    Operation, Outcome, Register, RegisterInput, RegisterOutput, StaleRead, StaleReads, check,
    state_after,
};
use crate::engine::ids::{EventId, OpId};
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Protocol, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::{KvRequest, KvResponse};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// A protocol whose clients use the shared key-value store.
pub trait KvProtocol: Protocol<Request = KvRequest, Response = KvResponse> {}

impl<P: Protocol<Request = KvRequest, Response = KvResponse>> KvProtocol for P {}

/// Search steps the explanation of a stale read may take; past them the message gives only the
/// write the get missed.
const BUDGET: u64 = 200_000;

/// Linearizable reads: every completed get reflects every write that completed before it began,
/// unless a put that may be ordered after that write began before the get completed (a history
/// with such a get has no linearizable order). Each operation is invoked at its first request (a
/// retry carries the same operation, which Raft applies once) and completed at its first answer
/// that is not a redirect.
#[derive(Clone, Debug)]
struct LinearizableReads<P> {
    reads: StaleReads,
    /// The operations answered, whose late retries and duplicate answers are ignored.
    done: Done,
    protocol: PhantomData<fn() -> P>,
}

/// Always: linearizable reads, for any protocol whose clients use the key-value store.
pub fn linearizable_reads<P: KvProtocol>() -> Box<dyn Property<P>> {
    Box::new(LinearizableReads::<P> {
        reads: StaleReads::default(),
        done: Done::default(),
        protocol: PhantomData,
    })
}

/// The register operation a request is; a sync is none (it changes and returns nothing).
pub(super) fn input(request: &KvRequest) -> Option<RegisterInput> {
    match request {
        KvRequest::Put { value, .. } => Some(RegisterInput::Write(value.clone())),
        KvRequest::Append { value, .. } => Some(RegisterInput::Append(value.clone())),
        KvRequest::Get { .. } => Some(RegisterInput::Read),
        KvRequest::Sync { .. } => None,
    }
}

pub(super) fn output(response: &KvResponse) -> Option<RegisterOutput> {
    match response {
        KvResponse::Ok => Some(RegisterOutput::Written),
        KvResponse::Value(value) => Some(RegisterOutput::Value(value.clone())),
        KvResponse::Redirect(_) => None,
    }
}

/// A key's value in words: `"ab"`, or `nothing` for a key never written.
fn value(value: Option<&str>) -> String {
    value.map_or_else(|| "nothing".to_string(), |v| format!("{v:?}"))
}

/// `key`'s client history so far, as the library's search takes it: each operation from its
/// first request to its first answer that is not a redirect.
fn history<P: KvProtocol>(
    cx: &CheckCx<'_, P>,
    key: &str,
) -> Vec<Operation<RegisterInput, RegisterOutput>> {
    let mut ops: BTreeMap<OpId, Operation<RegisterInput, RegisterOutput>> = BTreeMap::new();
    for (i, event) in cx.events.iter().enumerate() {
        let at = i as u64;
        match event.kind {
            EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. } => {
                let request = cx.request(op).filter(|r| r.key() == key);
                if let Some(input) = request.and_then(input) {
                    ops.entry(op).or_insert_with(|| Operation {
                        input,
                        invoked: at,
                        completed: None,
                    });
                }
            }
            EventKind::Response { op, .. } => {
                let answer = cx.response(EventId(i as u32)).and_then(output);
                if let (Some(entry), Some(answer)) = (ops.get_mut(&op), answer) {
                    entry.completed.get_or_insert((answer, at));
                }
            }
            _ => {}
        }
    }
    ops.into_values().collect()
}

/// What the violation says: the write the get missed and, when the search finds it, the longest
/// order of the key's operations that works and the value it leaves.
fn message<P: KvProtocol>(cx: &CheckCx<'_, P>, stale: &StaleRead) -> String {
    let key = &stale.key;
    let verb = if stale.missed_put { "put" } else { "append" };
    let mut message = format!(
        "a get of {key} returned {}, missing the {verb} of {:?} (op{}) that completed before the \
         get began",
        value(stale.returned.as_deref()),
        stale.missed,
        stale.missed_op
    );
    let history = history(cx, key);
    if let Outcome::NotLinearizable { prefix, .. } = check(&Register, &history, BUDGET) {
        let held = state_after(&Register, &history, &prefix);
        message.push_str(&format!(
            "; the longest order of {key}'s operations that works places {} of {} and leaves \
             {key} holding {}",
            prefix.len(),
            history.len(),
            value(held.as_deref())
        ));
    }
    message
}

impl<P: KvProtocol> Property<P> for LinearizableReads<P> {
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

    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. } => {
                    if self.done.contains(op) {
                        continue;
                    }
                    let Some((request, input)) = cx.request(op).and_then(|r| Some((r, input(r)?)))
                    else {
                        continue;
                    };
                    let at = u64::from(id.0);
                    self.reads
                        .invoke(u64::from(op.0), request.key(), &input, at);
                }
                EventKind::Response { op, .. } => {
                    let Some(answer) = cx.response(id).and_then(output) else {
                        continue;
                    };
                    self.done.insert(op);
                    if let Some(stale) =
                        self.reads
                            .complete(u64::from(op.0), &answer, u64::from(id.0))
                    {
                        return Verdict::Violated {
                            message: message(cx, &stale),
                            involved: vec![
                                EventId(stale.missed_completed as u32),
                                EventId(stale.began as u32),
                                id,
                            ],
                        };
                    }
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<P>> {
        Box::new(self.clone())
    }
}
