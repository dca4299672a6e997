//! Facts: a small vocabulary, shared by every protocol, of what a node's note states. Protocols
//! record typed notes (`Protocol::Note`); each maps its notes to facts (`Protocol::fact`), and
//! checkers, plots and lesson views read facts or typed notes, never the text a note displays.
//! Client operations need no fact: the engine records their invocation and completion itself
//! (`request` and `response` events, with the operation's id, input and output).

use crate::engine::ids::NodeId;
use crate::engine::trace::Kinds;
use serde::Serialize;
use std::rc::Rc;

/// What a note says happened on the node that recorded it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    /// A broadcast message reached the node's application: the `seq`-th message broadcast by
    /// `origin`, carrying `text`, after travelling `hops` network hops (1 for a direct send).
    Delivered {
        origin: NodeId,
        seq: u32,
        text: Rc<str>,
        hops: u32,
    },
    /// The node proposed `value` in instance `instance` of an agreement.
    Proposed { instance: u64, value: Rc<str> },
    /// The node decided `value` in instance `instance` of an agreement (one decision per instance).
    Decided { instance: u64, value: Rc<str> },
    /// The node has promised to abide by instance `instance`'s decision (a participant that voted
    /// yes) and may not decide it alone: it is blocked until it learns the decision (its
    /// `Decided` fact for the instance). It implies a yes vote.
    InDoubt { instance: u64 },
    /// The node, a participant, voted on instance `instance`: yes or no (a yes vote that binds
    /// it to the outcome is stated as `InDoubt` instead).
    Voted { instance: u64, yes: bool },
    /// The node, an acceptor, accepted `value` for instance `instance` in ballot `ballot` (the
    /// protocol's ballots as one totally ordered number). A value accepted by a majority of the
    /// acceptors in one ballot is *chosen*.
    Accepted {
        instance: u64,
        ballot: u64,
        value: Rc<str>,
    },
    /// The node moved its clock by `delta_us` and now believes it within `error_bound_us` of the
    /// reference.
    ClockAdjusted { delta_us: i64, error_bound_us: u64 },
    /// The node's failure detector now suspects `peer` has crashed.
    Suspects { peer: NodeId },
    /// The node's failure detector trusts `peer` again.
    Trusts { peer: NodeId },
    /// The node took on `role`, in `term` for protocols with terms.
    RoleChanged {
        role: &'static str,
        term: Option<u64>,
    },
}

impl Fact {
    /// The fact's kind as a one-element set, which a step that states it adds to its kinds and
    /// a checker reading only such facts watches.
    pub fn kinds(&self) -> Kinds {
        match self {
            Fact::Delivered { .. } => Kinds::DELIVERED,
            Fact::Proposed { .. } => Kinds::PROPOSED,
            Fact::Decided { .. } => Kinds::DECIDED,
            Fact::InDoubt { .. } => Kinds::IN_DOUBT,
            Fact::Voted { .. } => Kinds::VOTED,
            Fact::Accepted { .. } => Kinds::ACCEPTED,
            Fact::ClockAdjusted { .. } => Kinds::CLOCK_ADJUSTED,
            Fact::Suspects { .. } => Kinds::SUSPECTS,
            Fact::Trusts { .. } => Kinds::TRUSTS,
            Fact::RoleChanged { .. } => Kinds::ROLE_CHANGED,
        }
    }
}
