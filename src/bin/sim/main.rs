//! `sim`: the Causeway engine on the command line. Runs scenarios, writes traces, benchmarks.
//!
//! Exit codes: 0 when the run is clean, 1 when a property was violated, 2 on bad input.

use causeway::engine::protocol::PropertyKind;
use causeway::engine::run::{trace_hash, write_jsonl};
use causeway::engine::sim::{MAX_EVENTS, PropertyState};
use causeway::engine::time::{SimTime, parse_duration_us};
use causeway::export;
use causeway::scenario::explore::Limits;
use causeway::scenario::guide::{Stop, text as guide_text};
use causeway::scenario::link::{Link, ViewOptions};
use causeway::scenario::{Scenario, presets};
use causeway::view::tour::{Phase, Tour};
use causeway::view::{details, format};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

/// mimalloc rather than the system allocator: the explorer allocates and frees on every move.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints to standard output like `println!`. A reader that went away (`sim … | head -1`) is not an
/// error: the command goes on quietly and still ends with its documented exit status.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::emit(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod bench;
mod check;
mod explore;
mod shrink;
mod sweep;

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
    /// Print the share-link fragment that opens a scenario in the web app.
    Link {
        /// A scenario JSON file, or the id of a built-in preset.
        scenario: String,
        /// The position in the run the link opens at (e.g. `1.5s`).
        #[arg(long, value_name = "DURATION")]
        at: Option<String>,
    },
    /// Print the scenario JSON inside a share link (exit 2 with a message if the link is bad).
    Decode {
        /// A link, or just its fragment (`c1.…`).
        link: String,
    },
    /// Run a scenario and print it for another tool: `shiviz`, `mermaid` or `jsonl`.
    Export {
        /// A scenario JSON file, or the id of a built-in preset.
        scenario: String,
        #[arg(long, value_parser = ["shiviz", "mermaid", "jsonl"])]
        format: String,
        /// Stop at this simulated time instead of the horizon.
        #[arg(long, value_name = "DURATION")]
        until: Option<String>,
    },
    /// Walk a scenario's guided lesson as a student who answers right and does every task: print
    /// where each step pauses (exit 0 when every step reaches its moment, 1 when one never
    /// comes, 2 on bad input). For writing and checking guides.
    Guide {
        /// A scenario JSON file, or the id of a built-in preset.
        scenario: String,
    },
    /// List the built-in scenarios.
    Presets,
    /// Print the scenario JSON of a built-in preset.
    Show {
        /// The preset's id.
        preset: String,
    },
    /// Measure engine speed (events per second) and trace memory on standard workloads; with
    /// `raft` or `multipaxos`, simulated seconds and messages per wall second on the replication
    /// workload (`multipaxos` also runs Raft's and compares the cost per message); with `history`,
    /// what the history view computes per frame for a run of 2,000 operations; with `check`,
    /// operations per second of the linearizability checker on generated Jepsen histories.
    Bench {
        /// `raft` or `multipaxos` for the replication workload, `history` for the history view,
        /// `check` for the linearizability checker; without it, the heartbeat engine benchmark.
        protocol: Option<String>,
        /// Events per workload (more is steadier, slower); heartbeat only.
        #[arg(long, default_value_t = 3_000_000)]
        events: u64,
        /// Cluster sizes to measure (default 5,50,500 for heartbeat and 5,25,101 for replication).
        #[arg(long, value_delimiter = ',')]
        nodes: Option<Vec<u32>>,
        /// Simulated seconds per cluster size; replication only.
        #[arg(long, default_value_t = 100)]
        sim_seconds: u64,
        /// Write each generated history here as a Jepsen log file; `check` only.
        #[arg(long, value_name = "DIR")]
        write_dir: Option<String>,
    },
    /// Judge a history written by Jepsen (log lines or EDN operation maps) against a model: exit
    /// 0 linearizable, 1 not (with the explanation), 3 unknown after --budget, 2 malformed.
    Check {
        /// The history file.
        file: String,
        /// `register` (read, write, cas) or `kv` (get, put, append; keys independent).
        #[arg(long, value_parser = ["register", "kv"])]
        model: String,
        /// Placements the search may try (per key for kv) before answering unknown.
        #[arg(long, default_value_t = check::BUDGET)]
        budget: u64,
    },
    /// Run a scenario under many seeds, each with a random fault schedule drawn from the seed
    /// (faults over the first half of the horizon, everything healed for the second half).
    /// Exit 0 when every seed is clean, 1 when any seed violated a property, 2 on bad input.
    Sweep {
        /// A scenario JSON file, or the id of a built-in preset. Its fault script is replaced.
        scenario: String,
        /// Seeds to run: `A..B` (B excluded) or a single seed.
        #[arg(long, default_value = "0..100")]
        seeds: String,
        /// Override a protocol parameter, e.g. `--set break_it=forget_voted_for` (the value is
        /// JSON, or else a string). Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Print only failing seeds and the summary.
        #[arg(long)]
        quiet: bool,
        /// Stop at the first failing seed.
        #[arg(long)]
        first_failure: bool,
        /// Invert the exit status: succeed only if some seed fails (for checking that a broken
        /// variant is caught). Implies --first-failure.
        #[arg(long)]
        expect_violation: bool,
        /// A property the scenario may violate without failing the seed (say `Linearizable
        /// reads` for reads that promise less); the summary counts the seeds that violated it.
        /// Repeatable.
        #[arg(long, value_name = "PROPERTY")]
        allow: Vec<String>,
        /// Write the scenario of the first failing seed (or of the only seed) to this file, for
        /// `sim run`.
        #[arg(long, value_name = "FILE.json")]
        save: Option<String>,
        /// Also draw the faults the scenario's declared system model rules out (running without
        /// the model), and report the seeds whose violations follow one as "outside the model",
        /// apart from real failures.
        #[arg(long)]
        beyond_model: bool,
        /// Shrink the first failing seed's run against the first property it violates, and
        /// print the shrunk scenario and its link (implies --first-failure).
        #[arg(long)]
        shrink: bool,
        /// With --shrink: the most runs the shrink may spend.
        #[arg(long, default_value_t = causeway::scenario::shrink::DEFAULT_BUDGET)]
        budget: u64,
    },
    /// Shrink a scenario whose run violates a property: drop faults, interventions and client
    /// requests, cut the horizon back and take nodes away while the same property still fails
    /// (delta debugging). Prints the sizes before and after, the share link and the scenario.
    /// Exit 0 when shrunk, 2 on bad input or a scenario that violates nothing
    Shrink {
        /// A scenario JSON file, or the id of a built-in preset
        scenario: String,
        /// The property to keep violated (default: the first one the run violates)
        #[arg(long)]
        property: Option<String>,
        /// The most runs the shrink may spend
        #[arg(long, default_value_t = causeway::scenario::shrink::DEFAULT_BUDGET)]
        budget: u64,
        /// Write the shrunk scenario here instead of printing it
        #[arg(long, value_name = "FILE.json")]
        save: Option<String>,
    },
    /// Explore every order in which a small scenario's messages can be delivered, interleaved with
    /// its timers (time abstracted: messages wait as long as any order needs), breadth first, with
    /// up to K drops, duplications and crashes. Stops at the shortest violation of a promised
    /// safety property (printing its moves, link and scenario), when every state is explored, or
    /// at a budget, and says which. Exit 0 when no violation was found, 1 when one was, 2 on bad
    /// input
    Explore {
        /// A scenario JSON file, or the id of a built-in preset
        scenario: String,
        /// Override a protocol parameter, e.g. `--set break_it=small_quorum`. Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Messages the network may drop in one run
        #[arg(long, default_value_t = 0)]
        drops: u32,
        /// Messages the network may duplicate in one run
        #[arg(long, default_value_t = 0)]
        duplicates: u32,
        /// Nodes that may crash in one run (crashed nodes may restart where the model allows)
        #[arg(long, default_value_t = 0)]
        crashes: u32,
        /// States deeper than this many moves are not expanded
        #[arg(long, default_value_t = Limits::default().max_depth)]
        max_depth: u32,
        /// Stop after this many distinct states (the bound on memory)
        #[arg(long, default_value_t = Limits::default().max_states)]
        max_states: u64,
        /// Ignore the declared system model (its limits on faults)
        #[arg(long)]
        beyond_model: bool,
        /// Invert the exit status: succeed only if a violation is found
        #[arg(long)]
        expect_violation: bool,
        /// Write the counterexample's scenario to this file
        #[arg(long, value_name = "FILE.json")]
        save: Option<String>,
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
        Command::Link { scenario, at } => report(share_link(&scenario, at.as_deref())),
        Command::Decode { link } => report(
            Link::decode(&link)
                .map_err(|e| e.to_string())
                .and_then(|link| print_out(&format!("{}\n", link.scenario.to_json_pretty()))),
        ),
        Command::Export {
            scenario,
            format,
            until,
        } => report(export(&scenario, &format, until.as_deref())),
        Command::Guide { scenario } => match walk_guide(&scenario) {
            Ok(complete) => ExitCode::from(if complete { 0 } else { 1 }),
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
                say!("{:<24} {:<20} {name}", preset.id, preset.topic);
            }
            ExitCode::SUCCESS
        }
        Command::Show { preset } => match presets::find(&preset) {
            Some(p) => {
                say!("{}", p.json().unwrap_or_default().trim_end());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("sim: no preset named `{preset}` (see `sim presets`)");
                ExitCode::from(2)
            }
        },
        Command::Bench {
            protocol,
            events,
            nodes,
            sim_seconds,
            write_dir,
        } => match protocol.as_deref() {
            Some("check") => check::bench(write_dir.as_deref()),
            protocol => bench::command(protocol, events, nodes, sim_seconds),
        },
        Command::Check {
            file,
            model,
            budget,
        } => check::command(&file, &model, budget),
        Command::Shrink {
            scenario,
            property,
            budget,
            save,
        } => report(shrink::command(
            &scenario,
            property.as_deref(),
            budget,
            save.as_deref(),
        )),
        Command::Explore {
            scenario,
            set,
            drops,
            duplicates,
            crashes,
            max_depth,
            max_states,
            beyond_model,
            expect_violation,
            save,
        } => {
            let limits = Limits {
                drops,
                duplicates,
                crashes,
                max_depth,
                max_states,
                beyond_model,
            };
            expecting(
                explore::command(&scenario, &set, &limits, save.as_deref()),
                expect_violation,
            )
        }
        Command::Sweep {
            scenario,
            seeds,
            set,
            quiet,
            first_failure,
            expect_violation,
            allow,
            save,
            beyond_model,
            shrink,
            budget,
        } => {
            let options = sweep::SweepOptions {
                quiet,
                first_failure: first_failure || expect_violation || shrink,
                allow,
                save,
                beyond_model,
                shrink: shrink.then_some(budget),
            };
            expecting(
                sweep::sweep(&scenario, &seeds, &set, &options),
                expect_violation,
            )
        }
    }
}

