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

/// Lists the presets by topic, each id written once: its scenario is `presets/ID.json`. Adding a
/// preset is adding its file and its id here.
macro_rules! presets {
    ($($topic:literal => [$($id:literal),* $(,)?],)*) => {
        /// Every built-in scenario, grouped by topic in the order of the course.
        pub const PRESETS: &[Preset] = &[
            $($(Preset {
                id: $id,
                topic: $topic,
                json: include_str!(concat!("presets/", $id, ".json")),
            },)*)*
        ];
    };
}

presets! {
    "Failure detectors" => [
        "heartbeat-basic",
        "heartbeat-crash",
        "heartbeat-pause",
        "heartbeat-partition",
        "heartbeat-adaptive",
    ],
    "System models" => [
        "heartbeat-lossy",
    ],
    "Time and clocks" => [
        "clock-drift",
        "clock-cristian",
        "clock-asymmetric",
        "clock-break-ignore-rtt",
        "clock-berkeley",
        "clock-lww-jump",
    ],
    "Logical clocks" => [
        "logical-clocks",
        "logical-random",
        "logical-break-forget-max",
    ],
    "Broadcast" => [
        "broadcast-best-effort",
        "broadcast-reliable",
        "broadcast-gossip",
        "broadcast-fifo",
        "broadcast-break-fifo",
        "broadcast-causal",
        "broadcast-break-causal",
        "broadcast-total-sequencer",
        "broadcast-total-lamport",
        "broadcast-break-total",
    ],
    "Agreement" => [
        "generals-messengers",
        "generals-last-lost",
        "generals-lossy",
    ],
    "RPC" => [
        "rpc-at-least-once",
        "rpc-at-most-once",
        "rpc-exactly-once",
        "rpc-break-volatile-dedup",
    ],
    "Consensus: Raft" => [
        "raft-election",
        "raft-basic",
        "raft-leader-crash",
        "raft-partition",
        "raft-figure8",
        "raft-break-vote-check",
        "raft-break-figure8",
        "raft-break-voted-for",
        "raft-break-fixed-timeout",
    ],
}

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
