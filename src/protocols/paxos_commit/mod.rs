//! Paxos Commit (Gray and Lamport, "Consensus on Transaction Commit", ACM TODS 2006): two-phase
//! commit whose coordinator's decision no longer rests on one node, because every participant's
//! vote is decided by a Paxos instance of its own among 2F+1 acceptors.
//!
//! n1 is the initial leader (the transaction manager) and every other node is a participant (a
//! resource manager), as in two-phase commit; the acceptors are n1 to n(2F+1), co-located with the
//! leader and the first participants as in the paper (`f`, default 1: three acceptors, n1, n2 and
//! n3). A client asks n1 to run a transaction (`{"begin": "t1"}`); n1 sends `prepare` to every
//! participant. Each participant votes (no if it is listed in `vote_no`, or with probability
//! `vote_no_percent`), writes its vote, and sends it as a phase 2a message of ballot 0 straight to
//! every acceptor: the paper's fast path, where ballot 0 of a participant's instance is the
//! participant's own and needs no phase 1. An acceptor that has promised nothing higher accepts,
//! writes it, and sends phase 2b to the ballot's leader (n1 for ballot 0). A value is *chosen* in
//! an instance once F+1 acceptors (a majority) accepted it in one ballot. The leader commits when
//! every participant's instance has `prepared` chosen and aborts when any has `aborted` chosen; it
//! writes the outcome and sends it to every node until each has it. A no voter aborts at once.
//!
//! No single crash blocks. Every acceptor that hears of a transaction waits for its outcome: n1 a
//! timeout (`timeout_us`, its vote timeout), the k-th acceptor k timeouts (n2 two, n3 three, …),
//! and the wait starts again whenever another leader's phase 1 or 2 message arrives. When the wait
//! runs out the acceptor becomes a leader: it picks a ballot above every one it has seen (round r
//! of node n, `r.n`), runs phase 1 for every instance of the transaction, and with promises from a
//! majority proposes, per instance, the value accepted in the highest ballot any of them reported,
//! or `aborted` where none reported one; once those are chosen it decides as above. A participant
//! that voted yes and has no outcome a timeout later asks every acceptor (`outcome?`), and again
//! every two timeouts; whoever knows the outcome answers.
//!
//! Acceptors write their promises and accepted values before answering, participants their votes,
//! and every node its outcomes: all of it survives a restart, and nothing else does. A restarted
//! node resends the outcomes it decided, watches the transactions it knows undecided, and asks
//! about the ones it voted yes on.
//!
//! The "break it" variant `skip_phase_one`: a leader taking over skips phase 1 and proposes
//! `aborted` for every instance in its new ballot, as if a higher ballot needed no promises. When
//! `prepared` had been chosen everywhere and the old leader's commit is still on its way, the new
//! leader aborts a committed transaction (`paxos-commit-break-skip-phase-one`).

mod acceptor;
mod leader;
mod properties;
mod types;
mod view;

