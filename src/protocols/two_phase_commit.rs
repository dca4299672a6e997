//! Two-phase commit. n1 is the coordinator; every other node is a participant. A client asks the
//! coordinator to run a transaction (`{"begin": "t1"}`). Phase one: the coordinator sends Prepare to
//! every participant, and each votes yes (it can commit, and promises to wait for the outcome) or
//! no (listed in `vote_no`). Phase two: the coordinator commits if every participant voted yes,
//! aborts otherwise (or when a vote does not arrive within `vote_timeout_us`), writes the outcome to
//! stable storage and sends it to everyone.
//!
//! The coordinator resends each outcome every `vote_timeout_us` until every participant has
//! acknowledged it, so lost messages only delay the end. A participant that voted yes is *in
//! doubt*: it may not decide on its own, so if the coordinator crashes before telling it the
//! outcome, it blocks until the coordinator restarts (which then resends every outcome it had
//! written, and aborts a transaction it had not decided: presumed abort).
//! A participant that votes no aborts at once. Besides the participants listed in `vote_no`, each
//! participant votes no on a transaction with probability `vote_no_percent`, drawn from its own
//! random stream.
//!
//! The "break it" variants: `commit_on_majority` commits once a majority of the participants voted
//! yes, without waiting for the rest; `participant_timeout_abort` lets a participant that voted
//! yes abort on its own when the outcome has not come within `vote_timeout_us` of its vote;
//! `decide_before_log` has the coordinator send its decision before writing it, the write landing
//! half a vote timeout later, so a crash in between loses a decision others have acted on.
//!
//! This module is the worked example of `docs/adding-a-protocol.md`.

use crate::checks::{commit, consensus};
use crate::engine::fact::Fact;
use crate::engine::ids::NodeId;
use crate::engine::property::sometimes;
use crate::engine::protocol::{NodeView, Property, Protocol, RequestInfo, ViewTable};
use crate::engine::sim::Ctx;
use crate::engine::trace::Kinds;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The coordinator.
const COORDINATOR: NodeId = NodeId(0);

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoPhaseCommitParams {
    /// Participants that vote no on every transaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vote_no: Vec<NodeId>,
    /// The chance, in percent, that a participant votes no on a transaction.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vote_no_percent: u32,
    /// How long the coordinator waits for the votes before it aborts.
    #[serde(default = "default_vote_timeout")]
    pub vote_timeout_us: u64,
    /// The "break it" variant.
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

fn default_vote_timeout() -> u64 {
    200_000
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Default for TwoPhaseCommitParams {
    fn default() -> Self {
        TwoPhaseCommitParams {
            vote_no: Vec::new(),
            vote_no_percent: 0,
            vote_timeout_us: default_vote_timeout(),
            break_it: BreakIt::None,
        }
    }
}

/// A rule of two-phase commit a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// Commit once a majority of participants voted yes.
    CommitOnMajority,
    /// A participant that voted yes aborts on its own when the outcome has not come within a vote
    /// timeout.
    ParticipantTimeoutAbort,
    /// The coordinator sends its decision first and writes it to stable storage half a vote
    /// timeout later.
    DecideBeforeLog,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

/// A transaction's number at the coordinator (from 1); the instance its outcome decides.
pub type Tx = u64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TwoPhaseMsg {
    Prepare {
        tx: Tx,
    },
    Vote {
        tx: Tx,
        yes: bool,
    },
    Outcome {
        tx: Tx,
        commit: bool,
    },
    /// A participant has the outcome of `tx`: stop resending it.
    Ack {
        tx: Tx,
    },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum TwoPhaseTimer {
    /// The coordinator stops waiting for the votes of `tx`.
    Votes(Tx),
    /// The coordinator resends the outcomes not yet acknowledged.
    Resend,
    /// `participant_timeout_abort`: a participant in doubt about `tx` stops waiting.
    InDoubt(Tx),
    /// `decide_before_log`: the coordinator's write of the outcome of `tx` lands.
    Write(Tx),
}

/// A client asks the coordinator to run a transaction with this name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TwoPhaseRequest {
    Begin(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TwoPhaseResponse {
    Committed {
        tx: Tx,
    },
    Aborted {
        tx: Tx,
    },
    /// Only the coordinator runs transactions.
    NotTheCoordinator,
}

/// What survives a crash: every vote this node gave and every outcome it learned or decided.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct TwoPhaseStable {
    pub votes: BTreeMap<Tx, bool>,
    pub outcomes: BTreeMap<Tx, bool>,
    /// The coordinator: how many transactions it has begun.
    pub begun: Tx,
}

/// What a node notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum TwoPhaseNote {
    /// The coordinator starts transaction `tx` (named `name` by the client).
    Begins {
        tx: Tx,
        name: String,
    },
    Votes {
        tx: Tx,
        yes: bool,
    },
    /// `participant_timeout_abort`: the participant stops waiting for the outcome of `tx`.
    GivesUp {
        tx: Tx,
    },
    /// The node learns or decides the outcome of `tx`.
    Decides {
        tx: Tx,
        commit: bool,
    },
}

/// An outcome as the notes and facts of two- and three-phase commit say it.
pub(crate) fn outcome(commit: bool) -> &'static str {
    if commit { "commit" } else { "abort" }
}

/// A transaction and the votes it has so far, as an inspector row: `["t1", "n2: yes, n3: no"]`.
pub(crate) fn votes_row(tx: Tx, votes: &BTreeMap<NodeId, bool>) -> Vec<String> {
    let votes: Vec<String> = votes
        .iter()
        .map(|(n, yes)| format!("{n}: {}", if *yes { "yes" } else { "no" }))
        .collect();
    vec![format!("t{tx}"), votes.join(", ")]
}

impl fmt::Display for TwoPhaseNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TwoPhaseNote::Begins { tx, name } => write!(f, "begins t{tx} ({name})"),
            TwoPhaseNote::Votes { tx, yes } => {
                write!(f, "votes {} on t{tx}", if *yes { "yes" } else { "no" })
            }
            TwoPhaseNote::GivesUp { tx } => write!(f, "gives up waiting for t{tx}"),
            TwoPhaseNote::Decides { tx, commit } => write!(f, "{}s t{tx}", outcome(*commit)),
        }
    }
}

