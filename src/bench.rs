//! Standard benchmark workloads, shared by `sim bench` (native) and the bench page (wasm) so the
//! two print comparable figures. The caller supplies the wall clock; the engine never reads one.

use crate::engine::network::{Delay, LinkConfig, NetworkConfig};
use crate::engine::run::Run;
use crate::engine::sim::{Generator, MAX_EVENTS, RetryPolicy, Target, Workload};
use crate::engine::time::SimTime;
use crate::protocols::heartbeat::HeartbeatParams;
use crate::protocols::multipaxos::MultiPaxosParams;
use crate::protocols::raft::RaftParams;
use crate::scenario::{Clocks, FORMAT_VERSION, MAX_HORIZON_US, ProtocolConfig, Scenario};
use crate::view::format;

/// A fault-free benchmark scenario: `nodes` nodes running `protocol` over links with a uniform
/// one-way delay in `min_us..=max_us`, seed 7, until `horizon`.
fn benchmark(
    name: &str,
    protocol: ProtocolConfig,
    nodes: u32,
    horizon: SimTime,
    (min_us, max_us): (u64, u64),
    workload: Workload,
) -> Scenario {
    Scenario {
        version: FORMAT_VERSION,
        name: format!("{name} benchmark, {nodes} nodes"),
        description: String::new(),
        protocol,
        nodes,
        seed: 7,
        horizon_us: horizon,
        network: NetworkConfig {
            default: LinkConfig {
                delay: Delay::Uniform { min_us, max_us },
                ..LinkConfig::default()
            },
            links: Vec::new(),
        },
        clocks: Clocks::default(),
        workload,
        faults: Vec::new(),
        interventions: Vec::new(),
        model: None,
        guide: None,
    }
}

/// Who pings whom in a heartbeat benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Every node pings every other: n² messages a round, so at 500 nodes 250,000 messages are in
    /// flight at once and each node keeps a table of 499 peers; the cost per event then measures
    /// the memory those take as much as the engine.
    AllToAll,
    /// Every node pings its next few nodes around the ring: the work per node, the messages in
    /// flight per node and the state touched per event stay the same at any size, so the cost per
    /// event measures the engine alone.
    Ring(u32),
}

/// The heartbeat workloads `sim bench` and the bench page run, in order.
pub const SHAPES: [Shape; 2] = [Shape::AllToAll, Shape::Ring(4)];

impl Shape {
    fn successors(self) -> Option<u32> {
        match self {
            Shape::AllToAll => None,
            Shape::Ring(k) => Some(k),
        }
    }

    /// Peers each node pings with `nodes` nodes.
    fn fanout(self, nodes: u32) -> u64 {
        let others = u64::from(nodes.saturating_sub(1));
        self.successors()
            .map_or(others, |k| others.min(u64::from(k)))
    }

    /// The heading of this workload's lines in the report.
    pub fn title(self) -> String {
        match self {
            Shape::AllToAll => {
                "all-to-all heartbeat (every node pings every other every 100 ms):".to_string()
            }
            Shape::Ring(k) => {
                format!("ring heartbeat (every node pings its {k} successors every 100 ms):")
            }
        }
    }
}

/// The heartbeat workload: every node pings the peers of `shape` every 100 ms over 1–5 ms links,
/// no faults.
pub fn heartbeat_scenario(shape: Shape, nodes: u32, horizon: SimTime) -> Scenario {
    let protocol = ProtocolConfig::Heartbeat(HeartbeatParams {
        interval_us: 100_000,
        timeout_us: 350_000,
        adaptive: false,
        successors: shape.successors(),
    });
    benchmark(
        "Heartbeat",
        protocol,
        nodes,
        horizon,
        (1_000, 5_000),
        Workload::default(),
    )
}

/// Roughly how many events one simulated second of the heartbeat workload produces: per node and
/// round, a timer fire and set, a ping and a pong sent per watched peer, and as many delivered.
fn heartbeat_events_per_sim_second(shape: Shape, nodes: u32) -> u64 {
    10 * u64::from(nodes) * (2 + 4 * shape.fanout(nodes))
}

/// The figures of one benchmark run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BenchResult {
    pub nodes: u32,
    pub events: u64,
    pub delivered: u64,
    /// Simulated time reached: the horizon, unless the run stopped at the event limit.
    pub sim_seconds: f64,
    pub wall_seconds: f64,
    /// The run stopped at the engine's event limit, short of its horizon.
    pub at_event_limit: bool,
}

