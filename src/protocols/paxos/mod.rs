//! Single-decree Paxos (Lamport, "Paxos Made Simple"). Nodes play any of three roles, set per node:
//! proposers (`n1` unless `proposers` says otherwise), acceptors and learners (every node unless
//! `acceptors` or `learners` name some). A client asks a proposer to propose a value
//! (`{"propose": "x"}`); the proposer answers with the value that was chosen, which need not be its
//! own.
//!
//! A ballot is a round number and the proposer's name, so no two proposers share one. Phase 1: the
//! proposer sends `prepare(b)`; an acceptor that has promised nothing higher promises `b` and
//! reports the highest-ballot value it has accepted, if any. With promises from a quorum (a
//! majority of the acceptors) the proposer picks the value of the highest ballot reported, or its
//! own if none was, and phase 2 sends `accept(b, v)`; an acceptor accepts unless it has promised a
//! higher ballot, and tells the proposer and the learners. A learner learns `v` once a quorum has
//! accepted it in one ballot. A proposer that knows the chosen value also tells every learner
//! (`chosen v`) until each acknowledges, and a learner that has not learned asks around
//! (`chosen?`: those that know answer, acceptors repeat what they accepted) every four retry
//! periods, so a learner that was down or cut off still learns. An acceptor writes its promise and its accepted value to stable
//! storage before answering. A proposer that is refused (a `nack` naming a higher ballot) or has
//! not seen its value chosen after `retry_us` starts again with a higher ballot, after a random
//! back-off (`backoff: "random"`, the cure for duelling proposers) or none (`"none"`).
//!
//! "Break it" variants (`break_it`): `forget_promise` keeps promises in volatile memory only, so a
//! restarted acceptor forgets them; `ignore_accepted` makes a proposer propose its own value even
//! when phase 1 reported an accepted one; `small_quorum` counts ⌊a/2⌋ acceptors as a quorum.

mod roles;

use crate::checks::{chosen, consensus};
use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, RequestId, TimerId};
use crate::engine::model::Assumption;
use crate::engine::property::{assuming, sometimes};
use crate::engine::protocol::{NodeView, Outcome, Property, Protocol, RequestInfo, ViewTable};
use crate::engine::sim::Ctx;
use crate::engine::trace::Kinds;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::rc::Rc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaxosParams {
    /// The nodes that propose values for their clients.
    #[serde(default = "default_proposers")]
    pub proposers: Vec<NodeId>,
    /// The acceptors; every node if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acceptors: Vec<NodeId>,
    /// The learners; every node if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learners: Vec<NodeId>,
    /// How long a proposer waits for its ballot to succeed before it tries a higher one.
    #[serde(default = "default_retry")]
    pub retry_us: u64,
    #[serde(default)]
    pub backoff: Backoff,
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

fn default_proposers() -> Vec<NodeId> {
    vec![NodeId(0)]
}

fn default_retry() -> u64 {
    100_000
}

impl Default for PaxosParams {
    fn default() -> Self {
        PaxosParams {
            proposers: default_proposers(),
            acceptors: Vec::new(),
            learners: Vec::new(),
            retry_us: default_retry(),
            backoff: Backoff::default(),
            break_it: BreakIt::None,
        }
    }
}

/// How long a refused proposer waits before its next ballot.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// Random and growing: the n-th ballot in a row waits `retry_us` × 2ⁿ⁻¹ (at most × 32) plus a
    /// random extra of up to as much again, so duelling proposers drift apart, and a retry time
    /// shorter than a round trip grows until it is not.
    #[default]
    Random,
    /// Exactly `retry_us`: two proposers can pre-empt each other for ever.
    None,
}

/// A rule of Paxos a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// Acceptors keep promises in volatile memory only.
    ForgetPromise,
    /// Proposers ignore the accepted values phase 1 reports.
    IgnoreAccepted,
    /// ⌊a/2⌋ acceptors make a quorum.
    SmallQuorum,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