/// The coordinator's view of a transaction it has not decided yet.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Pending {
    request: Option<crate::engine::ids::RequestId>,
    votes: BTreeMap<NodeId, bool>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct TwoPhaseCommit {
    id: NodeId,
    nodes: u32,
    params: TwoPhaseCommitParams,
    pending: BTreeMap<Tx, Pending>,
    /// The coordinator: per decided transaction, the participants that have not acknowledged it.
    unacked: BTreeMap<Tx, Vec<NodeId>>,
    resending: bool,
    /// Copies of what stable storage holds, for the inspector: this node's votes and the outcomes
    /// it knows.
    votes: BTreeMap<Tx, bool>,
    outcomes: BTreeMap<Tx, bool>,
}

impl TwoPhaseCommit {
    fn participants(&self) -> impl Iterator<Item = NodeId> + use<> {
        (1..self.nodes).map(NodeId)
    }

    /// Writes the outcome, tells everyone, answers the client.
    fn decide(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool) {
        let pending = self.pending.remove(&tx);
        if self.params.break_it == BreakIt::DecideBeforeLog {
            // Broken: tell everyone now, write later; a crash before the write forgets it.
            self.announce(ctx, tx, commit);
            self.outcomes.insert(tx, commit);
            ctx.note(TwoPhaseNote::Decides { tx, commit });
            ctx.set_timer(self.params.vote_timeout_us / 2, TwoPhaseTimer::Write(tx));
        } else {
            self.record_outcome(ctx, tx, commit);
            self.announce(ctx, tx, commit);
        }
        if let Some(request) = pending.and_then(|p| p.request) {
            let response = if commit {
                TwoPhaseResponse::Committed { tx }
            } else {
                TwoPhaseResponse::Aborted { tx }
            };
            ctx.reply(request, response);
        }
    }

    /// The coordinator sends the outcome of `tx` to every participant, and keeps resending it to
    /// those that have not acknowledged it.
    fn announce(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool) {
        ctx.broadcast(TwoPhaseMsg::Outcome { tx, commit });
        self.unacked.insert(tx, self.participants().collect());
        if !self.resending {
            self.resending = true;
            ctx.set_timer(self.params.vote_timeout_us, TwoPhaseTimer::Resend);
        }
    }