impl BenchResult {
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.wall_seconds.max(1e-9)
    }

    pub fn sim_seconds_per_wall_second(&self) -> f64 {
        self.sim_seconds / self.wall_seconds.max(1e-9)
    }

    pub fn nanoseconds_per_event(&self) -> f64 {
        self.wall_seconds * 1e9 / self.events.max(1) as f64
    }

    /// One line of the report, the same natively and in the browser.
    pub fn line(&self) -> String {
        format!(
            "{:>4} nodes: {:>9} events in {:>7.3}s wall = {:>6.2} M events/s ({:>6.1} ns/event), {:>9.1} sim s per wall s{}",
            self.nodes,
            self.events,
            self.wall_seconds,
            self.events_per_second() / 1e6,
            self.nanoseconds_per_event(),
            self.sim_seconds_per_wall_second(),
            self.limit_note()
        )
    }

    /// Says so when the run stopped at the event limit, so no figure passes for the whole horizon.
    fn limit_note(&self) -> String {
        if self.at_event_limit {
            format!(
                " (stopped at the {}-event limit after {:.1} simulated seconds)",
                format::count(MAX_EVENTS as u64),
                self.sim_seconds
            )
        } else {
            String::new()
        }
    }
}

/// An untimed run of the first workload's size, so no measurement pays for growing the heap (the
/// wasm linear memory, or fresh pages natively) or, in the browser, for tier-up to optimised code.
pub fn warm_up(target_events: u64, wall_ms: &mut dyn FnMut() -> f64) {
    run_heartbeat(Shape::AllToAll, 5, target_events, wall_ms);
}

/// The horizon at which the heartbeat workload has produced about `target_events` events.
fn heartbeat_horizon(shape: Shape, nodes: u32, target_events: u64) -> SimTime {
    let per_second = heartbeat_events_per_sim_second(shape, nodes);
    SimTime((target_events.saturating_mul(1_000_000) / per_second).clamp(200_000, MAX_HORIZON_US))
}

/// Runs the heartbeat workload of `shape` with `nodes` nodes for about `target_events` events,
/// timing it with `wall_ms` (milliseconds from any fixed origin).
pub fn run_heartbeat(
    shape: Shape,
    nodes: u32,
    target_events: u64,
    wall_ms: &mut dyn FnMut() -> f64,
) -> BenchResult {
    let horizon = heartbeat_horizon(shape, nodes, target_events);
    timed(nodes, &heartbeat_scenario(shape, nodes, horizon), wall_ms)
}

/// The report line comparing the cost per event of the largest run with the smallest.
pub fn cost_ratio_line(first: &BenchResult, last: &BenchResult) -> String {
    ratio_line("event", first, last, BenchResult::nanoseconds_per_event)
}

/// The report line comparing the cost per delivered message of the largest run with the smallest.
pub fn message_cost_ratio_line(first: &BenchResult, last: &BenchResult) -> String {
    ratio_line("message", first, last, BenchResult::nanoseconds_per_message)
}

fn ratio_line(
    per: &str,
    first: &BenchResult,
    last: &BenchResult,
    cost: fn(&BenchResult) -> f64,
) -> String {
    format!(
        "cost per {per}, {} nodes vs {} nodes: {:.2}x",
        last.nodes,
        first.nodes,
        cost(last) / cost(first)
    )
}

/// Runs `scenario` to its horizon, timing only the run (not building it) with `wall_ms`.
fn timed(nodes: u32, scenario: &Scenario, wall_ms: &mut dyn FnMut() -> f64) -> BenchResult {
    let mut run: Box<dyn Run> = scenario.build().expect("the benchmark scenario is valid");
    let start = wall_ms();
    run.run_until(scenario.horizon_us);
    let wall_seconds = (wall_ms() - start) / 1e3;
    let stats = run.stats();
    BenchResult {
        nodes,
        events: stats.events,
        delivered: stats.delivered,
        sim_seconds: run.now().0 as f64 / 1e6,
        wall_seconds,
        at_event_limit: run.at_event_limit(),
    }
}

/// Bytes per event held by a run of the heartbeat workload with `nodes` nodes and about
/// `target_events` events: the trace, the message table, and the vector-clock index once built.
pub fn memory_per_event(nodes: u32, target_events: u64) -> (f64, f64) {
    let horizon = heartbeat_horizon(Shape::AllToAll, nodes, target_events);
    let scenario = heartbeat_scenario(Shape::AllToAll, nodes, horizon);
    let mut run = scenario.build().expect("the benchmark scenario is valid");
    run.run_until(horizon);
    run.causality();
    let memory = run.memory();
    let events = memory.events.max(1) as f64;
    let trace = (memory.trace_bytes + memory.message_bytes) as f64 / events;
    let causality = memory.causality_bytes as f64 / events;
    (trace, causality)
}

/// The replication protocols with a benchmark workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replication {
    Raft,
    MultiPaxos,
}

impl Replication {
    pub fn name(self) -> &'static str {
        match self {
            Replication::Raft => "raft",
            Replication::MultiPaxos => "multipaxos",
        }
    }
}

