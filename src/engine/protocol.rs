//! The interface protocols implement. Protocols are sans-IO state machines: handlers receive a
//! [`Ctx`](crate::engine::Ctx) through which they only record effects (send, set or cancel a
//! timer, persist, reply, annotate). They read only their own local clock and random stream.

use crate::engine::byzantine::Lie;
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, MsgId, NodeId, OpId, RequestId, by_event};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::time::SimTime;
use crate::engine::trace::{Kinds, TraceEvent};
use crate::engine::world::{Ctx, NodeSlot, OpState};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::rc::Rc;

/// A protocol run by every node of a simulation.
pub trait Protocol: Clone + Debug + Hash + 'static {
    /// Messages between nodes. Stored once per send in the run's message table.
    type Msg: Clone + Debug + Hash + Serialize;
    /// Timer kinds a node can set.
    type Timer: Copy + Debug + Hash + PartialEq;
    /// Client operations (parsed from scenario JSON for scheduled requests).
    type Request: Clone + Debug + Serialize + DeserializeOwned;
    /// Replies to clients.
    type Response: Clone + Debug + Serialize;
    /// What survives a crash.
    type Stable: Clone + Debug + Hash + Default;
    /// Protocol parameters from the scenario.
    type Params: Clone + Debug;
    /// What a node notes in the trace (`ctx.note`): typed, so checkers and plots read its fields.
    /// Its `Display` is the text the trace shows; nothing reads that text back.
    type Note: Clone + Debug + Display + Serialize;

    /// The protocol's name as scenarios spell it (e.g. `"heartbeat"`).
    const NAME: &'static str;

    /// Whether nodes keep a replicated log (`NodeView::log`), which the page lays side by side,
    /// and the words for its parts.
    const LOG: Option<LogWords> = None;

    /// Fresh volatile state for node `id` of `nodes`, at first start and after every restart.
    fn new(id: NodeId, nodes: u32, params: &Self::Params) -> Self;

    /// Runs when the node starts and after every restart (read stable storage through `ctx`).
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>);

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &Self::Msg);

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Self::Timer);

    /// A client request arrived at this node. Answer it with `ctx.reply(req.id, …)`, now or later.
    /// The default ignores it.
    fn on_request(&mut self, _ctx: &mut Ctx<'_, Self>, _req: RequestInfo, _op: &Self::Request) {}

    /// How the client reads a reply: done, or try again (at the hinted node if any). Retries only
    /// happen when the scenario's workload has a retry policy.
    fn outcome(_response: &Self::Response) -> Outcome {
        Outcome::Done
    }

    /// The shared fact a note states, if any (see [`Fact`]), for checkers and plots that work
    /// across protocols. The default: none.
    fn fact(_note: &Self::Note) -> Option<Fact> {
        None
    }

    /// The logical clock the protocol keeps itself, in words, or `None` if it keeps none. When it
    /// keeps one, the diagram prints that clock's stamps (`note_stamp`, `msg_stamp`) rather than
    /// the simulator's, which count every event the trace records.
    fn own_clock(_params: &Self::Params) -> Option<&'static str> {
        None
    }

    /// The protocol's own timestamp on the event a note records, if it stamps that event.
    fn note_stamp(_note: &Self::Note) -> Option<OwnStamp> {
        None
    }

    /// The protocol's own timestamp a message carries, if any.
    fn msg_stamp(_msg: &Self::Msg) -> Option<OwnStamp> {
        None
    }

    /// A one-line label for a message, as drawn on its arrow.
    fn msg_label(msg: &Self::Msg) -> String;

    /// A short name for a timer kind, as drawn on the lane.
    fn timer_name(timer: &Self::Timer) -> &'static str;

    /// Plain-data view of the node's state for the inspector.
    fn view(&self) -> NodeView;

    /// A text the node holds that a student may edit in place (a text CRDT's replica). The page
    /// turns an edit into `{"delete": {"at": …, "len": …}}` and `{"insert": {"at": …, "text": …}}`
    /// requests to the node (`view::edit`), positions counted in characters. `None` for
    /// everything else.
    fn editable_text(&self) -> Option<String> {
        None
    }

    /// The properties checked on every run of this protocol.
    fn properties(_params: &Self::Params) -> Vec<Box<dyn Property<Self>>> {
        Vec::new()
    }

    /// The part of a node's state that properties watching [`Kinds::STATE`] read, exactly (not a
    /// hash): after a step, a touched node whose value changed (or which crashed or started) adds
    /// `STATE` to the step's kinds. The default, a constant, suits protocols without such properties.
    fn watched(&self) -> Watched {
        [0; 4]
    }

    /// Checks the parameters of a scenario with `nodes` nodes against the protocol's bounds. The
    /// message names the field (`` `protocol.interval_us` must be … ``). The default accepts all.
    fn validate(_params: &Self::Params, _nodes: u32) -> Result<(), String> {
        Ok(())
    }

    /// A valid client request for the inspector's request form to start from; `None` for protocols
    /// that take no requests.
    fn example_request() -> Option<Self::Request> {
        None
    }

    /// The operation the workload generator sends as its `seq`-th request, drawn from `rng`.
    fn generate_request(_seq: u64, _rng: &mut crate::engine::rng::SimRng) -> Option<Self::Request> {
        None
    }

    /// Whether a node of this protocol can turn traitor (`Action::Traitor`): its messages then
    /// pass through [`Protocol::lie`]. Scenarios that make a traitor of a node of any other
    /// protocol are refused.
    const BYZANTINE: bool = false;

    /// What a traitor sends to `lie.to` in place of `msg`, by `lie.strategy` (never `Silent`, which
    /// the engine handles by sending nothing); `None` withholds it. It may sign only as itself
    /// (`lie.sign`). A corrupting link forges through here too: then `lie.flips()` is always
    /// true and `lie.sign` makes only counterfeits. The default tells the truth.
    fn lie(msg: &Self::Msg, _lie: &mut Lie<'_>) -> Option<Self::Msg> {
        Some(msg.clone())
    }

    /// The register a request reads or writes, and how: for protocols whose clients read and
    /// write keys, so their histories can be judged linearizable and drawn. The default: none.
    fn register_op(_request: &Self::Request) -> Option<(&str, RegisterInput)> {
        None
    }

    /// What a reply answers, for a reply that completes a register operation (not a redirect).
    fn register_answer(_response: &Self::Response) -> Option<RegisterOutput> {
        None
    }

    /// Whether a reply that completes an operation refuses it (too few replicas answered, say):
    /// the system was not available to it. The default refuses nothing.
    fn refused(_response: &Self::Response) -> bool {
        false
    }
}

