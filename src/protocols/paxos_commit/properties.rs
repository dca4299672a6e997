//! Paxos Commit's checkers: the shared commit validity, agreement (atomicity),
//! integrity and termination, and what guards them against vacuity.

use super::{PaxosCommit, PaxosCommitParams};
use crate::checks::{commit, consensus};
use crate::engine::fact::Fact;
use crate::engine::property::sometimes;
use crate::engine::protocol::Property;
use crate::engine::trace::Kinds;

/// How long a transaction may take, in timeouts, once the network is whole: the acceptors' waits
/// in turn (one, two and three timeouts for n1, n2, n3), a round that stalls and is tried again
/// (one more), and the outcome resent every two timeouts to a node that missed it.
const TIMEOUTS_TO_FINISH: u64 = 12;

pub(super) fn properties(params: &PaxosCommitParams) -> Vec<Box<dyn Property<PaxosCommit>>> {
    // Commit validity first: when one step breaks both, the more specific lesson is named.
    vec![
        commit::commit_validity(),
        consensus::agreement(),
        consensus::integrity(),
        consensus::termination(TIMEOUTS_TO_FINISH * params.timeout_us),
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
