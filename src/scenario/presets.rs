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
        id: "heartbeat-lossy",
        topic: "System models",
        json: include_str!("presets/heartbeat-lossy.json"),
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
