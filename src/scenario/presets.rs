//! Built-in scenarios (lessons), grouped by topic. Each is a JSON file beside this module so it
//! doubles as an example of the scenario format.

use crate::scenario::{Scenario, ScenarioError};

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Stable identifier, used in links and tests.
    pub id: &'static str,
    pub topic: &'static str,
    pub json: &'static str,
}

impl Preset {
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(self.json)
    }
}

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "heartbeat-basic",
        topic: "Failure detectors",
        json: include_str!("presets/heartbeat-basic.json"),
    },
    Preset {
        id: "heartbeat-crash",
        topic: "Failure detectors",
        json: include_str!("presets/heartbeat-crash.json"),
    },
    Preset {
        id: "heartbeat-pause",
        topic: "Failure detectors",
        json: include_str!("presets/heartbeat-pause.json"),
    },
    Preset {
        id: "heartbeat-partition",
        topic: "Failure detectors",
        json: include_str!("presets/heartbeat-partition.json"),
    },
    Preset {
        id: "heartbeat-adaptive",
        topic: "Failure detectors",
        json: include_str!("presets/heartbeat-adaptive.json"),
    },
    Preset {
        id: "heartbeat-lossy",
        topic: "System models",
        json: include_str!("presets/heartbeat-lossy.json"),
    },
    Preset {
        id: "clock-drift",
        topic: "Time and clocks",
        json: include_str!("presets/clock-drift.json"),
    },
    Preset {
        id: "clock-cristian",
        topic: "Time and clocks",
        json: include_str!("presets/clock-cristian.json"),
    },
    Preset {
        id: "clock-asymmetric",
        topic: "Time and clocks",
        json: include_str!("presets/clock-asymmetric.json"),
    },
    Preset {
        id: "clock-break-ignore-rtt",
        topic: "Time and clocks",
        json: include_str!("presets/clock-break-ignore-rtt.json"),
    },
    Preset {
        id: "clock-berkeley",
        topic: "Time and clocks",
        json: include_str!("presets/clock-berkeley.json"),
    },
    Preset {
        id: "clock-lww-jump",
        topic: "Time and clocks",
        json: include_str!("presets/clock-lww-jump.json"),
    },
    Preset {
        id: "logical-clocks",
        topic: "Logical clocks",
        json: include_str!("presets/logical-clocks.json"),
    },
    Preset {
        id: "logical-random",
        topic: "Logical clocks",
        json: include_str!("presets/logical-random.json"),
    },
    Preset {
        id: "logical-break-forget-max",
        topic: "Logical clocks",
        json: include_str!("presets/logical-break-forget-max.json"),
    },
    Preset {
        id: "broadcast-best-effort",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-best-effort.json"),
    },
    Preset {
        id: "broadcast-reliable",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-reliable.json"),
    },
    Preset {
        id: "broadcast-gossip",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-gossip.json"),
    },
    Preset {
        id: "broadcast-fifo",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-fifo.json"),
    },
    Preset {
        id: "broadcast-break-fifo",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-break-fifo.json"),
    },
    Preset {
        id: "broadcast-causal",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-causal.json"),
    },
    Preset {
        id: "broadcast-break-causal",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-break-causal.json"),
    },
    Preset {
        id: "broadcast-total-sequencer",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-total-sequencer.json"),
    },
    Preset {
        id: "broadcast-total-lamport",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-total-lamport.json"),
    },
    Preset {
        id: "broadcast-break-total",
        topic: "Broadcast",
        json: include_str!("presets/broadcast-break-total.json"),
    },
    Preset {
        id: "generals-messengers",
        topic: "Agreement",
        json: include_str!("presets/generals-messengers.json"),
    },
    Preset {
        id: "generals-last-lost",
        topic: "Agreement",
        json: include_str!("presets/generals-last-lost.json"),
    },
    Preset {
        id: "generals-lossy",
        topic: "Agreement",
        json: include_str!("presets/generals-lossy.json"),
    },
    Preset {
        id: "rpc-at-least-once",
        topic: "RPC",
        json: include_str!("presets/rpc-at-least-once.json"),
    },
    Preset {
        id: "rpc-at-most-once",
        topic: "RPC",
        json: include_str!("presets/rpc-at-most-once.json"),
    },
    Preset {
        id: "rpc-exactly-once",
        topic: "RPC",
        json: include_str!("presets/rpc-exactly-once.json"),
    },
    Preset {
        id: "rpc-break-volatile-dedup",
        topic: "RPC",
        json: include_str!("presets/rpc-break-volatile-dedup.json"),
    },
    Preset {
        id: "raft-election",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-election.json"),
    },
    Preset {
        id: "raft-basic",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-basic.json"),
    },
    Preset {
        id: "raft-leader-crash",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-leader-crash.json"),
    },
    Preset {
        id: "raft-partition",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-partition.json"),
    },
    Preset {
        id: "raft-figure8",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-figure8.json"),
    },
    Preset {
        id: "raft-break-vote-check",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-break-vote-check.json"),
    },
    Preset {
        id: "raft-break-figure8",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-break-figure8.json"),
    },
    Preset {
        id: "raft-break-voted-for",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-break-voted-for.json"),
    },
    Preset {
        id: "raft-break-fixed-timeout",
        topic: "Consensus: Raft",
        json: include_str!("presets/raft-break-fixed-timeout.json"),
    },
];

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
