//! What the exhaustive explorer (`scenario::explore`) needs of a run: a copy to explore forward
//! from, a fingerprint of the state that two orders reaching the same state share, and the moves
//! open now (the messages in the network, and the next instant something else is due).

use super::{Messages, Sim};
use crate::engine::causality::Causality;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::protocol::{NodeStatus, Protocol};
use crate::engine::time::SimTime;
use crate::engine::world::{Item, Place};
use std::cell::RefCell;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A message in the network (queued or held), once per send however many copies it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub send: EventId,
    pub from: NodeId,
    pub to: NodeId,
}

/// What can happen next in a run whose links all hold their messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Moves {
    /// The next instant, within the horizon, at which something other than a message's arrival
    /// is due: a timer, a node's start, a client's request or timeout, a scripted action.
    pub advance: Option<SimTime>,
    /// The messages in the network, in the order they were sent.
    pub messages: Vec<Pending>,
    /// The nodes up, and the nodes crashed (started once, then crashed).
    pub up: Vec<NodeId>,
    pub crashed: Vec<NodeId>,
}

/// A hasher that Debug output is written into, so a state is hashed without building its text.
/// SipHash, 64 bits on every target (a hasher whose state is a `usize` has 32 bits in wasm, where
/// a few hundred thousand states would already collide).
/// A timer's number (`TimerId`, a pending-event slot) depends on the order in which timers were
/// set, so where a `TimerId(…)` appears, the timer it names is hashed instead (`timer`: its node,
/// kind and instant, or nothing once it has fired or been cancelled).
struct Digest<'a> {
    hasher: DefaultHasher,
    timer: &'a dyn Fn(u64) -> u64,
    /// 1 after `TimerId`, 2 after its `(`.
    seen: u8,
}

impl std::fmt::Write for Digest<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.seen = match (self.seen, s) {
            (_, "TimerId") => 1,
            (1, "(") => 2,
            (2, digits) => {
                if let Ok(id) = digits.parse::<u64>() {
                    (self.timer)(id).hash(&mut self.hasher);
                    return Ok(());
                }
                0
            }
            _ => 0,
        };
        self.hasher.write(s.as_bytes());
        Ok(())
    }
}

impl<'a> Digest<'a> {
    fn new(timer: &'a dyn Fn(u64) -> u64) -> Digest<'a> {
        Digest {
            hasher: DefaultHasher::new(),
            timer,
            seen: 0,
        }
    }

    fn debug(&mut self, value: &dyn std::fmt::Debug) {
        // Writing into a hasher cannot fail.
        let _ = write!(self, "{value:?}|");
    }

    fn finish(&self) -> u64 {
        self.hasher.finish()
    }
}

/// Text written straight into a hasher.
struct HashText<'a>(&'a mut DefaultHasher);

impl std::fmt::Write for HashText<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

impl<P: Protocol> Sim<P> {
    /// A copy of the run as it stands, to go on from separately: the same state, trace and
    /// schedule, without checkpoints (the copy cannot seek back before now) and with its causality
    /// index rebuilt as it is read.
    pub fn fork(&self) -> Sim<P> {
        Sim {
            nodes: self.nodes,
            horizon: self.horizon,
            params: self.params.clone(),
            schedule: self.schedule.clone(),
            world: self.world.clone(),
            state: self.state.clone(),
            log: self.log.clone(),
            messages: Messages {
                sent: self.messages.sent.clone(),
                outbox: Vec::new(),
            },
            checkpoints: Vec::new(),
            checkpoint_every: u64::MAX,
            steps_since_checkpoint: 0,
            check_every_step: self.check_every_step,
            clients: self.clients.clone(),
            causality: RefCell::new(Causality::new(self.nodes)),
            model: self.model,
            charged: self.charged.clone(),
        }
    }

