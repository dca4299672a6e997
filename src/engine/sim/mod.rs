//! The simulator: one event queue ordered by (time, sequence number), nodes running a protocol,
//! the network, clocks, the schedule of interventions, checkpoints for seeking, and the trace.
//!
//! Everything here is a pure function of the [`Setup`]: no wall clock, no ambient randomness, no
//! hash-ordered iteration. The boundary is inputs in (`step`, `run_until`, `apply`, `seek`) and plain
//! data out (`events`, `snapshot`).
//!
//! The simulator drives the world (`engine::world`: the state a step changes, and the `Ctx` that
//! protocols get) and the protocol; neither of them imports it.

mod checkpoints;
mod clients;
mod explore;
mod faults;
mod marks;
mod process;
mod properties;
mod snapshot;

pub use crate::engine::workload::{Generator, RetryPolicy, ScheduledRequest, Target, Workload};
pub use crate::engine::world::{Ctx, NodeSlot, Stats};
pub use explore::{Moves, Pending};
pub use properties::{PropertyReport, PropertyState};
pub use snapshot::{InFlight, NodeSnapshot, Snapshot, TimerInfo};

use crate::engine::action::{Action, Place, Scheduled};
use crate::engine::causality::Causality;
use crate::engine::clock::ClockConfig;
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, MAX_NODES, MsgId, NodeId, OpId, RequestId, by_event};
use crate::engine::model::{SystemModel, corrupted_receivers, faulty_nodes};
use crate::engine::network::{Network, NetworkConfig};
use crate::engine::protocol::Protocol;
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, TraceEvent, Violation};
use crate::engine::world::{Item, Key, Log, MAX_PENDING, World};
use checkpoints::Checkpoint;
use clients::GeneratorState;
use properties::PropSlot;
use serde::Serialize;
use std::cell::{Ref, RefCell};
use std::rc::Rc;

/// A run stops taking steps once its trace holds this many events: about 350 MB of trace in the
/// browser, plus the messages and the vector-clock index, which is as much as a tab can be asked to
/// hold. The same limit natively, so a run's trace is the same everywhere. A five-node Raft cluster
/// reaches it after about an hour of simulated time; a scenario with hundreds of nodes much sooner.
pub const MAX_EVENTS: usize = 4_000_000;

/// The most entries a scenario lists in its fault script, in its interventions and in its
/// workload's requests, each. The scenario layer enforces it when it reads a scenario.
pub const MAX_SCRIPT_LEN: usize = 10_000;

/// The longest client name a request may give.
pub const MAX_CLIENT_NAME: usize = 24;

// A run within the event limit never fills the pending-event slab: every pending entry is owed to
// an event of the trace (a send, a duplicate, a timer set, a request's attempt, a reply), or is one
// of the nodes' starts, the requests a scenario lists (in three lists), the generator's next tick,
// or a generated request that has not reached its node yet (waiting at a paused node, say): the
// generator issues at most `MAX_EVENTS` requests, since no run can record more.
const _: () = assert!(2 * MAX_EVENTS + MAX_NODES as usize + 3 * MAX_SCRIPT_LEN + 1 < MAX_PENDING);

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
    /// The declared system model, which refuses the faults it rules out and bounds delays.
    pub model: Option<SystemModel>,
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

/// Memory held by a run's trace and indexes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Memory {
    pub events: u64,
    pub trace_bytes: u64,
    pub message_bytes: u64,
    pub causality_bytes: u64,
}

/// Where an entry of the merged schedule came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Script,
    User,
}

/// The order that sorts `times` stably. Outside `Sim<P>`'s methods, so every protocol shares one
/// copy of the sort (a closure inside a generic method is a new type for each protocol).
fn stable_order(times: &[SimTime]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| times[i]);
    order
}

#[derive(Clone, Debug)]
struct Planned<P: Protocol> {
    at: SimTime,
    origin: Origin,
    action: Action,
    op: Option<Rc<P::Request>>,
}

