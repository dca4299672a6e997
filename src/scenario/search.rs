//! Counterexample search: the seeds of `sim sweep`, one at a time, as the page's search worker and
//! the command line both run them. A seed's scenario is the base scenario with a random fault
//! schedule drawn from the seed (`sweep::with_random_faults`, or every fault for a search beyond
//! the model), so the same seed finds the same run natively and in the browser. The worker speaks
//! in [`SearchRequest`] and [`SearchUpdate`], as JSON.

use crate::engine::ids::EventId;
use crate::engine::trace::EventKind;
use crate::scenario::{Scenario, explore, shrink, sweep};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most seeds one search may try.
pub const MAX_SEEDS: u64 = 1_000_000;

/// A property a seed's run violated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    pub seed: u64,
    pub property: String,
    /// When, in simulated microseconds, and by which event of the seed's run.
    pub at_us: u64,
    pub event: u32,
    pub message: String,
}

/// What one seed's run showed.
#[derive(Clone, Debug)]
pub struct SeedOutcome {
    pub seed: u64,
    pub events: u64,
    /// The run stopped at the event limit before its horizon.
    pub at_event_limit: bool,
    /// Every violation, in the order the run recorded them.
    pub violations: Vec<Found>,
    /// For a search beyond the model: why the seed's first fault outside it is, if it drew one.
    pub outside: Option<String>,
}

/// The scenario `seed` runs: within the model, or with every fault drawn and the first one outside
/// the model.
pub fn seed_scenario(base: &Scenario, seed: u64, beyond_model: bool) -> (Scenario, Option<String>) {
    if beyond_model {
        sweep::beyond_model(base, seed)
    } else {
        (sweep::with_random_faults(base, seed), None)
    }
}

/// `base` ready for a search's seeds: checked whole once, its guide included, and then without
/// the guide, which no run reads, so that no seed checks the lesson's text again (most of a short
/// seed's time went to that).
pub fn seed_base(base: &Scenario) -> Result<Scenario, String> {
    base.build().map_err(|e| e.to_string())?;
    let mut runner = base.clone();
    runner.guide = None;
    Ok(runner)
}

/// Runs `seed` to its horizon, from a base that `seed_base` gave.
pub fn run_seed(base: &Scenario, seed: u64, beyond_model: bool) -> Result<SeedOutcome, String> {
    let (scenario, outside) = seed_scenario(base, seed, beyond_model);
    let mut run = scenario
        .build()
        .map_err(|e| format!("seed {seed} cannot run: {e}"))?;
    run.run_until(scenario.horizon_us);
    let events = run.events();
    let violations = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            EventKind::Violation(v) => Some(Found {
                seed,
                property: v.property.clone(),
                at_us: e.time.0,
                event: EventId(i as u32).0,
                message: v.message.clone(),
            }),
            _ => None,
        })
        .collect();
    Ok(SeedOutcome {
        seed,
        events: events.len() as u64,
        at_event_limit: run.at_event_limit(),
        violations,
        outside,
    })
}

/// The properties of `base` its declared model does not promise, with why: their violations are
/// the model's lesson, not a bug, so a search does not count them.
pub fn unpromised(base: &Scenario) -> Result<BTreeMap<String, String>, String> {
    let run = base.build().map_err(|e| e.to_string())?;
    Ok(run
        .properties()
        .into_iter()
        .filter_map(|p| Some((p.name.to_string(), p.unpromised?)))
        .collect())
}

/// What the page asks a search worker for: every `step`-th seed of `from..to` of `scenario`,
/// starting at `from` (the page splits a search among workers by stride, so each finds the
/// lowest seeds first).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The scenario as JSON, validated by the worker like any scenario from outside.
    pub scenario: serde_json::Value,
    pub from: u64,
    pub to: u64,
    #[serde(default = "one")]
    pub step: u64,
    #[serde(default)]
    pub beyond_model: bool,
}

fn one() -> u64 {
    1
}

impl SearchRequest {
    /// The seeds this request runs, in order.
    pub fn seeds(&self) -> impl Iterator<Item = u64> + use<> {
        (self.from..self.to).step_by(self.step.max(1) as usize)
    }

    /// The base scenario, once the request is checked: a valid scenario and a range of seeds.
    pub fn base(&self) -> Result<Scenario, String> {
        if self.step == 0 {
            return Err("the seeds' step must be at least 1".to_string());
        }
        if self.from >= self.to {
            return Err(format!("the seeds {}..{} are none", self.from, self.to));
        }
        if self.to - self.from > MAX_SEEDS {
            return Err(format!(
                "a search tries at most {MAX_SEEDS} seeds, not {}",
                self.to - self.from
            ));
        }
        Scenario::from_value(self.scenario.clone()).map_err(|e| e.to_string())
    }
}