/// A ballot: a round number, made unique by its proposer's name. Ordered by round, then name.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ballot {
    pub round: u64,
    pub proposer: NodeId,
}

impl Ballot {
    /// The ballot as one ordered number, for `Fact::Accepted`.
    pub fn key(self) -> u64 {
        (self.round << 16) | u64::from(self.proposer.0)
    }
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.proposer)
    }
}

/// A proposed value. Shared: a proposer's value travels in every accept and acceptance, and a
/// state holds it in several places, so copying one copies a pointer.
pub type Value = Rc<str>;

/// A value accepted in a ballot.
pub type Vote = (Ballot, Value);

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaxosMsg {
    Prepare {
        ballot: Ballot,
    },
    /// The acceptor promises `ballot` and reports what it has accepted, if anything.
    Promise {
        ballot: Ballot,
        accepted: Option<Vote>,
    },
    Accept {
        ballot: Ballot,
        value: Value,
    },
    Accepted {
        ballot: Ballot,
        value: Value,
    },
    /// Refused: the acceptor has promised `promised`, higher than `ballot`.
    Nack {
        ballot: Ballot,
        promised: Ballot,
    },
    /// A proposer that knows the chosen value tells a learner, until it acknowledges.
    Chosen {
        value: Value,
    },
    Ack,
    /// A learner that has not learned asks whether anyone knows the chosen value.
    Query,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum PaxosTimer {
    /// Time for the proposer to try a higher ballot if round `round` has not succeeded.
    Retry { round: u64 },
    /// Time to tell the learners that have not acknowledged it the chosen value again.
    Announce,
    /// Time for a learner that has not learned to ask again.
    Ask,
}

/// A client asks a proposer to propose a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PaxosRequest {
    Propose(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaxosResponse {
    /// The value chosen (perhaps another proposer's).
    Chosen(String),
    /// This node does not propose; ask that one.
    NotAProposer { proposer: NodeId },
}

/// What survives a crash: an acceptor's promise and accepted value, a proposer's last round (so a
/// ballot is never reused), the chosen value once known (a learner's, or a proposer's to announce).
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct PaxosStable {
    pub promised: Option<Ballot>,
    pub accepted: Option<Vote>,
    pub round: u64,
    pub chosen: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum PaxosNote {
    /// A proposer takes a client's value.
    Proposes { value: Value },
    /// A proposer starts phase 1 with `ballot`.
    Prepares { ballot: Ballot },
    /// An acceptor promises `ballot`.
    Promises { ballot: Ballot },
    /// Phase 1 reported `value`, accepted in `from`: the proposer must propose it in `ballot`.
    Adopts {
        ballot: Ballot,
        value: Value,
        from: Ballot,
    },
    /// An acceptor accepts `value` in `ballot`.
    Accepts { ballot: Ballot, value: Value },
    /// A proposer gives up `ballot`: an acceptor promised `by`.
    Preempted { ballot: Ballot, by: Ballot },
    /// A learner learns the chosen value.
    Learns { value: Value },
}

impl fmt::Display for PaxosNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaxosNote::Proposes { value } => write!(f, "proposes {value}"),
            PaxosNote::Prepares { ballot } => write!(f, "prepares {ballot}"),
            PaxosNote::Promises { ballot } => write!(f, "promises {ballot}"),
            PaxosNote::Adopts {
                ballot,
                value,
                from,
            } => write!(f, "adopts {value} (accepted in {from}) for {ballot}"),
            PaxosNote::Accepts { ballot, value } => write!(f, "accepts {value} in {ballot}"),
            PaxosNote::Preempted { ballot, by } => write!(f, "{ballot} pre-empted by {by}"),
            PaxosNote::Learns { value } => write!(f, "learns {value}"),
        }
    }
}

/// Where a proposer is with its current ballot.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
enum Phase {
    /// Not running a ballot (none yet, or refused and waiting to retry).
    #[default]
    Idle,
    /// The promises so far, by acceptor, in the order of their names.
    Preparing {
        promises: Vec<(NodeId, Option<Vote>)>,
    },
    Accepting {
        value: Value,
    },
}

