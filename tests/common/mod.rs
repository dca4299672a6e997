//! Helpers for story-like engine tests: build a scenario, act on it, look at the trace.
#![allow(dead_code)]

use causeway::engine::action::Action;
use causeway::engine::network::{Delay, LinkConfig};
use causeway::engine::run::Run;
use causeway::engine::time::{SimTime, parse_duration_us};
use causeway::engine::trace::{EventKind, TraceEvent};
use causeway::engine::{EventId, NodeId};
use causeway::protocols::heartbeat::HeartbeatParams;
use causeway::scenario::{ProtocolConfig, Scenario};

pub fn n(one_based: u32) -> NodeId {
    NodeId(one_based - 1)
}

pub fn us(text: &str) -> SimTime {
    SimTime(parse_duration_us(text).expect("test durations are valid"))
}

/// A heartbeat scenario with `nodes` nodes over 1–5 ms links and a ten-second horizon.
pub fn heartbeat(nodes: u32, seed: u64) -> Scenario {
    let mut scenario =
        causeway::bench::heartbeat_scenario(causeway::bench::Shape::AllToAll, nodes, us("10s"));
    scenario.seed = seed;
    scenario.protocol = ProtocolConfig::Heartbeat(HeartbeatParams {
        interval_us: 100_000,
        timeout_us: 350_000,
        adaptive: false,
        successors: None,
    });
    scenario
}

pub fn link(min_us: u64, max_us: u64) -> LinkConfig {
    LinkConfig {
        delay: Delay::Uniform { min_us, max_us },
        ..LinkConfig::default()
    }
}

/// A run driven step by step, the way the UI drives it.
pub struct Story {
    pub run: Box<dyn Run>,
}

impl Story {
    pub fn new(scenario: &Scenario) -> Story {
        Story {
            run: scenario.build().expect("story scenarios are valid"),
        }
    }

    pub fn run_to(&mut self, at: &str) -> &mut Self {
        self.run.run_until(us(at));
        self
    }

    pub fn act(&mut self, action: Action) -> &mut Self {
        self.run.apply(action).expect("story actions are valid");
        self
    }

    pub fn events(&self) -> &[TraceEvent] {
        self.run.events()
    }

    /// Events on `node` with true time in `from..to`.
    pub fn on_node(&self, node: NodeId, from: SimTime, to: SimTime) -> Vec<(EventId, TraceEvent)> {
        self.events()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.node == Some(node) && e.time >= from && e.time < to)
            .map(|(i, e)| (EventId(i as u32), e.clone()))
            .collect()
    }

    pub fn count(&self, pred: impl Fn(&TraceEvent) -> bool) -> usize {
        self.events().iter().filter(|e| pred(e)).count()
    }

    /// The first in-flight message from `from` to `to`.
    pub fn in_flight(&self, from: NodeId, to: NodeId) -> Option<EventId> {
        self.run
            .snapshot()
            .in_flight
            .iter()
            .find(|m| m.from == from && m.to == to)
            .map(|m| m.send)
    }
}

pub fn is_deliver(e: &TraceEvent) -> bool {
    matches!(e.kind, EventKind::Deliver { .. })
}

/// How many seeds randomized tests try: `CAUSEWAY_SEEDS` widens the sweep.
pub fn seed_count(default: u64) -> u64 {
    std::env::var("CAUSEWAY_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The line a failing randomized test prints so the failure can be reproduced.
pub fn reproduce(scenario: &Scenario) -> String {
    format!(
        "reproduce with: cargo run --release --bin sim -- run <file> where <file> holds\n{}",
        serde_json::to_string(scenario).expect("scenarios serialise")
    )
}

/// The `raft-basic` lesson with its Raft parameters edited, the base of the randomized Raft tests.
pub fn raft_base(edit: impl FnOnce(&mut causeway::protocols::raft::RaftParams)) -> Scenario {
    let mut scenario = causeway::scenario::presets::find("raft-basic")
        .unwrap()
        .scenario()
        .unwrap();
    if let ProtocolConfig::Raft(params) = &mut scenario.protocol {
        edit(params);
    }
    scenario
}
