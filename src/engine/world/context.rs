//! `Ctx`, the handle a protocol's handler gets: the node's own clock, random stream and stable
//! storage, and the effects it records (sends, timers, persists, replies, notes).

use super::{Item, Key, Log, Place, World};
use crate::engine::byzantine::{Lie, Signature, Strategy};
use crate::engine::ids::{EventId, MsgId, NodeId, RequestId, TimerId};
use crate::engine::protocol::{Outcome, Protocol};
use crate::engine::rng::SimRng;
use crate::engine::trace::{DropReason, EventKind};
use std::rc::Rc;

/// The handle a protocol's handler gets: it reads the node's own clock and randomness and records
/// effects. It never exposes other nodes or the true time.
pub struct Ctx<'a, P: Protocol> {
    world: &'a mut World<P>,
    log: &'a mut Log<P>,
    /// This handler's sends so far; their ids follow the `first_msg` sent before it.
    outbox: &'a mut Vec<P::Msg>,
    first_msg: u32,
    node: NodeId,
}

impl<'a, P: Protocol> Ctx<'a, P> {
    /// The handle for a handler on `node`, whose sends follow the `first_msg` messages sent so far.
    pub(crate) fn new(
        world: &'a mut World<P>,
        log: &'a mut Log<P>,
        outbox: &'a mut Vec<P::Msg>,
        first_msg: u32,
        node: NodeId,
    ) -> Ctx<'a, P> {
        Ctx {
            world,
            log,
            outbox,
            first_msg,
            node,
        }
    }

    /// This node.
    pub fn id(&self) -> NodeId {
        self.node
    }

    /// How many nodes the system has (n1 … nN).
    pub fn node_count(&self) -> u32 {
        self.world.nodes.len() as u32
    }

    /// Every other node, in order.
    pub fn peers(&self) -> impl Iterator<Item = NodeId> + use<P> {
        let me = self.node;
        (0..self.node_count()).map(NodeId).filter(move |&n| n != me)
    }

    /// This node's wall-clock reading in microseconds (it may drift and jump).
    pub fn now(&self) -> i64 {
        self.world.nodes[self.node.index()]
            .clock
            .read(self.world.now)
    }

    /// This node's monotonic clock in microseconds (drifts, never jumps).
    pub fn monotonic(&self) -> i64 {
        self.world.nodes[self.node.index()]
            .clock
            .mono(self.world.now)
    }

    /// This node's own random stream.
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.world.nodes[self.node.index()].rng
    }

    /// Sends `msg` to `to` (a traitor sends what its lie makes of it, if anything).
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        match self.traitor() {
            None => {
                let id = self.post(msg);
                self.transmit(to, id);
            }
            Some(strategy) => self.send_lie(strategy, to, &msg),
        }
    }

    /// Sends the same message to every other node (one payload, one send event per peer; a
    /// traitor's lie may differ for each peer).
    pub fn broadcast(&mut self, msg: P::Msg) {
        if let Some(strategy) = self.traitor() {
            for to in self.peers() {
                self.send_lie(strategy, to, &msg);
            }
            return;
        }
        let id = self.post(msg);
        for to in self.peers() {
            self.transmit(to, id);
        }
    }

    /// This node's signature over `content` (see [`Signature`]).
    pub fn sign(&self, content: u64) -> Signature {
        Signature::make(self.node, content)
    }

    fn traitor(&self) -> Option<Strategy> {
        self.world.nodes[self.node.index()].traitor
    }

    /// A traitor's send: nothing if it is silent, else what `Protocol::lie` makes of `msg`.
    fn send_lie(&mut self, strategy: Strategy, to: NodeId, msg: &P::Msg) {
        if strategy == Strategy::Silent {
            return;
        }
        let traitors: Vec<NodeId> = self
            .world
            .nodes
            .iter()
            .filter(|slot| slot.traitor.is_some())
            .map(|slot| slot.id)
            .collect();
        let nodes = self.node_count();
        let rng = &mut self.world.nodes[self.node.index()].rng;
        let mut lie = Lie::new(strategy, self.node, to, &traitors, nodes, rng);
        if let Some(told) = P::lie(msg, &mut lie) {
            let id = self.post(told);
            self.transmit(to, id);
        }
    }

    fn post(&mut self, msg: P::Msg) -> MsgId {
        let id = MsgId(self.first_msg + self.outbox.len() as u32);
        self.outbox.push(msg);
        id
    }

    fn transmit(&mut self, to: NodeId, msg: MsgId) {
        let from = self.node;
        let send = self
            .world
            .record(self.log, Some(from), None, EventKind::Send { to, msg });
        self.world.stats.sent += 1;
        let lamport = self.world.nodes[from.index()].lamport;
        let blocked = self.world.network.is_blocked(from, to);
        let (first, second) = self.world.network.transmit(self.world.now, from, to);
        let doom = |lost: bool| {
            if blocked {
                Some(DropReason::Partitioned)
            } else if lost {
                Some(DropReason::Lost)
            } else {
                None
            }
        };
        let carried = self.carried(msg, send, to, first.corrupted);
        self.world.schedule(
            first.arrive_at,
            Item::Deliver {
                msg: carried,
                from,
                to,
                send,
                lamport,
                doomed: doom(first.lost),
                released: false,
            },
        );
        if let Some(copy) = second {
            self.world.stats.duplicated += 1;
            self.world.record(
                self.log,
                None,
                Some(send),
                EventKind::Duplicate {
                    from,
                    to,
                    msg,
                    send,
                },
            );
            let carried = self.carried(msg, send, to, copy.corrupted);
            self.world.schedule(
                copy.arrive_at,
                Item::Deliver {
                    msg: carried,
                    from,
                    to,
                    send,
                    lamport,
                    doomed: doom(copy.lost),
                    released: false,
                },
            );
        }
    }

    /// The message a copy of `msg` carries: `msg` itself, or, when the link corrupts the copy,
    /// what the link forges of it (`Protocol::lie` through [`Lie::forger`]), recorded as a
    /// `Corrupt` event.
    fn carried(&mut self, msg: MsgId, send: EventId, to: NodeId, corrupted: bool) -> MsgId {
        if !corrupted {
            return msg;
        }
        let from = self.node;
        let original = &self.outbox[(msg.0 - self.first_msg) as usize];
        let Some(forgery) = self.world.forgery(original, from, to) else {
            return msg;
        };
        let forged = self.post(forgery);
        self.world
            .record_corruption(self.log, (from, to), msg, forged, send);
        forged
    }

    /// Starts a timer that fires after `after_us` microseconds of this node's (drifting) clock.
    pub fn set_timer(&mut self, after_us: u64, kind: P::Timer) -> TimerId {
        let world = &mut *self.world;
        let node = &world.nodes[self.node.index()];
        let mono_deadline = node.clock.mono(world.now).saturating_add(after_us as i64);
        let at = world
            .now
            .saturating_add_us(node.clock.true_duration(after_us));
        let incarnation = node.incarnation;
        let slot = world.alloc(at, Item::Generate);
        let timer =
            TimerId((u64::from(world.entries[slot as usize].generation) << 32) | u64::from(slot));
        let name = P::timer_name(&kind);
        let set = world.record(
            self.log,
            Some(self.node),
            None,
            EventKind::TimerSet {
                timer,
                name,
                after_us,
            },
        );
        let entry = &mut world.entries[slot as usize];
        entry.item = Some(Item::Timer {
            node: self.node,
            timer,
            kind,
            incarnation,
            set,
            mono_deadline,
        });
        let seq = entry.seq;
        world.queue.push(Key::new(at, seq, slot).0);
        timer
    }

    /// Cancels a pending timer; a timer that already fired (or never existed) is ignored.
    pub fn cancel_timer(&mut self, timer: TimerId) {
        let slot = (timer.0 & 0xffff_ffff) as u32;
        let generation = (timer.0 >> 32) as u32;
        let world = &mut *self.world;
        let Some(entry) = world.entries.get(slot as usize) else {
            return;
        };
        if entry.generation != generation {
            return;
        }
        let Some(Item::Timer { node, kind, .. }) = &entry.item else {
            return;
        };
        if *node != self.node {
            return;
        }
        let name = P::timer_name(kind);
        if entry.place == Place::Inbox {
            world.nodes[self.node.index()].inbox.retain(|&s| s != slot);
        }
        world.free(slot);
        world.record(
            self.log,
            Some(self.node),
            None,
            EventKind::TimerCancel { timer, name },
        );
    }

    /// This node's stable storage, as it survives crashes.
    pub fn stable(&self) -> &P::Stable {
        &self.world.nodes[self.node.index()].stable
    }

    /// Writes stable storage (`what` names the change for the trace, e.g. "votedFor").
    pub fn persist(&mut self, what: &'static str, write: impl FnOnce(&mut P::Stable)) {
        write(Rc::make_mut(
            &mut self.world.nodes[self.node.index()].stable,
        ));
        self.world
            .record(self.log, Some(self.node), None, EventKind::Persist { what });
    }

    /// Answers client request `id`.
    pub fn reply(&mut self, id: RequestId, response: P::Response) {
        let Some(record) = self.log.requests.get(id.0 as usize).copied() else {
            return;
        };
        self.world.stats.responses += 1;
        let op = record.op;
        let event = self.world.record(
            self.log,
            Some(self.node),
            record.event,
            EventKind::Response { id, op },
        );
        let outcome = P::outcome(&response);
        self.log.responses.push((event, response));
        let state = &mut self.world.ops[op.index()];
        if state.done {
            return;
        }
        match (outcome, self.world.retry) {
            (Outcome::Redirect(hint), Some(retry)) if record.attempt == state.attempt => {
                let next = hint.unwrap_or(NodeId((state.target.0 + 1) % self.node_count()));
                let at = self.world.now.saturating_add_us(retry.backoff_us);
                self.world.retry_op(self.log, op, next, at);
            }
            (Outcome::Redirect(_), _) => {}
            (Outcome::Done, _) => state.done = true,
        }
    }

    /// Notes something about this node's state in the trace (e.g. that it became leader in term
    /// 3): an `annotate` event showing the note's text, with the note and its fact kept for checkers
    /// and plots.
    pub fn note(&mut self, note: P::Note) {
        let text = match &self.log.blank {
            Some(blank) => Rc::clone(blank),
            None => note.to_string().into(),
        };
        let event = self.world.record(
            self.log,
            Some(self.node),
            None,
            EventKind::Annotate { text },
        );
        if let Some(fact) = P::fact(&note) {
            self.log.step.kinds = self.log.step.kinds.or(fact.kinds());
            self.log.facts.push((event, fact));
        }
        self.log.notes.push((event, note));
    }
}
