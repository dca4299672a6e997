//! Three-phase commit (Skeen, "Nonblocking commit protocols", 1981), with Skeen's central-site
//! termination protocol run by an elected recovery coordinator, and the recovery rules of Bernstein,
//! Hadzilacos and Goodman ("Concurrency Control and Recovery in Database Systems", 1987, §7.5).
//!
//! n1 is the coordinator; every other node is a participant. A client asks n1 to run a transaction
//! (`{"begin": "t1"}`). Phase one, *CanCommit*: n1 asks every participant, and each votes yes
//! (writing its vote first) or no (listed in `vote_no`, or drawn with probability
//! `vote_no_percent`); a no aborts at once. Phase two, *PreCommit*: with every vote yes, n1 writes
//! that it pre-commits and tells everyone; each participant writes that it is pre-committed and
//! acknowledges. Phase three, *DoCommit*: with every acknowledgement in (or after `timeout_us`, the
//! silent ones being taken for crashed), n1 writes commit and tells everyone. n1 aborts on a no vote
//! or when the votes are not all in within `timeout_us`. Whoever decides resends the outcome every
//! `2 × timeout_us` until every node has it.
//!
//! The point of the extra phase: no one commits while anyone who has not crashed is still
//! uncertain (voted yes, not pre-committed), so an uncertain participant that has not crashed
//! proves nobody committed. A participant that hears nothing from its coordinator for
//! `2 × timeout_us` moves to the next *epoch*, whose recovery coordinator is the next participant
//! in turn (epoch 1: n2, epoch 2: n3, …, round again). The recovery coordinator asks every node for
//! its state and, after `timeout_us` or every answer, applies Skeen's termination rule: if anyone
//! decided, that decision; else if anyone is pre-committed, it pre-commits everyone (a third
//! phase of its own) and commits; else (everyone it heard from is uncertain) it aborts.
//!
//! A node that crashed while in doubt has lost its right to speak for the transaction: it may have
//! missed a pre-commit, so its "uncertain" proves nothing. After a restart it is *recovering*: it
//! asks every node for its state every `2 × timeout_us`, learns the outcome from anyone who has it,
//! and may decide itself only when every other node answered and none still takes part (the
//! recovery from a total failure: with every node's state in hand, commit if anyone is
//! pre-committed, else abort). A restarted coordinator that never pre-committed aborts (presumed
//! abort: nobody can have pre-committed). Nobody blocks while one node is down and the network is
//! timely, unlike two-phase commit; but the rules trust timeouts, so a partition, which looks
//! just like a crash, can make the two sides decide differently (`3pc-partition`).

mod coordinator;
mod properties;
mod termination;
mod view;

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, RequestId, TimerId};
use crate::engine::protocol::{NodeView, Property, Protocol, RequestInfo};
use crate::engine::sim::Ctx;
use crate::protocols::two_phase_commit::outcome;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The coordinator.
const COORDINATOR: NodeId = NodeId(0);

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreePhaseCommitParams {
    /// Participants that vote no on every transaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vote_no: Vec<NodeId>,
    /// The chance, in percent, that a participant votes no on a transaction.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vote_no_percent: u32,
    /// How long a coordinator waits for votes, acknowledgements or states; a participant waits
    /// twice as long for its coordinator.
    #[serde(default = "default_timeout")]
    pub timeout_us: u64,
}

fn default_timeout() -> u64 {
    100_000
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Default for ThreePhaseCommitParams {
    fn default() -> Self {
        ThreePhaseCommitParams {
            vote_no: Vec::new(),
            vote_no_percent: 0,
            timeout_us: default_timeout(),
        }
    }
}

/// A transaction's number at the coordinator (from 1); the instance its outcome decides.
pub type Tx = u64;

/// A coordinator's term for one transaction: 0 is n1's, epoch `e` the `e`-th recovery
/// coordinator's.
pub type Epoch = u64;

/// Where a node stands on a transaction.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Voted yes (or, at the coordinator, asked for votes) and not pre-committed.
    Uncertain,
    PreCommitted,
    Committed,
    Aborted,
}