/// What else evolves during a run, which handlers never reach: the position in the schedule, the
/// workload generator and the properties' standing. Cloned into checkpoints with the world.
#[derive(Debug)]
struct State<P: Protocol> {
    cursor: usize,
    generator: Option<GeneratorState>,
    properties: Vec<PropSlot<P>>,
    ended: bool,
}

/// By hand for `clone_from`, which copies into the list of properties already there (see
/// `World::clone_from`).
impl<P: Protocol> Clone for State<P> {
    fn clone(&self) -> State<P> {
        State {
            cursor: self.cursor,
            generator: self.generator.clone(),
            properties: self.properties.clone(),
            ended: self.ended,
        }
    }

    fn clone_from(&mut self, source: &State<P>) {
        let State {
            cursor,
            generator,
            properties,
            ended,
        } = self;
        *cursor = source.cursor;
        generator.clone_from(&source.generator);
        properties.clone_from(&source.properties);
        *ended = source.ended;
    }
}

/// Every message payload sent so far, by message id. A handler's sends wait in `outbox` until it
/// returns, so it can read the payload it is handling while it sends: payloads are stored inline,
/// not allocated one by one.
#[derive(Clone, Debug)]
struct Messages<P: Protocol> {
    sent: Vec<P::Msg>,
    outbox: Vec<P::Msg>,
}

impl<P: Protocol> Messages<P> {
    fn post(&mut self) {
        self.sent.append(&mut self.outbox);
    }
}

/// A deterministic simulation of protocol `P`.
#[derive(Debug)]
pub struct Sim<P: Protocol> {
    nodes: u32,
    horizon: SimTime,
    params: P::Params,
    /// Shared with forks until one of them is given an intervention (`Rc::make_mut`).
    schedule: Rc<Vec<Planned<P>>>,
    world: World<P>,
    state: State<P>,
    log: Log<P>,
    messages: Messages<P>,
    checkpoints: Vec<Checkpoint<P>>,
    checkpoint_every: u64,
    steps_since_checkpoint: u64,
    /// Run every property after every step, whatever it watches.
    check_every_step: bool,
    /// The client named by each of the scenario's requests, by operation (they are the first).
    clients: Vec<Option<String>>,
    /// Built lazily as readers ask for it, so a reader holding only `&self` can bring it up to date.
    causality: RefCell<Causality>,
    model: Option<SystemModel>,
    /// The nodes faulty from the start: those a corrupting link of the scenario's network
    /// delivers to.
    charged: Vec<NodeId>,
    /// What the explorer's fingerprints have hashed so far.
    fingerprints: explore::Fingerprints,
    /// The explorer's marks (`Sim::keep`), the first kept first: the first `kept` are kept, the
    /// rest were let go of and stay for their buffers.
    marks: Vec<marks::Mark<P>>,
    kept: usize,
}

/// What the next step will process.
#[derive(Clone, Copy)]
enum Next {
    Queue(Key),
    Action,
}

/// Whether `action` alters messages in flight (a corrupting link, or a corrupted message).
pub(crate) fn corrupts(action: &Action) -> bool {
    match action {
        Action::CorruptMessage { .. } => true,
        Action::SetLink { link, .. } => link.corrupt_ppm > 0,
        _ => false,
    }
}

/// Why `place`, which corrupts messages, is refused for protocol `P`.
pub(crate) fn no_forgeries<P: Protocol>(place: &dyn std::fmt::Display) -> String {
    format!(
        "{place}: {} has no Byzantine behaviours, so none of its messages can be forged (a \
         corrupted message that a checksum catches is a lost one: use `loss_ppm`)",
        P::NAME
    )
}

/// Why `place`, which makes a traitor, is refused for protocol `P`.
pub(crate) fn no_traitors<P: Protocol>(place: &dyn std::fmt::Display) -> String {
    format!(
        "{place}: {} has no Byzantine behaviours, so none of its nodes can turn traitor",
        P::NAME
    )
}