    /// A fingerprint of the state now, the same for every order of steps that reaches it: the
    /// instant; each node's status, protocol state, stable storage, random stream and lies; the
    /// messages in the network as a multiset of (from, to, payload); the pending timers and client
    /// events by node, kind and instant; how far the schedule has run; and the facts each node has
    /// stated, in its own order, which is what the checkers judge. Event, message and timer
    /// numbers, which differ between orders, are left out.
    pub fn fingerprint(&self) -> u64 {
        let timer = |id: u64| self.timer_identity(id);
        let mut digest = Digest::new(&timer);
        self.world.now.hash(&mut digest.hasher);
        self.state.cursor.hash(&mut digest.hasher);
        for slot in &self.world.nodes {
            digest.debug(&slot.status);
            digest.debug(&slot.state);
            digest.debug(slot.stable());
            digest.debug(slot.rng_state());
            digest.debug(&slot.traitor);
        }
        let mut pending: Vec<u64> = self
            .world
            .entries
            .iter()
            .filter_map(|entry| {
                let item = entry.item.as_ref()?;
                let mut one = Digest::new(&timer);
                match item {
                    Item::Deliver { msg, from, to, .. } => {
                        (0u8, from, to).hash(&mut one.hasher);
                        one.debug(&self.messages.sent[msg.index()]);
                    }
                    Item::Timer {
                        node,
                        kind,
                        incarnation,
                        ..
                    } => {
                        if self.world.nodes[node.index()].incarnation != *incarnation {
                            return None;
                        }
                        (1u8, node, entry.at).hash(&mut one.hasher);
                        one.debug(kind);
                    }
                    Item::Start { node } => (2u8, node, entry.at).hash(&mut one.hasher),
                    Item::Request { op } => (3u8, op.0, entry.at).hash(&mut one.hasher),
                    Item::ClientTimeout { op, attempt } => {
                        (4u8, op.0, *attempt, entry.at).hash(&mut one.hasher);
                    }
                    Item::Generate => (5u8, entry.at).hash(&mut one.hasher),
                }
                Some(one.finish())
            })
            .collect();
        pending.sort_unstable();
        pending.hash(&mut digest.hasher);
        let mut facts: Vec<Digest> = (0..=self.nodes).map(|_| Digest::new(&timer)).collect();
        for (event, fact) in &self.log.facts {
            let node = self.log.events[event.index()]
                .node
                .map_or(self.nodes as usize, NodeId::index);
            facts[node].debug(fact);
        }
        for node in facts {
            node.finish().hash(&mut digest.hasher);
        }
        digest.finish()
    }

    /// What timer `id` is, whatever number it was given: its node, kind and instant while it is
    /// pending, else 0.
    fn timer_identity(&self, id: u64) -> u64 {
        let (slot, generation) = ((id & u64::from(u32::MAX)) as usize, (id >> 32) as u32);
        let Some(entry) = self.world.entries.get(slot) else {
            return 0;
        };
        match &entry.item {
            Some(Item::Timer { node, kind, .. }) if entry.generation == generation => {
                let mut hasher = DefaultHasher::new();
                (node, entry.at).hash(&mut hasher);
                let _ = write!(HashText(&mut hasher), "{kind:?}");
                hasher.finish()
            }
            _ => 0,
        }
    }

    /// The moves open now, for a run whose links all hold their messages.
    pub fn moves(&self) -> Moves {
        let mut messages: Vec<Pending> = self
            .world
            .entries
            .iter()
            .filter(|e| e.place != Place::Inbox)
            .filter_map(|e| match &e.item {
                Some(Item::Deliver { send, from, to, .. }) => Some(Pending {
                    send: *send,
                    from: *from,
                    to: *to,
                }),
                _ => None,
            })
            .collect();
        messages.sort_unstable_by_key(|p| p.send);
        messages.dedup_by_key(|p| p.send);
        let due = self
            .world
            .entries
            .iter()
            .filter(|e| e.place == Place::Queue)
            .filter(|e| match &e.item {
                Some(Item::Timer {
                    node, incarnation, ..
                }) => self.world.nodes[node.index()].incarnation == *incarnation,
                Some(Item::Deliver { .. }) | None => false,
                Some(_) => true,
            })
            .map(|e| e.at);
        let scripted = self.schedule.get(self.state.cursor).map(|p| p.at);
        let advance = due.chain(scripted).min().filter(|&at| at <= self.horizon);
        let (mut up, mut crashed) = (Vec::new(), Vec::new());
        let started: Vec<bool> = self.started();
        for slot in &self.world.nodes {
            match slot.status {
                NodeStatus::Up | NodeStatus::Paused => up.push(slot.id),
                NodeStatus::Crashed if started[slot.id.index()] => crashed.push(slot.id),
                _ => {}
            }
        }
        Moves {
            advance,
            messages,
            up,
            crashed,
        }
    }

    /// Which nodes have started: a crashed node that never started waits for its start.
    fn started(&self) -> Vec<bool> {
        let mut started = vec![true; self.nodes as usize];
        for entry in &self.world.entries {
            if let Some(Item::Start { node }) = &entry.item {
                started[node.index()] = false;
            }
        }
        started
    }
}