    /// The coordinator counts the votes of `tx` and decides once it may.
    fn count(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        let Some(pending) = self.pending.get(&tx) else {
            return;
        };
        let participants = u64::from(self.nodes - 1);
        let yes = pending.votes.values().filter(|v| **v).count() as u64;
        let no = pending.votes.len() as u64 - yes;
        let enough = if self.params.break_it == BreakIt::CommitOnMajority {
            2 * yes > participants
        } else {
            yes == participants
        };
        if enough {
            self.decide(ctx, tx, true);
        } else if no > 0 {
            self.decide(ctx, tx, false);
        }
    }

    /// A participant learns the outcome of `tx` (once).
    fn learn(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool) {
        if !self.outcomes.contains_key(&tx) {
            self.record_outcome(ctx, tx, commit);
        }
    }

    /// Writes the outcome of `tx` to stable storage (and the inspector's copy), and notes it.
    fn record_outcome(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool) {
        ctx.persist("outcome", |s| {
            s.outcomes.insert(tx, commit);
        });
        self.outcomes.insert(tx, commit);
        ctx.note(TwoPhaseNote::Decides { tx, commit });
    }

    /// A participant's vote on `tx`: no if it is listed in `vote_no`, else no with probability
    /// `vote_no_percent` (drawn only when that is set, so runs without it draw nothing).
    fn draw_vote(&self, ctx: &mut Ctx<'_, Self>) -> bool {
        if self.params.vote_no.contains(&self.id) {
            return false;
        }
        let percent = u64::from(self.params.vote_no_percent);
        percent == 0 || ctx.rng().range_u64(0, 100) >= percent
    }

    /// `participant_timeout_abort`: a participant in doubt about `tx` waits a vote timeout at most.
    fn start_doubting(&self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        if self.params.break_it == BreakIt::ParticipantTimeoutAbort {
            ctx.set_timer(self.params.vote_timeout_us, TwoPhaseTimer::InDoubt(tx));
        }
    }
}

impl Protocol for TwoPhaseCommit {
    type Msg = TwoPhaseMsg;
    type Timer = TwoPhaseTimer;
    type Request = TwoPhaseRequest;
    type Response = TwoPhaseResponse;
    type Stable = TwoPhaseStable;
    type Params = TwoPhaseCommitParams;
    type Note = TwoPhaseNote;

    const NAME: &'static str = "two_phase_commit";