/// What a node knows from its start and never changes: its parameters and who plays which role.
/// Shared between copies of the node's state, so copying a state copies a pointer.
#[derive(Debug, PartialEq, Eq)]
struct Roles {
    params: PaxosParams,
    acceptors: Vec<NodeId>,
    learners: Vec<NodeId>,
}

/// Hashes nothing: a node's roles are the same in every state of a run (a restart keeps its
/// parameters), so they tell no two states apart, and the explorer's fingerprint, which hashes
/// a node's state after every step it takes, would spend half its time on them.
impl std::hash::Hash for Roles {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Paxos {
    id: NodeId,
    roles: Rc<Roles>,
    // Proposer.
    value: Option<Value>,
    waiting: Vec<RequestId>,
    ballot: Option<Ballot>,
    phase: Phase,
    /// The highest round this proposer has seen in any ballot.
    seen_round: u64,
    retry: Option<TimerId>,
    /// Ballots started since the last client value came in (for the back-off).
    attempts: u32,
    /// Learners not yet known to have the chosen value.
    /// In the order of their names.
    unacked: Vec<NodeId>,
    /// Whether this learner, not having learned, asks around from time to time.
    asking: bool,
    // Acceptor (copies of stable storage, except a forgetful promise).
    promised: Option<Ballot>,
    accepted: Option<Vote>,
    // Every node: the acceptances heard, each once, in the order of their ballots and then of
    // their senders (a flat list, which a copy of the state copies with one allocation), and the
    // value known chosen.
    heard: Vec<(Ballot, NodeId, Value)>,
    chosen: Option<Value>,
}

/// How many acceptors make a quorum.
fn quorum(params: &PaxosParams, acceptors: usize) -> usize {
    match params.break_it {
        BreakIt::SmallQuorum => (acceptors / 2).max(1),
        _ => acceptors / 2 + 1,
    }
}

/// `named`, or every node if it is empty.
fn or_all(named: &[NodeId], nodes: u32) -> Vec<NodeId> {
    if named.is_empty() {
        (0..nodes).map(NodeId).collect()
    } else {
        named.to_vec()
    }
}

fn vote_text(vote: &Option<Vote>) -> String {
    vote.as_ref()
        .map_or("nothing".to_string(), |(b, v)| format!("{v} in {b}"))
}

impl Protocol for Paxos {
    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type Request = PaxosRequest;
    type Response = PaxosResponse;
    type Stable = PaxosStable;
    type Params = PaxosParams;
    type Note = PaxosNote;

    const NAME: &'static str = "paxos";

