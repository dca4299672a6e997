//! Liveness after faults heal: a leader of the highest term is elected within a bound once the
//! system has been whole for that long. (Requests completing is the library's
//! `checks::heal::requests_after_heal`.)

use crate::checks::heal::{FAULTS, FaultWatch};
use crate::engine::protocol::{CheckCx, Property, PropertyKind, Verdict};
use crate::engine::trace::Kinds;
use crate::protocols::raft::{Raft, Role, Term};

/// Liveness: once faults have healed, a leader is elected within the bound.
#[derive(Clone, Debug)]
pub(super) struct LeaderAfterHeal {
    bound_us: u64,
    faults: FaultWatch,
}

impl LeaderAfterHeal {
    pub(super) fn new(bound_us: u64) -> Self {
        LeaderAfterHeal {
            bound_us,
            faults: FaultWatch::default(),
        }
    }
}

impl Property<Raft> for LeaderAfterHeal {
    fn name(&self) -> &'static str {
        "Leader after heal"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }

    fn description(&self) -> &'static str {
        "Once every fault has healed, a leader of the highest term is elected within the bound."
    }

    fn watches(&self) -> Kinds {
        FAULTS
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        self.faults.observe(cx);
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        let Some(since) = self.faults.healed_for(cx, self.bound_us) else {
            return Verdict::Satisfied;
        };
        let states = cx.nodes.iter().filter_map(|n| n.state());
        let highest = states
            .clone()
            .map(Raft::current_term)
            .max()
            .unwrap_or(Term(0));
        if states
            .clone()
            .any(|r| r.role() == Role::Leader && r.current_term() == highest)
        {
            return Verdict::Satisfied;
        }
        Verdict::Violated {
            message: format!(
                "no leader at {}, though the system has been whole since {since}; terms reached {}",
                cx.now, highest.0
            ),
            involved: self.faults.last.into_iter().collect(),
        }
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}
