//! Chosen values, over `Fact::Accepted`: a value is *chosen* in an instance once a majority of the
//! acceptors have accepted it in one ballot (Paxos's definition, whatever quorum the protocol
//! itself counts). The checkers judge by that definition, so a protocol that counts a smaller
//! quorum is caught:
//!
//! - one value chosen: no instance ever has two different chosen values;
//! - learned only if chosen: a node decides (learns) a value only once it has been chosen.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::always;
use crate::engine::protocol::{CheckCx, Property, Protocol, Verdict};
use crate::engine::shared::SharedVec;
use crate::engine::trace::Kinds;
use std::rc::Rc;

/// One instance's votes: per ballot, the value accepted and the acceptors that accepted it; and
/// the values chosen, each with the event that made it chosen.
#[derive(Clone, Debug, Default)]
struct Instance {
    ballots: Vec<(u64, Rc<str>, Vec<NodeId>)>,
    chosen: Vec<(Rc<str>, EventId)>,
}

/// Every instance's votes, indexed by instance number (protocols number instances densely from 0
/// or 1: slots, rounds), in a vector whose checkpoint copies share their chunks, so a tally over a
/// long log stays cheap to copy.
#[derive(Clone, Debug, Default)]
struct Tally {
    majority: usize,
    instances: SharedVec<Instance>,
}

impl Tally {
    /// A tally over `acceptors` acceptors, or every node if `None` (counted at the first check).
    fn new(acceptors: Option<usize>) -> Self {
        Tally {
            majority: acceptors.map_or(0, |a| a / 2 + 1),
            ..Tally::default()
        }
    }

    fn size<P: Protocol>(&mut self, cx: &CheckCx<'_, P>) {
        if self.majority == 0 {
            self.majority = cx.nodes.len() / 2 + 1;
        }
    }

    fn instance(&self, instance: u64) -> Option<&Instance> {
        self.instances.get(usize::try_from(instance).ok()?)
    }

    /// Counts an acceptance fact; returns the instance and value if it made the value chosen.
    fn count(&mut self, event: EventId, node: NodeId, fact: &Fact) -> Option<(u64, Rc<str>)> {
        let Fact::Accepted {
            instance,
            ballot,
            value,
        } = fact
        else {
            return None;
        };
        self.count_vote(Vote {
            event,
            node,
            instance: *instance,
            ballot: *ballot,
            value: value.clone(),
        })
    }

    /// Counts a vote; returns the instance and value if it made the value chosen.
    fn count_vote(&mut self, vote: Vote) -> Option<(u64, Rc<str>)> {
        let index = usize::try_from(vote.instance).ok()?;
        while self.instances.len() <= index {
            self.instances.push(Instance::default());
        }
        let instance = self.instances.get_mut(index)?;
        let at = match instance
            .ballots
            .iter()
            .position(|(b, _, _)| *b == vote.ballot)
        {
            Some(at) => at,
            None => {
                instance
                    .ballots
                    .push((vote.ballot, vote.value.clone(), Vec::new()));
                instance.ballots.len() - 1
            }
        };
        let by = &mut instance.ballots[at].2;
        if by.contains(&vote.node) {
            return None;
        }
        by.push(vote.node);
        if by.len() == self.majority && !instance.chosen.iter().any(|(v, _)| *v == vote.value) {
            instance.chosen.push((vote.value.clone(), vote.event));
            return Some((vote.instance, vote.value));
        }
        None
    }
}

/// One acceptor's acceptance, wherever a protocol records it (a fact, a message it sends).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    pub event: EventId,
    pub node: NodeId,
    pub instance: u64,
    /// The protocol's ballots as one totally ordered number.
    pub ballot: u64,
    pub value: Rc<str>,
}

fn facts<'a, P: Protocol>(
    cx: &'a CheckCx<'_, P>,
) -> impl Iterator<Item = (EventId, NodeId, &'a Fact)> {
    cx.new_facts()
        .filter(|(_, _, fact)| matches!(fact, Fact::Accepted { .. } | Fact::Decided { .. }))
}

/// Always: in each instance at most one value is chosen, that is, accepted by a majority of the
/// `acceptors` acceptors (every node if `None`) in one ballot.
pub fn one_value_chosen<P: Protocol>(acceptors: Option<usize>) -> Box<dyn Property<P>> {
    one_value_chosen_from(acceptors, "instance", Kinds::ACCEPTED, |cx| {
        facts(cx)
            .filter_map(|(event, node, fact)| match fact {
                Fact::Accepted {
                    instance,
                    ballot,
                    value,
                } => Some(Vote {
                    event,
                    node,
                    instance: *instance,
                    ballot: *ballot,
                    value: value.clone(),
                }),
                _ => None,
            })
            .collect()
    })
}

/// Always: at most one value chosen per instance (called `unit` in messages: "instance", "slot"),
/// counting the votes `votes` finds in each step that records an event of a kind in `watches`.
pub fn one_value_chosen_from<P: Protocol>(
    acceptors: Option<usize>,
    unit: &'static str,
    watches: Kinds,
    votes: fn(&CheckCx<'_, P>) -> Vec<Vote>,
) -> Box<dyn Property<P>> {
    always(
        "One value chosen",
        "At most one value is ever chosen: accepted by a majority of the acceptors in one ballot.",
        watches,
        (Tally::new(acceptors), unit, votes),
        |(tally, unit, votes), cx| {
            tally.size(cx);
            for vote in votes(cx) {
                let (event, node) = (vote.event, vote.node);
                let Some((instance, value)) = tally.count_vote(vote) else {
                    continue;
                };
                let chosen = tally.instance(instance).map_or(&[][..], |i| &i.chosen[..]);
                if let Some((other, at)) = chosen.iter().find(|(v, _)| *v != value) {
                    return Verdict::Violated {
                        message: format!(
                            "{value:?} became chosen in {unit} {instance} when {node} accepted \
                             it, but {other:?} had been chosen already: two majorities accepted \
                             different values"
                        ),
                        involved: vec![*at, event],
                    };
                }
            }
            Verdict::Holds
        },
    )
}

/// Always: a node decides (learns) a value only after it has been chosen by a majority of the
/// `acceptors` acceptors (every node if `None`).
pub fn learned_only_if_chosen<P: Protocol>(acceptors: Option<usize>) -> Box<dyn Property<P>> {
    always(
        "Learned only if chosen",
        "A learner learns a value only once a majority of the acceptors has accepted it in one \
         ballot.",
        Kinds::ACCEPTED.or(Kinds::DECIDED),
        Tally::new(acceptors),
        |tally, cx| {
            tally.size(cx);
            for (event, node, fact) in facts(cx) {
                tally.count(event, node, fact);
                let Fact::Decided { instance, value } = fact else {
                    continue;
                };
                let known = tally.instance(*instance);
                if !known.is_some_and(|i| i.chosen.iter().any(|(v, _)| v == value)) {
                    let most = known
                        .iter()
                        .flat_map(|i| &i.ballots)
                        .filter(|(_, v, _)| v == value)
                        .map(|(_, _, by)| by.len())
                        .max()
                        .unwrap_or(0);
                    return Verdict::Violated {
                        message: format!(
                            "{node} learned {value:?} in instance {instance}, but at most {most} \
                             acceptor{} had accepted it in any one ballot, fewer than a majority \
                             ({})",
                            if most == 1 { "" } else { "s" },
                            tally.majority
                        ),
                        involved: vec![event],
                    };
                }
            }
            Verdict::Holds
        },
    )
}
