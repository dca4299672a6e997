//! Liveness after faults heal: once the system has been whole for a bound, every client request
//! made since has completed within it. `FaultWatch` tells any checker when the system became
//! whole; `Done` remembers completed operations in a bit each.

use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::protocol::{
    CheckCx, NodeStatus, Outcome, Property, PropertyKind, Protocol, Verdict,
};
use crate::engine::time::SimTime;
use crate::engine::trace::{DropReason, EventKind, Kinds};
use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

/// The kinds of event a client operation records as it begins or ends.
pub const REQUESTS: Kinds = Kinds::REQUEST.or(Kinds::REQUEST_DROP).or(Kinds::RESPONSE);

/// The kinds of event a fault or its repair records.
pub const FAULTS: Kinds = Kinds::PARTITION
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
pub struct FaultWatch {
    /// The last fault's event, for a violation to point at.
    pub last: Option<EventId>,
    settled_at: SimTime,
    partitioned: bool,
    held: BTreeSet<(NodeId, NodeId)>,
}

impl FaultWatch {
    /// Takes in the step's events.
    pub fn observe<P: Protocol>(&mut self, cx: &CheckCx<'_, P>) {
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
                | EventKind::ClockDrift { .. }
                | EventKind::Traitor { .. } => true,
                _ => false,
            };
            if fault {
                self.settled_at = event.time;
                self.last = Some(id);
            }
        }
    }

    /// The instant the system became whole, if it is whole now and has been for `bound_us`.
    pub fn healed_for<P: Protocol>(&self, cx: &CheckCx<'_, P>, bound_us: u64) -> Option<SimTime> {
        let whole = !self.partitioned
            && self.held.is_empty()
            && cx.nodes.iter().all(|n| n.status() == NodeStatus::Up);
        let long_enough = cx.now.as_us().saturating_sub(self.settled_at.as_us()) >= bound_us;
        (whole && long_enough).then_some(self.settled_at)
    }
}

/// Liveness: once faults have healed, every request made since completes within the bound.
#[derive(Clone, Debug)]
struct RequestsAfterHeal<P> {
    bound_us: u64,
    faults: FaultWatch,
    /// Per operation in progress: when it began and its first event. Completed ones are only
    /// remembered as done.
    ops: BTreeMap<OpId, (SimTime, EventId)>,
    done: Done,
    protocol: PhantomData<fn() -> P>,
}

/// Eventually: once every fault has healed for `bound_us`, each client request made since has
/// completed within `bound_us` (a redirect does not complete it).
pub fn requests_after_heal<P: Protocol>(bound_us: u64) -> Box<dyn Property<P>> {
    Box::new(RequestsAfterHeal::<P> {
        bound_us,
        faults: FaultWatch::default(),
        ops: BTreeMap::new(),
        done: Done::default(),
        protocol: PhantomData,
    })
}

impl<P: Protocol> Property<P> for RequestsAfterHeal<P> {
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

    fn check(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        self.faults.observe(cx);
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Request { op, .. } | EventKind::RequestDrop { op, .. }
                    if !self.done.contains(op) =>
                {
                    self.ops.entry(op).or_insert((event.time, id));
                }
                EventKind::Response { op, .. }
                    if cx
                        .response(id)
                        .is_some_and(|r| P::outcome(r) == Outcome::Done)
                        && self.ops.remove(&op).is_some() =>
                {
                    self.done.insert(op);
                }
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, P>) -> Verdict {
        let Some(since) = self.faults.healed_for(cx, self.bound_us) else {
            return Verdict::Satisfied;
        };
        let late = self.ops.iter().find(|(_, (at, event))| {
            // Made after the last fault's event (so at or after `since`): a request at the very
            // instant of the heal but before it (dropped by a node the heal restarts) was not
            // made once healed.
            self.faults.last.is_none_or(|last| *event > last)
                && at.as_us() + self.bound_us <= cx.now.as_us()
        });
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

    fn clone_box(&self) -> Box<dyn Property<P>> {
        Box::new(self.clone())
    }
}

/// Which operations have completed, one bit each (operation ids are dense), so checkers can
/// forget a completed operation and still ignore its late duplicates.
#[derive(Clone, Debug, Default)]
pub struct Done(Vec<u64>);

impl Done {
    pub fn contains(&self, op: OpId) -> bool {
        let i = op.index();
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }

    pub fn insert(&mut self, op: OpId) {
        let i = op.index();
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }
}
