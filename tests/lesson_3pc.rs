//! Three-phase commit lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks): who pre-commits, takes over and decides what, and why (the typed
//! notes' `because`); that the participants do not block where two-phase commit does; that a
//! partition splits the outcome; and random-fault sweeps in three-phase commit's model
//! (crash-recovery over a timely network) and outside it.

mod lessons;

use causeway::engine::action::{Action, Scheduled};
use causeway::engine::run::Run;
use causeway::engine::sim::PropertyState;
use causeway::engine::time::SimTime;
use causeway::scenario::Scenario;
use causeway::scenario::sweep::{beyond_model, with_random_faults};
use lessons::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Each `decides` note of node `node` (1-based): (transaction, commit, because).
fn decides(run: &dyn Run, node: u32) -> Vec<(u64, bool, String)> {
    notes_tagged(run, n(node), "decides")
        .into_iter()
        .map(|note| {
            (
                note["tx"].as_u64().unwrap(),
                note["commit"].as_bool().unwrap(),
                note["because"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Each `takes_over` note of node `node`: the epochs it took over transaction 1 in.
fn takeovers(run: &dyn Run, node: u32) -> Vec<u64> {
    notes_tagged(run, n(node), "takes_over")
        .into_iter()
        .map(|note| note["epoch"].as_u64().unwrap())
        .collect()
}

fn decided(commit: bool, because: &str) -> Vec<(u64, bool, String)> {
    vec![(1, commit, because.to_string())]
}

/// A preset with one more scheduled fault.
fn with_fault(id: &str, at_us: u64, action: Action) -> Scenario {
    let mut scenario = preset(id);
    scenario.faults.push(Scheduled {
        at_us: SimTime(at_us),
        action,
    });
    scenario
}

fn termination(run: &dyn Run) -> PropertyState {
    run.properties()
        .into_iter()
        .find(|p| p.name == "Termination")
        .unwrap()
        .state
}

#[test]
fn three_phases_vote_pre_commit_and_commit_everywhere() {
    let run = run_preset("3pc-commit");
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(decides(run.as_ref(), 1), decided(true, "acks"));
    for node in 2..=4 {
        let tags: Vec<Value> = typed_notes(run.as_ref(), n(node))
            .into_iter()
            .map(|note| note["note"].clone())
            .collect();
        assert_eq!(tags, ["votes", "pre_commits", "decides"], "n{node}");
        assert_eq!(decides(run.as_ref(), node), decided(true, "told"));
        assert_eq!(field(run.as_ref(), n(node), "decided"), "t1 commit");
    }
    // n1 pre-committed before any participant, and committed only after all three had.
    let precommits: Vec<u64> = (1..=4)
        .map(|node| {
            run.events()[first_note(run.as_ref(), node, "pre_commits")]
                .time
                .as_us()
        })
        .collect();
    let commit = run.events()[first_note(run.as_ref(), 1, "decides")]
        .time
        .as_us();
    assert!(
        precommits[1..]
            .iter()
            .all(|&t| precommits[0] < t && t < commit)
    );
    assert_eq!(
        answers(run.as_ref())[0].2,
        serde_json::json!({"committed": {"tx": 1}})
    );
}

/// The index of node `node`'s first note tagged `tag`.
fn first_note(run: &dyn Run, node: u32, tag: &str) -> usize {
    (0..run.events().len())
        .find(|&i| {
            run.events()[i].node == Some(n(node))
                && run
                    .note_json(causeway::engine::EventId(i as u32))
                    .is_some_and(|note| note["note"] == tag)
        })
        .unwrap()
}

#[test]
fn after_the_pre_commits_the_participants_commit_without_the_coordinator() {
    // The commit lesson's "try this" and the no-blocking lesson's first one: n1 crashes at 80 ms.
    for id in ["3pc-commit", "3pc-no-blocking"] {
        let mut scenario = with_fault(id, 80_000, Action::Crash { node: n(1) });
        scenario.faults.retain(|f| f.at_us == SimTime(80_000));
        let run = run_to_end(&scenario);
        assert!(violated(run.as_ref()).is_empty(), "{id}");
        assert_eq!(takeovers(run.as_ref(), 2), [1]);
        assert_eq!(decides(run.as_ref(), 2), decided(true, "acks"));
        for node in 3..=4 {
            assert_eq!(decides(run.as_ref(), node), decided(true, "told"));
        }
        assert!(decides(run.as_ref(), 1).is_empty());
    }
}

#[test]
fn the_blocking_fault_of_two_phase_commit_does_not_block_three_phase_commit() {
    let blocked = run_preset("2pc-blocking");
    assert_eq!(violated(blocked.as_ref()), ["Termination"]);
    let run = run_preset("3pc-no-blocking");
    assert!(violated(run.as_ref()).is_empty());
    assert!(matches!(
        termination(run.as_ref()),
        PropertyState::Satisfied { .. }
    ));
    assert_eq!(takeovers(run.as_ref(), 2), [1]);
    assert_eq!(decides(run.as_ref(), 2), decided(false, "all_uncertain"));
    for node in 3..=4 {
        assert!(takeovers(run.as_ref(), node).is_empty());
        assert_eq!(decides(run.as_ref(), node), decided(false, "told"));
        assert_eq!(field(run.as_ref(), n(node), "uncertain"), "none");
    }
    assert!(
        run.events()[first_note(run.as_ref(), 4, "decides")].time < SimTime(217_000),
        "decided by 217 ms, as the lesson says"
    );
    // "Or restart n1 at 300 ms": it never pre-committed, so it aborts too.
    let restarted = run_to_end(&with_fault(
        "3pc-no-blocking",
        300_000,
        Action::Restart { node: n(1) },
    ));
    assert!(violated(restarted.as_ref()).is_empty());
    assert_eq!(
        decides(restarted.as_ref(), 1),
        decided(false, "presumed_abort")
    );
}

#[test]
fn a_partition_makes_one_side_commit_and_the_other_abort() {
    let run = run_preset("3pc-partition");
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    let (message, _) = violation(run.as_ref(), "Agreement").unwrap();
    assert_eq!(
        message,
        "n3 decided \"abort\" in instance 1, but n1 decided \"commit\""
    );
    assert_eq!(decides(run.as_ref(), 1), decided(true, "acks"));
    assert_eq!(decides(run.as_ref(), 2), decided(true, "told"));
    assert_eq!(
        takeovers(run.as_ref(), 3),
        [2],
        "epoch 1 was n2's, out of reach"
    );
    assert_eq!(decides(run.as_ref(), 3), decided(false, "all_uncertain"));
    assert_eq!(decides(run.as_ref(), 4), decided(false, "told"));
    // "Try this": the partition before the votes are in makes both sides abort.
    let mut scenario = preset("3pc-partition");
    scenario.faults[0].at_us = SimTime(70_000);
    let early = run_to_end(&scenario);
    assert!(violated(early.as_ref()).is_empty());
    for node in 1..=4 {
        assert!(
            decides(early.as_ref(), node)
                .iter()
                .all(|&(_, commit, _)| !commit),
            "n{node}"
        );
    }
}

fn sweep_json() -> &'static str {
    include_str!("../docs/3pc-sweep.json")
}

/// The sweep's model for three-phase commit, declared in `docs/3pc-sweep.json`: crash-recovery
/// nodes over reliable, synchronous links (the sweep keeps crashes, restarts and clock faults over
/// the first half, and drops partitions, lost or slow messages, pauses and early timers), every
/// node up for the second half. In that model three-phase commit is safe and
/// every transaction ends.
#[test]
fn correct_three_phase_commit_stays_safe_and_finishes_under_crashes_and_restarts() {
    let base = sweep_base(sweep_json(), None);
    let mut random_no: Value = serde_json::from_str(sweep_json()).unwrap();
    random_no["protocol"]["vote_no_percent"] = 20.into();
    let random_no = Scenario::from_value(random_no).unwrap();
    // How often each rule decided across the sweep, so the sweep is known to exercise them all.
    let mut rules: BTreeMap<String, u64> = BTreeMap::new();
    for (base, seeds) in [(&base, seed_count(200)), (&random_no, seed_count(100))] {
        for seed in 0..seeds {
            let scenario = with_random_faults(base, seed);
            let run = run_to_end(&scenario);
            assert!(
                violated(run.as_ref()).is_empty()
                    && matches!(termination(run.as_ref()), PropertyState::Satisfied { .. }),
                "seed {seed}: {:?}\nreproduce with: {}",
                violated(run.as_ref()),
                serde_json::to_string(&scenario).unwrap()
            );
            for node in 1..=base.nodes {
                for note in typed_notes(run.as_ref(), n(node)) {
                    let rule = match note["note"].as_str().unwrap() {
                        "decides" => note["because"].as_str().unwrap().to_string(),
                        "takes_over" => "takes_over".to_string(),
                        _ => continue,
                    };
                    *rules.entry(rule).or_default() += 1;
                }
            }
        }
    }
    for rule in [
        "takes_over",
        "acks",
        "all_uncertain",
        "reported",
        "everyone",
        "presumed_abort",
        "vote_timeout",
        "no_vote",
        "own_no",
        "told",
    ] {
        assert!(rules.contains_key(rule), "no decision by {rule}: {rules:?}");
    }
}

/// Outside its model, under every kind of fault the sweep draws, three-phase commit's timeouts
/// take slow or cut-off nodes for crashed ones and the two sides decide differently.
#[test]
fn partitions_and_slow_links_split_three_phase_commit() {
    let base = sweep_base(sweep_json(), None);
    let caught = (0..50).find(|&seed| {
        let (scenario, outside) = beyond_model(&base, seed);
        let run = run_to_end(&scenario);
        !violated(run.as_ref()).is_empty() && outside.is_some()
    });
    assert_eq!(caught, Some(12));
    let (scenario, outside) = beyond_model(&base, 12);
    assert!(
        outside.is_some(),
        "seed 12 draws a fault the model rules out"
    );
    let run = run_to_end(&scenario);
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
}

#[test]
fn the_inspector_shows_the_recovery_coordinator_and_the_states_it_collected() {
    let scenario = preset("3pc-no-blocking");
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(190_000));
    let snapshot = run.snapshot();
    let view = |node: u32| snapshot.nodes[n(node).index()].view.clone().unwrap();
    let n2 = view(2);
    assert_eq!(n2.role.as_deref(), Some("recovery coordinator"));
    let states = n2
        .tables
        .iter()
        .find(|t| t.title == "States collected")
        .unwrap();
    assert_eq!(
        states.rows,
        [["t1", "1", "n3: uncertain; n4: uncertain"].map(String::from)]
    );
    let n3 = view(3);
    assert_eq!(n3.role.as_deref(), Some("uncertain"));
    assert!(
        n3.fields
            .contains(&("following".to_string(), "t1 epoch 1".to_string()))
    );
}
