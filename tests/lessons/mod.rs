//! Helpers for lesson tests: run a preset to its horizon and ask what its checkers, facts and typed
//! notes say (never the text a note displays).
#![allow(dead_code)]

use causeway::engine::run::Run;
use causeway::engine::sim::PropertyState;
use causeway::engine::trace::EventKind;
use causeway::engine::{EventId, Fact, NodeId, SimTime};
use causeway::scenario::{Scenario, presets};
use serde_json::Value;

pub fn n(one_based: u32) -> NodeId {
    NodeId(one_based - 1)
}

pub fn preset(id: &str) -> Scenario {
    presets::find(id)
        .unwrap_or_else(|| panic!("no preset {id}"))
        .scenario()
        .expect("presets are valid")
}

pub fn run_to_end(scenario: &Scenario) -> Box<dyn Run> {
    let mut run = scenario.build().expect("lesson scenarios are valid");
    run.run_until(scenario.horizon_us);
    run
}

pub fn run_preset(id: &str) -> Box<dyn Run> {
    run_to_end(&preset(id))
}

/// The names of the properties the run violated, in checker order.
pub fn violated(run: &dyn Run) -> Vec<&'static str> {
    run.properties()
        .into_iter()
        .filter(|p| matches!(p.state, PropertyState::Violated { .. }))
        .map(|p| p.name)
        .collect()
}

/// The names of the properties the run violated that its declared system model promises (every
/// one, without a model).
pub fn broken_promises(run: &dyn Run) -> Vec<&'static str> {
    run.properties()
        .into_iter()
        .filter(|p| matches!(p.state, PropertyState::Violated { .. }) && p.unpromised.is_none())
        .map(|p| p.name)
        .collect()
}

/// The message and involved events of the violation of property `name`, if it was violated.
pub fn violation(run: &dyn Run, name: &str) -> Option<(String, Vec<EventId>)> {
    run.events().iter().find_map(|e| match &e.kind {
        EventKind::Violation(v) if v.property == name => {
            Some((v.message.clone(), v.involved.clone()))
        }
        _ => None,
    })
}

/// The facts stated by the notes of `node`, with their events, in event order.
pub fn facts_of(run: &dyn Run, node: NodeId) -> Vec<(EventId, Fact)> {
    run.facts()
        .iter()
        .filter(|(event, _)| run.events()[event.index()].node == Some(node))
        .cloned()
        .collect()
}

/// The typed notes of `node`, as JSON (tagged by `"note"`), in event order.
pub fn typed_notes(run: &dyn Run, node: NodeId) -> Vec<Value> {
    run.events()
        .iter()
        .enumerate()
        .filter(|(_, e)| e.node == Some(node) && matches!(e.kind, EventKind::Annotate { .. }))
        .map(|(i, _)| {
            run.note_json(EventId(i as u32))
                .expect("every annotate event has a typed note")
        })
        .collect()
}

/// The typed notes of `node` whose `"note"` tag is `tag`, as JSON, in event order.
pub fn notes_tagged(run: &dyn Run, node: NodeId, tag: &str) -> Vec<Value> {
    typed_notes(run, node)
        .into_iter()
        .filter(|note| note["note"] == tag)
        .collect()
}

/// A field of a node's inspector view at the end of the run.
pub fn field(run: &dyn Run, node: NodeId, name: &str) -> String {
    let snapshot = run.snapshot();
    let view = snapshot.nodes[node.index()]
        .view
        .as_ref()
        .expect("the node is up");
    view.fields
        .iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no field {name} in {:?}", view.fields))
        .1
        .clone()
}

/// How many seeds randomized lesson tests try: `CAUSEWAY_SEEDS` widens the sweep.
pub fn seed_count(default: u64) -> u64 {
    std::env::var("CAUSEWAY_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Parses a signed human duration as the inspector shows it (`+27.729ms`, `-530µs`).
pub fn signed_us(text: &str) -> i64 {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.trim_start_matches('+')),
    };
    let magnitude = causeway::engine::time::parse_duration_us(rest)
        .unwrap_or_else(|e| panic!("{text} is not a duration: {e}"));
    sign * magnitude as i64
}

/// Runs `base` under the random fault schedules of `seeds` and fails, naming the seed, the
/// violated properties and the scenario that reproduces it, if any run violates anything.
pub fn assert_clean_under_random_faults(base: &Scenario, seeds: std::ops::Range<u64>) {
    for seed in seeds {
        let scenario = causeway::scenario::sweep::with_random_faults(base, seed);
        let run = run_to_end(&scenario);
        assert!(
            violated(run.as_ref()).is_empty(),
            "seed {seed}: {:?}\nreproduce with: {}",
            violated(run.as_ref()),
            serde_json::to_string(&scenario).unwrap()
        );
    }
}

/// A sweep base (a `docs/*-sweep.json` text, what the protocol's doc runs with `sim sweep`), with
/// `break_it` set if given.
pub fn sweep_base(json: &str, break_it: Option<&str>) -> Scenario {
    let mut value: Value = serde_json::from_str(json).unwrap();
    if let Some(variant) = break_it {
        value["protocol"]["break_it"] = variant.into();
    }
    Scenario::from_value(value).unwrap()
}

/// Every answer (not a redirect) to a client: the node (1-based), the time and the reply.
pub fn answers(run: &dyn Run) -> Vec<(u32, SimTime, Value)> {
    run.events()
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, EventKind::Response { .. }))
        .filter_map(|(i, e)| {
            let reply = run.response_json(EventId(i as u32))?;
            (reply.get("redirect").is_none()).then(|| (e.node.unwrap().0 + 1, e.time, reply))
        })
        .collect()
}

/// How many messages of this kind (the payload's tag) were sent.
pub fn sent(run: &dyn Run, kind: &str) -> usize {
    run.events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Send { msg, .. } => Some(msg),
            _ => None,
        })
        .filter(|&msg| run.message_json(msg).get(kind).is_some())
        .count()
}

/// Runs `base` under the random fault schedules of `seeds` and fails, naming the seed, every
/// property's state and the scenario that reproduces it, unless each run violates nothing and
/// satisfies the eventually property `settled` (judged once the faults have healed).
pub fn assert_settled_under_random_faults(
    base: &Scenario,
    seeds: std::ops::Range<u64>,
    settled: &str,
    what: &str,
) {
    for seed in seeds {
        let scenario = causeway::scenario::sweep::with_random_faults(base, seed);
        let run = run_to_end(&scenario);
        let properties = run.properties();
        let judged = properties
            .iter()
            .find(|p| p.name == settled)
            .unwrap_or_else(|| panic!("no property {settled}"));
        assert!(
            violated(run.as_ref()).is_empty()
                && matches!(judged.state, PropertyState::Satisfied { .. }),
            "{what}, seed {seed}: {:?}\nreproduce with: {}",
            properties
                .iter()
                .map(|p| (p.name, &p.state))
                .collect::<Vec<_>>(),
            serde_json::to_string(&scenario).unwrap()
        );
    }
}
