//! Convergence: replicas that have heard the same updates hold the same state. Judged at the end of
//! the run, once the network has been quiet (no message sent or delivered, no client request) for
//! a given time and every node is up: then every replica must be equal. A run that never goes
//! quiet for that long cannot be judged, and the property stays pending.

use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::eventually;
use crate::engine::protocol::{NodeStatus, Property, Protocol, Verdict};
use crate::engine::time::SimTime;
use crate::engine::trace::Kinds;

/// What can end a quiet spell: traffic, client requests and faults.
const ACTIVITY: Kinds = Kinds::SEND
    .or(Kinds::DELIVER)
    .or(Kinds::REQUEST)
    .or(Kinds::CRASH)
    .or(Kinds::RESTART)
    .or(Kinds::PAUSE)
    .or(Kinds::RESUME);

/// What the convergence checker remembers: how to read a replica, how long the quiet must last,
/// and the last activity it saw.
#[derive(Clone, Debug)]
struct Quiet<P> {
    replica: fn(&P) -> String,
    quiet_us: u64,
    last: Option<(SimTime, EventId)>,
}

/// Eventually: once nothing has been sent, delivered or requested for `quiet_us` and every node is
/// up, every node's replica (as `replica` renders it) is the same.
pub fn convergence<P: Protocol>(quiet_us: u64, replica: fn(&P) -> String) -> Box<dyn Property<P>> {
    eventually(
        "Convergence",
        "Once the network has been quiet for a while, every replica holds the same state.",
        ACTIVITY,
        Quiet {
            replica,
            quiet_us,
            last: None,
        },
        |quiet, cx| {
            if let Some((id, _)) = cx.new_events().next() {
                quiet.last = Some((cx.now, id));
            }
            Verdict::Holds
        },
        |quiet, cx| {
            let since = quiet.last.map_or(0, |(at, _)| at.as_us());
            let all_up = cx.nodes.iter().all(|n| n.status() == NodeStatus::Up);
            if cx.now.as_us().saturating_sub(since) < quiet.quiet_us || !all_up {
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
