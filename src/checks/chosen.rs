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
use crate::engine::trace::Kinds;
use std::collections::{BTreeMap, BTreeSet};

/// Per instance and ballot: the value accepted and the acceptors that accepted it; per instance:
/// the values chosen, each with the event that made it chosen.
#[derive(Clone, Debug, Default)]
struct Tally {
    majority: usize,
    accepted: BTreeMap<(u64, u64), (String, BTreeSet<NodeId>)>,
    chosen: BTreeMap<u64, BTreeMap<String, EventId>>,
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

    /// Counts an acceptance; returns the instance and value if it made the value chosen.
    fn count(&mut self, event: EventId, node: NodeId, fact: &Fact) -> Option<(u64, String)> {
        let Fact::Accepted {
            instance,
            ballot,
            value,
        } = fact
        else {
            return None;
        };
        let (_, by) = self
            .accepted
            .entry((*instance, *ballot))
            .or_insert_with(|| (value.clone(), BTreeSet::new()));
        if by.insert(node) && by.len() == self.majority {
            let chosen = self.chosen.entry(*instance).or_default();
            if !chosen.contains_key(value) {
                chosen.insert(value.clone(), event);
                return Some((*instance, value.clone()));
            }
        }
        None
    }
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
    always(
        "One value chosen",
        "At most one value is ever chosen: accepted by a majority of the acceptors in one ballot.",
        Kinds::ANNOTATE,
        Tally::new(acceptors),
        |tally, cx| {
            tally.size(cx);
            for (event, node, fact) in facts(cx) {
                let Some((instance, value)) = tally.count(event, node, fact) else {
                    continue;
                };
                let chosen = &tally.chosen[&instance];
                if let Some((other, at)) = chosen.iter().find(|(v, _)| **v != value) {
                    return Verdict::Violated {
                        message: format!(
                            "{value:?} became chosen in instance {instance} when {node} accepted \
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
        Kinds::ANNOTATE,
        Tally::new(acceptors),
        |tally, cx| {
            tally.size(cx);
            for (event, node, fact) in facts(cx) {
                tally.count(event, node, fact);
                let Fact::Decided { instance, value } = fact else {
                    continue;
                };
                if !tally
                    .chosen
                    .get(instance)
                    .is_some_and(|c| c.contains_key(value))
                {
                    let most = tally
                        .accepted
                        .iter()
                        .filter(|((i, _), (v, _))| i == instance && v == value)
                        .map(|(_, (_, by))| by.len())
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