/// See [`Protocol::watched`].
pub type Watched = [u64; 4];

/// A client request as the receiving node sees it.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct RequestInfo {
    /// This attempt; pass it to `ctx.reply`.
    pub id: RequestId,
    /// The logical operation; the same for every retry of it.
    pub op: OpId,
    /// 1 for the first attempt, 2 for the first retry, ….
    pub attempt: u32,
}

/// How the page names a protocol's replicated log: its positions, the number each cell shows, and
/// what a settled entry is (Raft: index, term, committed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogWords {
    pub position: &'static str,
    pub number: &'static str,
    pub entry: &'static str,
    pub settled: &'static str,
}

/// What a reply means to the client that sent the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The operation is complete.
    Done,
    /// Not here: try again, at this node if one is named, else at the next node.
    Redirect(Option<NodeId>),
}

/// A protocol's own logical timestamp on one of its events (see [`Protocol::own_clock`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OwnStamp {
    /// The event's name as lessons say it: `a`, `recv m1`, `n1#2`.
    pub name: String,
    pub lamport: Option<u64>,
    pub vector: Option<Vec<u64>>,
}

/// A node's state as the inspector shows it: a role, labelled fields and tables.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeView {
    /// The node's role in the protocol (e.g. "leader"); colours the node in the UI.
    pub role: Option<String>,
    pub fields: Vec<(String, String)>,
    pub tables: Vec<ViewTable>,
    /// A replicated log's newest entries, for protocols that keep one: the page lays the nodes'
    /// logs side by side.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogCell>,
}

/// One entry of a node's replicated log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogCell {
    /// From 1.
    pub index: u64,
    pub term: u64,
    pub command: String,
    pub committed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ViewTable {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Whether a node is running.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    Up,
    Crashed,
    Paused,
    /// Not started yet: only snapshots say so, before the node's first event (the engine keeps
    /// such a node as crashed until its start).
    NotStarted,
}

/// Always: must hold after every step. Eventually: must become true before the run ends.
/// Sometimes: should happen at least once, so the checkers that need it are not vacuous; it is
/// never a violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyKind {
    Always,
    Eventually,
    Sometimes,
}

/// What a property says after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to report (an always property holds; an eventually one is still pending).
    Holds,
    /// An eventually property became true.
    Satisfied,
    Violated {
        message: String,
        involved: Vec<EventId>,
    },
}