/// What the page asks a worker to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerRequest {
    Search(SearchRequest),
    Shrink(ShrinkRequest),
    Explore(ExploreRequest),
}

/// Explore every run of `scenario` within `limits` (`scenario::explore`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExploreRequest {
    /// The scenario as JSON, validated like any scenario from outside.
    pub scenario: serde_json::Value,
    pub limits: explore::Limits,
}

/// The shortest violating run an exploration found, for the page to list and open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explored {
    pub property: String,
    pub message: String,
    pub depth: u32,
    /// Each move, in words.
    pub moves: Vec<String>,
    /// The run as a scenario, as JSON, and where its violation is (by time and event).
    pub scenario: serde_json::Value,
    pub at_us: u64,
    pub event: u32,
}

/// Explores what `request` names, reporting through `progress` (false stops it), and says how it
/// ended, with the counterexample if there is one.
pub fn explore_request(
    request: &ExploreRequest,
    progress: &mut dyn FnMut(&explore::Progress) -> bool,
) -> Result<SearchUpdate, String> {
    let base = Scenario::from_value(request.scenario.clone()).map_err(|e| e.to_string())?;
    let found = explore::explore(&base, &request.limits, progress)?;
    let counterexample = match found.counterexample {
        Some(c) => Some(Explored {
            property: c.property,
            message: c.message,
            depth: c.depth,
            moves: c.moves,
            scenario: serde_json::to_value(&c.scenario).map_err(|e| e.to_string())?,
            at_us: c.at_us,
            event: c.event,
        }),
        None => None,
    };
    Ok(SearchUpdate::ExploreDone {
        stop: found.stop,
        progress: found.progress,
        changes: found.changes,
        counterexample: counterexample.map(Box::new),
    })
}

/// Shrink `scenario`, whose run violates `property`, spending at most `budget` runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShrinkRequest {
    /// The scenario as JSON, validated like any scenario from outside.
    pub scenario: serde_json::Value,
    pub property: String,
    pub budget: u64,
}

/// The most runs a shrink in the page may spend.
pub const MAX_SHRINK_BUDGET: u64 = 100_000;

/// Shrinks what `request` names, reporting through `progress` (false stops it), and says what
/// the page needs to open the result: the shrunk scenario, its sizes, and where its violation is.
pub fn shrink_request(
    request: &ShrinkRequest,
    progress: &mut dyn FnMut(&shrink::Progress) -> bool,
) -> Result<SearchUpdate, String> {
    if !(1..=MAX_SHRINK_BUDGET).contains(&request.budget) {
        return Err(format!(
            "a shrink spends from 1 to {MAX_SHRINK_BUDGET} runs, not {}",
            request.budget
        ));
    }
    let base = Scenario::from_value(request.scenario.clone()).map_err(|e| e.to_string())?;
    let shrunk = shrink::shrink(&base, &request.property, request.budget, progress)?;
    let mut run = shrunk.scenario.build().map_err(|e| e.to_string())?;
    run.run_until(shrunk.scenario.horizon_us);
    let (event, at_us) = run
        .events()
        .iter()
        .enumerate()
        .find_map(|(i, e)| match &e.kind {
            EventKind::Violation(v) if v.property == request.property => Some((i as u32, e.time.0)),
            _ => None,
        })
        .ok_or("the shrunk run no longer violates the property")?;
    Ok(SearchUpdate::Shrunk {
        scenario: serde_json::to_value(&shrunk.scenario).map_err(|e| e.to_string())?,
        before: shrunk.before,
        after: shrunk.after,
        runs: shrunk.runs,
        at_us,
        event,
    })
}