impl<P: Protocol> Sim<P> {
    /// The declared system model, if any.
    pub fn model(&self) -> Option<SystemModel> {
        self.model
    }

    /// Why the declared model forbids `action` now, if it does: the nodes faulty so far count
    /// against its limit.
    pub fn forbids(&self, action: &Action) -> Option<String> {
        let model = self.model?;
        let now = self.world.now;
        let before = if SystemModel::counts_faults(action) {
            self.faulty_so_far()
        } else {
            Vec::new()
        };
        if let Some(reason) = model.forbids(action, now, &before) {
            return Some(reason);
        }
        let Action::CorruptMessage { send } = action else {
            return None;
        };
        self.world.in_network(*send).into_iter().find_map(|slot| {
            let Some(Item::Deliver { to, .. }) = &self.world.entries[slot as usize].item else {
                return None;
            };
            let to = *to;
            model
                .over_budget(to, &before)
                .map(|reason| format!("corrupting a message to {to} makes it faulty, and {reason}"))
        })
    }

    /// The nodes faulty so far: charged from the start, crashed or turned traitor by the
    /// schedule up to now, or sent a corrupted message.
    fn faulty_so_far(&self) -> Vec<NodeId> {
        let now = self.world.now;
        let mut faulty = self.charged.clone();
        for node in faulty_nodes(
            self.schedule
                .iter()
                .filter(|p| p.at <= now)
                .map(|p| &p.action),
        ) {
            if !faulty.contains(&node) {
                faulty.push(node);
            }
        }
        for event in self.events() {
            if let EventKind::Corrupt { to, .. } = event.kind
                && !faulty.contains(&to)
            {
                faulty.push(to);
            }
        }
        faulty
    }

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
        let check_node = |node: NodeId, place: Place| -> Result<(), InputError> {
            if node.0 < n {
                Ok(())
            } else {
                Err(InputError(format!(
                    "{place} names {node}, but the scenario has only {n} nodes"
                )))
            }
        };
        for link in &setup.network.links {
            check_node(link.from, Place::Field("network.links"))?;
            check_node(link.to, Place::Field("network.links"))?;
        }
        if !P::BYZANTINE && setup.network.configs().any(|(_, l)| l.corrupt_ppm > 0) {
            return Err(InputError(no_forgeries::<P>(&"network: `corrupt_ppm`")));
        }
        let parse_op =
            |op: &serde_json::Value, place: Place| -> Result<Rc<P::Request>, InputError> {
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
                let place = Place::Scheduled(name, i, &s.action);
                for node in s.action.nodes() {
                    check_node(node, place)?;
                }
                if !P::BYZANTINE && matches!(s.action, Action::Traitor { .. }) {
                    return Err(InputError(no_traitors::<P>(&place)));
                }
                if !P::BYZANTINE && corrupts(&s.action) {
                    return Err(InputError(no_forgeries::<P>(&place)));
                }
                let op = match &s.action {
                    Action::ClientRequest { op, .. } => Some(parse_op(op, place)?),
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
        let times: Vec<SimTime> = schedule.iter().map(|p| p.at).collect();
        let mut slots: Vec<Option<Planned<P>>> = schedule.into_iter().map(Some).collect();
        let schedule: Vec<Planned<P>> = stable_order(&times)
            .into_iter()
            .filter_map(|i| slots[i].take())
            .collect();
        if let Some(model) = &setup.model {
            model.validate(n).map_err(InputError)?;
            if let Some(reason) = setup
                .network
                .configs()
                .find_map(|(_, l)| model.forbids_link(l))
            {
                return Err(InputError(format!("network: {reason}")));
            }
            if let Some(reason) = model.forbids_corrupting(&setup.network, n) {
                return Err(InputError(format!("network: {reason}")));
            }
            if let Some((i, reason)) = model.first_forbidden(
                corrupted_receivers(&setup.network, n),
                schedule.iter().map(|p| (p.at, &p.action)),
            ) {
                let planned = &schedule[i];
                return Err(InputError(format!(
                    "{} at {}: {reason}",
                    planned.action.describe(),
                    planned.at
                )));
            }
        }

        let nodes = (0..n)
            .map(|i| NodeSlot::new(NodeId(i), setup.seed, setup.clocks[i as usize]))
            .collect();
        let mut network = Network::new(n, setup.seed, &setup.network);
        if let Some(model) = &setup.model {
            network.set_timing(model.timing);
        }
        let mut world = World::new(nodes, network, setup.workload.retry);
        let mut state = State {
            cursor: 0,
            generator: None,
            properties: PropSlot::all(&setup.params),
            ended: false,
        };
        for i in 0..n {
            world.schedule(SimTime::ZERO, Item::Start { node: NodeId(i) });
        }
        let mut clients = Vec::with_capacity(setup.workload.requests.len());
        for (i, r) in setup.workload.requests.iter().enumerate() {
            let place = Place::Entry("workload.requests", i);
            check_node(r.node, place)?;
            if let Some(client) = &r.client
                && (client.trim().is_empty() || client.chars().count() > MAX_CLIENT_NAME)
            {
                return Err(InputError(format!(
                    "{place}.client must be a name of 1 to {MAX_CLIENT_NAME} characters"
                )));
            }
            clients.push(r.client.clone());
            let payload = parse_op(&r.op, place)?;
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
                check_node(node, Place::Field("workload.generator.target"))?;
            }
            state.generator = Some(GeneratorState::new(config, setup.seed));
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
            schedule: Rc::new(schedule),
            world,
            state,
            log: Log::new(),
            messages: Messages {
                sent: Vec::new(),
                outbox: Vec::new(),
            },
            checkpoints: Vec::new(),
            checkpoint_every,
            steps_since_checkpoint: 0,
            check_every_step: false,
            clients,
            causality: RefCell::new(Causality::new(n)),
            model: setup.model,
            charged: corrupted_receivers(&setup.network, n),
            fingerprints: explore::Fingerprints::default(),
            marks: Vec::new(),
            kept: 0,
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
            causality_bytes: self.causality.borrow().memory_bytes() as u64,
        }
    }

