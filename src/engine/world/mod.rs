//! The world a step changes: true time, the pending events, the nodes (protocol state, stable
//! storage, clock, random stream), the network, client operations and the counters, with the log
//! that steps append to; and [`Ctx`], the one handle a protocol's handler gets into it.
//!
//! The `Protocol` trait and `Ctx` name each other (a handler takes a `Ctx<Self>`; a `Ctx` holds the
//! protocol's messages), so `protocol.rs` and this module import each other and nothing above
//! them: the simulator (`engine::sim`) drives the world and imports both, and neither imports it.

mod context;
mod copy;
mod pending;

pub use context::Ctx;
pub(crate) use pending::{Entry, Item, Key, MAX_PENDING, Place};

use crate::engine::byzantine::{Lie, Strategy};
use crate::engine::clock::{Clock, ClockConfig};
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, MsgId, NodeId, OpId};
use crate::engine::network::Network;
use crate::engine::protocol::{NodeStatus, Protocol, Touched, Watched};
use crate::engine::queue::EventQueue;
use crate::engine::rng::{Purpose, SimRng};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, Kinds, TraceEvent};
use crate::engine::workload::RetryPolicy;
use serde::Serialize;
use std::rc::Rc;

/// Counters over the run so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub steps: u64,
    pub events: u64,
    pub sent: u64,
    pub delivered: u64,
    pub dropped: u64,
    pub duplicated: u64,
    pub timers_fired: u64,
    pub requests: u64,
    pub responses: u64,
    pub violations: u64,
}

/// What a step changes and a handler's effects reach through its `Ctx`: true time, the pending
/// events, the nodes, the network, client operations and the counters. Cloned into checkpoints
/// (`Clone` in `copy.rs`, whose `clone_from` reuses the buffers).
#[derive(Debug)]
pub(crate) struct World<P: Protocol> {
    pub(crate) now: SimTime,
    seq: u64,
    pub(crate) queue: EventQueue,
    pub(crate) entries: Vec<Entry<P>>,
    free: Vec<u32>,
    /// Slots of the messages waiting on held links.
    pub(crate) held: Vec<u32>,
    pub(crate) nodes: Vec<NodeSlot<P>>,
    pub(crate) network: Network,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) ops: Vec<OpState<P>>,
    pub(crate) stats: Stats,
}

/// A node: its protocol state (absent while crashed), stable storage, randomness, clock, and the
/// engine's bookkeeping for the trace.
#[derive(Debug)]
pub struct NodeSlot<P: Protocol> {
    pub(crate) id: NodeId,
    /// Shared, so copying the world (a checkpoint, an explorer's fork) copies a pointer, and a
    /// handler takes it out of the slot and puts it back by moving one; a handler copies the state
    /// only if a copy of the world still shares it.
    pub(crate) state: Option<Rc<P>>,
    /// Shared as the state is.
    stable: Rc<P::Stable>,
    rng: SimRng,
    pub(crate) status: NodeStatus,
    pub(crate) incarnation: u32,
    pub(crate) clock: Clock,
    pub(crate) lamport: u64,
    pub(crate) last: Option<EventId>,
    pub(crate) inbox: Vec<u32>,
    /// `Protocol::watched` after the last step that touched the node (none while it is down).
    pub(crate) watched: Option<Watched>,
    /// How the node lies, once it has turned traitor (it stays one through crashes).
    pub(crate) traitor: Option<Strategy>,
}