/// A node's answer to "where do you stand on this transaction?".
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Report {
    pub phase: Phase,
    /// The node has taken part without crashing since it voted (or began): its uncertainty proves
    /// that nobody committed.
    pub active: bool,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreePhaseMsg {
    CanCommit {
        tx: Tx,
    },
    Vote {
        tx: Tx,
        yes: bool,
    },
    PreCommit {
        tx: Tx,
        epoch: Epoch,
    },
    /// A node is pre-committed to `tx` in `epoch`.
    Ack {
        tx: Tx,
        epoch: Epoch,
    },
    /// The outcome: DoCommit, or abort.
    Outcome {
        tx: Tx,
        commit: bool,
    },
    /// A node has the outcome of `tx`: stop resending it.
    Have {
        tx: Tx,
    },
    /// A recovery coordinator asks for states.
    StateReq {
        tx: Tx,
        epoch: Epoch,
    },
    /// A recovering node asks for states.
    Ask {
        tx: Tx,
    },
    /// The answer to `StateReq` (with its epoch) or `Ask` (without).
    State {
        tx: Tx,
        epoch: Option<Epoch>,
        report: Report,
    },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ThreePhaseTimer {
    /// The coordinator stops waiting for the votes of `tx`.
    Votes(Tx),
    /// The coordinator of `tx` in an epoch stops waiting for acknowledgements.
    Acks(Tx, Epoch),
    /// A participant has heard nothing from the coordinator of `tx` for too long.
    Wait(Tx),
    /// A recovery coordinator stops collecting states.
    Collect(Tx, Epoch),
    /// A recovering node asks again.
    Poll,
    /// Resend the outcomes not yet acknowledged.
    Resend,
}

/// A client asks the coordinator to run a transaction with this name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ThreePhaseRequest {
    Begin(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreePhaseResponse {
    Committed {
        tx: Tx,
    },
    Aborted {
        tx: Tx,
    },
    /// Only the coordinator runs transactions.
    NotTheCoordinator,
}

/// What survives a crash.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct ThreePhaseStable {
    pub votes: BTreeMap<Tx, bool>,
    /// The transactions this node pre-committed (the coordinator: before telling anyone).
    pub precommitted: BTreeSet<Tx>,
    pub outcomes: BTreeMap<Tx, bool>,
    /// The outcomes this node decided (as coordinator or recovery coordinator), which it resends
    /// after a restart until every node has them.
    pub led: BTreeSet<Tx>,
    /// The coordinator: how many transactions it has begun.
    pub begun: Tx,
}

/// Why a node decided as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Because {
    /// It voted no, or was asked about a transaction it had not voted on.
    OwnNo,
    /// The coordinator got a no vote.
    NoVote,
    /// The coordinator's votes did not all come in time.
    VoteTimeout,
    /// Everyone it heard from acknowledged the pre-commit (or the rest stayed silent).
    Acks,
    /// Another node told it the outcome.
    Told,
    /// A node it asked had already decided.
    Reported,
    /// A recovery coordinator heard only from nodes that are uncertain.
    AllUncertain,
    /// A restarted coordinator that had not pre-committed.
    PresumedAbort,
    /// A recovering node with every other node's state and nobody else taking part.
    Everyone,
}

impl Because {
    fn text(self) -> &'static str {
        match self {
            Because::OwnNo => "it votes no",
            Because::NoVote => "a vote was no",
            Because::VoteTimeout => "votes missing",
            Because::Acks => "pre-commit acknowledged",
            Because::Told => "told",
            Because::Reported => "a node had decided",
            Because::AllUncertain => "everyone uncertain",
            Because::PresumedAbort => "presumed abort",
            Because::Everyone => "every state known",
        }
    }
}

/// What a node notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum ThreePhaseNote {
    /// The coordinator starts transaction `tx` (named `name` by the client).
    Begins {
        tx: Tx,
        name: String,
    },
    Votes {
        tx: Tx,
        yes: bool,
    },
    /// The node enters the pre-committed state for `tx`.
    PreCommits {
        tx: Tx,
    },
    /// The node becomes the recovery coordinator of `tx` in `epoch`.
    TakesOver {
        tx: Tx,
        epoch: Epoch,
    },
    /// The node learns or decides the outcome of `tx`.
    Decides {
        tx: Tx,
        commit: bool,
        because: Because,
    },
}

impl fmt::Display for ThreePhaseNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreePhaseNote::Begins { tx, name } => write!(f, "begins t{tx} ({name})"),
            ThreePhaseNote::Votes { tx, yes } => {
                write!(f, "votes {} on t{tx}", if *yes { "yes" } else { "no" })
            }
            ThreePhaseNote::PreCommits { tx } => write!(f, "pre-commits t{tx}"),
            ThreePhaseNote::TakesOver { tx, epoch } => {
                write!(f, "takes over t{tx} (epoch {epoch})")
            }
            ThreePhaseNote::Decides {
                tx,
                commit,
                because,
            } => write!(f, "{}s t{tx} ({})", outcome(*commit), because.text()),
        }
    }
}

