//! Interventions: every fault and every hand-made change to a run, as data. Scheduled ones come from
//! the scenario's fault script; interactive ones are recorded into the scenario at the instant they
//! were applied, so replay reproduces them.

use crate::engine::byzantine::Strategy;
use crate::engine::ids::{EventId, NodeId, join_nodes};
use crate::engine::network::LinkConfig;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// One intervention. Verbs come in the pairs people use: crash/restart, pause/resume,
/// partition/heal, hold/release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Stop the node, losing its volatile state, pending timers and unprocessed messages.
    Crash {
        node: NodeId,
    },
    /// Start a crashed node again from its stable storage.
    Restart {
        node: NodeId,
    },
    /// Freeze the node (think of a long GC pause): messages and timers wait for `resume`.
    Pause {
        node: NodeId,
    },
    Resume {
        node: NodeId,
    },
    /// Split the nodes into groups that cannot reach each other; unnamed nodes form one more group.
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    /// Block messages from every node in `from` to every node in `to`, but not back.
    PartitionOneWay {
        from: Vec<NodeId>,
        to: Vec<NodeId>,
    },
    /// Remove every partition.
    Heal,
    /// Keep messages on the link `from → to` waiting until `release`.
    Hold {
        from: NodeId,
        to: NodeId,
    },
    Release {
        from: NodeId,
        to: NodeId,
    },
    /// Change how the link `from → to` behaves from now on.
    SetLink {
        from: NodeId,
        to: NodeId,
        link: LinkConfig,
    },
    /// Move the node's wall clock by `by_us` (negative sets it back).
    ClockJump {
        node: NodeId,
        by_us: i64,
    },
    /// Change how fast the node's clock runs.
    ClockDrift {
        node: NodeId,
        ppm: i32,
    },
    /// Drop every in-flight copy of the message sent by event `send`.
    DropMessage {
        send: EventId,
    },
    /// Deliver one more copy of the message sent by event `send`, arriving with the original.
    DuplicateMessage {
        send: EventId,
    },
    /// Deliver the in-flight message sent by event `send` right now: every copy of it, or with
    /// `one` only the copy due first, leaving a duplicated message's other copy in flight.
    DeliverMessage {
        send: EventId,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        one: bool,
    },
    /// Make the in-flight message sent by event `send` arrive `by_us` later.
    DelayMessage {
        send: EventId,
        by_us: u64,
    },
    /// Alter every in-flight copy of the message sent by event `send`: each arrives as what the
    /// link forges of it (arbitrary links; protocols with Byzantine behaviours only).
    CorruptMessage {
        send: EventId,
    },
    /// Fire every pending timer of the node now (force a timeout).
    ExpireTimers {
        node: NodeId,
    },
    /// Turn the node into a traitor that lies by `strategy` from now on (for protocols with
    /// Byzantine behaviours, `Protocol::BYZANTINE`).
    Traitor {
        node: NodeId,
        strategy: Strategy,
    },
    /// A client sends `op` to the node.
    ClientRequest {
        node: NodeId,
        op: serde_json::Value,
    },
}

impl Action {
    /// The nodes the action names, for validation (without allocating: a search validates every
    /// fault of every seed).
    pub fn nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        use std::slice::from_ref as one;
        let none: &[NodeId] = &[];
        let (sides, groups): ([&[NodeId]; 2], &[Vec<NodeId>]) = match self {
            Action::Crash { node }
            | Action::Restart { node }
            | Action::Pause { node }
            | Action::Resume { node }
            | Action::ClockJump { node, .. }
            | Action::ClockDrift { node, .. }
            | Action::ExpireTimers { node }
            | Action::Traitor { node, .. }
            | Action::ClientRequest { node, .. } => ([one(node), none], &[]),
            Action::Partition { groups } => ([none, none], groups),
            Action::PartitionOneWay { from, to } => ([from, to], &[]),
            Action::Hold { from, to }
            | Action::Release { from, to }
            | Action::SetLink { from, to, .. } => ([one(from), one(to)], &[]),
            Action::Heal
            | Action::DropMessage { .. }
            | Action::DuplicateMessage { .. }
            | Action::DeliverMessage { .. }
            | Action::DelayMessage { .. }
            | Action::CorruptMessage { .. } => ([none, none], &[]),
        };
        sides
            .into_iter()
            .flatten()
            .chain(groups.iter().flatten())
            .copied()
    }

    /// A short description for people, e.g. "crash n2".
    pub fn describe(&self) -> String {
        let list = |nodes: &[NodeId]| join_nodes(nodes, ",");
        match self {
            Action::Crash { node } => format!("crash {node}"),
            Action::Restart { node } => format!("restart {node}"),
            Action::Pause { node } => format!("pause {node}"),
            Action::Resume { node } => format!("resume {node}"),
            Action::Partition { groups } => {
                let parts: Vec<String> = groups.iter().map(|g| format!("[{}]", list(g))).collect();
                format!("partition {}", parts.join(" | "))
            }
            Action::PartitionOneWay { from, to } => {
                format!("partition [{}] → [{}]", list(from), list(to))
            }
            Action::Heal => "heal".to_string(),
            Action::Hold { from, to } => format!("hold {from}→{to}"),
            Action::Release { from, to } => format!("release {from}→{to}"),
            Action::SetLink { from, to, .. } => format!("set link {from}→{to}"),
            Action::ClockJump { node, by_us } => {
                format!(
                    "jump {node}'s clock by {}",
                    crate::engine::time::format_us(i128::from(*by_us))
                )
            }
            Action::ClockDrift { node, ppm } => format!("set {node}'s drift to {ppm} ppm"),
            Action::DropMessage { send } => format!("drop message {send}"),
            Action::DuplicateMessage { send } => format!("duplicate message {send}"),
            Action::DeliverMessage { send, one: false } => format!("deliver message {send} now"),
            Action::DeliverMessage { send, one: true } => {
                format!("deliver one copy of message {send} now")
            }
            Action::DelayMessage { send, by_us } => {
                format!(
                    "delay message {send} by {}",
                    crate::engine::time::format_us(i128::from(*by_us))
                )
            }
            Action::CorruptMessage { send } => format!("corrupt message {send}"),
            Action::ExpireTimers { node } => format!("expire {node}'s timers"),
            Action::Traitor { node, strategy } => {
                format!("make {node} a {} traitor", strategy.label())
            }
            Action::ClientRequest { node, op } => format!("client request {op} to {node}"),
        }
    }
}

/// An action at a point in simulated time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scheduled {
    pub at_us: SimTime,
    #[serde(flatten)]
    pub action: Action,
}

/// Where in a scenario a value is, for an error message: formatted only when a message is shown,
/// since a search validates a scenario for every seed it tries.
#[derive(Clone, Copy, Debug)]
pub enum Place<'a> {
    /// A field, such as `workload.generator.target`.
    Field(&'a str),
    /// An entry of a list, such as `workload.requests[2]`.
    Entry(&'a str, usize),
    /// A scheduled action, with what it does, such as `faults[0] (crash n1)`.
    Scheduled(&'a str, usize, &'a Action),
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Field(name) => f.write_str(name),
            Place::Entry(list, i) => write!(f, "{list}[{i}]"),
            Place::Scheduled(list, i, action) => write!(f, "{list}[{i}] ({})", action.describe()),
        }
    }
}
