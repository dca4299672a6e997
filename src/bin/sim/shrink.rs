//! `sim shrink` and `sim sweep --shrink`: a violating run made as small as it will go.

use crate::{format, load};
use causeway::engine::EventKind;
use causeway::engine::time::SimTime;
use causeway::scenario::Scenario;
use causeway::scenario::link::{Link, ViewOptions};
use causeway::scenario::shrink::{self, Size, Stop};

/// Shrinks the scenario at `source` against `property` (by default the first one its run
/// violates) and prints the result; writes it to `save` if given.
pub fn command(
    source: &str,
    property: Option<&str>,
    budget: u64,
    save: Option<&str>,
) -> Result<(), String> {
    let scenario = load(source)?;
    let property = match property {
        Some(p) => p.to_string(),
        None => first_violated(&scenario)?.ok_or_else(|| {
            format!("{source} violates no property, so there is nothing to shrink")
        })?,
    };
    print(&scenario, &property, budget, save)
}

/// The first property the run of `scenario` violates.
pub fn first_violated(scenario: &Scenario) -> Result<Option<String>, String> {
    let mut run = scenario.build().map_err(|e| e.to_string())?;
    run.run_until(scenario.horizon_us);
    Ok(run.events().iter().find_map(|e| match &e.kind {
        EventKind::Violation(v) => Some(v.property.clone()),
        _ => None,
    }))
}

/// Shrinks and prints: the sizes before and after, the share link, and the scenario.
pub fn print(
    scenario: &Scenario,
    property: &str,
    budget: u64,
    save: Option<&str>,
) -> Result<(), String> {
    say!(
        "shrinking \"{}\" against {property} (at most {} runs)",
        scenario.name,
        format::count(budget)
    );
    let started = std::time::Instant::now();
    let shrunk = shrink::shrink(scenario, property, budget, &mut |_| true)?;
    let why = match shrunk.stop {
        Stop::Minimal => "no single change shrinks it further",
        Stop::Budget => "the run budget is spent; --budget allows more",
        Stop::Cancelled => "stopped",
    };
    say!(
        "shrunk in {} runs, {:.1}s ({why}):",
        format::count(shrunk.runs),
        started.elapsed().as_secs_f64()
    );
    for line in table(&shrunk.before, &shrunk.after) {
        say!("  {line}");
    }
    let link = Link {
        scenario: shrunk.scenario.clone(),
        at: SimTime::ZERO,
        view: ViewOptions::default(),
    };
    say!("link: #{}", link.encode());
    let json = shrunk.scenario.to_json_pretty() + "\n";
    match save {
        Some(path) => {
            std::fs::write(path, &json).map_err(|e| format!("cannot write {path}: {e}"))?;
            say!("shrunk scenario written to {path}");
        }
        None => say!("{}", json.trim_end()),
    }
    Ok(())
}

fn table(before: &Size, after: &Size) -> Vec<String> {
    let row = |name: &str, a: String, b: String| format!("{name:<9} {a:>10} → {b}");
    vec![
        row(
            "events",
            format::count(before.events),
            format::count(after.events),
        ),
        row(
            "faults",
            before.faults.to_string(),
            after.faults.to_string(),
        ),
        row(
            "requests",
            before.requests.to_string(),
            after.requests.to_string(),
        ),
        row("nodes", before.nodes.to_string(), after.nodes.to_string()),
        row(
            "horizon",
            format::time(before.horizon.0),
            format::time(after.horizon.0),
        ),
    ]
}
