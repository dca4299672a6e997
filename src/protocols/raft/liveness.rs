//! Liveness after faults heal: a leader is elected, and client requests complete, within a bound
//! once the system has been whole for that long.

use super::properties::{Done, REQUESTS};
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::protocol::{CheckCx, NodeStatus, Property, PropertyKind, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{DropReason, EventKind, Kinds};
use crate::protocols::raft::{KvResponse, Raft, Role, Term};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of event a fault or its repair records.
const FAULTS: Kinds = Kinds::PARTITION
    .or(Kinds::PARTITION_ONE_WAY)
    .or(Kinds::HEAL)
    .or(Kinds::HOLD)
    .or(Kinds::RELEASE)
    .or(Kinds::DROP)
    .or(Kinds::CRASH)
    .or(Kinds::RESTART)
    .or(Kinds::PAUSE)
    .or(Kinds::RESUME)
    .or(Kinds::LINK_CHANGE)
    .or(Kinds::CLOCK_JUMP)
    .or(Kinds::CLOCK_DRIFT);

/// When the last fault (or repair) happened and whether the system is whole now: every node up,
/// no partition, no held link.
#[derive(Clone, Debug, Default)]
struct FaultWatch {
    settled_at: SimTime,
    last: Option<EventId>,
    partitioned: bool,
    held: BTreeSet<(NodeId, NodeId)>,
}

impl FaultWatch {
    fn observe(&mut self, cx: &CheckCx<'_, Raft>) {
        for (id, event) in cx.new_events() {
            let fault = match &event.kind {
                EventKind::Partition { .. } | EventKind::PartitionOneWay { .. } => {
                    self.partitioned = true;
                    true
                }
                EventKind::Heal => {
                    self.partitioned = false;
                    true
                }
                EventKind::Hold { from, to } => {
                    self.held.insert((*from, *to));
                    true
                }
                EventKind::Release { from, to } => {
                    self.held.remove(&(*from, *to));
                    true
                }
                EventKind::Drop {
                    reason: DropReason::ByUser,
                    ..
                } => true,
                EventKind::Crash
                | EventKind::Restart
                | EventKind::Pause
                | EventKind::Resume
                | EventKind::LinkChange { .. }
                | EventKind::ClockJump { .. }
                | EventKind::ClockDrift { .. } => true,
                _ => false,
            };
            if fault {
                self.settled_at = event.time;
                self.last = Some(id);
            }
        }
    }

    /// The instant the system became whole, if it is whole now and has been for `bound_us`.
    fn healed_for(&self, cx: &CheckCx<'_, Raft>, bound_us: u64) -> Option<SimTime> {
        let whole = !self.partitioned
            && self.held.is_empty()
            && cx.nodes.iter().all(|n| n.status() == NodeStatus::Up);
        let long_enough = cx.now.as_us().saturating_sub(self.settled_at.as_us()) >= bound_us;
        (whole && long_enough).then_some(self.settled_at)
    }
}

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

/// Liveness: once faults have healed, every request made since completes within the bound.
#[derive(Clone, Debug)]
pub(super) struct RequestsAfterHeal {
    bound_us: u64,
    faults: FaultWatch,
    /// Per operation in progress: when it began and its first event. Completed ones are only
    /// remembered as done.
    ops: BTreeMap<OpId, (SimTime, EventId)>,
    done: Done,
}

impl RequestsAfterHeal {
    pub(super) fn new(bound_us: u64) -> Self {
        RequestsAfterHeal {
            bound_us,
            faults: FaultWatch::default(),
            ops: BTreeMap::new(),
            done: Done::default(),
        }
    }
}

impl Property<Raft> for RequestsAfterHeal {
    fn name(&self) -> &'static str {
        "Requests complete after heal"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }

    fn description(&self) -> &'static str {
        "Once every fault has healed, each client request made since completes within the bound."
    }

    fn watches(&self) -> Kinds {
        FAULTS.or(REQUESTS)
    }

    fn check(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        self.faults.observe(cx);
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. }
                    if !self.done.contains(op) =>
                {
                    self.ops.entry(op).or_insert((event.time, id));
                }
                EventKind::Response { op, .. }
                    if !matches!(cx.response(id), None | Some(KvResponse::Redirect(_)))
                        && self.ops.remove(&op).is_some() =>
                {
                    self.done.insert(op);
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, Raft>) -> Verdict {
        let Some(since) = self.faults.healed_for(cx, self.bound_us) else {
            return Verdict::Satisfied;
        };
        let late = self
            .ops
            .iter()
            .find(|(_, (at, _))| *at >= since && at.as_us() + self.bound_us <= cx.now.as_us());
        match late {
            Some((op, (at, event))) => Verdict::Violated {
                message: format!(
                    "{op}, sent at {at} after the faults healed at {since}, had not completed by {}",
                    cx.now
                ),
                involved: vec![*event],
            },
            None => Verdict::Satisfied,
        }
    }

    fn clone_box(&self) -> Box<dyn Property<Raft>> {
        Box::new(self.clone())
    }
}
