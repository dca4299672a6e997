//! CRDT lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks), the parameters' validation, random-fault sweeps in which every type
//! converges in both forms, and the best-effort break caught (CI also runs 200 seeds through
//! `sim sweep`; see docs/crdt.md).

mod lessons;

use causeway::engine::SimTime;
use causeway::engine::run::Run;
use causeway::scenario::Scenario;
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use serde_json::{Value, json};

const SWEEP: &str = include_str!("../docs/crdt-sweep.json");
const KINDS: [&str; 5] = ["g_counter", "pn_counter", "lww_register", "or_set", "rga"];

/// The values node `node` answered reads and updates with, in order.
fn answers(run: &dyn Run, node: u32) -> Vec<String> {
    (0..run.events().len())
        .filter(|&i| run.events()[i].node == Some(n(node)))
        .filter_map(|i| run.response_json(causeway::engine::ids::EventId(i as u32)))
        .filter_map(|reply| reply["value"].as_str().map(str::to_string))
        .collect()
}

/// The sweep's base with `protocol` replaced.
fn base(protocol: Value) -> Scenario {
    let mut value: Value = serde_json::from_str(SWEEP).unwrap();
    value["protocol"] = protocol;
    Scenario::from_value(value).unwrap()
}

#[test]
fn the_counter_diverges_across_the_partition_and_sums_every_count_once_after() {
    let run = run_preset("crdt-counter");
    assert_eq!(answers(run.as_ref(), 1), ["2", "9", "9", "12"]);
    assert_eq!(answers(run.as_ref(), 3), ["10", "8", "8", "12"]);
    assert_eq!(answers(run.as_ref(), 2), ["3", "12"]);
}

#[test]
fn causal_broadcast_holds_the_remove_back_until_the_add_it_removes_arrives() {
    let scenario = preset("crdt-orset");
    let mut run = scenario.build().unwrap();
    // n2's remove has reached n3 over the open link; n1's add waits on the held one.
    run.run_until(SimTime(350_000));
    let snapshot = run.snapshot();
    let view = snapshot.nodes[n(3).index()].view.as_ref().unwrap();
    let held = view
        .tables
        .iter()
        .find(|t| t.title.starts_with("Held back"))
        .expect("n3 holds the remove back");
    // n2's add of eggs waits too: n2 had delivered milk when it added eggs.
    let held: Vec<&str> = held.rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(held, ["n2#1 add eggs", "n2#2 remove milk (1 tag)"]);
    run.run_until(scenario.horizon_us);
    for node in 1..=3 {
        assert_eq!(answers(run.as_ref(), node).last().unwrap(), "{eggs}");
    }
    // n3 delivered n1's add (sent on by n2) before the remove.
    let applied: Vec<String> = notes_tagged(run.as_ref(), n(3), "applies")
        .iter()
        .map(|note| {
            note["id"]["origin"].as_str().unwrap().to_string()
                + "#"
                + &note["id"]["seq"].to_string()
        })
        .collect();
    assert_eq!(applied, ["n1#1", "n2#1", "n2#2"]);
}

#[test]
fn over_best_effort_broadcast_the_overtaken_add_brings_milk_back_at_one_replica() {
    let run = run_preset("crdt-break-best-effort");
    let (message, involved) = violation(run.as_ref(), "Strong convergence").unwrap();
    assert_eq!(
        message,
        "n3 and n1 include the same 3 updates but hold {eggs, milk} and {eggs}"
    );
    assert_eq!(involved.len(), 1, "the add applied at n3");
}

#[test]
fn text_typed_on_both_sides_merges_whole_insertions_in_id_order() {
    let run = run_preset("crdt-text");
    assert_eq!(
        answers(run.as_ref(), 1),
        ["\"cat\"", "\"cat sat\"", "\"cat sat\"", "\"at ran sat\""]
    );
    assert_eq!(
        answers(run.as_ref(), 3),
        ["\"cat ran\"", "\"at ran\"", "\"at ran sat\""]
    );
    assert_eq!(answers(run.as_ref(), 2).last().unwrap(), "\"at ran sat\"");
}

#[test]
fn a_type_that_does_not_take_an_update_rejects_it_in_words() {
    let mut scenario = preset("crdt-counter");
    scenario.workload.requests.truncate(1);
    let mut value = serde_json::to_value(&scenario).unwrap();
    value["workload"]["requests"][0]["op"] = json!({"add": "x"});
    let run = run_to_end(&Scenario::from_value(value).unwrap());
    let reply = (0..run.events().len())
        .find_map(|i| run.response_json(causeway::engine::ids::EventId(i as u32)))
        .unwrap();
    assert_eq!(
        reply,
        json!({"rejected": "a PN-Counter takes inc and dec, not add"})
    );
}

#[test]
fn bad_parameters_are_named() {
    let error = |protocol: Value| {
        let mut value = serde_json::to_value(preset("crdt-counter")).unwrap();
        value["protocol"] = protocol;
        match Scenario::from_value(value).and_then(|s| s.build().map(|_| ())) {
            Ok(()) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    };
    let message = error(json!({"name": "crdt", "crdt": "mv_register"}));
    assert!(
        message.contains("mv_register") && message.contains("or_set"),
        "{message}"
    );
    let message = error(json!({"name": "crdt", "sync_every_us": 0}));
    assert!(
        message.contains("`protocol.sync_every_us` is 0"),
        "{message}"
    );
    let message = error(json!({"name": "crdt", "break_it": "best_effort"}));
    assert!(
        message.contains("set `protocol.sync` to \"op\""),
        "{message}"
    );
}

#[test]
fn every_type_converges_in_both_forms_under_random_faults() {
    for kind in KINDS {
        for sync in ["state", "op"] {
            let base = base(json!({"name": "crdt", "crdt": kind, "sync": sync}));
            let what = format!("{kind} {sync}");
            assert_settled_under_random_faults(&base, 0..seed_count(12), "Convergence", &what);
        }
    }
}

#[test]
fn random_faults_catch_best_effort_delivery_at_the_documented_seed() {
    // Documented in docs/crdt.md.
    let first = |kind: &str| {
        let base =
            base(json!({"name": "crdt", "crdt": kind, "sync": "op", "break_it": "best_effort"}));
        (0..40).find(|&seed| {
            !violated(run_to_end(&with_random_faults(&base, seed)).as_ref()).is_empty()
        })
    };
    assert_eq!(
        KINDS.map(first),
        [Some(0), Some(0), Some(11), Some(3), Some(0)]
    );
}
