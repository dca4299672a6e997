//! Paxos Commit's vocabulary: transactions, ballots, the values an instance decides, messages,
//! timers, client requests and answers, stable storage and notes.

use super::COORDINATOR;
use crate::engine::ids::NodeId;
use crate::protocols::two_phase_commit::outcome;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A transaction's number at n1 (from 1). Its instances are its participants, one each.
pub type Tx = u64;

/// A ballot: round 0 is the fast path (each participant's own, led by n1, which counts the votes);
/// round r ≥ 1 of node n is that node's. Ordered by round, then node.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ballot {
    pub round: u64,
    pub leader: NodeId,
}

impl Ballot {
    /// Ballot 0, the fast path: a participant proposes its own vote, and n1 hears the acceptances.
    pub const ZERO: Ballot = Ballot {
        round: 0,
        leader: COORDINATOR,
    };
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.round == 0 {
            write!(f, "0")
        } else {
            write!(f, "{}.{}", self.round, self.leader)
        }
    }
}

/// What an instance decides: the participant is prepared to commit, or the transaction aborts.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Prepared,
    Aborted,
}

impl Value {
    pub(super) fn from_vote(yes: bool) -> Value {
        if yes { Value::Prepared } else { Value::Aborted }
    }

    pub(super) fn word(self) -> &'static str {
        match self {
            Value::Prepared => "prepared",
            Value::Aborted => "aborted",
        }
    }
}

/// Values for some instances of a transaction, each named by its participant.
pub type Values = Vec<(NodeId, Value)>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaxosCommitMsg {
    /// n1 asks a participant to vote.
    Prepare {
        tx: Tx,
    },
    /// Phase 1a: a leader asks an acceptor to promise `ballot` for every instance of `tx`.
    Phase1a {
        tx: Tx,
        ballot: Ballot,
    },
    /// Phase 1b: the promise, with the value accepted in the highest ballot per instance.
    Phase1b {
        tx: Tx,
        ballot: Ballot,
        accepted: Vec<(NodeId, Ballot, Value)>,
    },
    /// Phase 2a: accept these values in `ballot` (a participant's vote in ballot 0).
    Phase2a {
        tx: Tx,
        ballot: Ballot,
        values: Values,
    },
    /// Phase 2b: the acceptor accepted these values in `ballot`.
    Phase2b {
        tx: Tx,
        ballot: Ballot,
        values: Values,
    },
    /// The acceptor has promised `promised`, higher than the leader's ballot.
    Nack {
        tx: Tx,
        promised: Ballot,
    },
    Outcome {
        tx: Tx,
        commit: bool,
    },
    /// The node has the outcome of `tx`: stop resending it.
    Have {
        tx: Tx,
    },
    /// A participant in doubt asks for the outcome.
    Ask {
        tx: Tx,
    },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum PaxosCommitTimer {
    /// An acceptor's wait for the outcome of `tx` ran out: it takes over.
    TakeOver(Tx),
    /// A participant in doubt about `tx` asks again.
    Ask(Tx),
    /// Resend the outcomes not yet acknowledged.
    Resend,
}

/// A client asks n1 to run a transaction with this name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PaxosCommitRequest {
    Begin(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaxosCommitResponse {
    Committed {
        tx: Tx,
    },
    Aborted {
        tx: Tx,
    },
    /// Only n1 begins transactions.
    NotTheCoordinator,
}

/// What survives a crash.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct PaxosCommitStable {
    /// A participant's votes.
    pub votes: BTreeMap<Tx, bool>,
    pub outcomes: BTreeMap<Tx, bool>,
    /// The outcomes this node tells every node (it decided them as a leader, or was told them
    /// while responsible for finishing), resent after a restart until every node has them.
    pub led: BTreeSet<Tx>,
    /// n1: how many transactions it has begun.
    pub begun: Tx,
    /// An acceptor: the highest ballot it promised, per transaction (for all its instances).
    pub promised: BTreeMap<Tx, Ballot>,
    /// An acceptor: per instance, the value it accepted in its highest ballot.
    pub accepted: BTreeMap<(Tx, NodeId), (Ballot, Value)>,
}

/// Why a node decided as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Because {
    /// It voted no.
    OwnNo,
    /// Every participant's instance chose `prepared`.
    AllPrepared,
    /// Some participant's instance chose `aborted`.
    AbortedChosen,
    /// Another node told it.
    Told,
}

impl Because {
    fn text(self) -> &'static str {
        match self {
            Because::OwnNo => "it votes no",
            Because::AllPrepared => "every instance chose prepared",
            Because::AbortedChosen => "an instance chose aborted",
            Because::Told => "told",
        }
    }
}

/// What a node notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum PaxosCommitNote {
    /// n1 starts transaction `tx` (named `name` by the client).
    Begins {
        tx: Tx,
        name: String,
    },
    Votes {
        tx: Tx,
        yes: bool,
    },
    /// An acceptor accepts `values` in `ballot`.
    Accepts {
        tx: Tx,
        ballot: Ballot,
        values: Values,
    },
    /// The node leads `ballot` for every instance of `tx` (phase 1, unless `skip_phase_one`).
    TakesOver {
        tx: Tx,
        ballot: Ballot,
    },
    /// The node learns or decides the outcome of `tx`.
    Decides {
        tx: Tx,
        commit: bool,
        because: Because,
    },
}

/// `n2 prepared, n3 aborted`.
pub(super) fn values_text(values: &[(NodeId, Value)]) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|(p, v)| format!("{p} {}", v.word()))
        .collect();
    items.join(", ")
}

impl fmt::Display for PaxosCommitNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaxosCommitNote::Begins { tx, name } => write!(f, "begins t{tx} ({name})"),
            PaxosCommitNote::Votes { tx, yes } => {
                write!(f, "votes {} on t{tx}", if *yes { "yes" } else { "no" })
            }
            PaxosCommitNote::Accepts { tx, ballot, values } => {
                write!(f, "accepts t{tx} ballot {ballot}: {}", values_text(values))
            }
            PaxosCommitNote::TakesOver { tx, ballot } => {
                write!(f, "leads t{tx} in ballot {ballot}")
            }
            PaxosCommitNote::Decides {
                tx,
                commit,
                because,
            } => write!(f, "{}s t{tx} ({})", outcome(*commit), because.text()),
        }
    }
}