impl<P: Protocol> NodeSlot<P> {
    /// Node `id` before its start: crashed, with empty stable storage and its own random stream.
    pub(crate) fn new(id: NodeId, seed: u64, clock: ClockConfig) -> NodeSlot<P> {
        NodeSlot {
            id,
            state: None,
            stable: Rc::default(),
            rng: SimRng::derive(seed, Purpose::Node(id)),
            status: NodeStatus::Crashed,
            incarnation: 0,
            clock: Clock::new(clock),
            lamport: 0,
            last: None,
            inbox: Vec::new(),
            watched: None,
            traitor: None,
        }
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn status(&self) -> NodeStatus {
        self.status
    }

    pub fn state(&self) -> Option<&P> {
        self.state.as_deref()
    }

    pub fn stable(&self) -> &P::Stable {
        &self.stable
    }

    /// The node's random stream, where it stands now.
    pub(crate) fn rng_state(&self) -> &SimRng {
        &self.rng
    }

    /// How the node lies, if it is a traitor.
    pub fn traitor(&self) -> Option<Strategy> {
        self.traitor
    }

    pub fn last_event(&self) -> Option<EventId> {
        self.last
    }
}

/// A client operation in progress.
#[derive(Clone, Debug)]
pub(crate) struct OpState<P: Protocol> {
    pub(crate) payload: Rc<P::Request>,
    /// Where the current attempt goes.
    pub(crate) target: NodeId,
    pub(crate) attempt: u32,
    pub(crate) done: bool,
}

/// What a run appends and never rewrites (until a seek truncates it). Message payloads are kept
/// apart by the simulator, since a handler reads them while it records.
#[derive(Clone, Debug)]
pub(crate) struct Log<P: Protocol> {
    pub(crate) events: Vec<TraceEvent>,
    pub(crate) requests: Vec<RequestRecord>,
    pub(crate) responses: Vec<(EventId, P::Response)>,
    /// Every note, by the annotate event that shows it.
    pub(crate) notes: Vec<(EventId, P::Note)>,
    /// Every fact a note stated, by the note's event.
    pub(crate) facts: Vec<(EventId, Fact)>,
    /// What the step being taken has recorded so far, for its checkers.
    pub(crate) step: StepEvents,
    /// The text of every note when set, instead of the note's own: the explorer's run, whose
    /// trace nobody reads (a counterexample is replayed in a run of its own), spends nothing on
    /// formatting notes.
    pub(crate) blank: Option<Rc<str>>,
}

/// The kinds of a step's events and the nodes they happened on, noted as each event is recorded so
/// checking the step need not read its events back.
#[derive(Debug, Default)]
pub(crate) struct StepEvents {
    pub(crate) kinds: Kinds,
    pub(crate) touched: Vec<Touched>,
}

/// By hand for `clone_from`, which copies into the list already there: the explorer's marks keep
/// a step's events at every move.
impl Clone for StepEvents {
    fn clone(&self) -> StepEvents {
        StepEvents {
            kinds: self.kinds,
            touched: self.touched.clone(),
        }
    }

    fn clone_from(&mut self, source: &StepEvents) {
        self.kinds = source.kinds;
        self.touched.clone_from(&source.touched);
    }
}

impl StepEvents {
    pub(crate) fn clear(&mut self) {
        self.kinds = Kinds::NONE;
        self.touched.clear();
    }

    fn note(&mut self, id: EventId, node: Option<NodeId>, kind: &EventKind) {
        self.kinds = self.kinds.or(kind.kinds());
        let Some(node) = node else {
            return;
        };
        let annotation = matches!(kind, EventKind::Annotate { .. }).then_some(id);
        // A step's events are nearly always on one node: the one whose handler ran.
        let touched = match self.touched.last_mut() {
            Some(last) if last.node == node => Some(last),
            _ => self.touched.iter_mut().find(|t| t.node == node),
        };
        match touched {
            Some(t) => t.annotation = annotation.or(t.annotation),
            None => self.touched.push(Touched {
                node,
                first: id,
                annotation,
            }),
        }
    }
}

/// One attempt of an operation, as it reached a node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestRecord {
    pub(crate) node: NodeId,
    pub(crate) op: OpId,
    pub(crate) attempt: u32,
    pub(crate) event: Option<EventId>,
}

impl<P: Protocol> Log<P> {
    pub(crate) fn new() -> Log<P> {
        Log {
            events: Vec::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            notes: Vec::new(),
            facts: Vec::new(),
            step: StepEvents::default(),
            blank: None,
        }
    }
}

