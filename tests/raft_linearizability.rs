//! Raft's client histories against the shared linearizability checker: the complete search of
//! `checks::linearizability` over each key, compared with Raft's online checker ("Linearizable
//! reads", which judges each get as it completes). On correct Raft under random faults the search
//! must find every history linearizable (or run out of budget, never find one wrong); on the broken
//! variants, whenever the online checker reports a stale read, the search must agree.
//! `CAUSEWAY_SEEDS` widens the sweep.

mod common;

use causeway::checks::linearizability::{
    KeyedOperation, KvOutcome, Operation, RegisterInput, RegisterOutput, check_kv,
};
use causeway::engine::run::Run;
use causeway::engine::trace::EventKind;
use causeway::protocols::raft::{BreakIt, ReadMode};
use causeway::scenario::{Scenario, presets, sweep};
use common::{raft_base, reproduce, seed_count};
use std::collections::BTreeMap;

/// Placements the search may try per key before it answers "unknown".
const BUDGET: u64 = 2_000_000;

/// Every client operation of the run as a key-value history: invoked at its first attempt,
/// completed at its first answer that is not a redirect (retries carry the same operation, which
/// Raft applies once).
fn history(run: &dyn Run) -> Vec<KeyedOperation> {
    let mut ops: BTreeMap<u64, KeyedOperation> = BTreeMap::new();
    for (i, event) in run.events().iter().enumerate() {
        match &event.kind {
            EventKind::Request { id, op, .. } if !ops.contains_key(&u64::from(op.0)) => {
                let Some((_, request)) = run.request_json(*id) else {
                    continue;
                };
                let (verb, body) = request
                    .as_object()
                    .and_then(|o| o.iter().next())
                    .expect("a kv request is an object with one verb");
                let key = body["key"].as_str().expect("a key").to_string();
                let value = || body["value"].as_str().expect("a value").to_string();
                let input = match verb.as_str() {
                    "put" => RegisterInput::Write(value()),
                    "append" => RegisterInput::Append(value()),
                    "get" => RegisterInput::Read,
                    other => panic!("unknown kv verb {other}"),
                };
                ops.insert(
                    u64::from(op.0),
                    KeyedOperation {
                        key,
                        op: Operation {
                            input,
                            invoked: i as u64,
                            completed: None,
                        },
                    },
                );
            }
            EventKind::Response { op, .. } => {
                let Some(entry) = ops.get_mut(&u64::from(op.0)) else {
                    continue;
                };
                if entry.op.completed.is_some() {
                    continue;
                }
                let response = run
                    .response_json(causeway::engine::EventId(i as u32))
                    .expect("a response has its reply");
                let output = if response == "ok" {
                    RegisterOutput::Written
                } else if let Some(value) = response.get("value") {
                    RegisterOutput::Value(value.as_str().map(str::to_string))
                } else {
                    continue;
                };
                entry.op.completed = Some((output, i as u64));
            }
            _ => {}
        }
    }
    ops.into_values().collect()
}

fn online_verdict(run: &dyn Run) -> Option<String> {
    run.events().iter().find_map(|e| match &e.kind {
        EventKind::Violation(v) if v.property == "Linearizable reads" => Some(v.message.clone()),
        _ => None,
    })
}

fn run(scenario: &Scenario) -> Box<dyn Run> {
    let mut run = scenario.build().expect("scenarios build");
    run.run_until(scenario.horizon_us);
    run
}

#[test]
fn every_raft_preset_history_agrees_with_the_online_checker() {
    let mut with_clients = 0;
    for preset in presets::PRESETS
        .iter()
        .filter(|p| p.id.starts_with("raft-"))
    {
        let run = run(&preset.scenario().unwrap());
        let history = history(run.as_ref());
        with_clients += usize::from(!history.is_empty());
        let verdict = check_kv(&history, BUDGET);
        if let Some(message) = online_verdict(run.as_ref()) {
            assert!(
                matches!(verdict, KvOutcome::NotLinearizable(_)),
                "{}: the online checker found {message:?}, the search {verdict:?}",
                preset.id
            );
        }
        if preset.expect.violates.is_none() {
            assert_eq!(verdict, KvOutcome::Linearizable, "{}", preset.id);
        }
    }
    assert!(
        with_clients >= 5,
        "only {with_clients} Raft presets have clients"
    );
}

#[test]
fn correct_raft_histories_stay_linearizable_under_random_faults() {
    for (name, base) in [
        ("log reads", raft_base(|_| {})),
        (
            "read-index reads",
            raft_base(|p| {
                p.reads = ReadMode::ReadIndex;
                p.max_entries_per_message = 2;
            }),
        ),
    ] {
        for seed in 0..seed_count(12) {
            let scenario = sweep::with_random_faults(&base, seed);
            let run = run(&scenario);
            let verdict = check_kv(&history(run.as_ref()), BUDGET);
            assert!(
                !matches!(verdict, KvOutcome::NotLinearizable(_)),
                "{name}, seed {seed}: {verdict:?}\n{}",
                reproduce(&scenario)
            );
        }
    }
}

#[test]
fn when_the_online_checker_finds_a_stale_read_the_search_does_too() {
    let broken = raft_base(|p| {
        p.break_it = BreakIt::VoteWithoutLogCheck;
    });
    let mut compared = 0;
    for seed in 0..seed_count(40) {
        let scenario = sweep::with_random_faults(&broken, seed);
        let run = run(&scenario);
        if let Some(message) = online_verdict(run.as_ref()) {
            compared += 1;
            let verdict = check_kv(&history(run.as_ref()), BUDGET);
            assert!(
                matches!(verdict, KvOutcome::NotLinearizable(_)),
                "seed {seed}: the online checker found {message:?}, the search {verdict:?}\n{}",
                reproduce(&scenario)
            );
            // The online checker explains what it found with the library's search.
            assert!(
                message.contains("missing the") && message.contains("the longest order of"),
                "seed {seed}: {message:?}\n{}",
                reproduce(&scenario)
            );
        }
    }
    assert!(
        compared > 0,
        "no seed broke linearizable reads: the comparison is vacuous"
    );
}