pub use types::{
    Ballot, Because, PaxosCommitMsg, PaxosCommitNote, PaxosCommitRequest, PaxosCommitResponse,
    PaxosCommitStable, PaxosCommitTimer, Tx, Value, Values,
};

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, RequestId, TimerId};
use crate::engine::protocol::{NodeView, Property, Protocol, RequestInfo};
use crate::engine::sim::Ctx;
use crate::protocols::two_phase_commit::outcome;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The initial leader (the transaction manager).
const COORDINATOR: NodeId = NodeId(0);

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaxosCommitParams {
    /// The acceptor crashes tolerated: there are 2F+1 acceptors, n1 to n(2F+1).
    #[serde(default = "default_f")]
    pub f: u32,
    /// Participants that vote no on every transaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vote_no: Vec<NodeId>,
    /// The chance, in percent, that a participant votes no on a transaction.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vote_no_percent: u32,
    /// n1's wait for the votes; the k-th acceptor waits k times as long before it takes over, and a
    /// participant in doubt asks after one and then every two.
    #[serde(default = "default_timeout")]
    pub timeout_us: u64,
    /// The "break it" variant.
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

fn default_f() -> u32 {
    1
}

fn default_timeout() -> u64 {
    100_000
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Default for PaxosCommitParams {
    fn default() -> Self {
        PaxosCommitParams {
            f: default_f(),
            vote_no: Vec::new(),
            vote_no_percent: 0,
            timeout_us: default_timeout(),
            break_it: BreakIt::None,
        }
    }
}

/// A rule of Paxos Commit a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// A leader taking over proposes `aborted` for every instance without running phase 1.
    SkipPhaseOne,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

/// A leader's round for a transaction: its ballot, the promises so far, and what it proposed.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Round {
    ballot: Ballot,
    promises: BTreeMap<NodeId, Vec<(NodeId, Ballot, Value)>>,
    proposed: Option<Values>,
}

/// A leader's count of phase 2b messages for a transaction: per instance and ballot, the value
/// and the acceptors that accepted it; and the value chosen per instance.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
struct Tally {
    votes: BTreeMap<(NodeId, Ballot), (Value, BTreeSet<NodeId>)>,
    chosen: BTreeMap<NodeId, Value>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct PaxosCommit {
    id: NodeId,
    nodes: u32,
    params: PaxosCommitParams,
    /// n1: the client request of each transaction it has begun and not decided.
    requests: BTreeMap<Tx, RequestId>,
    /// The rounds this node leads.
    leading: BTreeMap<Tx, Round>,
    /// The phase 2b messages this node counts, as the leader of ballot 0 (n1) or of its rounds.
    tallies: BTreeMap<Tx, Tally>,
    /// The highest ballot this node has heard of per transaction (from refusals).
    seen: BTreeMap<Tx, Ballot>,
    /// An acceptor's wait before it takes over, per undecided transaction.
    watching: BTreeMap<Tx, TimerId>,
    /// A participant in doubt: its timer to ask again.
    asking: BTreeMap<Tx, TimerId>,
    /// Per outcome this node decided, the nodes that have not acknowledged it.
    unacked: BTreeMap<Tx, Vec<NodeId>>,
    resending: bool,
    /// Copies of stable storage, for the inspector.
    votes: BTreeMap<Tx, bool>,
    outcomes: BTreeMap<Tx, bool>,
    promised: BTreeMap<Tx, Ballot>,
    accepted: BTreeMap<(Tx, NodeId), (Ballot, Value)>,
}

impl PaxosCommit {
    fn participants(&self) -> impl Iterator<Item = NodeId> + use<> {
        (1..self.nodes).map(NodeId)
    }

    /// The acceptors, n1 to n(2F+1).
    fn acceptors(&self) -> impl Iterator<Item = NodeId> + use<> {
        (0..2 * self.params.f + 1).map(NodeId)
    }

    fn is_acceptor(&self) -> bool {
        self.id.0 <= 2 * self.params.f
    }

    fn majority(&self) -> usize {
        self.params.f as usize + 1
    }

    fn others(&self) -> impl Iterator<Item = NodeId> + use<> {
        let me = self.id;
        (0..self.nodes).map(NodeId).filter(move |&n| n != me)
    }

    /// Writes and notes the outcome of `tx` (once), ends every round and wait this node had for
    /// it, and answers the client if this is n1 and it has the request.
    fn record_outcome(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool, because: Because) {
        if self.outcomes.contains_key(&tx) {
            return;
        }
        ctx.persist("outcome", |s| {
            s.outcomes.insert(tx, commit);
        });
        self.outcomes.insert(tx, commit);
        ctx.note(PaxosCommitNote::Decides {
            tx,
            commit,
            because,
        });
        self.leading.remove(&tx);
        self.tallies.remove(&tx);
        self.seen.remove(&tx);
        for timer in [self.watching.remove(&tx), self.asking.remove(&tx)]
            .into_iter()
            .flatten()
        {
            ctx.cancel_timer(timer);
        }
        if let Some(request) = self.requests.remove(&tx) {
            let response = if commit {
                PaxosCommitResponse::Committed { tx }
            } else {
                PaxosCommitResponse::Aborted { tx }
            };
            ctx.reply(request, response);
        }
    }

    /// A participant's vote on `tx`: no if it is listed in `vote_no`, else no with probability
    /// `vote_no_percent` (drawn only when that is set).
    fn draw_vote(&self, ctx: &mut Ctx<'_, Self>) -> bool {
        if self.params.vote_no.contains(&self.id) {
            return false;
        }
        let percent = u64::from(self.params.vote_no_percent);
        percent == 0 || ctx.rng().range_u64(0, 100) >= percent
    }

    /// On (re)start: read stable storage, resend the outcomes this node decided, watch every
    /// transaction it knows undecided (as n1 or an acceptor), and ask about those it voted yes on.
    fn restart(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable().clone();
        self.votes = stable.votes;
        self.outcomes = stable.outcomes;
        self.promised = stable.promised;
        self.accepted = stable.accepted;
        for &tx in &stable.led {
            self.announce(ctx, tx);
        }
        let mut known: BTreeSet<Tx> = self.promised.keys().copied().collect();
        known.extend(self.accepted.keys().map(|&(tx, _)| tx));
        if self.id == COORDINATOR {
            known.extend(1..=stable.begun);
        }
        for tx in known {
            if !self.outcomes.contains_key(&tx) {
                self.watch(ctx, tx, 1);
            }
        }
        let in_doubt: Vec<Tx> = self
            .votes
            .iter()
            .filter(|&(tx, &yes)| yes && !self.outcomes.contains_key(tx))
            .map(|(&tx, _)| tx)
            .collect();
        for tx in in_doubt {
            self.ask(ctx, tx);
        }
    }
}

impl Protocol for PaxosCommit {
    type Msg = PaxosCommitMsg;
    type Timer = PaxosCommitTimer;
    type Request = PaxosCommitRequest;
    type Response = PaxosCommitResponse;
    type Stable = PaxosCommitStable;
    type Params = PaxosCommitParams;
    type Note = PaxosCommitNote;

    const NAME: &'static str = "paxos_commit";

    fn new(id: NodeId, nodes: u32, params: &PaxosCommitParams) -> Self {
        PaxosCommit {
            id,
            nodes,
            params: params.clone(),
            requests: BTreeMap::new(),
            leading: BTreeMap::new(),
            tallies: BTreeMap::new(),
            seen: BTreeMap::new(),
            watching: BTreeMap::new(),
            asking: BTreeMap::new(),
            unacked: BTreeMap::new(),
            resending: false,
            votes: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            promised: BTreeMap::new(),
            accepted: BTreeMap::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.restart(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &PaxosCommitMsg) {
        match msg {
            PaxosCommitMsg::Prepare { tx } => self.on_prepare(ctx, *tx),
            PaxosCommitMsg::Phase1a { tx, ballot } => self.on_phase1a(ctx, from, *tx, *ballot),
            PaxosCommitMsg::Phase1b {
                tx,
                ballot,
                accepted,
            } => self.on_phase1b(ctx, from, *tx, *ballot, accepted),
            PaxosCommitMsg::Phase2a { tx, ballot, values } => {
                self.on_phase2a(ctx, from, *tx, *ballot, values)
            }
            PaxosCommitMsg::Phase2b { tx, ballot, values } => {
                self.on_phase2b(ctx, from, *tx, *ballot, values)
            }
            PaxosCommitMsg::Nack { tx, promised } => self.on_nack(*tx, *promised),
            PaxosCommitMsg::Outcome { tx, commit } => {
                let tx = *tx;
                // A node responsible for finishing `tx` (n1 for what it began, a leader for what
                // it leads) that is told the outcome tells everyone in turn: a participant that
                // missed the prepare would hear it from no one else.
                let responsible = self.leading.contains_key(&tx)
                    || (self.id == COORDINATOR && tx <= ctx.stable().begun);
                if !self.outcomes.contains_key(&tx) {
                    self.record_outcome(ctx, tx, *commit, Because::Told);
                    if responsible {
                        self.finish(ctx, tx);
                    }
                }
                ctx.send(from, PaxosCommitMsg::Have { tx });
            }
            PaxosCommitMsg::Have { tx } => {
                if let Some(waiting) = self.unacked.get_mut(tx) {
                    waiting.retain(|&n| n != from);
                    if waiting.is_empty() {
                        self.unacked.remove(tx);
                    }
                }
            }
            PaxosCommitMsg::Ask { tx } => self.on_ask(ctx, from, *tx),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: PaxosCommitTimer) {
        match timer {
            PaxosCommitTimer::TakeOver(tx) => {
                self.watching.remove(&tx);
                if !self.outcomes.contains_key(&tx) {
                    self.take_over(ctx, tx);
                }
            }
            PaxosCommitTimer::Ask(tx) => {
                self.asking.remove(&tx);
                if !self.outcomes.contains_key(&tx) {
                    self.ask(ctx, tx);
                }
            }
            PaxosCommitTimer::Resend => self.resend(ctx),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &PaxosCommitRequest) {
        if self.id != COORDINATOR {
            ctx.reply(req.id, PaxosCommitResponse::NotTheCoordinator);
            return;
        }
        let PaxosCommitRequest::Begin(name) = op;
        self.begin(ctx, req.id, name);
    }

    fn validate(p: &PaxosCommitParams, nodes: u32) -> Result<(), String> {
        crate::protocols::two_phase_commit::validate_commit(
            "Paxos Commit",
            nodes,
            (&p.vote_no, p.vote_no_percent),
            ("timeout_us", p.timeout_us),
        )?;
        let acceptors = 2 * u64::from(p.f) + 1;
        if acceptors > u64::from(nodes) {
            return Err(format!(
                "`protocol.f` is {}, which needs 2F+1 = {acceptors} acceptors (n1 to \
                 n{acceptors}), but the scenario has only {nodes} nodes: make `f` at most {}",
                p.f,
                (nodes - 1) / 2
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<PaxosCommitRequest> {
        Some(PaxosCommitRequest::Begin("t1".into()))
    }

    fn fact(note: &PaxosCommitNote) -> Option<Fact> {
        match note {
            PaxosCommitNote::Begins { tx, .. } => Some(Fact::Proposed {
                instance: *tx,
                value: outcome(true).into(),
            }),
            PaxosCommitNote::Decides { tx, commit, .. } => Some(Fact::Decided {
                instance: *tx,
                value: outcome(*commit).into(),
            }),
            PaxosCommitNote::Votes { tx, yes: true } => Some(Fact::InDoubt { instance: *tx }),
            PaxosCommitNote::TakesOver { ballot, .. } => Some(Fact::RoleChanged {
                role: "leader",
                term: Some(ballot.round),
            }),
            PaxosCommitNote::Votes { tx, yes: false } => Some(Fact::Voted {
                instance: *tx,
                yes: false,
            }),
            PaxosCommitNote::Accepts { .. } => None,
        }
    }

    fn msg_label(msg: &PaxosCommitMsg) -> String {
        match msg {
            PaxosCommitMsg::Prepare { tx } => format!("prepare t{tx}"),
            PaxosCommitMsg::Phase1a { tx, ballot } => format!("1a t{tx} b{ballot}"),
            PaxosCommitMsg::Phase1b { tx, ballot, .. } => format!("1b t{tx} b{ballot}"),
            PaxosCommitMsg::Phase2a { tx, ballot, values } => {
                format!("2a t{tx} b{ballot} {}", types::values_text(values))
            }
            PaxosCommitMsg::Phase2b { tx, ballot, values } => {
                format!("2b t{tx} b{ballot} {}", types::values_text(values))
            }
            PaxosCommitMsg::Nack { tx, promised } => format!("nack t{tx} b{promised}"),
            PaxosCommitMsg::Outcome { tx, commit } => format!("{} t{tx}", outcome(*commit)),
            PaxosCommitMsg::Have { tx } => format!("have t{tx}"),
            PaxosCommitMsg::Ask { tx } => format!("outcome? t{tx}"),
        }
    }

    fn timer_name(timer: &PaxosCommitTimer) -> &'static str {
        match timer {
            PaxosCommitTimer::TakeOver(_) => "take over",
            PaxosCommitTimer::Ask(_) => "ask again",
            PaxosCommitTimer::Resend => "resend",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &PaxosCommitParams) -> Vec<Box<dyn Property<Self>>> {
        properties::properties(params)
    }

    fn generate_request(
        seq: u64,
        _rng: &mut crate::engine::rng::SimRng,
    ) -> Option<PaxosCommitRequest> {
        Some(PaxosCommitRequest::Begin(format!("t{seq}")))
    }
}