impl<P: Protocol> World<P> {
    /// The world at time zero, with nothing pending.
    pub(crate) fn new(
        nodes: Vec<NodeSlot<P>>,
        network: Network,
        retry: Option<RetryPolicy>,
    ) -> World<P> {
        World {
            now: SimTime::ZERO,
            seq: 0,
            queue: EventQueue::default(),
            entries: Vec::new(),
            free: Vec::new(),
            held: Vec::new(),
            nodes,
            network,
            retry,
            ops: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Starts a client operation: its first attempt reaches `node` at `at`.
    pub(crate) fn new_op(&mut self, at: SimTime, node: NodeId, payload: Rc<P::Request>) {
        let op = OpId(self.ops.len() as u32);
        self.ops.push(OpState {
            payload,
            target: node,
            attempt: 0,
            done: false,
        });
        self.schedule(at, Item::Request { op });
    }

    /// Sends the next attempt of `op` to `target` at `at`, or gives up after the last attempt.
    pub(crate) fn retry_op(&mut self, log: &mut Log<P>, op: OpId, target: NodeId, at: SimTime) {
        let Some(retry) = self.retry else {
            return;
        };
        let state = &mut self.ops[op.index()];
        if state.attempt >= retry.max_attempts {
            state.done = true;
            self.record(log, None, None, EventKind::GiveUp { op });
            return;
        }
        state.target = target;
        self.schedule(at, Item::Request { op });
    }

    /// What the link `from → to` forges of `original` (`Protocol::lie` through `Lie::forger`,
    /// drawing from the link's own stream), if it finds anything to alter.
    pub(crate) fn forgery(
        &mut self,
        original: &P::Msg,
        from: NodeId,
        to: NodeId,
    ) -> Option<P::Msg> {
        let nodes = self.nodes.len() as u32;
        let rng = self.network.link_rng(from, to);
        P::lie(original, &mut Lie::forger(from, to, nodes, rng))
    }

    /// Records that the link `from → to` replaced a copy of `msg`, sent by event `send`, with
    /// `forged`.
    pub(crate) fn record_corruption(
        &mut self,
        log: &mut Log<P>,
        (from, to): (NodeId, NodeId),
        msg: MsgId,
        forged: MsgId,
        send: EventId,
    ) {
        let kind = EventKind::Corrupt {
            from,
            to,
            msg,
            forged,
            send,
        };
        self.record(log, None, Some(send), kind);
    }

    /// Records an event whose causes, if any, are on the same node (or none at all).
    pub(crate) fn record(
        &mut self,
        log: &mut Log<P>,
        node: Option<NodeId>,
        cause: Option<EventId>,
        kind: EventKind,
    ) -> EventId {
        self.record_after(log, node, cause, 0, kind)
    }

    /// Records an event that must also follow a remote event with Lamport timestamp `floor` (the
    /// send of a delivery, carried with the message so the trace need not be read back).
    pub(crate) fn record_after(
        &mut self,
        log: &mut Log<P>,
        node: Option<NodeId>,
        cause: Option<EventId>,
        floor: u64,
        kind: EventKind,
    ) -> EventId {
        let id = EventId(log.events.len() as u32);
        log.step.note(id, node, &kind);
        let event = match node {
            Some(node) => {
                let slot = &mut self.nodes[node.index()];
                let lamport = slot.lamport.max(floor) + 1;
                slot.lamport = lamport;
                TraceEvent {
                    time: self.now,
                    node: Some(node),
                    local_us: slot.clock.read(self.now),
                    lamport,
                    prev: slot.last.replace(id),
                    cause,
                    kind,
                }
            }
            None => TraceEvent {
                time: self.now,
                node: None,
                local_us: 0,
                lamport: 0,
                prev: None,
                cause,
                kind,
            },
        };
        log.events.push(event);
        id
    }
}
