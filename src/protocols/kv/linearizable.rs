//! Linearizable reads: each completed get is screened for staleness by the checker library as it
//! completes; a stale one is explained by the library's exact search over its key's history.

use crate::checks::heal::{Done, REQUESTS};
use crate::checks::linearizability::{
    Operation, Outcome, Register, RegisterInput, RegisterOutput, StaleRead, StaleReads, check,
    state_after,
};
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Protocol, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use crate::protocols::kv::{KvRequest, KvResponse, shown};
use std::collections::{BTreeMap, BTreeSet};
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
///
/// With `after_sync`, only the gets a server received after a sync are judged, each as if it
/// began when that server received its latest sync, and only if that server answered both the
/// sync and the get: what ZooKeeper's `sync` promises. A sync the server dropped (it stepped down
/// as leader, say) promised nothing.
#[derive(Clone, Debug)]
struct LinearizableReads<P> {
    reads: StaleReads,
    /// The operations answered, whose late retries and duplicate answers are ignored.
    done: Done,
    after_sync: bool,
    /// Per server, the event at which it received its latest sync, and that sync.
    synced: BTreeMap<NodeId, (u64, OpId)>,
    /// The gets received after a sync: the server, which must answer the get, and the sync,
    /// which it must have answered first.
    synced_gets: BTreeMap<OpId, (NodeId, OpId)>,
    /// The syncs answered, each with the server that answered it.
    answered_syncs: BTreeSet<(OpId, NodeId)>,
    protocol: PhantomData<fn() -> P>,
}

impl<P> LinearizableReads<P> {
    fn new(after_sync: bool) -> Self {
        LinearizableReads {
            reads: StaleReads::default(),
            done: Done::default(),
            after_sync,
            synced: BTreeMap::new(),
            synced_gets: BTreeMap::new(),
            answered_syncs: BTreeSet::new(),
            protocol: PhantomData,
        }
    }

    /// With `after_sync`, whether the answer of `op` by `node` goes to the screen: a write's
    /// always does, a get's only if the server it reached after a sync answered both. Notes an
    /// answered sync.
    fn judged<Q: KvProtocol>(
        &mut self,
        cx: &CheckCx<'_, Q>,
        op: OpId,
        node: Option<NodeId>,
    ) -> bool {
        match (cx.request(op), node) {
            (Some(KvRequest::Put { .. } | KvRequest::Append { .. }), _) => true,
            (Some(KvRequest::Sync { .. }), Some(node)) => {
                self.answered_syncs.insert((op, node));
                false
            }
            (Some(KvRequest::Get { .. }), Some(node)) => {
                self.synced_gets.get(&op).is_some_and(|&(at, sync)| {
                    at == node && self.answered_syncs.contains(&(sync, node))
                })
            }
            _ => false,
        }
    }

    /// When the screen takes request `op` (received by `node`, at event `at`) to begin, if it
    /// judges it. A sync is never judged, but with `after_sync` it marks its server.
    fn begins(
        &mut self,
        op: OpId,
        request: &KvRequest,
        node: Option<NodeId>,
        at: u64,
    ) -> Option<u64> {
        match request {
            KvRequest::Put { .. } | KvRequest::Append { .. } => Some(at),
            KvRequest::Get { .. } if !self.after_sync => Some(at),
            KvRequest::Get { .. } => {
                let node = node.filter(|_| !self.synced_gets.contains_key(&op))?;
                let (synced, sync) = *self.synced.get(&node)?;
                self.synced_gets.insert(op, (node, sync));
                Some(synced)
            }
            KvRequest::Sync { .. } => {
                if let Some(node) = node.filter(|_| self.after_sync) {
                    self.synced.insert(node, (at, op));
                }
                None
            }
        }
    }
}

/// Always: linearizable reads, for any protocol whose clients use the key-value store.
pub fn linearizable_reads<P: KvProtocol>() -> Box<dyn Property<P>> {
    Box::new(LinearizableReads::<P>::new(false))
}

/// Always: every get a server receives after a sync sees every write that completed before the
/// sync reached that server (ZooKeeper's reads, which are not linearizable otherwise).
pub fn fresh_after_sync<P: KvProtocol>() -> Box<dyn Property<P>> {
    Box::new(LinearizableReads::<P>::new(true))
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
fn message<P: KvProtocol>(cx: &CheckCx<'_, P>, stale: &StaleRead, began: &str) -> String {
    let key = &stale.key;
    let verb = if stale.missed_put { "put" } else { "append" };
    let mut message = format!(
        "a get of {key} returned {}, missing the {verb} of {:?} (op{}) that completed before \
         {began}",
        shown(stale.returned.as_deref()),
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
            shown(held.as_deref())
        ));
    }
    message
}

impl<P: KvProtocol> Property<P> for LinearizableReads<P> {
    fn name(&self) -> &'static str {
        if self.after_sync {
            "Fresh after sync"
        } else {
            "Linearizable reads"
        }
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        if self.after_sync {
            "A get a server receives after a sync sees every write that completed before the sync \
             reached that server (unless a later put may have overwritten it)."
        } else {
            "Every completed get sees every write that completed before it began (unless a later \
             put may have overwritten it)."
        }
    }

    fn watches(&self) -> Kinds {
        REQUESTS
    }

    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. } => {
                    let Some(request) = cx.request(op).filter(|_| !self.done.contains(op)) else {
                        continue;
                    };
                    // The server that received it; none for a request its server never got.
                    let node = event
                        .node
                        .filter(|_| matches!(event.kind, EventKind::Request { .. }));
                    let at = self.begins(op, request, node, u64::from(id.0));
                    if let (Some(input), Some(at)) = (input(request), at) {
                        self.reads
                            .invoke(u64::from(op.0), request.key(), &input, at);
                    }
                }
                EventKind::Response { op, .. } => {
                    let Some(answer) = cx.response(id).and_then(output) else {
                        continue;
                    };
                    self.done.insert(op);
                    if self.after_sync && !self.judged(cx, op, event.node) {
                        self.reads.forget(u64::from(op.0));
                        continue;
                    }
                    if let Some(stale) =
                        self.reads
                            .complete(u64::from(op.0), &answer, u64::from(id.0))
                    {
                        let began = match self.synced_gets.get(&op) {
                            Some((node, _)) => format!("{node} received the sync the get followed"),
                            None => "the get began".to_string(),
                        };
                        return Verdict::Violated {
                            message: message(cx, &stale, &began),
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
