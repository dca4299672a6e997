//! Three-phase commit's checkers: its own commit validity, the shared agreement (atomicity),
//! integrity and termination, and what guards them against vacuity.

use super::{ThreePhaseCommit, ThreePhaseCommitParams, ThreePhaseNote, Tx};
use crate::checks::consensus;
use crate::engine::fact::Fact;
use crate::engine::ids::NodeId;
use crate::engine::model::Assumption;
use crate::engine::property::{always, assuming, sometimes};
use crate::engine::protocol::{Property, Verdict};
use crate::engine::trace::Kinds;
use std::collections::{BTreeMap, BTreeSet};

/// How long a transaction may take, in timeouts: n1's vote and acknowledgement waits, a
/// participant's wait (two timeouts), a recovery coordinator's collection and pre-commit round,
/// and two more recovery coordinators in turn that cannot serve (two timeouts each).
const TIMEOUTS_TO_FINISH: u64 = 12;

pub(super) fn properties(
    params: &ThreePhaseCommitParams,
) -> Vec<Box<dyn Property<ThreePhaseCommit>>> {
    // Commit validity first: when one step breaks both, the more specific lesson is named.
    vec![
        commit_validity(),
        // Skeen's assumptions: a partition or a late message breaks both (3pc-partition).
        assuming(
            &[Assumption::ReliableLinks, Assumption::Synchrony],
            consensus::agreement(),
        ),
        consensus::integrity(),
        assuming(
            &[Assumption::Synchrony],
            consensus::termination(TIMEOUTS_TO_FINISH * params.timeout_us),
        ),
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
            "A recovery coordinator",
            "Some participant takes over a transaction from a silent coordinator, so the \
             termination protocol has run.",
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
fn commit_validity() -> Box<dyn Property<ThreePhaseCommit>> {
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
                    Some(&ThreePhaseNote::Votes { tx, yes: true }) => {
                        votes.yes.entry(tx).or_default().insert(node);
                    }
                    Some(&ThreePhaseNote::Decides {
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