/// Exit 0 after success, or 2 with the message on standard error.
/// Exit 0 when whether a violation was found is what was expected, 1 when not, 2 on bad input.
fn expecting(found: Result<bool, String>, expect_violation: bool) -> ExitCode {
    match found {
        Ok(found) => ExitCode::from(if found == expect_violation { 0 } else { 1 }),
        Err(message) => {
            eprintln!("sim: {message}");
            ExitCode::from(2)
        }
    }
}

fn report(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sim: {message}");
            ExitCode::from(2)
        }
    }
}

fn stop_time(scenario: &Scenario, text: Option<&str>) -> Result<SimTime, String> {
    Ok(match text {
        Some(text) => SimTime(parse_duration_us(text)?).min(scenario.horizon_us),
        None => scenario.horizon_us,
    })
}

fn share_link(source: &str, at: Option<&str>) -> Result<(), String> {
    let scenario = load(source)?;
    let at = match at {
        Some(_) => stop_time(&scenario, at)?,
        None => SimTime::ZERO,
    };
    let link = Link {
        scenario,
        at,
        view: ViewOptions::default(),
    };
    print_out(&format!("{}\n", link.encode()))
}

/// Writes to standard output; a reader that went away (`| head`) is not an error worth a panic.
fn print_out(text: &str) -> Result<(), String> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write: {e}")),
        _ => Ok(()),
    }
}

