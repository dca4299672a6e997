//! `sim explore`: every order of a small scenario's messages and timers, breadth first, to the
//! shortest violation or until the space or a budget is exhausted.

use crate::{format, load, sweep};
use causeway::engine::time::SimTime;
use causeway::scenario::explore::{self, Limits, Stop};
use causeway::scenario::link::{Link, ViewOptions};
use std::time::Instant;

/// Explores the scenario at `source` (with `set` parameters) within `limits`; prints progress,
/// the outcome, and the counterexample's moves, link and scenario (to `save` if given). Returns
/// whether a violation was found.
pub fn command(
    source: &str,
    set: &[String],
    limits: &Limits,
    save: Option<&str>,
) -> Result<bool, String> {
    let scenario = sweep::with_params(load(source)?, set)?;
    let plan = explore::plan(&scenario, limits)?;
    say!(
        "exploring \"{}\": {} nodes, up to {} drops, {} duplicates, {} crashes; budget {} states, depth {}",
        scenario.name,
        scenario.nodes,
        limits.drops,
        limits.duplicates,
        limits.crashes,
        format::count(limits.max_states),
        limits.max_depth
    );
    for change in &plan.changes {
        say!("  note: {change}");
    }
    let started = Instant::now();
    let mut reported = started;
    let result = explore::explore(&scenario, limits, &mut |p| {
        if reported.elapsed().as_secs() >= 2 {
            reported = Instant::now();
            eprintln!(
                "  … {} states, {} queued, depth {}, {} states/s",
                format::count(p.states),
                format::count(p.queue),
                p.depth,
                format::count(rate(p.states, started))
            );
        }
        true
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let p = result.progress;
    say!("{}", result.stop.describe());
    say!(
        "  {} states, {} transitions, depth {}, {:.2}s, {} states/s (branching {} at the start)",
        format::count(p.states),
        format::count(p.transitions),
        p.depth,
        seconds,
        format::count(rate(p.states, started)),
        p.branching
    );
    match result.stop {
        Stop::Depth => say!("  --max-depth explores deeper"),
        Stop::States => say!(
            "  --max-states allows more ({} were still queued)",
            format::count(p.queue)
        ),
        _ => {}
    }
    let Some(found) = result.counterexample else {
        return Ok(false);
    };
    say!(
        "{} violated at {} after {} moves: {}",
        found.property,
        SimTime(found.at_us),
        found.depth,
        found.message
    );
    for (i, step) in found.moves.iter().enumerate() {
        say!("  {:>3}. {step}", i + 1);
    }
    let link = Link {
        scenario: found.scenario.clone(),
        at: SimTime(found.at_us),
        view: ViewOptions::default(),
    };
    say!("link: #{}", link.encode());
    if let Some(path) = save {
        let json = found.scenario.to_json_pretty() + "\n";
        std::fs::write(path, json).map_err(|e| format!("cannot write {path}: {e}"))?;
        say!("counterexample written to {path}");
    }
    Ok(true)
}

fn rate(states: u64, started: Instant) -> u64 {
    let seconds = started.elapsed().as_secs_f64().max(1e-6);
    (states as f64 / seconds) as u64
}
