//! What the exhaustive explorer (`scenario::explore`) needs of a run: a copy to explore forward
//! from, a fingerprint of the state that two orders reaching the same state share, and the moves
//! open now (the messages in the network, and the next instant something else is due).

use super::{Messages, Sim};
use crate::engine::causality::Causality;
use crate::engine::ids::{EventId, NodeId, hashing_timers_as};
use crate::engine::protocol::{NodeStatus, Protocol};
use crate::engine::time::SimTime;
use crate::engine::trace::EventKind;
use crate::engine::world::{Item, Log, Place};
use foldhash::quality::{FixedState, FoldHasher};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::rc::Rc;

/// A message in the network (queued or held), once per send however many copies it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub send: EventId,
    pub from: NodeId,
    pub to: NodeId,
    /// Its ends and payload hashed, whatever its numbers, as the last fingerprint found them (0
    /// before the first): two messages with the same digest are the same to their receiver,
    /// whichever order of steps sent them.
    pub digest: u64,
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

/// What `Sim::fingerprint` has hashed so far, kept for the next fingerprint of the run and its
/// forks. Messages and facts never carry a `TimerId`, so their digests never go stale; a seek
/// back empties it (`Fingerprints::default`), since later events may then be numbered again.
#[derive(Clone, Default)]
pub(crate) struct Fingerprints {
    /// Each node's digest, with its last event when it was taken.
    nodes: Vec<Option<(Option<EventId>, u64)>>,
    /// Each sent message's payload digest, by message number.
    payloads: Vec<u64>,
    /// Each node's facts (and the last slot, those stated by no node), hashed in order.
    facts: Vec<FoldHasher<'static>>,
    /// How many of the trace's facts are in `facts`.
    facts_read: usize,
    /// A buffer a fingerprint reuses: the pending timers' identities.
    timers: Vec<(u64, u64)>,
    /// Whether an `always` property watches the clients' events (a history checker), asked once.
    clients_watched: Option<bool>,
    /// The clients' events (requests, responses with what they answered, give-ups) in the order
    /// they happened, hashed as they are read, when they are watched; and how many of the
    /// trace's events that has read.
    clients: Option<FoldHasher<'static>>,
    events_read: usize,
}

impl Fingerprints {
    /// Makes `kept` what to come back to (`back_to`): a copy of all but the payload digests,
    /// which only grow, so their count is returned instead; `kept`'s buffers are reused.
    pub(super) fn keep_into(&self, kept: &mut Fingerprints) -> usize {
        kept.nodes.clone_from(&self.nodes);
        kept.facts.clone_from(&self.facts);
        kept.facts_read = self.facts_read;
        kept.clients_watched = self.clients_watched;
        kept.clients.clone_from(&self.clients);
        kept.events_read = self.events_read;
        self.payloads.len()
    }

    /// Goes back to what `keep_into` kept in `kept`, with `payloads` payload digests.
    pub(super) fn back_to(&mut self, kept: &Fingerprints, payloads: usize) {
        self.nodes.clone_from(&kept.nodes);
        self.facts.clone_from(&kept.facts);
        self.facts_read = kept.facts_read;
        self.clients_watched = kept.clients_watched;
        self.clients.clone_from(&kept.clients);
        self.events_read = kept.events_read;
        self.payloads.truncate(payloads);
    }
}

impl std::fmt::Debug for Fingerprints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fingerprints")
            .field("nodes", &self.nodes)
            .field("payloads", &self.payloads.len())
            .field("facts_read", &self.facts_read)
            .finish_non_exhaustive()
    }
}

/// A hasher for fingerprints: foldhash with a fixed seed, so a state's fingerprint is the same in
/// every run and on every target (its state is 64 bits in wasm too, unlike a `usize` one, whose
/// 32 bits would already collide among a few hundred thousand states).
fn new_hasher() -> FoldHasher<'static> {
    FixedState::with_seed(0x0C0A_05E0_A7F1_4E25).build_hasher()
}