/// What a worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchUpdate {
    /// The worker has loaded and waits for its request.
    Ready,
    /// `done` seeds have run in `elapsed_ms` (wall-clock milliseconds), `failed` of them violating a
    /// promised property.
    Progress {
        done: u64,
        failed: u64,
        elapsed_ms: u64,
    },
    /// A seed violated a promised property: its first such violation.
    Found(Found),
    /// Every seed has run.
    Done {
        done: u64,
        failed: u64,
        elapsed_ms: u64,
    },
    /// A shrink has spent `runs` of its `budget`; the smallest failing run so far is `best`.
    Shrinking {
        runs: u64,
        budget: u64,
        best: shrink::Size,
    },
    /// The shrink is over: the smallest failing scenario found, as JSON, its sizes, and where its
    /// violation is (by time and event).
    Shrunk {
        scenario: serde_json::Value,
        before: shrink::Size,
        after: shrink::Size,
        runs: u64,
        at_us: u64,
        event: u32,
    },
    /// An exploration's progress, `elapsed_ms` wall-clock milliseconds in.
    Exploring {
        progress: explore::Progress,
        elapsed_ms: u64,
    },
    /// The exploration is over: why, its last progress, what exploring changed in the scenario,
    /// and the shortest violating run if it found one.
    ExploreDone {
        stop: explore::Stop,
        progress: explore::Progress,
        changes: Vec<String>,
        counterexample: Option<Box<Explored>>,
    },
    /// The search could not go on.
    Failed { message: String },
}

/// The first violation of `outcome` that counts: of a property the model promises, within the
/// model (a search beyond it counts only seeds that drew nothing outside).
pub fn counts<'a>(
    outcome: &'a SeedOutcome,
    unpromised: &BTreeMap<String, String>,
) -> Option<&'a Found> {
    if outcome.outside.is_some() {
        return None;
    }
    outcome
        .violations
        .iter()
        .find(|f| !unpromised.contains_key(&f.property))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    #[test]
    fn a_break_it_seed_is_found_with_the_event_that_caught_it() {
        let base = presets::find("2pc-break-unlogged")
            .expect("preset")
            .scenario()
            .expect("valid");
        let unpromised = unpromised(&base).expect("valid");
        let runner = seed_base(&base).expect("valid");
        let first = (0..20)
            .map(|seed| run_seed(&runner, seed, false).expect("runs"))
            .find(|o| counts(o, &unpromised).is_some())
            .expect("caught within 20 seeds");
        let found = counts(&first, &unpromised).expect("found");
        assert_eq!((found.seed, found.property.as_str()), (3, "Agreement"));
        let (scenario, _) = seed_scenario(&base, found.seed, false);
        let mut run = scenario.build().expect("valid");
        run.run_until(crate::engine::time::SimTime(found.at_us));
        assert!(matches!(
            run.events()[found.event as usize].kind,
            EventKind::Violation(_)
        ));
    }

    #[test]
    fn a_shrink_request_gives_the_shrunk_run_and_its_violation() {
        let seed = sweep::with_random_faults(
            &presets::find("2pc-break-unlogged")
                .unwrap()
                .scenario()
                .unwrap(),
            3,
        );
        let request = ShrinkRequest {
            scenario: serde_json::to_value(&seed).unwrap(),
            property: "Agreement".into(),
            budget: 2_000,
        };
        let mut calls = 0;
        let update = shrink_request(&request, &mut |_| {
            calls += 1;
            true
        })
        .expect("shrinks");
        let SearchUpdate::Shrunk {
            scenario,
            before,
            after,
            runs,
            at_us,
            ..
        } = update
        else {
            panic!("{update:?}")
        };
        assert_eq!((before.faults, after.faults, runs), (56, 2, calls));
        assert!(Scenario::from_value(scenario).is_ok());
        assert!(at_us > 0);
        let costly = ShrinkRequest {
            budget: 0,
            ..request
        };
        assert!(
            shrink_request(&costly, &mut |_| true)
                .unwrap_err()
                .contains("from 1 to")
        );
    }

    #[test]
    fn requests_and_updates_travel_as_json() {
        let request: SearchRequest = serde_json::from_value(serde_json::json!({
            "scenario": serde_json::to_value(presets::find("2pc-commit").unwrap().scenario().unwrap()).unwrap(),
            "from": 5, "to": 5
        }))
        .expect("parses");
        assert_eq!(request.base().unwrap_err(), "the seeds 5..5 are none");
        let hostile = SearchRequest {
            scenario: serde_json::json!({"name": "x", "nodes": 0}),
            from: 0,
            to: 10,
            step: 3,
            beyond_model: false,
        };
        assert!(hostile.base().is_err());
        assert_eq!(hostile.seeds().collect::<Vec<_>>(), [0, 3, 6, 9]);
        let update = SearchUpdate::Progress {
            done: 3,
            failed: 1,
            elapsed_ms: 25,
        };
        let text = serde_json::to_string(&update).unwrap();
        assert_eq!(
            text,
            r#"{"progress":{"done":3,"failed":1,"elapsed_ms":25}}"#
        );
        assert_eq!(serde_json::from_str::<SearchUpdate>(&text).unwrap(), update);
    }
}