/// The coordinator's view of a transaction whose votes are coming in.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Voting {
    request: Option<RequestId>,
    votes: BTreeMap<NodeId, bool>,
}

/// A (recovery) coordinator's pre-commit round: the nodes yet to acknowledge.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Acking {
    epoch: Epoch,
    waiting: Vec<NodeId>,
    request: Option<RequestId>,
}

/// A recovery coordinator's collection of states.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Gathering {
    epoch: Epoch,
    reports: BTreeMap<NodeId, Report>,
}

/// An active participant's wait for its coordinator: the epoch it follows and its timer (none
/// while it coordinates that epoch itself).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
struct Following {
    epoch: Epoch,
    timer: Option<TimerId>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct ThreePhaseCommit {
    id: NodeId,
    nodes: u32,
    params: ThreePhaseCommitParams,
    /// The coordinator: transactions whose votes it is counting.
    voting: BTreeMap<Tx, Voting>,
    /// Pre-commit rounds this node runs.
    acking: BTreeMap<Tx, Acking>,
    /// State collections this node runs as recovery coordinator.
    gathering: BTreeMap<Tx, Gathering>,
    /// Transactions this participant takes part in since it voted in this life, undecided.
    following: BTreeMap<Tx, Following>,
    /// Transactions this node was in doubt about when it restarted, with this round's answers.
    recovering: BTreeMap<Tx, BTreeMap<NodeId, Report>>,
    /// Per outcome this node decided, the nodes that have not acknowledged it.
    unacked: BTreeMap<Tx, Vec<NodeId>>,
    resending: bool,
    /// Copies of stable storage, for the inspector and the reports.
    votes: BTreeMap<Tx, bool>,
    precommitted: BTreeSet<Tx>,
    outcomes: BTreeMap<Tx, bool>,
}

impl ThreePhaseCommit {
    fn participants(&self) -> impl Iterator<Item = NodeId> + use<> {
        (1..self.nodes).map(NodeId)
    }

    fn others(&self) -> impl Iterator<Item = NodeId> + use<> {
        let me = self.id;
        (0..self.nodes).map(NodeId).filter(move |&n| n != me)
    }

    /// Twice the timeout: how long a participant waits for its coordinator, how often a
    /// recovering node asks and how often an outcome is resent.
    fn patience(&self) -> u64 {
        2 * self.params.timeout_us
    }

    /// Where this node stands on `tx`. A participant asked about a transaction it never voted on
    /// votes no now, so the transaction cannot commit and it may abort.
    fn report(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) -> Report {
        if self.id != COORDINATOR && !self.votes.contains_key(&tx) {
            self.cast(ctx, tx, false);
        }
        let phase = match self.outcomes.get(&tx) {
            Some(true) => Phase::Committed,
            Some(false) => Phase::Aborted,
            None if self.precommitted.contains(&tx) => Phase::PreCommitted,
            None => Phase::Uncertain,
        };
        let active = self.voting.contains_key(&tx)
            || self.acking.contains_key(&tx)
            || self.gathering.contains_key(&tx)
            || self.following.contains_key(&tx);
        Report { phase, active }
    }

    /// Writes and notes this participant's vote on `tx`; a no aborts at once.
    fn cast(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, yes: bool) {
        ctx.persist("vote", |s| {
            s.votes.insert(tx, yes);
        });
        self.votes.insert(tx, yes);
        ctx.note(ThreePhaseNote::Votes { tx, yes });
        if !yes {
            self.record_outcome(ctx, tx, false, Because::OwnNo);
        }
    }

    /// Writes and notes that this node is pre-committed to `tx` (once).
    fn enter_precommit(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        if self.precommitted.insert(tx) {
            ctx.persist("precommitted", |s| {
                s.precommitted.insert(tx);
            });
            ctx.note(ThreePhaseNote::PreCommits { tx });
        }
    }

    /// Writes and notes the outcome of `tx` (once), and stops every round this node ran for it.
    fn record_outcome(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool, because: Because) {
        if self.outcomes.contains_key(&tx) {
            return;
        }
        ctx.persist("outcome", |s| {
            s.outcomes.insert(tx, commit);
        });
        self.outcomes.insert(tx, commit);
        ctx.note(ThreePhaseNote::Decides {
            tx,
            commit,
            because,
        });
        if let Some(timer) = self.following.remove(&tx).and_then(|f| f.timer) {
            ctx.cancel_timer(timer);
        }
        self.gathering.remove(&tx);
        self.recovering.remove(&tx);
        // A round this node ran ends with the outcome it learned: its client hears that.
        if let Some(request) = self.take_request(tx) {
            self.answer(ctx, request, tx);
        }
    }