    fn new(id: NodeId, nodes: u32, params: &PaxosParams) -> Self {
        Paxos {
            id,
            roles: Rc::new(Roles {
                params: params.clone(),
                acceptors: or_all(&params.acceptors, nodes),
                learners: or_all(&params.learners, nodes),
            }),
            value: None,
            waiting: Vec::new(),
            ballot: None,
            phase: Phase::Idle,
            seen_round: 0,
            retry: None,
            attempts: 0,
            unacked: Vec::new(),
            asking: false,
            promised: None,
            accepted: None,
            heard: Vec::new(),
            chosen: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable().clone();
        self.promised = stable.promised;
        self.accepted = stable.accepted;
        self.seen_round = stable.round;
        if let Some(value) = stable.chosen {
            self.chosen = Some(value);
            if self.is_proposer() {
                // Some learner may still not know: tell them all again.
                self.announce_to_all(ctx);
            }
        } else {
            self.start_asking(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &PaxosMsg) {
        self.handle(ctx, from, msg);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: PaxosTimer) {
        match timer {
            PaxosTimer::Retry { round } => {
                self.retry = None;
                if self.chosen.is_none() && self.ballot.is_some_and(|b| b.round == round) {
                    self.start_ballot(ctx);
                }
            }
            PaxosTimer::Announce => self.announce(ctx),
            PaxosTimer::Ask => {
                if self.chosen.is_none() {
                    ctx.broadcast(PaxosMsg::Query);
                    ctx.set_timer(4 * self.roles.params.retry_us, PaxosTimer::Ask);
                } else {
                    self.asking = false;
                }
            }
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &PaxosRequest) {
        if !self.is_proposer() {
            let proposer = self.roles.params.proposers[0];
            ctx.reply(req.id, PaxosResponse::NotAProposer { proposer });
            return;
        }
        let PaxosRequest::Propose(value) = op;
        self.waiting.push(req.id);
        if self.chosen.is_some() {
            self.answer(ctx);
            return;
        }
        if self.value.is_none() {
            let value = Value::from(value.as_str());
            self.value = Some(value.clone());
            ctx.note(PaxosNote::Proposes { value });
            self.start_ballot(ctx);
        }
    }

    fn outcome(response: &PaxosResponse) -> Outcome {
        match response {
            PaxosResponse::Chosen(_) => Outcome::Done,
            PaxosResponse::NotAProposer { proposer } => Outcome::Redirect(Some(*proposer)),
        }
    }

    fn validate(p: &PaxosParams, nodes: u32) -> Result<(), String> {
        for (field, list) in [
            ("proposers", &p.proposers),
            ("acceptors", &p.acceptors),
            ("learners", &p.learners),
        ] {
            if let Some(node) = list.iter().find(|n| n.0 >= nodes) {
                return Err(format!(
                    "`protocol.{field}` names {node}, but the cluster has only n1 to n{nodes}"
                ));
            }
            let distinct: BTreeSet<&NodeId> = list.iter().collect();
            if distinct.len() != list.len() {
                return Err(format!("`protocol.{field}` names a node twice"));
            }
        }
        if p.proposers.is_empty() {
            return Err("`protocol.proposers` is empty, but Paxos needs a proposer".into());
        }
        if p.retry_us < 1_000 || p.retry_us > 600_000_000 {
            return Err(format!(
                "`protocol.retry_us` is {}, but must be from 1ms to 10 minutes",
                p.retry_us
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<PaxosRequest> {
        Some(PaxosRequest::Propose("x".into()))
    }

    fn generate_request(seq: u64, _rng: &mut crate::engine::rng::SimRng) -> Option<PaxosRequest> {
        Some(PaxosRequest::Propose(format!("v{seq}")))
    }

    fn fact(note: &PaxosNote) -> Option<Fact> {
        match note {
            PaxosNote::Proposes { value } => Some(Fact::Proposed {
                instance: 0,
                value: value.clone(),
            }),
            PaxosNote::Accepts { ballot, value } => Some(Fact::Accepted {
                instance: 0,
                ballot: ballot.key(),
                value: value.clone(),
            }),
            PaxosNote::Learns { value } => Some(Fact::Decided {
                instance: 0,
                value: value.clone(),
            }),
            _ => None,
        }
    }

    fn msg_label(msg: &PaxosMsg) -> String {
        match msg {
            PaxosMsg::Prepare { ballot } => format!("prepare {ballot}"),
            PaxosMsg::Promise {
                ballot,
                accepted: None,
            } => format!("promise {ballot}"),
            PaxosMsg::Promise {
                ballot,
                accepted: Some((b, v)),
            } => format!("promise {ballot} (had {v} in {b})"),
            PaxosMsg::Accept { ballot, value } => format!("accept {ballot} {value}"),
            PaxosMsg::Accepted { ballot, value } => format!("accepted {ballot} {value}"),
            PaxosMsg::Nack { ballot, promised } => format!("nack {ballot} < {promised}"),
            PaxosMsg::Chosen { value } => format!("chosen {value}"),
            PaxosMsg::Ack => "ack".to_string(),
            PaxosMsg::Query => "chosen?".to_string(),
        }
    }

    fn timer_name(timer: &PaxosTimer) -> &'static str {
        match timer {
            PaxosTimer::Retry { .. } => "retry",
            PaxosTimer::Announce => "announce",
            PaxosTimer::Ask => "ask",
        }
    }

    fn view(&self) -> NodeView {
        let role = if self.is_proposer() {
            "proposer"
        } else if self.is_acceptor() {
            "acceptor"
        } else {
            "learner"
        };
        let mut roles = Vec::new();
        for (yes, name) in [
            (self.is_proposer(), "proposer"),
            (self.is_acceptor(), "acceptor"),
            (self.is_learner(), "learner"),
        ] {
            if yes {
                roles.push(name);
            }
        }
        let mut fields = vec![("roles".to_string(), roles.join(", "))];
        if self.is_proposer() {
            let ballot = self.ballot.map_or("none".to_string(), |b| b.to_string());
            let phase = match &self.phase {
                Phase::Idle if self.chosen.is_some() => "done".to_string(),
                Phase::Idle if self.ballot.is_some() => "waiting to retry".to_string(),
                Phase::Idle => "idle".to_string(),
                Phase::Preparing { promises } => {
                    format!("phase 1: {} of {} promises", promises.len(), self.quorum())
                }
                Phase::Accepting { value } => format!("phase 2: proposing {value}"),
            };
            fields.push((
                "client value".into(),
                self.value.as_deref().unwrap_or("none").to_string(),
            ));
            fields.push(("ballot".into(), ballot));
            fields.push(("phase".into(), phase));
        }
        if self.is_acceptor() {
            fields.push((
                "promised".into(),
                self.promised.map_or("nothing".into(), |b| b.to_string()),
            ));
            fields.push(("accepted".into(), vote_text(&self.accepted)));
        }
        fields.push((
            "chosen (known here)".into(),
            self.chosen.as_deref().unwrap_or("not yet").to_string(),
        ));
        let mut tables = Vec::new();
        if let Phase::Preparing { promises } = &self.phase {
            tables.push(ViewTable {
                title: "Promises so far".into(),
                columns: vec!["acceptor".into(), "had accepted".into()],
                rows: promises
                    .iter()
                    .map(|(n, vote)| vec![n.to_string(), vote_text(vote)])
                    .collect(),
            });
        }
        if !self.heard.is_empty() {
            tables.push(ViewTable {
                title: "Acceptances heard".into(),
                columns: vec!["ballot".into(), "value".into(), "from".into()],
                rows: self
                    .heard
                    .chunk_by(|a, b| a.0 == b.0)
                    .map(|heard| {
                        let (ballot, _, value) = &heard[0];
                        let by: Vec<NodeId> = heard.iter().map(|(_, from, _)| *from).collect();
                        vec![ballot.to_string(), value.to_string(), Self::list(&by)]
                    })
                    .collect(),
            });
        }
        NodeView {
            role: Some(role.into()),
            fields,
            tables,
            log: Vec::new(),
        }
    }

    fn properties(params: &PaxosParams) -> Vec<Box<dyn Property<Self>>> {
        // The checkers count a true majority of the acceptors, whatever quorum the variant uses.
        let acceptors = (!params.acceptors.is_empty()).then_some(params.acceptors.len());
        let learners = (!params.learners.is_empty()).then(|| params.learners.clone());
        vec![
            chosen::one_value_chosen(acceptors),
            chosen::learned_only_if_chosen(acceptors),
            consensus::agreement(),
            consensus::validity(),
            consensus::integrity(),
            // FLP: no protocol terminates in every asynchronous run; Paxos does once the network
            // settles.
            assuming(
                &[Assumption::EventualSynchrony],
                consensus::termination_among(10 * params.retry_us, learners),
            ),
            sometimes(
                "A value learned",
                "Some learner learns a value, so the checkers have a decision to judge.",
                Kinds::ANNOTATE,
                |cx| {
                    cx.new_facts()
                        .any(|(_, _, fact)| matches!(fact, Fact::Decided { .. }))
                },
            ),
        ]
    }
}
