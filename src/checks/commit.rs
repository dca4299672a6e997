//! Atomic commit's validity, over `Fact::Voted`, `Fact::InDoubt` (a participant that voted yes
//! and is now bound by the outcome) and `Fact::Decided` with the value "commit", per instance (a
//! transaction): a transaction commits only if every participant voted yes. The participants are
//! every node but n1, as in two-phase, three-phase and Paxos Commit.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::always;
use crate::engine::protocol::{Property, Protocol, Verdict};
use crate::engine::trace::Kinds;
use std::collections::{BTreeMap, BTreeSet};

/// The outcome value that commits.
const COMMIT: &str = "commit";

/// What the checker remembers of one transaction.
#[derive(Clone, Debug, Default)]
struct Tally {
    /// The participants that voted yes.
    yes: BTreeSet<NodeId>,
    /// The first no vote, by whom and where.
    no: Option<(NodeId, EventId)>,
    /// The first commit, by whom and where.
    commit: Option<(NodeId, EventId)>,
}

/// Always: a transaction commits only if every participant voted yes first. A no vote and a
/// commit of one transaction break it whatever their order; a commit while some participant has
/// not voted yes breaks it at once.
pub fn commit_validity<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "Commit validity",
        "A transaction commits only if every participant voted yes.",
        Kinds::VOTED.or(Kinds::IN_DOUBT).or(Kinds::DECIDED),
        BTreeMap::<u64, Tally>::new(),
        |tallies, cx| {
            for (event, node, fact) in cx.new_facts() {
                let (instance, vote) = match fact {
                    Fact::InDoubt { instance } => (*instance, Some(true)),
                    Fact::Voted { instance, yes } => (*instance, Some(*yes)),
                    Fact::Decided { instance, value } if &**value == COMMIT => (*instance, None),
                    _ => continue,
                };
                let tally = tallies.entry(instance).or_default();
                match vote {
                    Some(true) => {
                        tally.yes.insert(node);
                        continue;
                    }
                    Some(false) => tally.no = tally.no.or(Some((node, event))),
                    None if tally.commit.is_some() => continue,
                    None => tally.commit = Some((node, event)),
                }
                let Some((committer, commit)) = tally.commit else {
                    continue;
                };
                let rule = "a transaction commits only if every participant voted yes";
                if let Some((voter, vote)) = tally.no {
                    return Verdict::Violated {
                        message: format!(
                            "{committer} committed t{instance}, but {voter} voted no: {rule}"
                        ),
                        involved: vec![vote, commit],
                    };
                }
                if vote.is_none()
                    && let Some(missing) = (1..cx.nodes.len() as u32)
                        .map(NodeId)
                        .find(|p| !tally.yes.contains(p))
                {
                    return Verdict::Violated {
                        message: format!(
                            "{committer} committed t{instance}, but {missing} did not vote yes: \
                             {rule}"
                        ),
                        involved: vec![commit],
                    };
                }
            }
            Verdict::Holds
        },
    )
}