/// [`print_out`] for reports: any failure other than a closed pipe (a full disk) ends the command
/// with status 2, as bad input does.
fn emit(text: &str) {
    if let Err(message) = print_out(text) {
        eprintln!("sim: {message}");
        std::process::exit(2);
    }
}

fn export(source: &str, format: &str, until: Option<&str>) -> Result<(), String> {
    let scenario = load(source)?;
    let stop = stop_time(&scenario, until)?;
    let mut run = scenario.build().map_err(|e| format!("{source}: {e}"))?;
    run.run_until(stop);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        "shiviz" => out.write_all(export::shiviz(run.as_ref()).as_bytes()),
        "mermaid" => out.write_all(export::mermaid(run.as_ref(), stop).as_bytes()),
        _ => write_jsonl(run.as_ref(), &mut out),
    };
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write: {e}")),
        _ => Ok(()),
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
    let stop = stop_time(&scenario, until)?;
    let mut run = scenario.build().map_err(|e| format!("{source}: {e}"))?;
    let started = Instant::now();
    run.run_until(stop);
    let wall = started.elapsed();
    let stats = run.stats();
    say!(
        "{} — {}, {} nodes, seed {}",
        scenario.name,
        scenario.protocol.name(),
        scenario.nodes,
        scenario.seed
    );
    if run.at_event_limit() {
        say!(
            "stopped at {}, short of {stop}: the trace reached the limit of {} events \
             ({} events in {:.1} ms); use fewer nodes or a shorter horizon",
            run.now(),
            format::count(MAX_EVENTS as u64),
            format::count(stats.events),
            wall.as_secs_f64() * 1e3
        );
    } else {
        say!(
            "ran to {stop}: {} events in {:.1} ms",
            stats.events,
            wall.as_secs_f64() * 1e3
        );
    }
    say!(
        "messages: {} sent, {} delivered, {} dropped, {} duplicated",
        stats.sent,
        stats.delivered,
        stats.dropped,
        stats.duplicated
    );
    say!(
        "client requests: {} received, {} answered",
        stats.requests,
        stats.responses
    );
    let mut clean = true;
    say!("properties:");
    for report in run.properties() {
        let kind = format!("{:?}", report.kind).to_lowercase();
        let verdict = match report.state {
            PropertyState::Holding => "holds".to_string(),
            PropertyState::Pending if report.kind == PropertyKind::Sometimes => {
                "never seen (the checkers that need it were not exercised)".to_string()
            }
            PropertyState::Pending => "pending (run did not reach the horizon)".to_string(),
            PropertyState::Satisfied { at } if report.kind == PropertyKind::Sometimes => {
                format!("seen at {at}")
            }
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
        say!("  {mark} {} ({kind}): {verdict}", report.name);
        if let Some(reason) = &report.unpromised {
            say!("      not promised by the model: {reason}");
        }
    }
    if let Some(path) = trace {
        let file = std::fs::File::create(path).map_err(|e| format!("cannot write {path}: {e}"))?;
        let mut out = std::io::BufWriter::new(file);
        write_jsonl(run.as_ref(), &mut out)
            .and_then(|_| out.flush())
            .map_err(|e| format!("cannot write {path}: {e}"))?;
        say!("trace: {} events written to {path}", stats.events);
    }
    say!("trace hash: {}", trace_hash(run.as_ref()));
    Ok(clean)
}

