//! Paxos lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks), and random-fault sweeps: correct Paxos stays safe and decides, and
//! each break-it variant is caught within a documented number of seeds.

mod lessons;

use causeway::engine::run::Run;
use causeway::engine::{Fact, NodeId};
use causeway::scenario::Scenario;
use causeway::scenario::sweep::with_random_faults;
use lessons::*;

/// What each node learned, by node.
fn learned(run: &dyn Run, nodes: u32) -> Vec<(NodeId, String)> {
    (1..=nodes)
        .flat_map(|node| {
            facts_of(run, n(node))
                .into_iter()
                .filter_map(move |(_, fact)| match fact {
                    Fact::Decided { value, .. } => Some((n(node), value.to_string())),
                    _ => None,
                })
        })
        .collect()
}

fn notes(run: &dyn Run, node: u32, tag: &str) -> Vec<serde_json::Value> {
    notes_tagged(run, n(node), tag)
}

#[test]
fn a_clean_run_chooses_the_proposed_value_everywhere() {
    let run = run_preset("paxos-basic");
    let everyone: Vec<(NodeId, String)> = (1..=3).map(|i| (n(i), "x".to_string())).collect();
    assert_eq!(learned(run.as_ref(), 3), everyone);
}

#[test]
fn the_next_proposer_adopts_the_value_a_majority_accepted() {
    let run = run_preset("paxos-proposer-crash");
    // n2's client asked for y, but phase 1 reported x, accepted in ballot 1.n1: n2 proposes x.
    let adopts = notes(run.as_ref(), 2, "adopts");
    assert_eq!(adopts.len(), 1, "{adopts:?}");
    assert_eq!(adopts[0]["value"], "x");
    assert_eq!(adopts[0]["from"]["round"], 1);
    assert!(
        learned(run.as_ref(), 5)
            .iter()
            .all(|(_, value)| value == "x")
    );
    // The same schedule with the rule removed chooses y over x.
    let run = run_preset("paxos-break-ignore-accepted");
    assert!(notes(run.as_ref(), 2, "adopts").is_empty());
    assert!(violated(run.as_ref()).contains(&"Agreement"));
}

#[test]
fn duelling_proposers_never_get_a_value_accepted_and_back_off_cures_it() {
    let run = run_preset("paxos-duel");
    for acceptor in 2..=4 {
        assert!(notes(run.as_ref(), acceptor, "accepts").is_empty());
    }
    // Each proposer starts a ballot every 25 ms, each one pre-empted by the other's next.
    let ballots =
        notes(run.as_ref(), 1, "prepares").len() + notes(run.as_ref(), 5, "prepares").len();
    assert!(ballots >= 40, "only {ballots} ballots");
    let cured = run_preset("paxos-backoff");
    assert_eq!(learned(cured.as_ref(), 5).len(), 5);
}

#[test]
fn a_promise_kept_on_disk_stops_the_forgetful_acceptors_second_value() {
    // The break-it lesson's schedule with promises on stable storage: n4 refuses the old accept.
    let mut scenario = preset("paxos-break-forget-promise");
    let mut value = serde_json::to_value(&scenario).unwrap();
    value["protocol"]
        .as_object_mut()
        .unwrap()
        .remove("break_it");
    scenario = Scenario::from_value(value).unwrap();
    let run = run_to_end(&scenario);
    assert_eq!(violated(run.as_ref()), Vec::<&str>::new());
    assert!(
        notes(run.as_ref(), 4, "accepts")
            .iter()
            .all(|note| note["value"] == "y")
    );
}

/// The sweep base, `docs/paxos-sweep.json`.
const SWEEP: &str = include_str!("../docs/paxos-sweep.json");

#[test]
fn correct_paxos_stays_safe_and_decides_under_random_faults() {
    assert_clean_under_random_faults(&sweep_base(SWEEP, None), 0..seed_count(200));
}

#[test]
fn random_faults_catch_every_break_it_variant_within_its_documented_seeds() {
    // (variant, the checker that catches it, the first seed that does)
    for (variant, checker, first) in [
        ("ignore_accepted", "One value chosen", 0),
        ("small_quorum", "Learned only if chosen", 2),
        ("forget_promise", "One value chosen", 2),
    ] {
        let base = sweep_base(SWEEP, Some(variant));
        let caught = (0..=first).find(|&seed| {
            let run = run_to_end(&with_random_faults(&base, seed));
            violated(run.as_ref()).contains(&checker)
        });
        assert_eq!(caught, Some(first), "{variant}");
    }
}
