//! Built-in scenarios (lessons), grouped by topic. Each is a JSON file beside this module so it
//! doubles as an example of the scenario format.
//!
//! Natively the files are compiled in. The web build leaves them out (they would be a tenth of the
//! page's wasm) and the page fetches a lesson's file, which the build copies to `presets/`, when it
//! is opened, handing it over with `remember`; the course map reads `presets/course.json`, which is
//! compiled in everywhere (see `course`). The browser tests compile them in with the
//! `bundled-presets` feature.

use crate::scenario::{Scenario, ScenarioError};

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// Stable identifier, used in links and tests.
    pub id: &'static str,
    pub topic: &'static str,
    /// What running it to its horizon must show.
    pub expect: Expect,
}

/// What a preset's run must show by its horizon (`tests/presets.rs` checks every preset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The property whose violation the lesson is about, recorded before any other; `None`: the
    /// run is clean.
    pub violates: Option<&'static str>,
    /// The `sometimes` properties this lesson never exercises on purpose (a run with no faults has
    /// no suspicion to judge); every other one must be seen, or a checker went vacuous.
    pub unseen: &'static [&'static str],
}

impl Preset {
    /// Its scenario's JSON; `None` in the web build until the page has fetched it.
    pub fn json(&self) -> Option<&'static str> {
        #[cfg(any(not(target_arch = "wasm32"), feature = "bundled-presets"))]
        let json = BUNDLED
            .iter()
            .find(|(id, _)| *id == self.id)
            .map(|&(_, json)| json);
        #[cfg(all(target_arch = "wasm32", not(feature = "bundled-presets")))]
        let json = None;
        #[cfg(target_arch = "wasm32")]
        let json = json.or_else(|| LOADED.with(|loaded| loaded.borrow().get(self.id).copied()));
        json
    }

    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        let json = self.json().ok_or_else(|| {
            ScenarioError(format!("the lesson `{}` has not been loaded yet", self.id))
        })?;
        Scenario::from_json(json)
    }
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// The presets' JSON the page has fetched, by id. Each is kept for the page's lifetime (at
    /// most every preset once), so it can be lent out like the compiled-in text.
    static LOADED: std::cell::RefCell<std::collections::BTreeMap<&'static str, &'static str>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// Hands over the JSON of preset `id`, fetched by the page; `false` if there is no such preset.
/// The first copy of each is kept.
#[cfg(target_arch = "wasm32")]
pub fn remember(id: &str, json: String) -> bool {
    let Some(preset) = find(id) else {
        return false;
    };
    LOADED.with(|loaded| {
        loaded
            .borrow_mut()
            .entry(preset.id)
            .or_insert_with(|| Box::leak(json.into_boxed_str()));
    });
    true
}

/// Lists the presets by topic in the order of the course (Kleppmann's lectures: RPC, the two
/// generals and system models, failure detectors, physical then logical time, broadcast, consensus
/// (Raft, then Paxos and Multi-Paxos), primary-backup, chain replication and CRAQ, a coordination service, atomic commit),
/// each id written once: its scenario is `presets/ID.json`. An entry
/// may say which property the run must violate (`"x" violates "Agreement"`) and which `sometimes`
/// properties it never exercises (`unseen ["A suspicion"]`). Adding a preset is adding its file and
/// its line here.
macro_rules! presets {
    ($($topic:literal => [
        $($id:literal $(violates $violates:literal)? $(unseen [$($unseen:literal),*])?),* $(,)?
    ],)*) => {
        /// Every built-in scenario, grouped by topic in the order of the course.
        pub const PRESETS: &[Preset] = &[
            $($(Preset {
                id: $id,
                topic: $topic,
                expect: Expect {
                    violates: presets!(@violates $($violates)?),
                    unseen: &[$($($unseen),*)?],
                },
            },)*)*
        ];

        /// Every preset's JSON, by id (not in the web build: see the module's text).
        #[cfg(any(not(target_arch = "wasm32"), feature = "bundled-presets"))]
        const BUNDLED: &[(&str, &str)] = &[
            $($(($id, include_str!(concat!("presets/", $id, ".json"))),)*)*
        ];
    };
    (@violates) => { None };
    (@violates $violates:literal) => { Some($violates) };
}

