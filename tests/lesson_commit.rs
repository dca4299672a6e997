//! Two-phase commit lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks): who decides what, and that restarting the crashed coordinator
//! releases the participants it left in doubt.

mod lessons;

use causeway::engine::action::{Action, Scheduled};
use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::{Fact, NodeId};
use lessons::*;

/// Each node's decisions, as (node, instance, value).
fn decisions(run: &dyn Run, nodes: u32) -> Vec<(NodeId, u64, String)> {
    (1..=nodes)
        .flat_map(|node| {
            facts_of(run, n(node))
                .into_iter()
                .filter_map(move |(_, fact)| match fact {
                    Fact::Decided { instance, value } => Some((n(node), instance, value)),
                    _ => None,
                })
        })
        .collect()
}

fn everyone(value: &str) -> Vec<(NodeId, u64, String)> {
    (1..=4)
        .map(|node| (n(node), 1, value.to_string()))
        .collect()
}

#[test]
fn all_yes_commits_everywhere_and_one_no_aborts_everywhere() {
    assert_eq!(
        decisions(run_preset("2pc-commit").as_ref(), 4),
        everyone("commit")
    );
    let abort = run_preset("2pc-abort");
    assert_eq!(decisions(abort.as_ref(), 4), everyone("abort"));
    let votes = notes_tagged(abort.as_ref(), n(3), "votes");
    assert_eq!(votes.len(), 1);
    assert_eq!(votes[0]["yes"], false, "n3 voted no");
}

#[test]
fn a_crashed_coordinator_leaves_its_participants_in_doubt_until_it_restarts() {
    let blocked = run_preset("2pc-blocking");
    assert!(
        decisions(blocked.as_ref(), 4).is_empty(),
        "nobody decides while n1 is down"
    );
    for node in 2..=4 {
        assert_eq!(
            notes_tagged(blocked.as_ref(), n(node), "votes").len(),
            1,
            "n{node} voted (and so is in doubt)"
        );
        assert_eq!(field(blocked.as_ref(), n(node), "in doubt"), "t1");
    }
    // The lesson's "try this": restart n1. It finds t1 begun but undecided and aborts it.
    let mut scenario = preset("2pc-blocking");
    scenario.faults.push(Scheduled {
        at_us: SimTime(300_000),
        action: Action::Restart { node: n(1) },
    });
    let released = run_to_end(&scenario);
    assert!(
        violated(released.as_ref()).is_empty(),
        "{:?}",
        violated(released.as_ref())
    );
    assert_eq!(decisions(released.as_ref(), 4), everyone("abort"));
    assert_eq!(field(released.as_ref(), n(2), "in doubt"), "none");
    assert_eq!(field(released.as_ref(), n(2), "decided"), "t1 abort");
}

#[test]
fn committing_on_a_majority_overrides_a_no() {
    let run = run_preset("2pc-break-majority");
    let decided = decisions(run.as_ref(), 4);
    assert!(decided.contains(&(n(1), 1, "commit".to_string())));
    assert!(decided.contains(&(n(3), 1, "abort".to_string())));
    assert_eq!(violated(run.as_ref()), ["Commit validity", "Agreement"]);
}

/// The commit lesson with a transaction every 50 ms for 4 s, as a base for random faults.
fn busy(edit: impl FnOnce(&mut serde_json::Value)) -> causeway::scenario::Scenario {
    let mut value: serde_json::Value = serde_json::from_str(
        causeway::scenario::presets::find("2pc-commit")
            .unwrap()
            .json,
    )
    .unwrap();
    value["horizon_us"] = 4_000_000.into();
    value["workload"] =
        serde_json::json!({"generator": {"every_us": 50_000, "target": {"node": "n1"}}});
    edit(&mut value["protocol"]);
    causeway::scenario::Scenario::from_value(value).unwrap()
}

#[test]
fn correct_two_phase_commit_stays_safe_and_finishes_under_random_faults() {
    for base in [
        busy(|_| {}),
        busy(|p| p["vote_no"] = serde_json::json!(["n3"])),
    ] {
        assert_clean_under_random_faults(&base, 0..seed_count(40));
    }
}

#[test]
fn random_faults_catch_committing_on_a_majority_at_once() {
    let base = busy(|p| {
        p["vote_no"] = serde_json::json!(["n3"]);
        p["break_it"] = "commit_on_majority".into();
    });
    let caught = (0..5).find(|&seed| {
        let run = run_to_end(&causeway::scenario::sweep::with_random_faults(&base, seed));
        violated(run.as_ref()).contains(&"Commit validity")
    });
    assert_eq!(caught, Some(0));
}
