//! The simulator: one event queue ordered by (time, sequence number), nodes running a protocol,
//! the network, clocks, the schedule of interventions, checkpoints for seeking, and the trace.
//!
//! Everything here is a pure function of the [`Setup`]: no wall clock, no ambient randomness, no
//! hash-ordered iteration. The boundary is inputs in (`step`, `run_until`, `apply`, `seek`) and plain
//! data out (`events`, `snapshot`).

use crate::engine::action::{Action, Scheduled};
use crate::engine::causality::Causality;
use crate::engine::clock::{Clock, ClockConfig};
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, MsgId, NodeId, OpId, RequestId, TimerId};
use crate::engine::network::{LinkConfig, Network, NetworkConfig};
use crate::engine::protocol::{
    CheckCx, NodeStatus, NodeView, Outcome, Property, PropertyKind, Protocol, RequestInfo, Touched,
    Verdict, Watched,
};
use crate::engine::queue::EventQueue;
use crate::engine::rng::{Purpose, SimRng};
use crate::engine::time::SimTime;
use crate::engine::trace::{DropReason, EventKind, Kinds, TraceEvent, Violation};
use serde::Serialize;
use std::rc::Rc;

pub use crate::engine::workload::{Generator, RetryPolicy, ScheduledRequest, Target, Workload};

/// How many checkpoints a run keeps at most; when full, every other one is dropped and the spacing
/// doubles, so memory stays bounded however long the run.
const MAX_CHECKPOINTS: usize = 64;

/// Everything a run is a function of, with the protocol's parameters already parsed.
#[derive(Clone, Debug)]
pub struct Setup<P: Protocol> {
    pub nodes: u32,
    pub seed: u64,
    pub horizon: SimTime,
    pub network: NetworkConfig,
    /// One per node.
    pub clocks: Vec<ClockConfig>,
    pub workload: Workload,
    /// The authored fault script.
    pub faults: Vec<Scheduled>,
    /// Interventions recorded from interactive use.
    pub interventions: Vec<Scheduled>,
    pub params: P::Params,
}

/// Why an input was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

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

/// Memory held by a run's trace and indexes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Memory {
    pub events: u64,
    pub trace_bytes: u64,
    pub message_bytes: u64,
    pub causality_bytes: u64,
}

/// A property's standing, for the checkers panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PropertyState {
    /// An always property with no violation so far.
    Holding,
    /// An eventually property not yet satisfied.
    Pending,
    Satisfied {
        at: SimTime,
    },
    Violated {
        at: SimTime,
        event: EventId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyReport {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub description: &'static str,
    pub state: PropertyState,
}

/// A pending timer, as the inspector lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimerInfo {
    pub timer: TimerId,
    pub name: &'static str,
    pub set: EventId,
    pub fires_at: SimTime,
}

/// One node at the current instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeSnapshot {
    pub id: NodeId,
    pub status: NodeStatus,
    /// Wall-clock reading now.
    pub clock_us: i64,
    pub drift_ppm: i32,
    pub lamport: u64,
    pub last_event: Option<EventId>,
    /// `None` while crashed.
    pub view: Option<NodeView>,
    pub timers: Vec<TimerInfo>,
}

/// One copy of a message still in the network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InFlight {
    pub send: EventId,
    pub msg: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: SimTime,
    pub arrive_at: SimTime,
    /// Waiting on a held link.
    pub held: bool,
    /// Already decided to be lost when it arrives.
    pub doomed: Option<DropReason>,
}

/// Plain data describing the whole system at the current instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub now: SimTime,
    pub nodes: Vec<NodeSnapshot>,
    pub in_flight: Vec<InFlight>,
    pub blocked: Vec<(NodeId, NodeId)>,
    pub held: Vec<(NodeId, NodeId)>,
    pub default_link: LinkConfig,
    pub links: Vec<(NodeId, NodeId, LinkConfig)>,
    pub properties: Vec<PropertyReport>,
    pub stats: Stats,
}

/// A run stops taking steps once its trace holds this many events: about 350 MB of trace in the
/// browser, plus the messages and the vector-clock index, which is as much as a tab can be asked to
/// hold. The same limit natively, so a run's trace is the same everywhere. A five-node Raft cluster
/// reaches it after about an hour of simulated time; a scenario with hundreds of nodes much sooner.
pub const MAX_EVENTS: usize = 4_000_000;

/// A queue position: ordered by time, then by sequence number. The slot rides along in the low
/// bits but never decides the order (sequence numbers are unique), so a key is one `u128`: time in
/// the high half, then the sequence number, then the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key(u128);

const SLOT_BITS: u32 = 24;
/// At most this many events may be pending at once (messages in flight, timers, arrivals).
const MAX_PENDING: usize = 1 << SLOT_BITS;

impl Key {
    fn new(time: SimTime, seq: u64, slot: u32) -> Key {
        Key((u128::from(time.0) << 64) | u128::from((seq << SLOT_BITS) | u64::from(slot)))
    }

    fn time(self) -> SimTime {
        SimTime((self.0 >> 64) as u64)
    }

    fn seq(self) -> u64 {
        (self.0 as u64) >> SLOT_BITS
    }

    fn slot(self) -> u32 {
        (self.0 as u32) & ((1 << SLOT_BITS) - 1)
    }
}

#[derive(Clone, Debug)]
enum Item<P: Protocol> {
    Start {
        node: NodeId,
    },
    Deliver {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        send: EventId,
        /// The send's Lamport timestamp, carried so delivery need not read the trace back.
        lamport: u64,
        doomed: Option<DropReason>,
    },
    Timer {
        node: NodeId,
        timer: TimerId,
        kind: P::Timer,
        incarnation: u32,
        set: EventId,
        mono_deadline: i64,
    },
    Request {
        op: OpId,
    },
    ClientTimeout {
        op: OpId,
        attempt: u32,
    },
    Generate,
}

/// A client operation in progress.
#[derive(Clone, Debug)]
pub(crate) struct OpState<P: Protocol> {
    pub(crate) payload: Rc<P::Request>,
    /// Where the current attempt goes.
    target: NodeId,
    attempt: u32,
    done: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Queue,
    Held,
    Inbox,
}

#[derive(Clone, Debug)]
struct Entry<P: Protocol> {
    seq: u64,
    generation: u32,
    at: SimTime,
    place: Place,
    item: Option<Item<P>>,
}

