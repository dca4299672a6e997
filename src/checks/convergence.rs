//! Convergence: replicas that have heard the same updates hold the same state. Judged at the end of
//! the run, once the system has been quiet for a given time (no `activity`: by default no message
//! sent or delivered, no client request, no fault; for replicas that gossip without end, no update
//! and no fault), every node is up and no partition is in force: then every replica must be equal.
//! A run that never goes quiet for that long cannot be judged, and the property stays pending.

use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::eventually;
use crate::engine::protocol::{CheckCx, NodeStatus, Property, Protocol, Verdict};
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

/// A quiet spell: the last activity seen and whether a partition is in force, for checkers judged
/// once the system has settled (this one, and protocols' own convergence checkers).
#[derive(Clone, Debug)]
pub struct Spell {
    /// What ends a quiet spell (faults always do).
    activity: Kinds,
    quiet_us: u64,
    last: Option<(SimTime, EventId)>,
    partitioned: bool,
}

impl Spell {
    pub fn new(activity: Kinds, quiet_us: u64) -> Spell {
        Spell {
            activity: activity.or(FAULTS),
            quiet_us,
            last: None,
            partitioned: false,
        }
    }

    /// The kinds of event the spell watches.
    pub fn watches(&self) -> Kinds {
        self.activity
    }

    /// Takes in the step's events.
    pub fn observe<P: Protocol>(&mut self, cx: &CheckCx<'_, P>) {
        for (id, event) in cx.new_events() {
            match event.kind {
                EventKind::Partition { .. } | EventKind::PartitionOneWay { .. } => {
                    self.partitioned = true;
                }
                EventKind::Heal => self.partitioned = false,
                _ => {}
            }
            if self.activity.meets(event.kind.kinds()) {
                self.last = Some((cx.now, id));
            }
        }
    }

    /// Whether the system has settled: quiet for long enough, every node up, no partition.
    pub fn settled<P: Protocol>(&self, cx: &CheckCx<'_, P>) -> bool {
        let all_up = cx.nodes.iter().all(|n| n.status() == NodeStatus::Up);
        cx.now.as_us().saturating_sub(self.since().as_us()) >= self.quiet_us
            && all_up
            && !self.partitioned
    }

    /// When the quiet began.
    pub fn since(&self) -> SimTime {
        self.last.map_or(SimTime(0), |(at, _)| at)
    }

    /// The event that ended the last activity, if any.
    pub fn last_event(&self) -> Option<EventId> {
        self.last.map(|(_, e)| e)
    }
}

/// What the convergence checker remembers: how to read a replica, and the quiet spell.
#[derive(Clone, Debug)]
struct Quiet<P> {
    replica: fn(&P) -> String,
    spell: Spell,
}

/// Eventually: once nothing of `activity` (`TRAFFIC` or `UPDATES`) has happened for `quiet_us`,
/// every node is up and no partition is in force, every node's replica (as `replica` renders it)
/// is the same.
pub fn convergence<P: Protocol>(
    quiet_us: u64,
    activity: Kinds,
    replica: fn(&P) -> String,
) -> Box<dyn Property<P>> {
    let spell = Spell::new(activity, quiet_us);
    eventually(
        "Convergence",
        "Once the system has been quiet for a while, every replica holds the same state.",
        spell.watches(),
        Quiet { replica, spell },
        |quiet, cx| {
            quiet.spell.observe(cx);
            Verdict::Holds
        },
        |quiet, cx| {
            if !quiet.spell.settled(cx) {
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
                        quiet.spell.since()
                    ),
                    involved: quiet.spell.last_event().into_iter().collect(),
                },
                None => Verdict::Satisfied,
            }
        },
    )
}