/// The replication workload: one-way latency uniform in [10, 15) ms, election timeouts in
/// [100, 200) ms, heartbeats every 50 ms, one client request every 100 ms (to the nodes in turn,
/// so followers redirect), no faults; Raft's or Multi-Paxos's, the same in every other way.
pub fn replication_scenario(which: Replication, nodes: u32, horizon: SimTime) -> Scenario {
    let protocol = match which {
        Replication::Raft => ProtocolConfig::Raft(RaftParams {
            election_timeout_min_us: 100_000,
            election_timeout_max_us: 200_000,
            heartbeat_us: 50_000,
            ..RaftParams::default()
        }),
        Replication::MultiPaxos => ProtocolConfig::MultiPaxos(MultiPaxosParams {
            election_timeout_min_us: 100_000,
            election_timeout_max_us: 200_000,
            heartbeat_us: 50_000,
            ..MultiPaxosParams::default()
        }),
    };
    let workload = Workload {
        requests: Vec::new(),
        generator: Some(Generator {
            start_us: 0,
            every_us: 100_000,
            target: Target::RoundRobin,
            count: None,
        }),
        retry: Some(RetryPolicy {
            timeout_us: 500_000,
            max_attempts: 10,
            backoff_us: 1_000,
        }),
    };
    let name = match which {
        Replication::Raft => "Raft",
        Replication::MultiPaxos => "Multi-Paxos",
    };
    benchmark(name, protocol, nodes, horizon, (10_000, 14_999), workload)
}

impl BenchResult {
    pub fn messages_per_second(&self) -> f64 {
        self.delivered as f64 / self.wall_seconds.max(1e-9)
    }

    /// Wall time per delivered message: flat as nodes grow means cost tracks message count.
    pub fn nanoseconds_per_message(&self) -> f64 {
        self.wall_seconds * 1e9 / self.delivered.max(1) as f64
    }

    /// A replication workload's line of the report, by messages, the same natively and in the
    /// browser.
    pub fn message_line(&self, which: Replication) -> String {
        format!(
            "{:<10} {:>4} nodes: {:>6.0} sim s in {:>7.3}s wall = {:>9.1} sim s per wall s, {:>6.2} M messages delivered per wall s ({:>6.1} ns/message, {:>9} events){}",
            which.name(),
            self.nodes,
            self.sim_seconds,
            self.wall_seconds,
            self.sim_seconds_per_wall_second(),
            self.messages_per_second() / 1e6,
            self.nanoseconds_per_message(),
            self.events,
            self.limit_note()
        )
    }
}

/// Before its measurement a replication workload runs untimed until this much wall time has passed.
const WARM_UP_MS: f64 = 500.0;
/// Then it is timed this many times, and at least for this much wall time in all, and the median
/// run is reported: a short run (5 nodes take tens of milliseconds) is otherwise at the mercy of
/// one pause of the machine or the browser.
const TIMED_RUNS: usize = 5;
const TIMED_MS: f64 = 300.0;

/// How `run_replication` measures, for the report's heading.
pub fn replication_method() -> String {
    format!(
        "each the median of at least {TIMED_RUNS} timed runs, after {:.1} s of untimed ones",
        WARM_UP_MS / 1e3
    )
}

/// Runs `which`'s replication workload with `nodes` nodes for `sim_seconds` simulated seconds (at most an
/// hour), timing it with `wall_ms` (milliseconds from any fixed origin). The same run first goes
/// untimed, at least once, so the measurement pays neither for growing the heap (in Chromium, a
/// run that grows the wasm memory took up to twice as long) nor for code that is not optimised
/// yet: the browser first runs wasm from its baseline compiler and swaps in optimised code function
/// by function, compiled in the background, and a short run is otherwise timed mostly on baseline
/// code.
pub fn run_replication(
    which: Replication,
    nodes: u32,
    sim_seconds: u64,
    wall_ms: &mut dyn FnMut() -> f64,
) -> BenchResult {
    let horizon = SimTime(
        sim_seconds
            .saturating_mul(1_000_000)
            .clamp(1_000_000, MAX_HORIZON_US),
    );
    let scenario = replication_scenario(which, nodes, horizon);
    let start = wall_ms();
    loop {
        timed(nodes, &scenario, wall_ms);
        if wall_ms() - start >= WARM_UP_MS {
            break;
        }
    }
    let start = wall_ms();
    let mut runs = Vec::new();
    while runs.len() < TIMED_RUNS || wall_ms() - start < TIMED_MS {
        runs.push(timed(nodes, &scenario, wall_ms));
    }
    runs.sort_by(|a, b| a.wall_seconds.total_cmp(&b.wall_seconds));
    runs.swap_remove(runs.len() / 2)
}
