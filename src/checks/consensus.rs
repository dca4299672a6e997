//! Consensus and commit guarantees over `Fact::Proposed` and `Fact::Decided`, per instance (a log
//! slot, a transaction, a single agreement is instance 0):
//!
//! - agreement: no two nodes decide different values;
//! - validity: a decided value was proposed before;
//! - integrity: a node decides at most once (a restarted node may decide again, but only the value
//!   it decided before: a decision is final);
//! - termination: by the horizon, every node that is up has decided every instance proposed at
//!   least a grace period before it.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::{always, eventually};
use crate::engine::protocol::{CheckCx, NodeStatus, Property, Protocol, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, Kinds};
use std::collections::BTreeMap;
use std::rc::Rc;

/// What the consensus checkers read: proposals and decisions (facts), and restarts (integrity).
const STATED: Kinds = Kinds::PROPOSED.or(Kinds::DECIDED);

/// The step's proposals and decisions, with their events and nodes, in event order.
fn stated<'a, P: Protocol>(
    cx: &'a CheckCx<'_, P>,
) -> impl Iterator<Item = (EventId, NodeId, &'a Fact)> {
    cx.new_facts()
        .filter(|(_, _, fact)| matches!(fact, Fact::Proposed { .. } | Fact::Decided { .. }))
}

/// Per instance: each value decided so far, with the first node and event that decided it.
type Decisions = BTreeMap<u64, BTreeMap<Rc<str>, (NodeId, EventId)>>;

/// Always: no two nodes decide different values in one instance.
pub fn agreement<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "Agreement",
        "No two nodes decide different values in the same instance.",
        Kinds::DECIDED,
        Decisions::new(),
        |decisions, cx| {
            for (event, node, fact) in stated(cx) {
                let Fact::Decided { instance, value } = fact else {
                    continue;
                };
                let values = decisions.entry(*instance).or_default();
                if let Some((other, (by, at))) = values.iter().find(|(v, _)| *v != value) {
                    return Verdict::Violated {
                        message: format!(
                            "{node} decided {value:?} in instance {instance}, but {by} decided \
                             {other:?}"
                        ),
                        involved: vec![*at, event],
                    };
                }
                values.entry(value.clone()).or_insert((node, event));
            }
            Verdict::Holds
        },
    )
}

/// Per instance: each value proposed so far, with the event that first proposed it.
type Proposals = BTreeMap<u64, BTreeMap<Rc<str>, EventId>>;

/// Always: every decided value was proposed (in that instance) before it was decided.
pub fn validity<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "Validity",
        "Every value a node decides was proposed by some node.",
        STATED,
        Proposals::new(),
        |proposals, cx| {
            for (event, node, fact) in stated(cx) {
                match fact {
                    Fact::Proposed { instance, value } => {
                        proposals
                            .entry(*instance)
                            .or_default()
                            .entry(value.clone())
                            .or_insert(event);
                    }
                    Fact::Decided { instance, value } => {
                        let proposed = proposals.get(instance);
                        if !proposed.is_some_and(|p| p.contains_key(value)) {
                            let known: Vec<String> = proposed
                                .map(|p| p.keys().map(|v| format!("{v:?}")).collect())
                                .unwrap_or_default();
                            let known = if known.is_empty() {
                                "nothing was proposed there".to_string()
                            } else {
                                format!("only {} were proposed", known.join(", "))
                            };
                            return Verdict::Violated {
                                message: format!(
                                    "{node} decided {value:?} in instance {instance}, but {known}"
                                ),
                                involved: vec![event],
                            };
                        }
                    }
                    _ => {}
                }
            }
            Verdict::Holds
        },
    )
}

/// What the integrity checker remembers: per node and instance, the value it decided and where,
/// and whether it decided it in its current incarnation.
#[derive(Clone, Debug, Default)]
struct Decided {
    by: BTreeMap<(NodeId, u64), (Rc<str>, EventId, bool)>,
}

