//! The snapshot: plain data describing the whole system at the current instant, for the inspector,
//! the diagram and the topology.

use super::{PropertyReport, Sim, Stats};
use crate::engine::byzantine::Strategy;
use crate::engine::ids::{EventId, MsgId, NodeId, TimerId};
use crate::engine::network::LinkConfig;
use crate::engine::protocol::{NodeStatus, NodeView, Protocol};
use crate::engine::time::SimTime;
use crate::engine::trace::DropReason;
use crate::engine::world::{Item, Place};
use serde::Serialize;

/// A pending timer, as the inspector lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimerInfo {
    pub timer: TimerId,
    pub name: &'static str,
    pub set: EventId,
    pub fires_at: SimTime,
}

/// One node at the current instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeSnapshot {
    pub id: NodeId,
    pub status: NodeStatus,
    /// Wall-clock reading now.
    pub clock_us: i64,
    pub drift_ppm: i32,
    pub lamport: u64,
    pub last_event: Option<EventId>,
    /// `None` while crashed.
    pub view: Option<NodeView>,
    /// The text a student may edit in place (`Protocol::editable_text`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub timers: Vec<TimerInfo>,
    /// How the node lies, once it has turned traitor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traitor: Option<Strategy>,
}

/// One copy of a message still in the network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InFlight {
    pub send: EventId,
    pub msg: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: SimTime,
    pub arrive_at: SimTime,
    /// Waiting on a held link.
    pub held: bool,
    /// Already decided to be lost when it arrives.
    pub doomed: Option<DropReason>,
}

/// Plain data describing the whole system at the current instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub now: SimTime,
    pub nodes: Vec<NodeSnapshot>,
    pub in_flight: Vec<InFlight>,
    pub blocked: Vec<(NodeId, NodeId)>,
    pub held: Vec<(NodeId, NodeId)>,
    pub default_link: LinkConfig,
    pub links: Vec<(NodeId, NodeId, LinkConfig)>,
    pub properties: Vec<PropertyReport>,
    pub stats: Stats,
}

/// Messages by arrival, then send. Sorting outside `Sim<P>`'s methods keeps one copy of the sort for
/// every protocol: a closure inside a generic method is a new type for each protocol.
fn sort_in_flight(list: &mut [InFlight]) {
    list.sort_by_key(|m| (m.arrive_at, m.send));
}

/// Timers by the instant they fire, then number (one sort for every protocol, as above).
fn sort_timers(list: &mut [TimerInfo]) {
    list.sort_by_key(|t| (t.fires_at, t.timer));
}

impl<P: Protocol> Sim<P> {
    /// A plain-data picture of the system now.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.world.now;
        let mut timers: Vec<Vec<TimerInfo>> = vec![Vec::new(); self.nodes as usize];
        let mut in_flight = Vec::new();
        for entry in &self.world.entries {
            match &entry.item {
                Some(Item::Timer {
                    node,
                    timer,
                    kind,
                    incarnation,
                    set,
                    ..
                }) if *incarnation == self.world.nodes[node.index()].incarnation => {
                    timers[node.index()].push(TimerInfo {
                        timer: *timer,
                        name: P::timer_name(kind),
                        set: *set,
                        fires_at: entry.at,
                    });
                }
                Some(Item::Deliver {
                    msg,
                    from,
                    to,
                    send,
                    doomed,
                    ..
                }) if entry.place != Place::Inbox => {
                    in_flight.push(InFlight {
                        send: *send,
                        msg: *msg,
                        from: *from,
                        to: *to,
                        sent_at: self.log.events[send.index()].time,
                        arrive_at: entry.at,
                        held: entry.place == Place::Held,
                        doomed: *doomed,
                    });
                }
                _ => {}
            }
        }
        sort_in_flight(&mut in_flight);
        let nodes = self
            .world
            .nodes
            .iter()
            .zip(timers)
            .map(|(node, mut timers)| {
                sort_timers(&mut timers);
                NodeSnapshot {
                    id: node.id,
                    status: match (node.status, node.last) {
                        (NodeStatus::Crashed, None) => NodeStatus::NotStarted,
                        (status, _) => status,
                    },
                    clock_us: node.clock.read(now),
                    drift_ppm: node.clock.drift_ppm(),
                    lamport: node.lamport,
                    last_event: node.last,
                    view: node.state.as_deref().map(P::view),
                    text: node.state.as_deref().and_then(P::editable_text),
                    timers,
                    traitor: node.traitor,
                }
            })
            .collect();
        Snapshot {
            now,
            nodes,
            in_flight,
            blocked: self.world.network.blocked_pairs(),
            held: self.world.network.held_pairs(),
            default_link: self.world.network.default_config(),
            links: self.world.network.overrides().collect(),
            properties: self.properties(),
            stats: self.stats(),
        }
    }
}
