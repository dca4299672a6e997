//! Paxos Commit's checkers: commit validity over its own notes, the shared agreement (atomicity),
//! integrity and termination, and what guards them against vacuity.

use super::{PaxosCommit, PaxosCommitNote, PaxosCommitParams, Tx};
use crate::checks::consensus;
use crate::engine::fact::Fact;
use crate::engine::ids::NodeId;
use crate::engine::property::{always, sometimes};
use crate::engine::protocol::{Property, Verdict};
use crate::engine::trace::Kinds;
use std::collections::{BTreeMap, BTreeSet};

/// How long a transaction may take, in timeouts, once the network is whole: the acceptors' waits
/// in turn (one, two and three timeouts for n1, n2, n3), a round that stalls and is tried again
/// (one more), and the outcome resent every two timeouts to a node that missed it.
const TIMEOUTS_TO_FINISH: u64 = 12;

pub(super) fn properties(params: &PaxosCommitParams) -> Vec<Box<dyn Property<PaxosCommit>>> {
    // Commit validity first: when one step breaks both, the more specific lesson is named.
    vec![
        commit_validity(),
        consensus::agreement(),
        consensus::integrity(),
        consensus::termination(TIMEOUTS_TO_FINISH * params.timeout_us),
        sometimes(
            "A commit",
            "Some transaction commits, so Commit validity has a commit to judge.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts().any(
                    |(_, _, fact)| matches!(fact, Fact::Decided { value, .. } if value == "commit"),
                )
            },
        ),
        sometimes(
            "A recovery ballot",
            "Some node leads a ballot above 0 for a transaction whose fast path did not finish, \
             so the path that needs no coordinator has run.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts()
                    .any(|(_, _, fact)| matches!(fact, Fact::RoleChanged { .. }))
            },
        ),
    ]
}

/// What the commit validity checker remembers: per transaction, the participants that voted yes,
/// and the transactions whose first commit it has judged.
#[derive(Clone, Debug, Default)]
struct Votes {
    yes: BTreeMap<Tx, BTreeSet<NodeId>>,
    judged: BTreeSet<Tx>,
}

/// Always: a transaction commits only if every participant voted yes (before the commit).
fn commit_validity() -> Box<dyn Property<PaxosCommit>> {
    always(
        "Commit validity",
        "A transaction commits only if every participant voted yes.",
        Kinds::ANNOTATE,
        Votes::default(),
        |votes, cx| {
            for (event, e) in cx.new_events() {
                let Some(node) = e.node else {
                    continue;
                };
                match cx.note(event) {
                    Some(&PaxosCommitNote::Votes { tx, yes: true }) => {
                        votes.yes.entry(tx).or_default().insert(node);
                    }
                    Some(&PaxosCommitNote::Decides {
                        tx, commit: true, ..
                    }) if votes.judged.insert(tx) => {
                        let voted = votes.yes.get(&tx);
                        let missing = (1..cx.nodes.len() as u32)
                            .map(NodeId)
                            .find(|p| !voted.is_some_and(|v| v.contains(p)));
                        if let Some(participant) = missing {
                            return Verdict::Violated {
                                message: format!(
                                    "{node} committed t{tx}, but {participant} did not vote yes: \
                                     a transaction commits only if every participant voted yes"
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