    fn new(id: NodeId, nodes: u32, params: &TwoPhaseCommitParams) -> Self {
        TwoPhaseCommit {
            id,
            nodes,
            params: params.clone(),
            pending: BTreeMap::new(),
            unacked: BTreeMap::new(),
            resending: false,
            votes: BTreeMap::new(),
            outcomes: BTreeMap::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.votes = ctx.stable().votes.clone();
        self.outcomes = ctx.stable().outcomes.clone();
        if self.id != COORDINATOR {
            let in_doubt: Vec<Tx> = self
                .votes
                .iter()
                .filter(|&(tx, &yes)| yes && !self.outcomes.contains_key(tx))
                .map(|(&tx, _)| tx)
                .collect();
            for tx in in_doubt {
                self.start_doubting(ctx, tx);
            }
            return;
        }
        // A restarted coordinator resends every outcome it wrote, and aborts what it began but
        // never decided (presumed abort): its participants may be waiting, in doubt.
        let stable = ctx.stable().clone();
        for (&tx, &commit) in &stable.outcomes {
            self.announce(ctx, tx, commit);
        }
        for tx in 1..=stable.begun {
            if !stable.outcomes.contains_key(&tx) {
                self.decide(ctx, tx, false);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &TwoPhaseMsg) {
        match *msg {
            TwoPhaseMsg::Prepare { tx } => {
                let yes = match ctx.stable().votes.get(&tx) {
                    Some(&vote) => vote,
                    None => {
                        let yes = self.draw_vote(ctx);
                        ctx.persist("vote", |s| {
                            s.votes.insert(tx, yes);
                        });
                        self.votes.insert(tx, yes);
                        ctx.note(TwoPhaseNote::Votes { tx, yes });
                        if yes {
                            self.start_doubting(ctx, tx);
                        }
                        yes
                    }
                };
                ctx.send(from, TwoPhaseMsg::Vote { tx, yes });
                if !yes {
                    // A no vote lets the participant abort at once: the outcome cannot be commit.
                    self.learn(ctx, tx, false);
                }
            }
            TwoPhaseMsg::Vote { tx, yes } => {
                if let Some(pending) = self.pending.get_mut(&tx) {
                    pending.votes.insert(from, yes);
                    self.count(ctx, tx);
                }
            }
            TwoPhaseMsg::Outcome { tx, commit } => {
                self.learn(ctx, tx, commit);
                ctx.send(from, TwoPhaseMsg::Ack { tx });
            }
            TwoPhaseMsg::Ack { tx } => {
                if let Some(waiting) = self.unacked.get_mut(&tx) {
                    waiting.retain(|&n| n != from);
                    if waiting.is_empty() {
                        self.unacked.remove(&tx);
                    }
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: TwoPhaseTimer) {
        match timer {
            TwoPhaseTimer::Votes(tx) => {
                if self.pending.contains_key(&tx) {
                    self.decide(ctx, tx, false);
                }
            }
            TwoPhaseTimer::Resend => {
                // The outcomes as decided, written or not (`decide_before_log` writes late).
                let outcomes = &self.outcomes;
                let resend: Vec<(NodeId, Tx, bool)> = self
                    .unacked
                    .iter()
                    .flat_map(|(&tx, waiting)| {
                        let commit = outcomes.get(&tx).copied().unwrap_or(false);
                        waiting.iter().map(move |&n| (n, tx, commit))
                    })
                    .collect();
                for (node, tx, commit) in resend {
                    ctx.send(node, TwoPhaseMsg::Outcome { tx, commit });
                }
                self.resending = !self.unacked.is_empty();
                if self.resending {
                    ctx.set_timer(self.params.vote_timeout_us, TwoPhaseTimer::Resend);
                }
            }
            TwoPhaseTimer::InDoubt(tx) => {
                if !self.outcomes.contains_key(&tx) {
                    ctx.note(TwoPhaseNote::GivesUp { tx });
                    self.record_outcome(ctx, tx, false);
                }
            }
            TwoPhaseTimer::Write(tx) => {
                if let Some(&commit) = self.outcomes.get(&tx) {
                    ctx.persist("outcome", |s| {
                        s.outcomes.insert(tx, commit);
                    });
                }
            }
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &TwoPhaseRequest) {
        if self.id != COORDINATOR {
            ctx.reply(req.id, TwoPhaseResponse::NotTheCoordinator);
            return;
        }
        let TwoPhaseRequest::Begin(name) = op;
        let tx = ctx.stable().begun + 1;
        ctx.persist("begun", |s| s.begun = tx);
        ctx.note(TwoPhaseNote::Begins {
            tx,
            name: name.clone(),
        });
        self.pending.insert(
            tx,
            Pending {
                request: Some(req.id),
                votes: BTreeMap::new(),
            },
        );
        for participant in self.participants() {
            ctx.send(participant, TwoPhaseMsg::Prepare { tx });
        }
        ctx.set_timer(self.params.vote_timeout_us, TwoPhaseTimer::Votes(tx));
    }

    fn validate(p: &TwoPhaseCommitParams, nodes: u32) -> Result<(), String> {
        validate_commit(
            "two-phase commit",
            nodes,
            (&p.vote_no, p.vote_no_percent),
            ("vote_timeout_us", p.vote_timeout_us),
        )
    }

    fn example_request() -> Option<TwoPhaseRequest> {
        Some(TwoPhaseRequest::Begin("t1".into()))
    }

    fn fact(note: &TwoPhaseNote) -> Option<Fact> {
        match note {
            TwoPhaseNote::Begins { tx, .. } => Some(Fact::Proposed {
                instance: *tx,
                value: outcome(true).into(),
            }),
            TwoPhaseNote::Decides { tx, commit } => Some(Fact::Decided {
                instance: *tx,
                value: outcome(*commit).into(),
            }),
            TwoPhaseNote::Votes { tx, yes: true } => Some(Fact::InDoubt { instance: *tx }),
            TwoPhaseNote::Votes { tx, yes: false } => Some(Fact::Voted {
                instance: *tx,
                yes: false,
            }),
            TwoPhaseNote::GivesUp { .. } => None,
        }
    }

    fn msg_label(msg: &TwoPhaseMsg) -> String {
        match msg {
            TwoPhaseMsg::Prepare { tx } => format!("prepare t{tx}"),
            TwoPhaseMsg::Vote { tx, yes } => format!("{} t{tx}", if *yes { "yes" } else { "no" }),
            TwoPhaseMsg::Outcome { tx, commit } => format!("{} t{tx}", outcome(*commit)),
            TwoPhaseMsg::Ack { tx } => format!("ack t{tx}"),
        }
    }

    fn timer_name(timer: &TwoPhaseTimer) -> &'static str {
        match timer {
            TwoPhaseTimer::Votes(_) => "votes",
            TwoPhaseTimer::Resend => "resend",
            TwoPhaseTimer::InDoubt(_) => "in doubt",
            TwoPhaseTimer::Write(_) => "write",
        }
    }

    fn view(&self) -> NodeView {
        let in_doubt: Vec<String> = self
            .votes
            .iter()
            .filter(|&(tx, &yes)| yes && !self.outcomes.contains_key(tx))
            .map(|(tx, _)| format!("t{tx}"))
            .collect();
        let role = if self.id == COORDINATOR {
            "coordinator"
        } else if in_doubt.is_empty() {
            "participant"
        } else {
            "in doubt"
        };
        // The latest outcomes, newest first: enough to follow a lesson without a long list.
        let decided: Vec<String> = self
            .outcomes
            .iter()
            .rev()
            .take(8)
            .map(|(tx, commit)| format!("t{tx} {}", outcome(*commit)))
            .collect();
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "none".to_string()
            } else {
                items.join(", ")
            }
        };
        let mut fields = vec![("decided".to_string(), list(decided))];
        if self.id != COORDINATOR {
            fields.insert(0, ("in doubt".to_string(), list(in_doubt)));
        }
        let tables = if self.id == COORDINATOR {
            let rows = self
                .pending
                .iter()
                .map(|(tx, p)| votes_row(*tx, &p.votes))
                .collect();
            vec![ViewTable {
                title: "Waiting for votes".into(),
                columns: vec!["transaction".into(), "votes so far".into()],
                rows,
            }]
        } else {
            Vec::new()
        };
        NodeView {
            role: Some(role.into()),
            fields,
            tables,
            log: Vec::new(),
        }
    }

    fn properties(params: &TwoPhaseCommitParams) -> Vec<Box<dyn Property<Self>>> {
        // Commit validity first: when one step breaks both, the more specific lesson is named.
        vec![
            commit::commit_validity(),
            consensus::agreement(),
            consensus::integrity(),
            // Two vote timeouts: time to time out on the votes and then resend the outcome once.
            consensus::termination(2 * params.vote_timeout_us),
            sometimes(
                "A commit",
                "Some transaction commits, so Commit validity has a commit to judge.",
                Kinds::ANNOTATE,
                |cx| {
                    cx.new_facts().any(|(_, _, fact)| {
                        matches!(fact, Fact::Decided { value, .. } if &**value == "commit")
                    })
                },
            ),
        ]
    }

    fn generate_request(
        seq: u64,
        _rng: &mut crate::engine::rng::SimRng,
    ) -> Option<TwoPhaseRequest> {
        Some(TwoPhaseRequest::Begin(format!("t{seq}")))
    }
}

/// The checks two- and three-phase commit share: a coordinator and a participant at least, `no`
/// votes from participants only and at most 100 %, and a timeout (`field`) from 1 ms to 10 minutes.
pub(crate) fn validate_commit(
    protocol: &str,
    nodes: u32,
    (vote_no, vote_no_percent): (&[NodeId], u32),
    (field, timeout_us): (&str, u64),
) -> Result<(), String> {
    if nodes < 2 {
        return Err(format!(
            "{protocol} needs a coordinator and at least one participant, but `nodes` is {nodes}"
        ));
    }
    if let Some(node) = vote_no.iter().find(|n| n.0 == 0 || n.0 >= nodes) {
        return Err(format!(
            "`protocol.vote_no` names {node}, which is not a participant (n2 to n{nodes})"
        ));
    }
    if vote_no_percent > 100 {
        return Err(format!(
            "`protocol.vote_no_percent` is {vote_no_percent}, but must be from 0 to 100"
        ));
    }
    if !(1_000..=600_000_000).contains(&timeout_us) {
        return Err(format!(
            "`protocol.{field}` is {timeout_us}, but must be from 1ms to 10 minutes"
        ));
    }
    Ok(())
}
