//! `sim sweep`: one scenario under many seeds with random fault schedules.

use crate::{format, load};
use causeway::engine::sim::MAX_EVENTS;
use causeway::engine::time::SimTime;
use causeway::scenario::{Scenario, search};
use std::collections::BTreeMap;
use std::time::Instant;

pub struct SweepOptions {
    pub quiet: bool,
    pub first_failure: bool,
    pub allow: Vec<String>,
    pub save: Option<String>,
    /// Draw the faults the scenario's model rules out too, and report their violations apart.
    pub beyond_model: bool,
    /// Shrink the first failing seed's run, with this run budget.
    pub shrink: Option<u64>,
}

/// What one seed of a sweep found: the violated properties with their messages.
struct SeedVerdict {
    seed: u64,
    events: u64,
    /// The run stopped at the event limit, before its horizon (so before its healed phase).
    at_event_limit: bool,
    violations: Vec<String>,
    /// The properties behind `violations`, in the same order.
    violated: Vec<String>,
    /// The allowed properties it violated.
    allowed: Vec<String>,
    /// With --beyond-model: the first fault outside the scenario's model, if the seed drew one.
    outside: Option<String>,
}

fn parse_seeds(text: &str) -> Result<std::ops::Range<u64>, String> {
    let bad = || format!("--seeds must be `A..B` or a single seed, not `{text}`");
    match text.split_once("..") {
        Some((a, b)) => {
            let a: u64 = a.trim().parse().map_err(|_| bad())?;
            let b: u64 = b.trim().parse().map_err(|_| bad())?;
            if a >= b {
                return Err(format!("--seeds {text} is empty"));
            }
            Ok(a..b)
        }
        None => {
            let a: u64 = text.trim().parse().map_err(|_| bad())?;
            Ok(a..a.saturating_add(1))
        }
    }
}

/// The scenario with `KEY=VALUE` protocol parameters overridden, validated again.
pub fn with_params(scenario: Scenario, set: &[String]) -> Result<Scenario, String> {
    if set.is_empty() {
        return Ok(scenario);
    }
    let mut value = serde_json::to_value(&scenario).map_err(|e| e.to_string())?;
    for item in set {
        let (key, text) = item
            .split_once('=')
            .ok_or_else(|| format!("--set {item}: expected KEY=VALUE"))?;
        let parsed = serde_json::from_str(text)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string()));
        value["protocol"][key] = parsed;
    }
    Scenario::from_value(value).map_err(|e| format!("--set: {e}"))
}

fn run_seed(base: &Scenario, seed: u64, allow: &[String], beyond_model: bool) -> SeedVerdict {
    let outcome =
        search::run_seed(base, seed, beyond_model).expect("a sweep of a valid scenario is valid");
    let mut violations = Vec::new();
    let mut violated = Vec::new();
    let mut allowed = Vec::new();
    for found in outcome.violations {
        if allow.contains(&found.property) {
            allowed.push(found.property);
        } else {
            violations.push(format!(
                "{} at {}: {}",
                found.property,
                SimTime(found.at_us),
                found.message
            ));
            violated.push(found.property);
        }
    }
    SeedVerdict {
        seed,
        events: outcome.events,
        at_event_limit: outcome.at_event_limit,
        violations,
        violated,
        allowed,
        outside: outcome.outside,
    }
}

