//! `sim bench`: the engine and replication benchmarks.

use causeway::bench::{self, BenchResult, Replication};
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
        Some(other) => {
            eprintln!(
                "sim: no benchmark for `{other}` (try `sim bench`, `sim bench raft`, `sim \
                     bench multipaxos` or `sim bench check`)"
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