presets! {
    "Remote procedure calls" => [
        "rpc-at-least-once" violates "Effect at most once",
        "rpc-at-most-once" violates "Outcome known",
        "rpc-exactly-once",
        "rpc-break-volatile-dedup" violates "Effect at most once",
    ],
    "Two generals" => [
        "generals-messengers",
        "generals-last-lost" violates "Agreement",
        "generals-lossy" violates "Agreement",
    ],
    "Byzantine generals" => [
        "byzantine-om-lieutenant",
        "byzantine-om-commander",
        "byzantine-om-three" violates "IC2: loyal commander obeyed",
        "byzantine-sm-three",
        "byzantine-om-seven",
        "byzantine-forged-link",
        "byzantine-om-forged-link" violates "IC2: loyal commander obeyed",
    ],
    "System models" => [
        "heartbeat-lossy" unseen ["A suspicion"],
        "models-detector-sync",
        "models-detector-async" violates "Accuracy",
        "models-raft-gst",
    ],
    "Failure detectors" => [
        "heartbeat-basic" unseen ["A suspicion"],
        "heartbeat-crash",
        "heartbeat-pause" violates "Accuracy",
        "heartbeat-partition" violates "Accuracy",
        "heartbeat-adaptive" violates "Accuracy",
    ],
    "Time and clocks" => [
        "clock-drift",
        "clock-cristian",
        "clock-asymmetric",
        "clock-break-ignore-rtt" violates "Sync accuracy",
        "clock-berkeley",
        "clock-lww-jump" violates "Last writer wins",
    ],
    "Logical clocks" => [
        "logical-clocks",
        "logical-random",
        "logical-break-forget-max" violates "Lamport clock condition",
    ],
    "Broadcast" => [
        "broadcast-best-effort" violates "Agreement",
        "broadcast-reliable",
        "broadcast-gossip" violates "Agreement",
        "broadcast-fifo",
        "broadcast-break-fifo" violates "FIFO order",
        "broadcast-causal",
        "broadcast-break-causal" violates "Causal order",
        "broadcast-total-sequencer",
        "broadcast-total-lamport",
        "broadcast-break-total" violates "Total order",
    ],
    "Quorums: the ABD register" => [
        "abd-basic",
        "abd-write-back",
        "abd-break-skip-write-back" violates "Linearizable" unseen ["A read writes back"],
        "abd-partition" unseen ["A read writes back"],
        "abd-break-minority-quorum" violates "Linearizable" unseen ["A read writes back"],
    ],
    "Leaderless replication: Dynamo" => [
        "dynamo-quorums" unseen ["Siblings"],
        "dynamo-siblings" unseen ["A read repair"],
        "dynamo-break-weak-quorums" violates "Fresh reads" unseen ["Siblings", "A read repair"],
        "dynamo-hinted-handoff" unseen ["Siblings", "A read repair"],
        "dynamo-break-sloppy-quorum" violates "Fresh reads" unseen ["Siblings", "A read repair"],
        "dynamo-anti-entropy" unseen ["Siblings", "A read repair"],
    ],
    "CAP: consistency or availability" => [
        "cap-cp" violates "Available",
        "cap-ap" violates "Fresh reads" unseen ["Siblings"],
    ],
    "Consistency models" => [
        "models-stale-read" violates "Fresh reads" unseen ["Siblings"],
        "models-read-your-writes" violates "Fresh reads" unseen ["Siblings"],
        "models-monotonic-reads" violates "Fresh reads" unseen ["Siblings", "A read repair"],
        "models-monotonic-writes" violates "Fresh reads" unseen ["Siblings"],
        "models-writes-follow-reads" violates "Fresh reads" unseen ["Siblings"],
        "models-eventual" violates "Fresh reads" unseen ["Siblings"],
    ],
    "Consensus: Raft" => [
        "raft-election",
        "raft-basic",
        "raft-leader-crash",
        "raft-partition",
        "raft-figure8",
        "raft-break-vote-check" violates "Leader Completeness",
        "raft-break-figure8" violates "Leader Completeness",
        "raft-break-voted-for" violates "Election Safety",
        "raft-break-fixed-timeout" violates "Leader after heal" unseen ["A leader"],
    ],
    "Consensus: Paxos" => [
        "paxos-basic",
        "paxos-proposer-crash",
        "paxos-duel" violates "Termination" unseen ["A value learned"],
        "paxos-backoff",
        "paxos-break-ignore-accepted" violates "One value chosen",
        "paxos-break-forget-promise" violates "One value chosen",
        "paxos-break-small-quorum" violates "Learned only if chosen",
    ],
    "Consensus: Multi-Paxos" => [
        "multipaxos-basic",
        "multipaxos-leader-crash",
        "multipaxos-recovery",
        "multipaxos-break-ignore-accepted" violates "One value chosen",
    ],
    "Primary-backup" => [
        "pb-basic",
        "pb-partition",
        "pb-break-local-reads" violates "Linearizable reads",
    ],
    "Chain replication and CRAQ" => [
        "chain-basic" unseen ["The chain repaired", "A server joins"],
        "chain-repair",
        "chain-reads" unseen ["The chain repaired", "A server joins"],
        "craq-reads" unseen ["The chain repaired", "A server joins"],
        "craq-break-version-check" violates "Linearizable reads" unseen ["The chain repaired", "A server joins", "A dirty read asks the tail"],
        "chain-break-ack-at-head" violates "Acknowledged writes survive a crash" unseen ["A server joins"],
    ],
    "Coordination service (ZooKeeper)" => [
        "zk-stale-read" violates "Linearizable reads",
        "zk-sync",
        "zk-break-sync-locally" violates "Fresh after sync",
        "zk-break-read-before-catch-up" violates "Sequentially consistent",
    ],
    "Atomic commit" => [
        "2pc-commit",
        "2pc-abort" unseen ["A commit"],
        "2pc-blocking" violates "Termination" unseen ["A commit"],
        "2pc-break-majority" violates "Commit validity",
        "2pc-break-timeout" violates "Agreement",
        "2pc-break-unlogged" violates "Agreement",
        "3pc-commit" unseen ["A recovery coordinator"],
        "3pc-no-blocking" unseen ["A commit"],
        "3pc-partition" violates "Agreement",
        "paxos-commit" unseen ["A recovery ballot"],
        "paxos-commit-no-blocking",
        "paxos-commit-break-skip-phase-one" violates "Agreement",
    ],
    "Eventual consistency: CRDTs" => [
        "crdt-counter",
        "crdt-orset" unseen ["Concurrent updates"],
        "crdt-break-best-effort" violates "Strong convergence" unseen ["Concurrent updates"],
        "crdt-text",
    ],
}

/// Presets that tell one story under different designs: the page offers a switch between them
/// that keeps the moment of the run (the same requests and faults, another design).
pub const SWITCHES: &[&[(&str, &str)]] = &[&[
    ("CP: majority quorums", "cap-cp"),
    ("AP: sloppy quorums, last writer wins", "cap-ap"),
]];

/// The designs preset `id` can be switched between, itself among them.
pub fn designs(id: &str) -> Option<&'static [(&'static str, &'static str)]> {
    SWITCHES
        .iter()
        .copied()
        .find(|designs| designs.iter().any(|&(_, p)| p == id))
}

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}