/// Always: a node decides at most once per instance; after a restart it may decide again, but
/// only the value it decided before.
pub fn integrity<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "Integrity",
        "A node decides at most once in each instance, and a decision is never changed, even \
         across a restart.",
        Kinds::DECIDED.or(Kinds::RESTART),
        Decided::default(),
        |decided, cx| {
            for (event, e) in cx.new_events() {
                let Some(node) = e.node else {
                    continue;
                };
                if matches!(e.kind, EventKind::Restart) {
                    for ((n, _), (_, _, this_life)) in decided.by.iter_mut() {
                        if *n == node {
                            *this_life = false;
                        }
                    }
                    continue;
                }
                let Some(Fact::Decided { instance, value }) = cx.fact(event) else {
                    continue;
                };
                match decided.by.get_mut(&(node, *instance)) {
                    Some((before, at, this_life)) => {
                        let problem = if before != value {
                            format!(
                                "{node} decided {value:?} in instance {instance}, but it had decided {before:?}"
                            )
                        } else if *this_life {
                            format!("{node} decided {value:?} in instance {instance} twice")
                        } else {
                            *this_life = true;
                            continue;
                        };
                        return Verdict::Violated {
                            message: problem,
                            involved: vec![*at, event],
                        };
                    }
                    None => {
                        decided
                            .by
                            .insert((node, *instance), (value.clone(), event, true));
                    }
                }
            }
            Verdict::Holds
        },
    )
}

/// What the termination checker remembers: each proposed instance with its first proposal (event
/// and time), who has decided it, and how long an instance may take.
#[derive(Clone, Debug, Default)]
struct Progress {
    grace_us: u64,
    /// The nodes that must decide; every node when `None`.
    deciders: Option<Vec<NodeId>>,
    proposed: BTreeMap<u64, (EventId, SimTime)>,
    decided: BTreeMap<u64, Vec<NodeId>>,
}

/// Eventually: by the horizon, every node that is up has decided every instance proposed at least
/// `grace_us` before the end (an instance proposed later may still be on its way).
pub fn termination<P: Protocol>(grace_us: u64) -> Box<dyn Property<P>> {
    termination_among(grace_us, None)
}

/// Termination where only `deciders` must decide (a protocol's learners), or every node if `None`.
pub fn termination_among<P: Protocol>(
    grace_us: u64,
    deciders: Option<Vec<NodeId>>,
) -> Box<dyn Property<P>> {
    eventually(
        "Termination",
        "By the end of the run, every node that is up has decided in every instance that was \
         proposed in time to finish.",
        STATED,
        Progress {
            grace_us,
            deciders,
            ..Progress::default()
        },
        |progress, cx| {
            for (event, node, fact) in stated(cx) {
                match fact {
                    Fact::Proposed { instance, .. } => {
                        let at = cx.events[event.index()].time;
                        progress.proposed.entry(*instance).or_insert((event, at));
                    }
                    Fact::Decided { instance, .. } => {
                        let nodes = progress.decided.entry(*instance).or_default();
                        if !nodes.contains(&node) {
                            nodes.push(node);
                        }
                    }
                    _ => {}
                }
            }
            Verdict::Holds
        },
        |progress, cx| {
            for (instance, &(proposal, at)) in &progress.proposed {
                if at.as_us().saturating_add(progress.grace_us) > cx.now.as_us() {
                    continue;
                }
                let decided = progress.decided.get(instance);
                let undecided = cx.nodes.iter().find(|n| {
                    n.status() != NodeStatus::Crashed
                        && progress
                            .deciders
                            .as_ref()
                            .is_none_or(|must| must.contains(&n.id()))
                        && !decided.is_some_and(|d| d.contains(&n.id()))
                });
                if let Some(node) = undecided {
                    return Verdict::Violated {
                        message: format!(
                            "{} never decided instance {instance}, proposed at {at} ({proposal})",
                            node.id()
                        ),
                        involved: vec![proposal],
                    };
                }
            }
            Verdict::Satisfied
        },
    )
}