/// Runs the seeds on every core, in batches, printing verdicts in seed order. Returns whether any
/// seed failed.
pub fn sweep(
    source: &str,
    seeds: &str,
    set: &[String],
    options: &SweepOptions,
) -> Result<bool, String> {
    let base = with_params(load(source)?, set)?;
    let reports = base
        .build()
        .map_err(|e| format!("{source}: {e}"))?
        .properties();
    let properties: Vec<&str> = reports.iter().map(|p| p.name).collect();
    // What the declared model does not promise is no failure either: its violations are the
    // model's lesson, counted apart.
    let unpromised: BTreeMap<String, String> = reports
        .iter()
        .filter_map(|p| Some((p.name.to_string(), p.unpromised.clone()?)))
        .collect();
    let mut passing = options.allow.clone();
    passing.extend(unpromised.keys().cloned());
    if let Some(unknown) = options
        .allow
        .iter()
        .find(|a| !properties.contains(&a.as_str()))
    {
        return Err(format!(
            "--allow '{unknown}' is not a property of {source}; its properties are: {}",
            properties.join(", ")
        ));
    }
    let runner = search::seed_base(&base).map_err(|e| format!("{source}: {e}"))?;
    let mut allowed_seeds: BTreeMap<String, u64> = BTreeMap::new();
    let range = parse_seeds(seeds)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let started = Instant::now();
    let mut failures: Vec<SeedVerdict> = Vec::new();
    let mut ran = 0u64;
    let mut cut_short = 0u64;
    let mut outside = 0u64;
    let mut next = range.start;
    while next < range.end {
        let batch_end = range.end.min(next.saturating_add(threads * 8));
        let batch: Vec<u64> = (next..batch_end).collect();
        next = batch_end;
        let chunks: Vec<Vec<u64>> = (0..threads as usize)
            .map(|t| {
                batch
                    .iter()
                    .copied()
                    .skip(t)
                    .step_by(threads as usize)
                    .collect()
            })
            .collect();
        let mut verdicts: Vec<SeedVerdict> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|chunk| {
                    let (base, allow) = (&runner, &passing);
                    let beyond = options.beyond_model;
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|&s| run_seed(base, s, allow, beyond))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("sweep threads do not panic"))
                .collect()
        });
        verdicts.sort_by_key(|v| v.seed);
        for verdict in verdicts {
            ran += 1;
            cut_short += u64::from(verdict.at_event_limit);
            // A run records a property's violation once.
            for property in &verdict.allowed {
                *allowed_seeds.entry(property.clone()).or_default() += 1;
            }
            if verdict.violations.is_empty() {
                if !options.quiet {
                    let limit = if verdict.at_event_limit {
                        ", stopped at the event limit"
                    } else {
                        ""
                    };
                    say!(
                        "seed {}: ok ({} events{limit})",
                        verdict.seed,
                        verdict.events
                    );
                }
                continue;
            }
            if let Some(reason) = &verdict.outside {
                say!("seed {}: violated outside the model", verdict.seed);
                say!("  outside the model: {reason}");
                for violation in &verdict.violations {
                    say!("  {violation}");
                }
                outside += 1;
                continue;
            }
            say!("seed {}: VIOLATED", verdict.seed);
            for violation in &verdict.violations {
                say!("  {violation}");
            }
            failures.push(verdict);
            if options.first_failure {
                break;
            }
        }
        if options.first_failure && !failures.is_empty() {
            break;
        }
    }
    say!(
        "{ran} seeds of {} in {:.1}s: {} clean, {} failed{}",
        base.name,
        started.elapsed().as_secs_f64(),
        ran - failures.len() as u64 - outside,
        failures.len(),
        if options.beyond_model {
            format!(", {outside} violated only outside the model")
        } else {
            String::new()
        }
    );
    if let Some(model) = &base.model {
        let scope = if options.beyond_model {
            "every fault, also those outside"
        } else {
            "only faults within"
        };
        say!("{scope} the model: {}", model.label());
    }
    for (property, count) in &allowed_seeds {
        match unpromised.get(property) {
            Some(reason) => say!(
                "{count} seeds violated {property}, which the model does not promise: {reason}"
            ),
            None => say!("{count} seeds violated {property}, which --allow lets pass"),
        }
    }
    if cut_short > 0 {
        say!(
            "{cut_short} seeds stopped at the limit of {} events before their horizon, so \
             their healed phase was not checked; use fewer nodes or a shorter horizon",
            format::count(MAX_EVENTS as u64)
        );
    }
    let sets: String = set.iter().map(|s| format!(" --set '{s}'")).collect();
    let keep = failures
        .first()
        .map(|f| f.seed)
        .or_else(|| (range.end - range.start == 1).then_some(range.start));
    if let Some(first) = failures.first() {
        say!(
            "first failing seed: {} (seeds to catch: {}); reproduce with:\n  cargo run --release --bin sim -- sweep {source} --seeds {}{sets} --save seed-{}.json && cargo run --release --bin sim -- run seed-{}.json",
            first.seed,
            first.seed - range.start + 1,
            first.seed,
            first.seed,
            first.seed
        );
    }
    if let (Some(budget), Some(first)) = (options.shrink, failures.first()) {
        let (scenario, _) = search::seed_scenario(&base, first.seed, options.beyond_model);
        crate::shrink::print(&scenario, &first.violated[0], budget, None)?;
    }
    if let (Some(path), Some(seed)) = (&options.save, keep) {
        let (scenario, _) = search::seed_scenario(&base, seed, options.beyond_model);
        std::fs::write(path, scenario.to_json_pretty() + "\n")
            .map_err(|e| format!("cannot write {path}: {e}"))?;
        say!("scenario of seed {seed} written to {path}");
    }
    Ok(!failures.is_empty())
}