/// A node: its protocol state (absent while crashed), stable storage, randomness, clock, and the
/// engine's bookkeeping for the trace.
#[derive(Clone, Debug)]
pub struct NodeSlot<P: Protocol> {
    id: NodeId,
    /// Boxed, so a handler takes it out of the slot and puts it back by moving a pointer.
    state: Option<Box<P>>,
    stable: P::Stable,
    rng: SimRng,
    status: NodeStatus,
    incarnation: u32,
    clock: Clock,
    lamport: u64,
    last: Option<EventId>,
    inbox: Vec<u32>,
    /// `Protocol::watched` after the last step that touched the node (none while it is down).
    watched: Option<Watched>,
}

impl<P: Protocol> NodeSlot<P> {
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

    pub fn last_event(&self) -> Option<EventId> {
        self.last
    }
}

#[derive(Clone, Debug)]
struct PropSlot<P: Protocol> {
    property: Box<dyn Property<P>>,
    /// What the property watches (asked once), while its verdict can still change; nothing once it
    /// is satisfied or violated.
    watches: Kinds,
    state: PropertyState,
}

#[derive(Clone, Debug)]
struct GeneratorState {
    config: Generator,
    issued: u64,
    rng: SimRng,
}

/// Where an entry of the merged schedule came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Script,
    User,
}

#[derive(Clone, Debug)]
struct Planned<P: Protocol> {
    at: SimTime,
    origin: Origin,
    action: Action,
    op: Option<Rc<P::Request>>,
}

/// What a step changes and a handler's effects reach through its `Ctx`: true time, the pending
/// events, the nodes, the network, client operations and the counters. Cloned into checkpoints.
#[derive(Clone, Debug)]
struct World<P: Protocol> {
    now: SimTime,
    seq: u64,
    queue: EventQueue,
    entries: Vec<Entry<P>>,
    free: Vec<u32>,
    held: Vec<u32>,
    nodes: Vec<NodeSlot<P>>,
    network: Network,
    retry: Option<RetryPolicy>,
    ops: Vec<OpState<P>>,
    stats: Stats,
}

/// What else evolves during a run, which handlers never reach: the position in the schedule, the
/// workload generator and the properties' standing. Cloned into checkpoints with the world.
#[derive(Clone, Debug)]
struct State<P: Protocol> {
    cursor: usize,
    generator: Option<GeneratorState>,
    properties: Vec<PropSlot<P>>,
    ended: bool,
}

/// What a run appends and never rewrites (until a seek truncates it), except message payloads
/// (`Messages`), which a handler reads while it records.
#[derive(Debug)]
struct Log<P: Protocol> {
    events: Vec<TraceEvent>,
    requests: Vec<RequestRecord>,
    responses: Vec<(EventId, P::Response)>,
    /// Every note, by the annotate event that shows it.
    notes: Vec<(EventId, P::Note)>,
    /// Every fact a note stated, by the note's event.
    facts: Vec<(EventId, Fact)>,
    /// What the step being taken has recorded so far, for its checkers.
    step: StepEvents,
}

/// Every message payload sent so far, by message id. A handler's sends wait in `outbox` until it
/// returns, so it can read the payload it is handling while it sends: payloads are stored inline,
/// not allocated one by one.
#[derive(Debug)]
struct Messages<P: Protocol> {
    sent: Vec<P::Msg>,
    outbox: Vec<P::Msg>,
}

impl<P: Protocol> Messages<P> {
    fn post(&mut self) {
        self.sent.append(&mut self.outbox);
    }
}

/// The kinds of a step's events and the nodes they happened on, noted as each event is recorded so
/// checking the step need not read its events back.
#[derive(Debug, Default)]
struct StepEvents {
    kinds: Kinds,
    touched: Vec<Touched>,
}

