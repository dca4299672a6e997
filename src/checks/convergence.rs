//! Convergence: replicas that have heard the same updates hold the same state. Judged at the end of
//! the run, once the system has been quiet for a given time (no `activity`: by default no message
//! sent or delivered, no client request, no fault; for replicas that gossip without end, no update
//! and no fault), every node is up and no partition is in force: then every replica must be equal.
//! A run that never goes quiet for that long cannot be judged, and the property stays pending.

use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::eventually;
use crate::engine::protocol::{NodeStatus, Property, Protocol, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, Kinds};

/// Faults: they end a quiet spell whatever else does.
const FAULTS: Kinds = Kinds::CRASH
    .or(Kinds::RESTART)
    .or(Kinds::PAUSE)
    .or(Kinds::RESUME)
    .or(Kinds::PARTITION)
    .or(Kinds::PARTITION_ONE_WAY)
    .or(Kinds::HEAL)
    .or(Kinds::LINK_CHANGE);

/// A quiet network: no traffic, no client request, no fault.
pub const TRAFFIC: Kinds = Kinds::SEND.or(Kinds::DELIVER).or(Kinds::REQUEST).or(FAULTS);

/// No client request and no fault, for replicas that keep exchanging state.
pub const UPDATES: Kinds = Kinds::REQUEST.or(FAULTS);

/// What the convergence checker remembers: how to read a replica, how long the quiet must last,
/// and the last activity it saw.
#[derive(Clone, Debug)]
struct Quiet<P> {
    replica: fn(&P) -> String,
    quiet_us: u64,
    last: Option<(SimTime, EventId)>,
    /// Whether a partition is in force.
    partitioned: bool,
    /// What ends a quiet spell.
    activity: Kinds,
}

/// Eventually: once nothing of `activity` (`TRAFFIC` or `UPDATES`) has happened for `quiet_us`,
/// every node is up and no partition is in force, every node's replica (as `replica` renders it)
/// is the same.
pub fn convergence<P: Protocol>(
    quiet_us: u64,
    activity: Kinds,
    replica: fn(&P) -> String,
) -> Box<dyn Property<P>> {
    eventually(
        "Convergence",
        "Once the system has been quiet for a while, every replica holds the same state.",
        activity.or(FAULTS),
        Quiet {
            replica,
            quiet_us,
            last: None,
            partitioned: false,
            activity: activity.or(FAULTS),
        },
        |quiet, cx| {
            for (id, event) in cx.new_events() {
                match event.kind {
                    EventKind::Partition { .. } | EventKind::PartitionOneWay { .. } => {
                        quiet.partitioned = true;
                    }
                    EventKind::Heal => quiet.partitioned = false,
                    _ => {}
                }
                if quiet.activity.meets(event.kind.kinds()) {
                    quiet.last = Some((cx.now, id));
                }
            }
            Verdict::Holds
        },
        |quiet, cx| {
            let since = quiet.last.map_or(0, |(at, _)| at.as_us());
            let all_up = cx.nodes.iter().all(|n| n.status() == NodeStatus::Up);
            if cx.now.as_us().saturating_sub(since) < quiet.quiet_us || !all_up || quiet.partitioned
            {
                return Verdict::Holds;
            }
            let replicas: Vec<(NodeId, String)> = cx
                .nodes
                .iter()
                .filter_map(|n| n.state().map(|s| (n.id(), (quiet.replica)(s))))
                .collect();
            let Some((first, expected)) = replicas.first() else {
                return Verdict::Satisfied;
            };
            match replicas.iter().find(|(_, r)| r != expected) {
                Some((other, differs)) => Verdict::Violated {
                    message: format!(
                        "{other} holds {differs:?} but {first} holds {expected:?}, after the network \
                         had been quiet since {}",
                        SimTime(since)
                    ),
                    involved: quiet.last.map(|(_, e)| e).into_iter().collect(),
                },
                None => Verdict::Satisfied,
            }
        },
    )
}
