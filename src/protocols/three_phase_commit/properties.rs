//! Three-phase commit's checkers: the shared commit validity, agreement (atomicity),
//! integrity and termination, and what guards them against vacuity.

use super::{ThreePhaseCommit, ThreePhaseCommitParams};
use crate::checks::{commit, consensus};
use crate::engine::fact::Fact;
use crate::engine::model::Assumption;
use crate::engine::property::{assuming, sometimes};
use crate::engine::protocol::Property;
use crate::engine::trace::Kinds;

/// How long a transaction may take, in timeouts: n1's vote and acknowledgement waits, a
/// participant's wait (two timeouts), a recovery coordinator's collection and pre-commit round,
/// and two more recovery coordinators in turn that cannot serve (two timeouts each).
const TIMEOUTS_TO_FINISH: u64 = 12;

pub(super) fn properties(
    params: &ThreePhaseCommitParams,
) -> Vec<Box<dyn Property<ThreePhaseCommit>>> {
    // Commit validity first: when one step breaks both, the more specific lesson is named.
    vec![
        commit::commit_validity(),
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
                    |(_, _, fact)| matches!(fact, Fact::Decided { value, .. } if &**value == "commit"),
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
