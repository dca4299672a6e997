//! `sim`: the Causeway engine on the command line. Runs scenarios, writes traces, benchmarks.
//!
//! Exit codes: 0 when the run is clean, 1 when a property was violated, 2 on bad input.

use causeway::bench;
use causeway::engine::run::{trace_hash, write_jsonl};
use causeway::engine::sim::PropertyState;
use causeway::engine::time::{SimTime, parse_duration_us};
use causeway::scenario::{Scenario, presets};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "sim",
    version,
    about = "Run Causeway scenarios natively: the same engine as the web app"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and print a summary (exit 0 clean, 1 property violated, 2 bad input).
    Run {
        /// A scenario JSON file, or the id of a built-in preset (see `sim presets`).
        scenario: String,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Stop at this simulated time (e.g. `500ms`, `2s`) instead of the horizon.
        #[arg(long, value_name = "DURATION")]
        until: Option<String>,
        /// Write every event as JSON Lines to this file.
        #[arg(long, value_name = "FILE.jsonl")]
        trace: Option<String>,
    },
    /// List the built-in scenarios.
    Presets,
    /// Print the scenario JSON of a built-in preset.
    Show {
        /// The preset's id.
        preset: String,
    },
    /// Measure engine speed (events per second) and trace memory on standard workloads.
    Bench {
        /// Events per workload (more is steadier, slower).
        #[arg(long, default_value_t = 3_000_000)]
        events: u64,
        /// Cluster sizes to measure.
        #[arg(long, value_delimiter = ',', default_values_t = [5, 50, 500])]
        nodes: Vec<u32>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            scenario,
            seed,
            until,
            trace,
        } => match run(&scenario, seed, until.as_deref(), trace.as_deref()) {
            Ok(clean) => ExitCode::from(if clean { 0 } else { 1 }),
            Err(message) => {
                eprintln!("sim: {message}");
                ExitCode::from(2)
            }
        },
        Command::Presets => {
            for preset in presets::PRESETS {
                let name = preset
                    .scenario()
                    .map(|s| s.name)
                    .unwrap_or_else(|e| format!("(broken: {e})"));
                println!("{:<24} {:<20} {name}", preset.id, preset.topic);
            }
            ExitCode::SUCCESS
        }
        Command::Show { preset } => match presets::find(&preset) {
            Some(p) => {
                println!("{}", p.json.trim_end());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("sim: no preset named `{preset}` (see `sim presets`)");
                ExitCode::from(2)
            }
        },
        Command::Bench { events, nodes } => {
            bench_all(events, &nodes);
            ExitCode::SUCCESS
        }
    }
}

fn load(source: &str) -> Result<Scenario, String> {
    match std::fs::read_to_string(source) {
        Ok(text) => Scenario::from_json(&text).map_err(|e| format!("{source}: {e}")),
        Err(io) => match presets::find(source) {
            Some(preset) => preset
                .scenario()
                .map_err(|e| format!("preset {source}: {e}")),
            None => Err(format!(
                "cannot read {source}: {io} (and it is not a preset id; see `sim presets`)"
            )),
        },
    }
}

fn run(
    source: &str,
    seed: Option<u64>,
    until: Option<&str>,
    trace: Option<&str>,
) -> Result<bool, String> {
    let mut scenario = load(source)?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let stop = match until {
        Some(text) => SimTime(parse_duration_us(text)?).min(scenario.horizon_us),
        None => scenario.horizon_us,
    };
    let mut run = scenario.build().map_err(|e| format!("{source}: {e}"))?;
    let started = Instant::now();
    run.run_until(stop);
    let wall = started.elapsed();
    let stats = run.stats();
    println!(
        "{} — {}, {} nodes, seed {}",
        scenario.name,
        scenario.protocol.name(),
        scenario.nodes,
        scenario.seed
    );
    println!(
        "ran to {stop}: {} events in {:.1} ms",
        stats.events,
        wall.as_secs_f64() * 1e3
    );
    println!(
        "messages: {} sent, {} delivered, {} dropped, {} duplicated",
        stats.sent, stats.delivered, stats.dropped, stats.duplicated
    );
    println!(
        "client requests: {} received, {} answered",
        stats.requests, stats.responses
    );
    let mut clean = true;
    println!("properties:");
    for report in run.properties() {
        let kind = format!("{:?}", report.kind).to_lowercase();
        let verdict = match report.state {
            PropertyState::Holding => "holds".to_string(),
            PropertyState::Pending => "pending (run did not reach the horizon)".to_string(),
            PropertyState::Satisfied { at } => format!("satisfied at {at}"),
            PropertyState::Violated { at, event } => {
                clean = false;
                let message = match &run.events()[event.index()].kind {
                    causeway::engine::EventKind::Violation(v) => v.message.clone(),
                    _ => String::new(),
                };
                format!("VIOLATED at {at} ({event}): {message}")
            }
        };
        let mark = if matches!(report.state, PropertyState::Violated { .. }) {
            "✗"
        } else {
            "✓"
        };
        println!("  {mark} {} ({kind}): {verdict}", report.name);
    }
    if let Some(path) = trace {
        let file = std::fs::File::create(path).map_err(|e| format!("cannot write {path}: {e}"))?;
        let mut out = std::io::BufWriter::new(file);
        write_jsonl(run.as_mut(), &mut out)
            .and_then(|_| out.flush())
            .map_err(|e| format!("cannot write {path}: {e}"))?;
        println!("trace: {} events written to {path}", stats.events);
    }
    println!("trace hash: {}", trace_hash(run.as_mut()));
    Ok(clean)
}

fn bench_all(events: u64, sizes: &[u32]) {
    let origin = Instant::now();
    let mut wall_ms = || origin.elapsed().as_secs_f64() * 1e3;
    println!(
        "engine speed (native, {} build):",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let mut results = Vec::new();
    for &nodes in sizes {
        let result = bench::run_heartbeat(nodes, events, &mut wall_ms);
        println!("  {}", result.line());
        results.push(result);
    }
    if let (Some(first), Some(last)) = (results.first(), results.last()) {
        println!(
            "  cost per event, {} nodes vs {} nodes: {:.2}x",
            last.nodes,
            first.nodes,
            last.nanoseconds_per_event() / first.nanoseconds_per_event()
        );
    }
    println!("memory per event (trace + payloads, vector-clock index):");
    for nodes in [5, 200] {
        let (trace, causality) = bench::memory_per_event(nodes, 1_000_000);
        println!(
            "  {nodes:>3} nodes: {trace:.1} bytes trace + {causality:.1} bytes vector-clock index"
        );
    }
}
