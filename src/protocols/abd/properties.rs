//! ABD's checkers: the library's exact linearizability check over the clients' history, requests
//! completing once faults heal, and a guard against vacuity: a read that had to write back.

use super::{Abd, AbdNote, AbdParams};
use crate::checks::heal::requests_after_heal;
use crate::engine::property::sometimes;
use crate::engine::protocol::Property;
use crate::engine::trace::Kinds;
use crate::protocols::kv::history::linearizable;

pub(super) fn all(params: &AbdParams) -> Vec<Box<dyn Property<Abd>>> {
    vec![
        linearizable(),
        requests_after_heal(params.liveness_bound_us),
        sometimes(
            "A read writes back",
            "A read finds the replicas of its quorum disagreeing and writes the newest value back \
             to a quorum before it returns.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_events().any(|(id, _)| {
                    matches!(
                        cx.note(id),
                        Some(AbdNote::Stores {
                            write_back: true,
                            ..
                        })
                    )
                })
            },
        ),
    ]
}
