//! Multi-Paxos with a replicated key-value store (Lamport, "Paxos Made Simple", section 3; van
//! Renesse and Altinbuken, "Paxos Made Moderately Complex"). Every node is an acceptor, a learner
//! and a would-be leader. A node that hears nothing from a leader for a random election timeout
//! runs phase 1 once for every slot it does not know is chosen, with a ballot higher than any it
//! has seen. With promises from a majority it leads: for each slot a promise reported, it
//! re-proposes the command accepted in the highest ballot; it fills empty slots below the highest
//! reported one with no-ops; then it proposes each client command in the next free slot with phase
//! 2 alone (`accept` / `accepted`), for as long as no higher ballot appears. A command accepted by
//! a majority is chosen; the leader applies chosen slots in order, answers the client, and tells
//! each replica what is chosen in its next message (heartbeats go out every `heartbeat_us`).
//! Acceptors write their promise and votes to stable storage before answering; a restarted node
//! learns the chosen log again from the leader.
//!
//! The "break it" variant `ignore_accepted` makes a new leader skip the recovery: it ignores what
//! phase 1 reports and proposes new commands right after the last slot it knows is chosen.

mod leader;
mod properties;
mod replica;
pub mod types;
mod view;

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, OpId, RequestId, TimerId};
use crate::engine::protocol::{
    LogWords, NodeView, Outcome, Property, Protocol, RequestInfo, Watched,
};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::rng::SimRng;
use crate::engine::shared::SharedVec;
use crate::engine::sim::Ctx;
use crate::protocols::kv::store::KvStore;
use crate::protocols::kv::{self, Command, KvRequest, KvResponse};
use crate::protocols::paxos::Ballot;
use std::collections::BTreeMap;
use std::rc::Rc;
pub use types::{BreakIt, Chosen, MpMsg, MpNote, MpStable, MpTimer, MultiPaxosParams, Slot, Vote};

/// A node's part in leadership.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Role {
    Follower,
    /// Running phase 1 with its ballot.
    Candidate,
    Leader,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// A slot the leader proposed and has not yet seen chosen: the command and who accepted it.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Proposal {
    command: Rc<Command>,
    votes: Vec<bool>,
    /// The leader's heartbeat count when it was proposed.
    tick: u64,
}

/// One Multi-Paxos node.
#[derive(Clone, Debug, Hash)]
pub struct MultiPaxos {
    id: NodeId,
    nodes: u32,
    params: MultiPaxosParams,
    role: Role,
    /// This node's ballot while it is a candidate or the leader.
    ballot: Option<Ballot>,
    /// The leader this node last heard from.
    leader: Option<NodeId>,
    /// The highest round seen in any ballot, so the next one is higher.
    seen_round: u64,
    /// Acceptor: mirrors of stable storage, the promise and the votes (slot `s` at `s - 1`).
    promised: Option<Ballot>,
    accepted: SharedVec<Option<Vote>>,
    /// Learner: the chosen commands of slots 1, 2, … with no gap (slot `s` at `s - 1`), each
    /// applied to the store as it is learned.
    log: SharedVec<Rc<Command>>,
    kv: KvStore,
    /// Candidate: the slots phase 1 asks about start here; per node, its promise's report.
    prepare_from: Slot,
    promises: Vec<Option<Vec<(Slot, Vote)>>>,
    /// Leader: slots proposed and not yet chosen, slots chosen beyond the learned log's end, and
    /// the next free slot.
    proposals: BTreeMap<Slot, Proposal>,
    ahead: BTreeMap<Slot, Rc<Command>>,
    next_slot: Slot,
    /// Leader: per node, the learned prefix it reported, and how far chosen commands have been
    /// sent to it since.
    learned: Vec<Slot>,
    sent: Vec<Slot>,
    /// Leader: per node, whether an `accept` went to it since the last heartbeat (which makes a
    /// heartbeat needless), and the heartbeats so far.
    busy: Vec<bool>,
    tick: u64,
    /// Client requests to answer once their operation is applied, on the node that received them.
    pending: BTreeMap<OpId, Vec<RequestId>>,
    /// Requests that arrived while no leader was known.
    parked: Vec<(RequestInfo, KvRequest)>,
    election_timer: Option<TimerId>,
    heartbeat_timer: Option<TimerId>,
}

