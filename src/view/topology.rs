//! The topology view as geometry: nodes on a ring, a line per pair of nodes coloured by the state of
//! its links, and every message in flight as a dot along its link.

use crate::engine::byzantine::Strategy;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::network::LinkConfig;
use crate::engine::protocol::NodeStatus;
use crate::engine::sim::Snapshot;

/// Above this many nodes the links are not drawn: the ring would be a solid disc.
pub const MAX_LINKED_NODES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkState {
    Healthy,
    /// Loses, duplicates or has been changed from the default.
    Degraded,
    Held,
    Partitioned,
}

impl LinkState {
    pub fn class(self) -> &'static str {
        match self {
            LinkState::Healthy => "link-healthy",
            LinkState::Degraded => "link-degraded",
            LinkState::Held => "link-held",
            LinkState::Partitioned => "link-partitioned",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            LinkState::Healthy => "healthy",
            LinkState::Degraded => "slow, lossy or changed",
            LinkState::Held => "held",
            LinkState::Partitioned => "partitioned",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoNode {
    pub node: NodeId,
    pub x: f64,
    pub y: f64,
    pub name: String,
    pub role: Option<String>,
    pub status: NodeStatus,
    /// How the node lies, if it has turned traitor.
    pub traitor: Option<Strategy>,
}

/// The two directed links between a pair of nodes, drawn as one line.
#[derive(Clone, Debug, PartialEq)]
pub struct TopoLink {
    pub a: NodeId,
    pub b: NodeId,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    /// `a → b` and `b → a`.
    pub forward: LinkState,
    pub backward: LinkState,
}

impl TopoLink {
    /// The worse of the two directions, which colours the line.
    pub fn state(&self) -> LinkState {
        self.forward.max(self.backward)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopoMessage {
    pub send: EventId,
    pub x: f64,
    pub y: f64,
    pub held: bool,
    pub doomed: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopologyLayout {
    pub size: f64,
    pub radius: f64,
    pub nodes: Vec<TopoNode>,
    pub links: Vec<TopoLink>,
    pub messages: Vec<TopoMessage>,
}

/// The state of the directed link `from → to` in `snapshot`.
pub fn link_state(snapshot: &Snapshot, from: NodeId, to: NodeId) -> LinkState {
    if snapshot.blocked.contains(&(from, to)) {
        LinkState::Partitioned
    } else if snapshot.held.contains(&(from, to)) {
        LinkState::Held
    } else if link_config(snapshot, from, to) != snapshot.default_link
        || snapshot.default_link.loss_ppm > 0
        || snapshot.default_link.duplicate_ppm > 0
    {
        LinkState::Degraded
    } else {
        LinkState::Healthy
    }
}

/// The configuration of the directed link `from → to`.
pub fn link_config(snapshot: &Snapshot, from: NodeId, to: NodeId) -> LinkConfig {
    snapshot
        .links
        .iter()
        .find(|(a, b, _)| *a == from && *b == to)
        .map_or(snapshot.default_link, |(_, _, config)| *config)
}

/// Lays the nodes out on a ring in a square `size` wide, node 1 at the top, clockwise.
pub fn layout(snapshot: &Snapshot, size: f64) -> TopologyLayout {
    let n = snapshot.nodes.len();
    let centre = size / 2.0;
    let radius = if n <= 1 { 0.0 } else { size / 2.0 - 30.0 };
    let position = |i: usize| {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
        (centre + radius * angle.cos(), centre + radius * angle.sin())
    };
    let nodes = snapshot
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let (x, y) = position(i);
            TopoNode {
                node: node.id,
                x,
                y,
                name: node.id.to_string(),
                role: node.view.as_ref().and_then(|v| v.role.clone()),
                status: node.status,
                traitor: node.traitor,
            }
        })
        .collect();
    let mut links = Vec::new();
    if n <= MAX_LINKED_NODES {
        for a in 0..n {
            for b in a + 1..n {
                let (x1, y1) = position(a);
                let (x2, y2) = position(b);
                let (na, nb) = (NodeId(a as u32), NodeId(b as u32));
                links.push(TopoLink {
                    a: na,
                    b: nb,
                    x1,
                    y1,
                    x2,
                    y2,
                    forward: link_state(snapshot, na, nb),
                    backward: link_state(snapshot, nb, na),
                });
            }
        }
    }
    let messages = snapshot
        .in_flight
        .iter()
        .filter(|m| m.from.index() < n && m.to.index() < n)
        .map(|m| {
            let (x1, y1) = position(m.from.index());
            let (x2, y2) = position(m.to.index());
            let total = m.arrive_at.0.saturating_sub(m.sent_at.0).max(1) as f64;
            let done = (snapshot.now.0.saturating_sub(m.sent_at.0) as f64 / total).clamp(0.0, 1.0);
            let fraction = if m.held { 0.5 } else { 0.1 + 0.8 * done };
            // Offset each direction to its own side of the line so ping and pong do not overlap.
            let (dx, dy) = (x2 - x1, y2 - y1);
            let length = dx.hypot(dy).max(1.0);
            let (ox, oy) = (-dy / length * 3.5, dx / length * 3.5);
            TopoMessage {
                send: m.send,
                x: x1 + dx * fraction + ox,
                y: y1 + dy * fraction + oy,
                held: m.held,
                doomed: m.doomed.is_some(),
            }
        })
        .collect();
    TopologyLayout {
        size,
        radius,
        nodes,
        links,
        messages,
    }
}