    pub fn message(&self, id: MsgId) -> &P::Msg {
        &self.messages.sent[id.index()]
    }

    /// The operation of request `id`.
    /// The client the scenario names for operation `op`, if it names one.
    pub fn client(&self, op: OpId) -> Option<&str> {
        self.clients.get(op.index())?.as_deref()
    }

    pub fn request(&self, id: RequestId) -> Option<(NodeId, &P::Request)> {
        let record = self.log.requests.get(id.0 as usize)?;
        let op = self.world.ops.get(record.op.index())?;
        Some((record.node, &*op.payload))
    }

    /// The reply recorded by response event `event`.
    pub fn response(&self, event: EventId) -> Option<&P::Response> {
        by_event(&self.log.responses, event)
    }

    /// Every fact stated so far, by the event of the note that stated it (in event order).
    pub fn facts(&self) -> &[(EventId, Fact)] {
        &self.log.facts
    }

    /// The protocol's parameters.
    pub fn params(&self) -> &P::Params {
        &self.params
    }

    /// The typed note shown by annotate event `event`.
    pub fn note(&self, event: EventId) -> Option<&P::Note> {
        by_event(&self.log.notes, event)
    }

    /// The causality index over the trace so far (vector clocks, causal past and future).
    pub fn causality(&self) -> Ref<'_, Causality> {
        self.causality.borrow_mut().update(&self.log.events);
        self.causality.borrow()
    }

    fn next(&mut self) -> Option<Next> {
        let queued = self.world.next_queued();
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
        let at = self.time_of(next);
        // Nothing is ever scheduled before the instant at which it is scheduled, so the next step is
        // never in the past. The `max` would hide such a step in a release build; tests catch it.
        debug_assert!(
            at >= self.world.now,
            "a step at {at} after time reached {}",
            self.world.now
        );
        self.world.now = self.world.now.max(at);
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
}