impl StepEvents {
    fn clear(&mut self) {
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
struct RequestRecord {
    node: NodeId,
    op: OpId,
    attempt: u32,
    event: Option<EventId>,
}

#[derive(Clone, Debug)]
struct Checkpoint<P: Protocol> {
    world: World<P>,
    state: State<P>,
    events: usize,
    messages: usize,
    requests: usize,
    responses: usize,
    notes: usize,
    facts: usize,
}

/// A deterministic simulation of protocol `P`.
#[derive(Debug)]
pub struct Sim<P: Protocol> {
    nodes: u32,
    horizon: SimTime,
    params: P::Params,
    schedule: Vec<Planned<P>>,
    world: World<P>,
    state: State<P>,
    log: Log<P>,
    messages: Messages<P>,
    checkpoints: Vec<Checkpoint<P>>,
    checkpoint_every: u64,
    steps_since_checkpoint: u64,
    /// Run every property after every step, whatever it watches.
    check_every_step: bool,
    causality: Causality,
}

/// What the next step will process.
#[derive(Clone, Copy)]
enum Next {
    Queue(Key),
    Action,
}

impl<P: Protocol> Sim<P> {
    /// Builds a run. Every node name, request and action is checked here; a bad one is an error.
    pub fn new(setup: Setup<P>) -> Result<Sim<P>, InputError> {
        let n = setup.nodes;
        if n == 0 {
            return Err(InputError("a simulation needs at least one node".into()));
        }
        if setup.clocks.len() != n as usize {
            return Err(InputError(format!(
                "expected {n} clock configurations, got {}",
                setup.clocks.len()
            )));
        }
        let check_node = |node: NodeId, place: &str| -> Result<(), InputError> {
            if node.0 < n {
                Ok(())
            } else {
                Err(InputError(format!(
                    "{place} names {node}, but the scenario has only {n} nodes"
                )))
            }
        };
        for link in &setup.network.links {
            check_node(link.from, "network.links")?;
            check_node(link.to, "network.links")?;
        }
        let parse_op =
            |op: &serde_json::Value, place: &str| -> Result<Rc<P::Request>, InputError> {
                serde_json::from_value::<P::Request>(op.clone())
                    .map(Rc::new)
                    .map_err(|e| InputError(format!("{place}: `{op}` is not a valid request: {e}")))
            };
        let mut schedule = Vec::with_capacity(setup.faults.len() + setup.interventions.len());
        for (origin, list, name) in [
            (Origin::Script, &setup.faults, "faults"),
            (Origin::User, &setup.interventions, "interventions"),
        ] {
            for (i, s) in list.iter().enumerate() {
                let place = format!("{name}[{i}] ({})", s.action.describe());
                for node in s.action.nodes() {
                    check_node(node, &place)?;
                }
                let op = match &s.action {
                    Action::ClientRequest { op, .. } => Some(parse_op(op, &place)?),
                    _ => None,
                };
                schedule.push(Planned {
                    at: s.at_us,
                    origin,
                    action: s.action.clone(),
                    op,
                });
            }
        }
        // Stable sort: at equal times the script comes before recorded interventions.
        schedule.sort_by_key(|p| p.at);

        let nodes = (0..n)
            .map(|i| NodeSlot {
                id: NodeId(i),
                state: None,
                stable: P::Stable::default(),
                rng: SimRng::derive(setup.seed, Purpose::Node(NodeId(i))),
                status: NodeStatus::Crashed,
                incarnation: 0,
                clock: Clock::new(setup.clocks[i as usize]),
                lamport: 0,
                last: None,
                inbox: Vec::new(),
                watched: None,
            })
            .collect();
        let properties = P::properties(&setup.params)
            .into_iter()
            .map(|property| {
                let state = match property.kind() {
                    PropertyKind::Always => PropertyState::Holding,
                    PropertyKind::Eventually => PropertyState::Pending,
                };
                PropSlot {
                    watches: property.watches(),
                    property,
                    state,
                }
            })
            .collect();
        let mut world = World {
            now: SimTime::ZERO,
            seq: 0,
            queue: EventQueue::default(),
            entries: Vec::new(),
            free: Vec::new(),
            held: Vec::new(),
            nodes,
            network: Network::new(n, setup.seed, &setup.network),
            retry: setup.workload.retry,
            ops: Vec::new(),
            stats: Stats::default(),
        };
        let mut state = State {
            cursor: 0,
            generator: None,
            properties,
            ended: false,
        };
        for i in 0..n {
            world.schedule(SimTime::ZERO, Item::Start { node: NodeId(i) });
        }
        for (i, r) in setup.workload.requests.iter().enumerate() {
            let place = format!("workload.requests[{i}]");
            check_node(r.node, &place)?;
            let payload = parse_op(&r.op, &place)?;
            world.new_op(r.at_us, r.node, payload);
        }
        if let Some(retry) = setup.workload.retry
            && (retry.timeout_us == 0 || retry.max_attempts == 0)
        {
            return Err(InputError(
                "workload.retry needs a timeout_us and max_attempts of at least 1".into(),
            ));
        }
        if let Some(config) = setup.workload.generator {
            if config.every_us == 0 {
                return Err(InputError(
                    "workload.generator.every_us must be at least 1".into(),
                ));
            }
            if let Target::Node(node) = config.target {
                check_node(node, "workload.generator.target")?;
            }
            state.generator = Some(GeneratorState {
                config,
                issued: 0,
                rng: SimRng::derive(setup.seed, Purpose::Workload),
            });
            world.schedule(SimTime(config.start_us), Item::Generate);
        }
        // A checkpoint copies state that grows with the square of the node count (a random stream
        // per directed link; protocols' per-peer tables), so space them by at least that many steps
        // to keep copying a bounded share of the work at any size.
        let checkpoint_every = (4_096 + 64 * u64::from(n)).max(u64::from(n) * u64::from(n));
        let mut sim = Sim {
            nodes: n,
            horizon: setup.horizon,
            params: setup.params,
            schedule,
            world,
            state,
            log: Log {
                events: Vec::new(),
                requests: Vec::new(),
                responses: Vec::new(),
                notes: Vec::new(),
                facts: Vec::new(),
                step: StepEvents::default(),
            },
            messages: Messages {
                sent: Vec::new(),
                outbox: Vec::new(),
            },
            checkpoints: Vec::new(),
            checkpoint_every,
            steps_since_checkpoint: 0,
            check_every_step: false,
            causality: Causality::new(n),
        };
        sim.take_checkpoint();
        Ok(sim)
    }

    pub fn node_count(&self) -> u32 {
        self.nodes
    }

    pub fn horizon(&self) -> SimTime {
        self.horizon
    }

    /// The instant everything up to which has been processed.
    pub fn now(&self) -> SimTime {
        self.world.now
    }

    /// True once the run has reached its horizon (eventually properties have been judged).
    /// Runs every property after every step that recorded an event, whatever it watches: slower,
    /// and the same trace, which is how tests show that no property misses a step that matters.
    pub fn check_every_step(&mut self) {
        self.check_every_step = true;
    }

    /// True once the run reached its horizon or the event limit: no step is left to take.
    pub fn finished(&self) -> bool {
        self.state.ended || self.at_event_limit()
    }

    /// True when the run stopped short of its horizon because its trace holds `MAX_EVENTS` events.
    pub fn at_event_limit(&self) -> bool {
        self.log.events.len() >= MAX_EVENTS
    }

    pub fn events(&self) -> &[TraceEvent] {
        &self.log.events
    }

    pub fn nodes(&self) -> &[NodeSlot<P>] {
        &self.world.nodes
    }

    pub fn stats(&self) -> Stats {
        let mut stats = self.world.stats;
        stats.events = self.log.events.len() as u64;
        stats
    }

    /// Bytes held by the trace (events, message payloads) and by the causality index, as far as it
    /// has been built.
    pub fn memory(&self) -> Memory {
        let boxed: usize = self
            .log
            .events
            .iter()
            .map(|e| match &e.kind {
                EventKind::Annotate { text } => text.len(),
                EventKind::Violation(v) => {
                    std::mem::size_of::<Violation>() + v.message.len() + v.involved.len() * 4
                }
                _ => 0,
            })
            .sum();
        Memory {
            events: self.log.events.len() as u64,
            trace_bytes: (self.log.events.capacity() * std::mem::size_of::<TraceEvent>() + boxed)
                as u64,
            message_bytes: (self.messages.sent.capacity() * std::mem::size_of::<P::Msg>()) as u64,
            causality_bytes: self.causality.memory_bytes() as u64,
        }
    }

    pub fn message(&self, id: MsgId) -> &P::Msg {
        &self.messages.sent[id.index()]
    }

    /// The operation of request `id`.
    pub fn request(&self, id: RequestId) -> Option<(NodeId, &P::Request)> {
        let record = self.log.requests.get(id.0 as usize)?;
        let op = self.world.ops.get(record.op.index())?;
        Some((record.node, &*op.payload))
    }

    /// The reply recorded by response event `event`.
    pub fn response(&self, event: EventId) -> Option<&P::Response> {
        self.log
            .responses
            .binary_search_by_key(&event, |(e, _)| *e)
            .ok()
            .map(|i| &self.log.responses[i].1)
    }

    /// Every fact stated so far, by the event of the note that stated it (in event order).
    pub fn facts(&self) -> &[(EventId, Fact)] {
        &self.log.facts
    }

    /// The fault script and recorded interventions, in the order they apply.
    pub fn interventions(&self) -> Vec<Scheduled> {
        self.planned(Origin::User)
    }

    fn planned(&self, origin: Origin) -> Vec<Scheduled> {
        self.schedule
            .iter()
            .filter(|p| p.origin == origin)
            .map(|p| Scheduled {
                at_us: p.at,
                action: p.action.clone(),
            })
            .collect()
    }

    pub fn properties(&self) -> Vec<PropertyReport> {
        self.state
            .properties
            .iter()
            .map(|p| PropertyReport {
                name: p.property.name(),
                kind: p.property.kind(),
                description: p.property.description(),
                state: p.state,
            })
            .collect()
    }

    /// The causality index over the trace so far (vector clocks, causal past and future).
    pub fn causality(&mut self) -> &Causality {
        self.causality.update(&self.log.events);
        &self.causality
    }

    fn next(&mut self) -> Option<Next> {
        // Keys of cancelled timers and moved entries stay queued until they come up: skip them.
        let queued = loop {
            let Some(key) = self.world.queue.peek().map(Key) else {
                break None;
            };
            let entry = &self.world.entries[key.slot() as usize];
            if entry.seq == key.seq() && entry.item.is_some() && entry.place == Place::Queue {
                break Some(key);
            }
            self.world.queue.pop();
        };
        let action_at = self.schedule.get(self.state.cursor).map(|p| p.at);
        match (queued, action_at) {
            (Some(key), Some(at)) if at < key.time() => Some(Next::Action),
            (Some(key), _) => Some(Next::Queue(key)),
            (None, Some(_)) => Some(Next::Action),
            (None, None) => None,
        }
    }

    fn time_of(&self, next: Next) -> SimTime {
        match next {
            Next::Queue(key) => key.time(),
            Next::Action => self.schedule[self.state.cursor].at,
        }
    }

    /// Processes one queued event or scheduled action, if one is due before the horizon.
    /// Returns false when there is nothing left to do.
    pub fn step(&mut self) -> bool {
        if self.at_event_limit() {
            return false;
        }
        match self.next() {
            Some(next) if self.time_of(next) <= self.horizon => {
                self.step_to(next);
                true
            }
            _ => {
                self.finish();
                false
            }
        }
    }

    /// Processes `next`, the next event or action, due before the horizon.
    fn step_to(&mut self, next: Next) {
        self.world.now = self.world.now.max(self.time_of(next));
        let first_new = self.log.events.len();
        self.log.step.clear();
        match next {
            Next::Queue(key) => {
                self.world.queue.pop();
                self.process(key.slot());
            }
            Next::Action => {
                let index = self.state.cursor;
                self.state.cursor += 1;
                self.perform(index);
            }
        }
        self.world.stats.steps += 1;
        if !self.state.properties.is_empty() && self.log.events.len() > first_new {
            self.note_state_changes();
            self.check(first_new, false);
        }
        self.steps_since_checkpoint += 1;
        // Space checkpoints by at least four steps per pending entry, so copying the queue into a
        // checkpoint costs a bounded share of the work however many messages are in flight.
        let spacing = self
            .checkpoint_every
            .max(4 * self.world.entries.len() as u64);
        if self.steps_since_checkpoint >= spacing {
            self.take_checkpoint();
        }
    }

    /// Processes everything due at or before `t` (capped at the horizon) and moves the clock to `t`.
    pub fn run_until(&mut self, t: SimTime) {
        while self.run_slice(t, u32::MAX) {}
    }

    /// Like `run_until` but stops after `max_steps` steps, so a UI can spread long work over frames.
    /// Returns true while more work remains before `t`.
    pub fn run_slice(&mut self, t: SimTime, max_steps: u32) -> bool {
        let target = t.min(self.horizon);
        for _ in 0..max_steps {
            if self.at_event_limit() {
                return false;
            }
            match self.next() {
                Some(next) if self.time_of(next) <= target => self.step_to(next),
                _ => {
                    self.world.now = self.world.now.max(target);
                    if target >= self.horizon {
                        self.finish();
                    }
                    return false;
                }
            }
        }
        true
    }

    /// Runs to the horizon.
    pub fn run(&mut self) {
        self.run_until(self.horizon);
    }

    fn finish(&mut self) {
        if self.state.ended {
            return;
        }
        self.state.ended = true;
        self.world.now = self.world.now.max(self.horizon);
        let first_new = self.log.events.len();
        self.log.step.clear();
        self.check(first_new, true);
    }

    /// Adds `STATE` to the step's kinds if it changed what a touched node's protocol watches.
    fn note_state_changes(&mut self) {
        for touched in &self.log.step.touched {
            let slot = &mut self.world.nodes[touched.node.index()];
            let watched = slot.state.as_deref().map(P::watched);
            if watched != slot.watched {
                slot.watched = watched;
                self.log.step.kinds = self.log.step.kinds.or(Kinds::STATE);
            }
        }
    }

    fn check(&mut self, first_new: usize, at_end: bool) {
        let mut violations = Vec::new();
        let due = if self.check_every_step || at_end {
            Kinds::ALL
        } else {
            self.log.step.kinds
        };
        let world = &self.world;
        let cx = CheckCx {
            now: world.now,
            nodes: &world.nodes,
            events: &self.log.events,
            first_new,
            touched: &self.log.step.touched,
            messages: &self.messages.sent,
            ops: &world.ops,
            responses: &self.log.responses,
            notes: &self.log.notes,
            facts: &self.log.facts,
        };
        for (i, slot) in self.state.properties.iter_mut().enumerate() {
            if !slot.watches.meets(due) {
                continue;
            }
            let verdict = if at_end {
                slot.property.at_end(&cx)
            } else {
                slot.property.check(&cx)
            };
            match verdict {
                Verdict::Holds => {}
                Verdict::Satisfied => {
                    slot.state = PropertyState::Satisfied { at: cx.now };
                    slot.watches = Kinds::NONE;
                }
                Verdict::Violated { message, involved } => violations.push((i, message, involved)),
            }
        }
        if violations.is_empty() {
            return;
        }
        for (i, message, involved) in violations {
            let property = self.state.properties[i].property.name().to_string();
            let event = self.world.record(
                &mut self.log,
                None,
                None,
                EventKind::Violation(Box::new(Violation {
                    property,
                    message,
                    involved,
                })),
            );
            self.world.stats.violations += 1;
            let slot = &mut self.state.properties[i];
            slot.state = PropertyState::Violated {
                at: self.world.now,
                event,
            };
            slot.watches = Kinds::NONE;
        }
    }

    fn take_checkpoint(&mut self) {
        self.steps_since_checkpoint = 0;
        if self.checkpoints.len() >= MAX_CHECKPOINTS {
            let mut keep = 0;
            self.checkpoints.retain(|_| {
                keep += 1;
                keep % 2 == 1
            });
            self.checkpoint_every *= 2;
        }
        self.checkpoints.push(Checkpoint {
            world: self.world.clone(),
            state: self.state.clone(),
            events: self.log.events.len(),
            messages: self.messages.sent.len(),
            requests: self.log.requests.len(),
            responses: self.log.responses.len(),
            notes: self.log.notes.len(),
            facts: self.log.facts.len(),
        });
    }

    fn restore(&mut self, index: usize) {
        let checkpoint = &self.checkpoints[index];
        self.world = checkpoint.world.clone();
        self.state = checkpoint.state.clone();
        self.log.events.truncate(checkpoint.events);
        self.messages.sent.truncate(checkpoint.messages);
        self.log.requests.truncate(checkpoint.requests);
        self.log.responses.truncate(checkpoint.responses);
        self.log.notes.truncate(checkpoint.notes);
        self.log.facts.truncate(checkpoint.facts);
        self.causality.truncate(checkpoint.events);
        self.steps_since_checkpoint = 0;
    }

    /// Moves to instant `t`: forward by running, backward by restoring the nearest checkpoint and
    /// replaying. The trace afterwards holds exactly the events up to `t`.
    pub fn seek(&mut self, t: SimTime) {
        let t = t.min(self.horizon);
        let best = self.checkpoints.iter().rposition(|c| c.world.now <= t);
        let behind =
            t < self.world.now || (t == self.world.now && self.state.ended && t < self.horizon);
        if let Some(index) = best {
            let ahead = self.checkpoints[index].events > self.log.events.len();
            if behind || ahead {
                self.restore(index);
            }
        }
        self.run_until(t);
    }

    /// Moves to the end of the step that recorded event `e` (a step, such as a handler and all its
    /// effects, is atomic).
    pub fn seek_event(&mut self, e: EventId) -> Result<(), InputError> {
        let target = e.index();
        let index = self
            .checkpoints
            .iter()
            .rposition(|c| c.events <= target)
            .unwrap_or(0);
        if target < self.log.events.len() || self.checkpoints[index].events > self.log.events.len()
        {
            self.restore(index);
        }
        while self.log.events.len() <= target {
            if !self.step() {
                return Err(InputError(format!("the run has no event {e}")));
            }
        }
        Ok(())
    }

    /// Applies an intervention at the current instant. If the run had recorded interventions later
    /// than now (because it was rewound), they are cut off: this starts a new branch. Returns the
    /// interventions that were cut off.
    pub fn apply(&mut self, action: Action) -> Result<Vec<Scheduled>, InputError> {
        for node in action.nodes() {
            if node.0 >= self.nodes {
                return Err(InputError(format!(
                    "{} names {node}, but the scenario has only {} nodes",
                    action.describe(),
                    self.nodes
                )));
            }
        }
        let op = match &action {
            Action::ClientRequest { op, .. } => Some(Rc::new(
                serde_json::from_value::<P::Request>(op.clone())
                    .map_err(|e| InputError(format!("`{op}` is not a valid request: {e}")))?,
            )),
            _ => None,
        };
        let now = self.world.now;
        let mut cut = Vec::new();
        let mut index = 0;
        while index < self.schedule.len() {
            let planned = &self.schedule[index];
            if planned.origin == Origin::User && planned.at > now {
                let removed = self.schedule.remove(index);
                cut.push(Scheduled {
                    at_us: removed.at,
                    action: removed.action,
                });
            } else {
                index += 1;
            }
        }
        let position = self.schedule.partition_point(|p| p.at <= now);
        self.schedule.insert(
            position,
            Planned {
                at: now,
                origin: Origin::User,
                action,
                op,
            },
        );
        self.checkpoints
            .retain(|c| c.world.now <= now && c.state.cursor <= position);
        self.state.ended = false;
        self.run_until(now);
        Ok(cut)
    }

    /// A plain-data picture of the system now.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.world.now;
        let mut timers: Vec<Vec<TimerInfo>> = vec![Vec::new(); self.nodes as usize];
        let mut in_flight = Vec::new();
        for entry in &self.world.entries {
            match &entry.item {
                Some(Item::Timer {
                    node,
                    timer,
                    kind,
                    incarnation,
                    set,
                    ..
                }) if *incarnation == self.world.nodes[node.index()].incarnation => {
                    timers[node.index()].push(TimerInfo {
                        timer: *timer,
                        name: P::timer_name(kind),
                        set: *set,
                        fires_at: entry.at,
                    });
                }
                Some(Item::Deliver {
                    msg,
                    from,
                    to,
                    send,
                    doomed,
                    ..
                }) if entry.place != Place::Inbox => {
                    in_flight.push(InFlight {
                        send: *send,
                        msg: *msg,
                        from: *from,
                        to: *to,
                        sent_at: self.log.events[send.index()].time,
                        arrive_at: entry.at,
                        held: entry.place == Place::Held,
                        doomed: *doomed,
                    });
                }
                _ => {}
            }
        }
        in_flight.sort_by_key(|m| (m.arrive_at, m.send));
        let nodes = self
            .world
            .nodes
            .iter()
            .zip(timers)
            .map(|(node, mut timers)| {
                timers.sort_by_key(|t| (t.fires_at, t.timer));
                NodeSnapshot {
                    id: node.id,
                    status: node.status,
                    clock_us: node.clock.read(now),
                    drift_ppm: node.clock.drift_ppm(),
                    lamport: node.lamport,
                    last_event: node.last,
                    view: node.state.as_deref().map(P::view),
                    timers,
                }
            })
            .collect();
        Snapshot {
            now,
            nodes,
            in_flight,
            blocked: self.world.network.blocked_pairs(),
            held: self.world.network.held_pairs(),
            default_link: self.world.network.default_config(),
            links: self.world.network.overrides().collect(),
            properties: self.properties(),
            stats: self.stats(),
        }
    }

    fn process(&mut self, slot: u32) {
        let item = self.world.entries[slot as usize]
            .item
            .clone()
            .expect("queued entries hold an item");
        match item {
            Item::Start { node } => {
                self.world.free(slot);
                self.start(node, EventKind::Start);
            }
            Item::Deliver {
                msg,
                from,
                to,
                send,
                lamport,
                doomed,
            } => self.deliver(slot, msg, from, to, (send, lamport), doomed),
            Item::Timer {
                node,
                timer,
                kind,
                incarnation,
                set,
                ..
            } => {
                let slot_node = &self.world.nodes[node.index()];
                if slot_node.incarnation != incarnation {
                    self.world.free(slot);
                } else if slot_node.status == NodeStatus::Paused {
                    self.world.park_in_inbox(node, slot);
                } else {
                    self.world.free(slot);
                    self.world.stats.timers_fired += 1;
                    let name = P::timer_name(&kind);
                    self.world.record(
                        &mut self.log,
                        Some(node),
                        Some(set),
                        EventKind::TimerFire { timer, name },
                    );
                    self.dispatch(node, |p, ctx, _| p.on_timer(ctx, kind));
                }
            }
            Item::Request { op } => self.arrive_request(slot, op),
            Item::ClientTimeout { op, attempt } => {
                self.world.free(slot);
                self.client_timeout(op, attempt);
            }
            Item::Generate => {
                self.world.free(slot);
                self.generate();
            }
        }
    }

    fn start(&mut self, node: NodeId, kind: EventKind) {
        let slot = &mut self.world.nodes[node.index()];
        slot.state = Some(Box::new(P::new(node, self.nodes, &self.params)));
        slot.status = NodeStatus::Up;
        self.world.record(&mut self.log, Some(node), None, kind);
        self.dispatch(node, |p, ctx, _| p.on_start(ctx));
    }

    fn deliver(
        &mut self,
        slot: u32,
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        (send, lamport): (EventId, u64),
        doomed: Option<DropReason>,
    ) {
        let reason = doomed.or_else(|| {
            self.world
                .network
                .is_blocked(from, to)
                .then_some(DropReason::Partitioned)
        });
        if let Some(reason) = reason {
            self.world.free(slot);
            self.drop_message(from, to, msg, send, reason);
            return;
        }
        if self.world.network.is_held(from, to) {
            let entry = &mut self.world.entries[slot as usize];
            entry.place = Place::Held;
            self.world.held.push(slot);
            return;
        }
        match self.world.nodes[to.index()].status {
            NodeStatus::Crashed => {
                self.world.free(slot);
                self.drop_message(from, to, msg, send, DropReason::DestinationCrashed);
            }
            NodeStatus::Paused => self.world.park_in_inbox(to, slot),
            NodeStatus::Up => {
                self.world.free(slot);
                self.world.stats.delivered += 1;
                self.world.record_after(
                    &mut self.log,
                    Some(to),
                    Some(send),
                    lamport,
                    EventKind::Deliver { from, msg, send },
                );
                self.dispatch(to, |p, ctx, sent| {
                    p.on_message(ctx, from, &sent[msg.index()])
                });
            }
        }
    }

    fn drop_message(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: MsgId,
        send: EventId,
        reason: DropReason,
    ) {
        self.world.stats.dropped += 1;
        self.world.record(
            &mut self.log,
            None,
            Some(send),
            EventKind::Drop {
                from,
                to,
                msg,
                send,
                reason,
            },
        );
    }

    fn arrive_request(&mut self, slot: u32, op: OpId) {
        let node = self.world.ops[op.index()].target;
        match self.world.nodes[node.index()].status {
            NodeStatus::Paused => {
                self.world.park_in_inbox(node, slot);
                return;
            }
            NodeStatus::Crashed | NodeStatus::Up => self.world.free(slot),
        }
        let id = RequestId(self.log.requests.len() as u32);
        self.world.stats.requests += 1;
        let state = &mut self.world.ops[op.index()];
        state.attempt += 1;
        let attempt = state.attempt;
        let payload = Rc::clone(&state.payload);
        if let Some(retry) = self.world.retry {
            let at = self.world.now.saturating_add_us(retry.timeout_us);
            self.world.schedule(at, Item::ClientTimeout { op, attempt });
        }
        if self.world.nodes[node.index()].status == NodeStatus::Crashed {
            self.log.requests.push(RequestRecord {
                node,
                op,
                attempt,
                event: None,
            });
            self.world.record(
                &mut self.log,
                None,
                None,
                EventKind::RequestDrop { id, op, node },
            );
            return;
        }
        let event = self.world.record(
            &mut self.log,
            Some(node),
            None,
            EventKind::Request { id, op, attempt },
        );
        self.log.requests.push(RequestRecord {
            node,
            op,
            attempt,
            event: Some(event),
        });
        self.dispatch(node, |p, ctx, _| {
            p.on_request(ctx, RequestInfo { id, op, attempt }, &payload)
        });
    }

    /// An attempt went unanswered for the retry timeout: try the next node.
    fn client_timeout(&mut self, op: OpId, attempt: u32) {
        let state = &self.world.ops[op.index()];
        if state.done || state.attempt != attempt {
            return;
        }
        let next = NodeId((state.target.0 + 1) % self.nodes);
        self.world.retry_op(&mut self.log, op, next, self.world.now);
    }

    fn generate(&mut self) {
        let Some(mut generator) = self.state.generator.take() else {
            return;
        };
        let seq = generator.issued;
        generator.issued += 1;
        let node = match generator.config.target {
            Target::RoundRobin => NodeId((seq % u64::from(self.nodes)) as u32),
            Target::Random => NodeId(generator.rng.range_u64(0, u64::from(self.nodes)) as u32),
            Target::Node(node) => node,
        };
        if let Some(payload) = P::generate_request(seq, &mut generator.rng) {
            self.world.new_op(self.world.now, node, Rc::new(payload));
        }
        let more = generator
            .config
            .count
            .is_none_or(|count| generator.issued < u64::from(count));
        if more {
            let next = self.world.now.saturating_add_us(generator.config.every_us);
            self.world.schedule(next, Item::Generate);
        }
        self.state.generator = Some(generator);
    }

    /// Runs a handler on `node`, which gets the payloads sent before it (to read the one it handles).
    fn dispatch(&mut self, node: NodeId, handler: impl FnOnce(&mut P, &mut Ctx<'_, P>, &[P::Msg])) {
        let Some(mut protocol) = self.world.nodes[node.index()].state.take() else {
            return;
        };
        {
            let mut ctx = Ctx {
                world: &mut self.world,
                log: &mut self.log,
                outbox: &mut self.messages.outbox,
                first_msg: self.messages.sent.len() as u32,
                node,
            };
            handler(&mut protocol, &mut ctx, &self.messages.sent);
        }
        self.messages.post();
        self.world.nodes[node.index()].state = Some(protocol);
    }

    fn perform(&mut self, index: usize) {
        let planned = self.schedule[index].clone();
        let now = self.world.now;
        match planned.action {
            Action::Crash { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Crashed {
                    return;
                }
                let inbox = std::mem::take(&mut self.world.nodes[node.index()].inbox);
                self.world
                    .record(&mut self.log, Some(node), None, EventKind::Crash);
                for slot in inbox {
                    if let Some(Item::Deliver {
                        msg,
                        from,
                        to,
                        send,
                        ..
                    }) = self.world.entries[slot as usize].item.clone()
                    {
                        self.drop_message(from, to, msg, send, DropReason::CrashedBeforeProcessing);
                    }
                    self.world.free(slot);
                }
                let slot = &mut self.world.nodes[node.index()];
                slot.state = None;
                slot.status = NodeStatus::Crashed;
                slot.incarnation += 1;
            }
            Action::Restart { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Crashed {
                    self.start(node, EventKind::Restart);
                }
            }
            Action::Pause { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Up {
                    self.world.nodes[node.index()].status = NodeStatus::Paused;
                    self.world
                        .record(&mut self.log, Some(node), None, EventKind::Pause);
                }
            }
            Action::Resume { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Paused {
                    self.world.nodes[node.index()].status = NodeStatus::Up;
                    self.world
                        .record(&mut self.log, Some(node), None, EventKind::Resume);
                    let inbox = std::mem::take(&mut self.world.nodes[node.index()].inbox);
                    for slot in inbox {
                        self.world.rekey(slot, now);
                    }
                }
            }
            Action::Partition { groups } => {
                self.world.network.partition(&groups);
                self.world.record(
                    &mut self.log,
                    None,
                    None,
                    EventKind::Partition {
                        groups: Box::new(groups),
                    },
                );
            }
            Action::PartitionOneWay { from, to } => {
                self.world.network.block(&from, &to);
                self.world.record(
                    &mut self.log,
                    None,
                    None,
                    EventKind::PartitionOneWay {
                        from: Box::new(from),
                        to: Box::new(to),
                    },
                );
            }
            Action::Heal => {
                self.world.network.heal();
                self.world
                    .record(&mut self.log, None, None, EventKind::Heal);
            }
            Action::Hold { from, to } => {
                self.world.network.set_held(from, to, true);
                self.world
                    .record(&mut self.log, None, None, EventKind::Hold { from, to });
            }
            Action::Release { from, to } => {
                self.world.network.set_held(from, to, false);
                self.world
                    .record(&mut self.log, None, None, EventKind::Release { from, to });
                let held = std::mem::take(&mut self.world.held);
                for slot in held {
                    let on_link = matches!(
                        &self.world.entries[slot as usize].item,
                        Some(Item::Deliver { from: f, to: t, .. }) if *f == from && *t == to
                    );
                    if on_link {
                        self.world.rekey(slot, now);
                    } else {
                        self.world.held.push(slot);
                    }
                }
            }
            Action::SetLink { from, to, link } => {
                self.world.network.set_config(from, to, link);
                self.world.record(
                    &mut self.log,
                    None,
                    None,
                    EventKind::LinkChange {
                        from,
                        to,
                        config: Box::new(link),
                    },
                );
            }
            Action::ClockJump { node, by_us } => {
                self.world.nodes[node.index()].clock.jump(by_us);
                self.world.record(
                    &mut self.log,
                    Some(node),
                    None,
                    EventKind::ClockJump { by_us },
                );
            }
            Action::ClockDrift { node, ppm } => {
                self.world.nodes[node.index()].clock.set_drift(now, ppm);
                self.world.record(
                    &mut self.log,
                    Some(node),
                    None,
                    EventKind::ClockDrift { ppm },
                );
                let clock = self.world.nodes[node.index()].clock.clone();
                for slot in self.world.queued_timers(node) {
                    if let Some(Item::Timer { mono_deadline, .. }) =
                        &self.world.entries[slot as usize].item
                    {
                        let at = clock.deadline(now, *mono_deadline);
                        self.world.rekey(slot, at);
                    }
                }
            }
            Action::DropMessage { send } => {
                for slot in self.world.in_network(send) {
                    if let Some(Item::Deliver {
                        msg,
                        from,
                        to,
                        send,
                        ..
                    }) = self.world.entries[slot as usize].item.clone()
                    {
                        self.world.unhold(slot);
                        self.world.free(slot);
                        self.drop_message(from, to, msg, send, DropReason::ByUser);
                    }
                }
            }
            Action::DuplicateMessage { send } => {
                if let Some(&slot) = self.world.in_network(send).first() {
                    let entry = &self.world.entries[slot as usize];
                    let at = entry.at.max(now);
                    if let Some(Item::Deliver {
                        msg,
                        from,
                        to,
                        send,
                        lamport,
                        doomed,
                    }) = entry.item.clone()
                    {
                        self.world.stats.duplicated += 1;
                        self.world.record(
                            &mut self.log,
                            None,
                            Some(send),
                            EventKind::Duplicate {
                                from,
                                to,
                                msg,
                                send,
                            },
                        );
                        self.world.schedule(
                            at,
                            Item::Deliver {
                                msg,
                                from,
                                to,
                                send,
                                lamport,
                                doomed,
                            },
                        );
                    }
                }
            }
            Action::DeliverMessage { send } => {
                for slot in self.world.in_network(send) {
                    self.world.unhold(slot);
                    if let Some(Item::Deliver { doomed, .. }) =
                        &mut self.world.entries[slot as usize].item
                    {
                        *doomed = None;
                    }
                    self.world.rekey(slot, now);
                }
            }
            Action::DelayMessage { send, by_us } => {
                for slot in self.world.in_network(send) {
                    let at = self.world.entries[slot as usize]
                        .at
                        .max(now)
                        .saturating_add_us(by_us);
                    self.world.unhold(slot);
                    self.world.rekey(slot, at);
                }
            }
            Action::ExpireTimers { node } => {
                for slot in self.world.queued_timers(node) {
                    self.world.rekey(slot, now);
                }
            }
            Action::ClientRequest { node, .. } => {
                if let Some(payload) = planned.op {
                    self.world.new_op(now, node, payload);
                }
            }
        }
    }
}

impl<P: Protocol> World<P> {
    /// Starts a client operation: its first attempt reaches `node` at `at`.
    fn new_op(&mut self, at: SimTime, node: NodeId, payload: Rc<P::Request>) {
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
    fn retry_op(&mut self, log: &mut Log<P>, op: OpId, target: NodeId, at: SimTime) {
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

    /// Records an event whose causes, if any, are on the same node (or none at all).
    fn record(
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
    fn record_after(
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

    fn alloc(&mut self, at: SimTime, item: Item<P>) -> u32 {
        self.seq += 1;
        let seq = self.seq;
        match self.free.pop() {
            Some(slot) => {
                let entry = &mut self.entries[slot as usize];
                entry.seq = seq;
                entry.at = at;
                entry.place = Place::Queue;
                entry.item = Some(item);
                slot
            }
            None => {
                assert!(
                    self.entries.len() < MAX_PENDING,
                    "more than {MAX_PENDING} events pending at once"
                );
                self.entries.push(Entry {
                    seq,
                    generation: 0,
                    at,
                    place: Place::Queue,
                    item: Some(item),
                });
                (self.entries.len() - 1) as u32
            }
        }
    }

    fn schedule(&mut self, at: SimTime, item: Item<P>) -> u32 {
        let slot = self.alloc(at, item);
        let seq = self.entries[slot as usize].seq;
        self.queue.push(Key::new(at, seq, slot).0);
        slot
    }

    fn rekey(&mut self, slot: u32, at: SimTime) {
        self.seq += 1;
        let entry = &mut self.entries[slot as usize];
        entry.seq = self.seq;
        entry.at = at;
        entry.place = Place::Queue;
        self.queue.push(Key::new(at, self.seq, slot).0);
    }

    fn free(&mut self, slot: u32) {
        let entry = &mut self.entries[slot as usize];
        entry.item = None;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(slot);
    }

    fn park_in_inbox(&mut self, node: NodeId, slot: u32) {
        self.entries[slot as usize].place = Place::Inbox;
        self.nodes[node.index()].inbox.push(slot);
    }

    fn unhold(&mut self, slot: u32) {
        if self.entries[slot as usize].place == Place::Held {
            self.held.retain(|&s| s != slot);
        }
    }

    /// Slots of the copies of message `send` still in the network (queued or held), in slot order.
    fn in_network(&self, send: EventId) -> Vec<u32> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.place != Place::Inbox
                    && matches!(&e.item, Some(Item::Deliver { send: s, .. }) if *s == send)
            })
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// Slots of the node's live timers waiting in the queue.
    fn queued_timers(&self, node: NodeId) -> Vec<u32> {
        let incarnation = self.nodes[node.index()].incarnation;
        let mut slots: Vec<(SimTime, u64, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.place == Place::Queue
                    && matches!(&e.item, Some(Item::Timer { node: n, incarnation: i, .. }) if *n == node && *i == incarnation)
            })
            .map(|(i, e)| (e.at, e.seq, i as u32))
            .collect();
        slots.sort_unstable();
        slots.into_iter().map(|(_, _, slot)| slot).collect()
    }
}

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

impl<P: Protocol> Ctx<'_, P> {
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

    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        let id = self.post(msg);
        self.transmit(to, id);
    }

    /// Sends the same message to every other node (one payload, one send event per peer).
    pub fn broadcast(&mut self, msg: P::Msg) {
        let id = self.post(msg);
        for to in self.peers() {
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
        let world = &mut *self.world;
        let send = world.record(self.log, Some(from), None, EventKind::Send { to, msg });
        world.stats.sent += 1;
        let lamport = world.nodes[from.index()].lamport;
        let blocked = world.network.is_blocked(from, to);
        let (first, second) = world.network.transmit(world.now, from, to);
        let doom = |lost: bool| {
            if blocked {
                Some(DropReason::Partitioned)
            } else if lost {
                Some(DropReason::Lost)
            } else {
                None
            }
        };
        world.schedule(
            first.arrive_at,
            Item::Deliver {
                msg,
                from,
                to,
                send,
                lamport,
                doomed: doom(first.lost),
            },
        );
        if let Some(copy) = second {
            world.stats.duplicated += 1;
            world.record(
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
            world.schedule(
                copy.arrive_at,
                Item::Deliver {
                    msg,
                    from,
                    to,
                    send,
                    lamport,
                    doomed: doom(copy.lost),
                },
            );
        }
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
        write(&mut self.world.nodes[self.node.index()].stable);
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
        let event = self.world.record(
            self.log,
            Some(self.node),
            None,
            EventKind::Annotate {
                text: note.to_string().into_boxed_str(),
            },
        );
        if let Some(fact) = P::fact(&note) {
            self.log.facts.push((event, fact));
        }
        self.log.notes.push((event, note));
    }
}