impl MultiPaxos {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn ballot(&self) -> Option<Ballot> {
        self.ballot
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    pub fn promised(&self) -> Option<Ballot> {
        self.promised
    }

    /// The acceptor's votes, slot `s` at `s - 1`.
    pub fn accepted(&self) -> &SharedVec<Option<Vote>> {
        &self.accepted
    }

    /// Leader: the slots proposed and not yet chosen, with the nodes that accepted each.
    pub fn open_slots(&self) -> impl Iterator<Item = (Slot, &Command, Vec<NodeId>)> + '_ {
        self.proposals.iter().map(|(slot, p)| {
            let by = (0..self.nodes)
                .map(NodeId)
                .filter(|n| p.votes[n.index()])
                .collect();
            (*slot, &*p.command, by)
        })
    }

    /// Leader: each other node with the slots it reported learned.
    pub fn replicas(&self) -> impl Iterator<Item = (NodeId, Slot)> + '_ {
        self.learned
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.id.index())
            .map(|(i, l)| (NodeId(i as u32), *l))
    }

    /// Leader: the slot its next command goes in.
    pub fn next_slot(&self) -> Slot {
        self.next_slot
    }

    /// The chosen log this node has learned.
    pub fn log(&self) -> &SharedVec<Rc<Command>> {
        &self.log
    }

    pub fn kv(&self) -> &KvStore {
        &self.kv
    }

    /// The slots learned, which are also the slots applied.
    pub fn learned(&self) -> Slot {
        self.log.len() as Slot
    }

    fn majority(&self) -> usize {
        self.nodes as usize / 2 + 1
    }
}

impl Protocol for MultiPaxos {
    type Msg = MpMsg;
    type Timer = MpTimer;
    type Request = KvRequest;
    type Response = KvResponse;
    type Stable = MpStable;
    type Params = MultiPaxosParams;
    type Note = MpNote;

    const NAME: &'static str = "multi_paxos";
    const LOG: Option<LogWords> = Some(LogWords {
        position: "slot",
        number: "ballot round",
        entry: "vote",
        settled: "chosen",
    });