/// A copy of `items` with room to grow, since a fork goes on to append to it (a plain clone has
/// none, so its first push would copy it all again).
fn with_room<T: Clone>(items: &[T]) -> Vec<T> {
    let mut copy = Vec::with_capacity(items.len() + items.len() / 4 + 8);
    copy.extend_from_slice(items);
    copy
}

impl<P: Protocol> Sim<P> {
    /// Readies the run for the explorer: it judges steps by the properties named in `judged`
    /// only, and records notes without their text (their facts and typed notes, which checkers
    /// read, stay), since nobody reads its trace: a counterexample is replayed in a run of its
    /// own.
    pub fn explore_only(&mut self, judged: &BTreeSet<String>) {
        self.judge_only(judged);
        self.log.blank = Some(Rc::from(""));
    }

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
            log: Log {
                events: with_room(&self.log.events),
                requests: self.log.requests.clone(),
                responses: self.log.responses.clone(),
                notes: with_room(&self.log.notes),
                facts: with_room(&self.log.facts),
                step: self.log.step.clone(),
                blank: self.log.blank.clone(),
            },
            messages: Messages {
                sent: with_room(&self.messages.sent),
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
            fingerprints: self.fingerprints.clone(),
            marks: Vec::new(),
            kept: 0,
        }
    }

    /// A fingerprint of the state now, the same for every order of steps that reaches it: the
    /// instant; each node's status, protocol state, stable storage, random stream and lies; the
    /// messages in the network as a multiset of (from, to, payload); the pending timers and client
    /// events by node, kind and instant; how far the schedule has run; the facts each node has
    /// stated, in its own order, which is what the checkers judge; and, when an `always` property
    /// watches them, the clients' requests and responses in the order they happened (a history
    /// checker's memory). Event, message and timer numbers, which differ between orders, are left
    /// out.
    ///
    /// What it hashed is kept (`Fingerprints`) and carried into forks: a node's part is hashed
    /// again only once the node has a new event (everything that changes a node records one), a
    /// message's payload once, and facts as they are added.
    pub fn fingerprint(&mut self) -> u64 {
        let mut cache = std::mem::take(&mut self.fingerprints);
        for msg in &self.messages.sent[cache.payloads.len()..] {
            let mut one = new_hasher();
            msg.hash(&mut one);
            cache.payloads.push(one.finish());
        }
        let pending = self.digest_entries(&cache.payloads, &mut cache.timers);
        let fingerprint = self.fingerprint_with(&mut cache, pending);
        self.fingerprints = cache;
        fingerprint
    }

    fn fingerprint_with(&self, cache: &mut Fingerprints, (count, sum): (u64, u64)) -> u64 {
        let mut hasher = new_hasher();
        self.world.now.hash(&mut hasher);
        self.state.cursor.hash(&mut hasher);
        cache.nodes.resize(self.world.nodes.len(), None);
        let stale = self
            .world
            .nodes
            .iter()
            .zip(&cache.nodes)
            .any(|(slot, cached)| cached.is_none_or(|(last, _)| last != slot.last));
        if stale {
            hashing_timers_as(&mut cache.timers, || {
                for (slot, cached) in self.world.nodes.iter().zip(&mut cache.nodes) {
                    if cached.is_none_or(|(last, _)| last != slot.last) {
                        let mut digest = new_hasher();
                        slot.status.hash(&mut digest);
                        slot.state.hash(&mut digest);
                        slot.stable().hash(&mut digest);
                        slot.rng_state().hash(&mut digest);
                        slot.traitor.hash(&mut digest);
                        *cached = Some((slot.last, digest.finish()));
                    }
                }
            });
        }
        for (_, digest) in cache.nodes.iter().flatten() {
            digest.hash(&mut hasher);
        }
        (count, sum).hash(&mut hasher);
        cache.facts.resize(self.nodes as usize + 1, new_hasher());
        for (event, fact) in &self.log.facts[cache.facts_read..] {
            let node = self.log.events[event.index()]
                .node
                .map_or(self.nodes as usize, NodeId::index);
            fact.hash(&mut cache.facts[node]);
        }
        cache.facts_read = self.log.facts.len();
        for node in &cache.facts {
            node.finish().hash(&mut hasher);
        }
        let watched = *cache
            .clients_watched
            .get_or_insert_with(|| self.clients_judged());
        if watched {
            let clients = cache.clients.get_or_insert_with(new_hasher);
            self.hash_client_events(cache.events_read, clients);
            cache.events_read = self.log.events.len();
            clients.finish().hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Hashes into `clients` the clients' events from event `from` on, in order: what a history
    /// checker reads (linearizability, fresh reads), where the order of two responses matters even
    /// when it left every node in the same state.
    fn hash_client_events(&self, from: usize, clients: &mut FoldHasher<'static>) {
        for (i, event) in self.log.events.iter().enumerate().skip(from) {
            match &event.kind {
                EventKind::Request { op, attempt, .. } => (0u8, op.0, *attempt).hash(clients),
                EventKind::Response { op, .. } => {
                    (1u8, op.0).hash(clients);
                    let id = EventId(i as u32);
                    let at = self.log.responses.partition_point(|(e, _)| *e < id);
                    if let Some((_, response)) =
                        self.log.responses.get(at).filter(|(e, _)| *e == id)
                    {
                        serde_json::to_vec(response)
                            .unwrap_or_default()
                            .hash(clients);
                    }
                }
                EventKind::GiveUp { op } => (2u8, op.0).hash(clients),
                _ => {}
            }
        }
    }

    /// Computes the digest of every pending entry that has none yet (those added or changed
    /// since the world's last fingerprint): what it is, whatever its numbers, by its kind, node,
    /// instant, and for a message its ends and payload (`payloads`, by message number). Puts in
    /// `timers` each timer's (`TimerId`, digest), which is what a `TimerId` naming it in a node's
    /// state hashes as. Returns the pending events as a multiset: how many, and the sum of their
    /// digests, which no order changes (each digest is well mixed, so sums of different multisets
    /// differ as hashes do). A timer of a node's earlier life never fires, so it is not counted.
    /// One pass over the slab, which every move's fingerprint makes.
    fn digest_entries(&mut self, payloads: &[u64], timers: &mut Vec<(u64, u64)>) -> (u64, u64) {
        timers.clear();
        let (mut count, mut sum) = (0u64, 0u64);
        let nodes = &self.world.nodes;
        for (slot, entry) in self.world.entries.iter_mut().enumerate() {
            let Some(item) = &entry.item else {
                continue;
            };
            if entry.digest == 0 {
                let mut one = new_hasher();
                match item {
                    Item::Deliver { msg, from, to, .. } => {
                        (0u8, from, to, payloads[msg.index()]).hash(&mut one);
                    }
                    Item::Timer { node, kind, .. } => (1u8, node, entry.at, kind).hash(&mut one),
                    Item::Start { node } => (2u8, node, entry.at).hash(&mut one),
                    Item::Request { op } => (3u8, op.0, entry.at).hash(&mut one),
                    Item::ClientTimeout { op, attempt } => {
                        (4u8, op.0, *attempt, entry.at).hash(&mut one);
                    }
                    Item::Generate => (5u8, entry.at).hash(&mut one),
                }
                entry.digest = one.finish();
            }
            if let Item::Timer {
                node, incarnation, ..
            } = item
            {
                let id = u64::from(entry.generation) << 32 | slot as u64;
                timers.push((id, entry.digest));
                if nodes[node.index()].incarnation != *incarnation {
                    continue;
                }
            }
            count += 1;
            sum = sum.wrapping_add(entry.digest);
        }
        (count, sum)
    }

    /// Whether delivering two messages to two different nodes reaches the same state (the same
    /// fingerprint) in either order, and neither stops the other: a node's step changes only its
    /// own part of the state, and adds its own facts. Not when an `always` property watches the
    /// clients' events, since their order is then part of the state.
    pub fn deliveries_commute(&self) -> bool {
        !self.clients_judged()
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
                    digest: e.digest,
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
