//! `sim bench`: the engine and replication benchmarks, and the history view's own work.

use causeway::bench::{self, BenchResult, Replication};
use causeway::engine::time::SimTime;
use causeway::scenario::Scenario;
use causeway::view::history::{self, HistoryIndex, HistoryInput};
use std::process::ExitCode;
use std::time::Instant;

/// Runs the benchmark `protocol` names (the heartbeat engine benchmark without one).
pub fn command(
    protocol: Option<&str>,
    events: u64,
    nodes: Option<Vec<u32>>,
    sim_seconds: u64,
) -> ExitCode {
    match protocol {
        None => {
            bench_all(events, &nodes.unwrap_or_else(|| vec![5, 50, 500]));
            ExitCode::SUCCESS
        }
        Some("raft") => {
            bench_replication(
                &[Replication::Raft],
                sim_seconds,
                &nodes.unwrap_or_else(|| vec![5, 25, 101]),
            );
            ExitCode::SUCCESS
        }
        Some("multipaxos") => {
            bench_replication(
                &[Replication::MultiPaxos, Replication::Raft],
                sim_seconds,
                &nodes.unwrap_or_else(|| vec![5, 25, 101]),
            );
            ExitCode::SUCCESS
        }
        Some("history") => {
            bench_history();
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!(
                "sim: no benchmark for `{other}` (try `sim bench`, `sim bench raft`, `sim \
                     bench multipaxos`, `sim bench history` or `sim bench check`)"
            );
            ExitCode::from(2)
        }
    }
}

/// Measures each of `protocols` on the replication workload; with two, also the first's cost per
/// delivered message against the second's at each size.
fn bench_replication(protocols: &[Replication], sim_seconds: u64, sizes: &[u32]) {
    let origin = Instant::now();
    let mut wall_ms = || origin.elapsed().as_secs_f64() * 1e3;
    say!(
        "replication workload (native, {} build): latency 10–15 ms, election timeout 100–200 ms, heartbeat 50 ms, a request every 100 ms; {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        bench::replication_method()
    );
    bench::warm_up(1_000_000, &mut wall_ms);
    let mut results: Vec<Vec<BenchResult>> = Vec::new();
    for &which in protocols {
        let mut mine = Vec::new();
        for &nodes in sizes {
            let result = bench::run_replication(which, nodes, sim_seconds, &mut wall_ms);
            say!("  {}", result.message_line(which));
            mine.push(result);
        }
        if let (Some(first), Some(last)) = (mine.first(), mine.last()) {
            say!(
                "  {}: {}",
                which.name(),
                bench::message_cost_ratio_line(first, last)
            );
        }
        results.push(mine);
    }
    if let [ours, theirs] = &results[..] {
        for (a, b) in ours.iter().zip(theirs) {
            say!(
                "  cost per delivered message at {} nodes, {} vs {}: {:.2}x",
                a.nodes,
                protocols[0].name(),
                protocols[1].name(),
                a.nanoseconds_per_message() / b.nanoseconds_per_message()
            );
        }
    }
}

fn bench_all(events: u64, sizes: &[u32]) {
    let origin = Instant::now();
    let mut wall_ms = || origin.elapsed().as_secs_f64() * 1e3;
    say!(
        "engine speed (native, {} build):",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    bench::warm_up(events, &mut wall_ms);
    for shape in bench::SHAPES {
        say!("  {}", shape.title());
        let mut results = Vec::new();
        for &nodes in sizes {
            let result = bench::run_heartbeat(shape, nodes, events, &mut wall_ms);
            say!("    {}", result.line());
            results.push(result);
        }
        if let (Some(first), Some(last)) = (results.first(), results.last()) {
            say!("    {}", bench::cost_ratio_line(first, last));
        }
    }
    say!("memory per event (trace + payloads, vector-clock index):");
    for nodes in [5, 200] {
        let (trace, causality) = bench::memory_per_event(nodes, 1_000_000);
        say!(
            "  {nodes:>3} nodes: {trace:.1} bytes trace + {causality:.1} bytes vector-clock index"
        );
    }
}

/// The history benchmark's run: ABD's five replicas, 2,000 reads and writes of two keys, one every
/// 5 ms (the page's `tests/e2e/history-perf.mjs` opens the same scenario).
const HISTORY_SCENARIO: &str = r#"{"version": 1, "name": "History benchmark",
    "protocol": {"name": "abd"}, "nodes": 5, "seed": 1, "horizon_us": 10100000,
    "network": {"default": {"delay": {"uniform": {"min_us": 5000, "max_us": 15000}}}},
    "workload": {"generator": {"start_us": 100000, "every_us": 5000, "target": "round_robin",
        "count": 2000}}}"#;

/// What the history view computes for a frame of a 2,000-operation run, natively: taking in the
/// trace, the verdict, and the layout of windows from 400 ms (bars with words) to the whole run
/// (batched bars).
fn bench_history() {
    let scenario = Scenario::from_json(HISTORY_SCENARIO).expect("the benchmark scenario is valid");
    let mut run = scenario.build().expect("the benchmark scenario builds");
    run.run_until(SimTime(10_100_000));
    let mut index = HistoryIndex::new();
    let started = Instant::now();
    index.update(run.as_ref());
    let taking_in = started.elapsed();
    let started = Instant::now();
    let (verdict, _) = index.verdict(run.as_ref(), false);
    let judging = started.elapsed();
    say!(
        "history of {} operations on {} clients ({} trace events): taken in from the trace in {:.1} ms, judged in {:.1} ms ({})",
        index.ops().len(),
        index.clients(),
        run.events().len(),
        taking_in.as_secs_f64() * 1e3,
        judging.as_secs_f64() * 1e3,
        if matches!(*verdict, history::HistoryVerdict::Linearizable { .. }) {
            "linearizable"
        } else {
            "not linearizable"
        }
    );
    let started = Instant::now();
    let rows = index.models(run.as_ref(), false);
    say!(
        "judged against every consistency model in {:.1} ms: {}",
        started.elapsed().as_secs_f64() * 1e3,
        rows.iter()
            .map(|r| format!("{} {}", r.name, r.standing.name()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for span_us in [400_000u64, 2_000_000, 11_000_000] {
        let frames = 200u64;
        let started = Instant::now();
        let mut bars = 0;
        for frame in 0..frames {
            let layout = history::layout(&HistoryInput {
                history: &index,
                verdict: verdict.clone(),
                judged_at: None,
                now_us: 10_100_000,
                start_us: (frame * 37_000) % (10_100_000 - span_us.min(10_000_000)),
                span_us,
                origin_us: 0,
                width_px: 420.0,
                height_px: 700.0,
                selected: None,
            });
            bars += layout.bars.len();
        }
        say!(
            "layout of a {} window: {:.0} µs per frame, {} bars on average",
            causeway::view::format::time(span_us),
            started.elapsed().as_secs_f64() * 1e6 / frames as f64,
            bars as u64 / frames
        );
    }
}