    fn new(id: NodeId, nodes: u32, params: &MultiPaxosParams) -> Self {
        MultiPaxos {
            id,
            nodes,
            params: *params,
            role: Role::Follower,
            ballot: None,
            leader: None,
            seen_round: 0,
            promised: None,
            accepted: SharedVec::default(),
            log: SharedVec::default(),
            kv: KvStore::default(),
            prepare_from: 1,
            promises: Vec::new(),
            proposals: BTreeMap::new(),
            ahead: BTreeMap::new(),
            next_slot: 1,
            learned: Vec::new(),
            sent: Vec::new(),
            busy: Vec::new(),
            tick: 0,
            pending: BTreeMap::new(),
            parked: Vec::new(),
            election_timer: None,
            heartbeat_timer: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable();
        self.promised = stable.promised;
        self.accepted = stable.accepted.clone();
        self.seen_round = self.promised.map_or(0, |b| b.round);
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &MpMsg) {
        match msg {
            MpMsg::Prepare { ballot, from: slot } => self.on_prepare(ctx, from, *ballot, *slot),
            MpMsg::Promise { ballot, accepted } => self.on_promise(ctx, from, *ballot, accepted),
            MpMsg::Accept {
                ballot,
                slot,
                command,
                chosen,
            } => self.on_accept(ctx, from, *ballot, *slot, command, chosen),
            MpMsg::Accepted {
                ballot,
                slot,
                learned,
            } => self.on_accepted(ctx, from, *ballot, Some(*slot), *learned),
            MpMsg::Heartbeat { ballot, chosen } => self.on_heartbeat(ctx, from, *ballot, chosen),
            MpMsg::HeartbeatOk { ballot, learned } => {
                self.on_accepted(ctx, from, *ballot, None, *learned)
            }
            MpMsg::Nack { ballot, promised } => self.on_nack(ctx, *ballot, *promised),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: MpTimer) {
        match timer {
            MpTimer::Election => {
                self.election_timer = None;
                if self.role != Role::Leader {
                    self.run_for_leader(ctx);
                }
            }
            MpTimer::Heartbeat => {
                self.heartbeat_timer = None;
                if self.role == Role::Leader {
                    self.heartbeat(ctx);
                }
            }
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        self.on_client(ctx, req, op);
    }

    fn outcome(response: &KvResponse) -> Outcome {
        response.outcome()
    }

    fn validate(p: &MultiPaxosParams, nodes: u32) -> Result<(), String> {
        if nodes < 2 {
            return Err(format!(
                "`nodes` is {nodes}, but Multi-Paxos needs at least 2 nodes: a leader and an \
                 acceptor to form a majority with"
            ));
        }
        p.validate()
    }

    fn example_request() -> Option<KvRequest> {
        Some(KvRequest::Put {
            key: "x".into(),
            value: "1".into(),
        })
    }

    fn fact(note: &MpNote) -> Option<Fact> {
        let role = match note {
            MpNote::Prepares { .. } => Role::Candidate,
            MpNote::Leads { .. } => Role::Leader,
            MpNote::StepsDown { .. } => Role::Follower,
        };
        Some(Fact::RoleChanged {
            role: role.name(),
            term: Some(note.ballot().round),
        })
    }

    fn msg_label(msg: &MpMsg) -> String {
        let chosen = |c: &Chosen| match c.commands.len() as u64 {
            0 => String::new(),
            1 => format!(", chosen {}", c.from),
            n => format!(", chosen {}..{}", c.from, c.from + n - 1),
        };
        match msg {
            MpMsg::Prepare { ballot, from } => format!("prepare {ballot} from {from}"),
            MpMsg::Promise { ballot, accepted } => match accepted.len() {
                0 => format!("promise {ballot}"),
                n => format!("promise {ballot} +{n} accepted"),
            },
            MpMsg::Accept {
                ballot,
                slot,
                command,
                chosen: c,
            } => format!("accept {ballot} [{slot}] {}{}", short(command), chosen(c)),
            MpMsg::Accepted { ballot, slot, .. } => format!("accepted {ballot} [{slot}]"),
            MpMsg::Heartbeat { ballot, chosen: c } => format!("heartbeat {ballot}{}", chosen(c)),
            MpMsg::HeartbeatOk { learned, .. } => format!("ok ≤{learned}"),
            MpMsg::Nack { promised, .. } => format!("nack, promised {promised}"),
        }
    }

    fn timer_name(timer: &MpTimer) -> &'static str {
        match timer {
            MpTimer::Election => "election",
            MpTimer::Heartbeat => "heartbeat",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &MultiPaxosParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all(params)
    }

    /// What the applied-log checker reads of a node.
    fn watched(&self) -> Watched {
        [
            self.role as u64,
            self.ballot.map_or(0, Ballot::key),
            self.log.len() as u64,
            0,
        ]
    }

    fn generate_request(seq: u64, rng: &mut SimRng) -> Option<KvRequest> {
        Some(crate::protocols::kv::generate_request(seq, rng))
    }

    fn register_op(request: &KvRequest) -> Option<(&str, RegisterInput)> {
        kv::register_op(request)
    }

    fn register_answer(response: &KvResponse) -> Option<RegisterOutput> {
        kv::register_answer(response)
    }
}

/// A command as an arrow's label shows it: `x=3`, `x+=+4`, `get x`, `no-op`.
fn short(command: &Command) -> String {
    match command {
        Command::Noop => "no-op".to_string(),
        Command::Put { key, value, .. } => format!("{key}={value}"),
        Command::Append { key, value, .. } => format!("{key}+={value}"),
        Command::Get { key, .. } => format!("get {key}"),
        Command::Sync { key, .. } => format!("sync {key}"),
    }
}