    /// Ends the coordinator's rounds of `tx`, with the client request they carried.
    fn take_request(&mut self, tx: Tx) -> Option<RequestId> {
        let voting = self.voting.remove(&tx).and_then(|v| v.request);
        let acking = self.acking.remove(&tx).and_then(|a| a.request);
        voting.or(acking)
    }

    fn answer(&self, ctx: &mut Ctx<'_, Self>, request: RequestId, tx: Tx) {
        let response = if self.outcomes[&tx] {
            ThreePhaseResponse::Committed { tx }
        } else {
            ThreePhaseResponse::Aborted { tx }
        };
        ctx.reply(request, response);
    }

    /// Decides `tx` as its (recovery) coordinator, unless it is decided already: writes the
    /// outcome, tells every node until each has it, answers the client.
    fn lead(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool, because: Because) {
        if self.outcomes.contains_key(&tx) {
            return;
        }
        let request = self.take_request(tx);
        self.record_outcome(ctx, tx, commit, because);
        ctx.persist("led", |s| {
            s.led.insert(tx);
        });
        self.announce(ctx, tx);
        if let Some(request) = request {
            self.answer(ctx, request, tx);
        }
    }

    /// Sends the outcome of `tx` to every other node, and resends it until each has it.
    fn announce(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        let commit = self.outcomes[&tx];
        ctx.broadcast(ThreePhaseMsg::Outcome { tx, commit });
        self.unacked.insert(tx, self.others().collect());
        if !self.resending {
            self.resending = true;
            ctx.set_timer(self.patience(), ThreePhaseTimer::Resend);
        }
    }

    fn resend(&mut self, ctx: &mut Ctx<'_, Self>) {
        let resend: Vec<(NodeId, Tx, bool)> = self
            .unacked
            .iter()
            .flat_map(|(&tx, waiting)| {
                let commit = self.outcomes[&tx];
                waiting.iter().map(move |&n| (n, tx, commit))
            })
            .collect();
        for (node, tx, commit) in resend {
            ctx.send(node, ThreePhaseMsg::Outcome { tx, commit });
        }
        self.resending = !self.unacked.is_empty();
        if self.resending {
            ctx.set_timer(self.patience(), ThreePhaseTimer::Resend);
        }
    }
}

impl Protocol for ThreePhaseCommit {
    type Msg = ThreePhaseMsg;
    type Timer = ThreePhaseTimer;
    type Request = ThreePhaseRequest;
    type Response = ThreePhaseResponse;
    type Stable = ThreePhaseStable;
    type Params = ThreePhaseCommitParams;
    type Note = ThreePhaseNote;

    const NAME: &'static str = "three_phase_commit";