fn walk_guide(source: &str) -> Result<bool, String> {
    let scenario = load(source)?;
    let Some(guide) = scenario.guide.clone() else {
        return Err(format!("{source} has no guide"));
    };
    let mut run = scenario.build().map_err(|e| format!("{source}: {e}"))?;
    let mut tour = Tour::start(std::rc::Rc::new(guide), run.as_mut());
    let mut complete = true;
    loop {
        let step = tour.current().clone();
        if let Some(question) = &step.question {
            tour.answer(question.answer, run.as_mut());
        }
        tour.fast_forward(run.as_mut());
        let at = match tour.stop() {
            Some(Stop::Event(e)) => {
                let title = details::event(run.as_ref(), e)
                    .map(|d| d.title)
                    .unwrap_or_default();
                format!("{} after #{} {title}", format::time(run.now().0), e.0)
            }
            _ => format::time(run.now().0),
        };
        if tour.phase == Phase::Missed {
            complete = false;
            say!(
                "{:>3}  MISSED: the run ended at {at} before its moment",
                tour.step + 1
            );
        } else {
            say!("{:>3}  {at}", tour.step + 1);
        }
        if tour.phase == Phase::Task {
            tour.do_task(run.as_mut())?;
            if tour.phase != Phase::Done {
                complete = false;
                say!("     TASK NOT DONE: its action did not bring about `done_when`");
            } else {
                say!("     task done at {}", format::time(run.now().0));
            }
        }
        say!("     {}", guide_text::plain(&step.text));
        if tour.is_last() {
            break;
        }
        tour.next(run.as_mut());
    }
    Ok(complete)
}