/// A node the step being checked happened on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touched {
    pub node: NodeId,
    /// The step's first event on the node.
    pub first: EventId,
    /// The step's last annotation on the node, which names a change of role or state.
    pub annotation: Option<EventId>,
}

impl Touched {
    /// The event that best explains what the step did to the node: its annotation, if any.
    pub fn telling(&self) -> EventId {
        self.annotation.unwrap_or(self.first)
    }
}

/// What a property may look at: every node's status and protocol state, and the trace so far.
pub struct CheckCx<'a, P: Protocol> {
    pub now: SimTime,
    pub nodes: &'a [NodeSlot<P>],
    pub events: &'a [TraceEvent],
    /// The first event produced by the step being checked.
    pub first_new: usize,
    /// The nodes the step's events happened on, in the order of their first event.
    pub touched: &'a [Touched],
    pub messages: &'a [P::Msg],
    /// Every client operation's payload, by operation id.
    pub(crate) ops: &'a [OpState<P>],
    /// Every reply so far, by the response event that recorded it (in event order).
    pub(crate) responses: &'a [(EventId, P::Response)],
    /// Every note so far, by the event that recorded it (in event order).
    pub(crate) notes: &'a [(EventId, P::Note)],
    /// Every fact so far, by the event of the note that stated it (in event order).
    pub(crate) facts: &'a [(EventId, Fact)],
}

impl<P: Protocol> CheckCx<'_, P> {
    pub fn new_events(&self) -> impl Iterator<Item = (EventId, &TraceEvent)> {
        self.events[self.first_new..]
            .iter()
            .enumerate()
            .map(move |(i, e)| (EventId((self.first_new + i) as u32), e))
    }

    pub fn message(&self, id: MsgId) -> &P::Msg {
        &self.messages[id.index()]
    }

    /// What client operation `op` asked for, so checkers can judge client histories.
    pub fn request(&self, op: OpId) -> Option<&P::Request> {
        self.ops.get(op.index()).map(|o| &*o.payload)
    }

    /// The reply recorded by response event `event`.
    pub fn response(&self, event: EventId) -> Option<&P::Response> {
        by_event(self.responses, event)
    }

    /// The note recorded by event `event`, if it is a note.
    pub fn note(&self, event: EventId) -> Option<&P::Note> {
        by_event(self.notes, event)
    }

    /// The fact event `event` stated, if it is a note that states one.
    pub fn fact(&self, event: EventId) -> Option<&Fact> {
        by_event(self.facts, event)
    }

    /// The facts the step being checked stated, with their events and nodes.
    pub fn new_facts(&self) -> impl Iterator<Item = (EventId, NodeId, &Fact)> {
        let first = EventId(self.first_new as u32);
        let from = self.facts.partition_point(|(e, _)| *e < first);
        self.facts[from..].iter().filter_map(|(event, fact)| {
            let node = self.events[event.index()].node?;
            Some((*event, node, fact))
        })
    }
}

/// A named property evaluated as the run goes. Properties keep their own state and are cloned into
/// checkpoints with the rest of the simulation.
pub trait Property<P: Protocol>: Debug {
    fn name(&self) -> &'static str;
    fn kind(&self) -> PropertyKind;
    /// One sentence saying what the property means, for the checkers panel.
    fn description(&self) -> &'static str;
    /// The kinds of event after which the verdict can change: `check` only runs after steps that
    /// produced one of them. By default, every step. Asked once, when the run is built; never empty.
    fn watches(&self) -> Kinds {
        Kinds::ALL
    }
    /// What the property rests on: under a declared system model that does not provide it, the
    /// property is not promised (its violations are the model's lesson, not a bug). By default,
    /// nothing.
    fn assumes(&self) -> &'static [crate::engine::model::Assumption] {
        &[]
    }
    /// Called after every step that produced events of a watched kind.
    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict;
    /// Called once when the run reaches its horizon; an eventually property that is still pending
    /// should report the violation here.
    fn at_end(&mut self, _cx: &CheckCx<'_, P>) -> Verdict {
        Verdict::Holds
    }
    fn clone_box(&self) -> Box<dyn Property<P>>;
    /// A shared copy, as a run keeps its properties (copied on a step's first write while a
    /// checkpoint or a mark shares them). Properties copied often override it to allocate once.
    fn clone_rc(&self) -> Rc<dyn Property<P>> {
        Rc::from(self.clone_box())
    }
}

impl<P: Protocol> Clone for Box<dyn Property<P>> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}