    fn new(id: NodeId, nodes: u32, params: &ThreePhaseCommitParams) -> Self {
        ThreePhaseCommit {
            id,
            nodes,
            params: params.clone(),
            voting: BTreeMap::new(),
            acking: BTreeMap::new(),
            gathering: BTreeMap::new(),
            following: BTreeMap::new(),
            recovering: BTreeMap::new(),
            unacked: BTreeMap::new(),
            resending: false,
            votes: BTreeMap::new(),
            precommitted: BTreeSet::new(),
            outcomes: BTreeMap::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.restart(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &ThreePhaseMsg) {
        match *msg {
            ThreePhaseMsg::CanCommit { tx } => self.on_can_commit(ctx, from, tx),
            ThreePhaseMsg::Vote { tx, yes } => self.on_vote(ctx, from, tx, yes),
            ThreePhaseMsg::PreCommit { tx, epoch } => self.on_precommit(ctx, from, tx, epoch),
            ThreePhaseMsg::Ack { tx, epoch } => self.on_ack(ctx, from, tx, epoch),
            ThreePhaseMsg::Outcome { tx, commit } => {
                self.record_outcome(ctx, tx, commit, Because::Told);
                ctx.send(from, ThreePhaseMsg::Have { tx });
            }
            ThreePhaseMsg::Have { tx } => {
                if let Some(waiting) = self.unacked.get_mut(&tx) {
                    waiting.retain(|&n| n != from);
                    if waiting.is_empty() {
                        self.unacked.remove(&tx);
                    }
                }
            }
            ThreePhaseMsg::StateReq { tx, epoch } => self.on_state_req(ctx, from, tx, epoch),
            ThreePhaseMsg::Ask { tx } => {
                let report = self.report(ctx, tx);
                let epoch = None;
                ctx.send(from, ThreePhaseMsg::State { tx, epoch, report });
            }
            ThreePhaseMsg::State { tx, epoch, report } => {
                self.on_state(ctx, from, tx, epoch, report)
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: ThreePhaseTimer) {
        match timer {
            ThreePhaseTimer::Votes(tx) => {
                if self.voting.contains_key(&tx) {
                    self.lead(ctx, tx, false, Because::VoteTimeout);
                }
            }
            ThreePhaseTimer::Acks(tx, epoch) => {
                if self.acking.get(&tx).is_some_and(|a| a.epoch == epoch) {
                    self.lead(ctx, tx, true, Because::Acks);
                }
            }
            ThreePhaseTimer::Wait(tx) => self.on_wait(ctx, tx),
            ThreePhaseTimer::Collect(tx, epoch) => {
                if self.gathering.get(&tx).is_some_and(|g| g.epoch == epoch) {
                    self.conclude(ctx, tx);
                }
            }
            ThreePhaseTimer::Poll => self.poll(ctx),
            ThreePhaseTimer::Resend => self.resend(ctx),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &ThreePhaseRequest) {
        if self.id != COORDINATOR {
            ctx.reply(req.id, ThreePhaseResponse::NotTheCoordinator);
            return;
        }
        let ThreePhaseRequest::Begin(name) = op;
        self.begin(ctx, req.id, name);
    }

    fn validate(p: &ThreePhaseCommitParams, nodes: u32) -> Result<(), String> {
        crate::protocols::two_phase_commit::validate_commit(
            "three-phase commit",
            nodes,
            (&p.vote_no, p.vote_no_percent),
            ("timeout_us", p.timeout_us),
        )
    }

    fn example_request() -> Option<ThreePhaseRequest> {
        Some(ThreePhaseRequest::Begin("t1".into()))
    }

    fn fact(note: &ThreePhaseNote) -> Option<Fact> {
        match note {
            ThreePhaseNote::Begins { tx, .. } => Some(Fact::Proposed {
                instance: *tx,
                value: outcome(true).into(),
            }),
            ThreePhaseNote::Decides { tx, commit, .. } => Some(Fact::Decided {
                instance: *tx,
                value: outcome(*commit).into(),
            }),
            ThreePhaseNote::TakesOver { epoch, .. } => Some(Fact::RoleChanged {
                role: "recovery coordinator",
                term: Some(*epoch),
            }),
            ThreePhaseNote::Votes { tx, yes } => Some(Fact::Voted {
                instance: *tx,
                yes: *yes,
            }),
            ThreePhaseNote::PreCommits { .. } => None,
        }
    }

    fn msg_label(msg: &ThreePhaseMsg) -> String {
        match msg {
            ThreePhaseMsg::CanCommit { tx } => format!("cancommit t{tx}"),
            ThreePhaseMsg::Vote { tx, yes } => format!("{} t{tx}", if *yes { "yes" } else { "no" }),
            ThreePhaseMsg::PreCommit { tx, epoch } => format!("precommit t{tx} e{epoch}"),
            ThreePhaseMsg::Ack { tx, epoch } => format!("ack t{tx} e{epoch}"),
            ThreePhaseMsg::Outcome { tx, commit: true } => format!("docommit t{tx}"),
            ThreePhaseMsg::Outcome { tx, commit: false } => format!("abort t{tx}"),
            ThreePhaseMsg::Have { tx } => format!("have t{tx}"),
            ThreePhaseMsg::StateReq { tx, epoch } => format!("state? t{tx} e{epoch}"),
            ThreePhaseMsg::Ask { tx } => format!("outcome? t{tx}"),
            ThreePhaseMsg::State { tx, report, .. } => {
                let phase = match report.phase {
                    Phase::Uncertain => "uncertain",
                    Phase::PreCommitted => "pre-committed",
                    Phase::Committed => "committed",
                    Phase::Aborted => "aborted",
                };
                format!("t{tx} {phase}")
            }
        }
    }

    fn timer_name(timer: &ThreePhaseTimer) -> &'static str {
        match timer {
            ThreePhaseTimer::Votes(_) => "votes",
            ThreePhaseTimer::Acks(..) => "acks",
            ThreePhaseTimer::Wait(_) => "wait",
            ThreePhaseTimer::Collect(..) => "collect",
            ThreePhaseTimer::Poll => "ask again",
            ThreePhaseTimer::Resend => "resend",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &ThreePhaseCommitParams) -> Vec<Box<dyn Property<Self>>> {
        properties::properties(params)
    }

    fn generate_request(
        seq: u64,
        _rng: &mut crate::engine::rng::SimRng,
    ) -> Option<ThreePhaseRequest> {
        Some(ThreePhaseRequest::Begin(format!("t{seq}")))
    }
}
