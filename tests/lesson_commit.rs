//! Two-phase commit lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks): who decides what, that restarting the crashed coordinator releases
//! the participants it left in doubt, what each break-it variant breaks and that the correct
//! protocol does not; random no votes; random-fault sweeps of the correct protocol and of each
//! break-it.

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
                    Fact::Decided { instance, value } => {
                        Some((n(node), instance, value.to_string()))
                    }
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
    let termination = released
        .properties()
        .into_iter()
        .find(|p| p.name == "Termination")
        .unwrap();
    assert!(
        matches!(
            termination.state,
            causeway::engine::sim::PropertyState::Satisfied { .. }
        ),
        "every node recovered and decided t1"
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

#[test]
fn a_participant_that_aborts_on_a_timeout_contradicts_a_commit_it_did_not_hear() {
    let run = run_preset("2pc-break-timeout");
    let decided = decisions(run.as_ref(), 4);
    for node in 1..=3 {
        assert!(
            decided.contains(&(n(node), 1, "commit".to_string())),
            "n{node}"
        );
    }
    assert!(decided.contains(&(n(4), 1, "abort".to_string())));
    assert_eq!(notes_tagged(run.as_ref(), n(4), "gives_up").len(), 1);
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    let (message, _) = violation(run.as_ref(), "Agreement").unwrap();
    assert!(message.starts_with("n4 decided \"abort\""), "{message}");
    // The lesson's "try this": a correct participant waits in doubt and commits when the held
    // commit arrives.
    let mut scenario = preset("2pc-break-timeout");
    scenario.protocol = causeway::scenario::ProtocolConfig::TwoPhaseCommit(Default::default());
    let correct = run_to_end(&scenario);
    assert!(violated(correct.as_ref()).is_empty());
    assert_eq!(decisions(correct.as_ref(), 4), everyone("commit"));
}

#[test]
fn a_decision_sent_before_it_is_written_is_lost_in_a_crash_and_contradicted() {
    let run = run_preset("2pc-break-unlogged");
    let decided = decisions(run.as_ref(), 4);
    assert_eq!(
        decided,
        [
            (n(1), 1, "commit".to_string()),
            (n(1), 1, "abort".to_string()),
            (n(2), 1, "commit".to_string()),
            (n(3), 1, "commit".to_string()),
            (n(4), 1, "abort".to_string()),
        ]
    );
    assert_eq!(
        answers(run.as_ref())[0].2,
        serde_json::json!({"committed": {"tx": 1}})
    );
    assert_eq!(violated(run.as_ref()), ["Agreement", "Integrity"]);
    // The lesson's "try this": written first, the commit survives the crash and reaches n4.
    let mut scenario = preset("2pc-break-unlogged");
    scenario.protocol = causeway::scenario::ProtocolConfig::TwoPhaseCommit(Default::default());
    let correct = run_to_end(&scenario);
    assert!(violated(correct.as_ref()).is_empty());
    assert_eq!(decisions(correct.as_ref(), 4), everyone("commit"));
}

#[test]
fn participants_vote_no_at_random_from_their_own_streams() {
    let scenario = busy(|p| p["vote_no_percent"] = 30.into());
    let run = run_to_end(&scenario);
    let votes: Vec<bool> = (2..=4)
        .flat_map(|node| notes_tagged(run.as_ref(), n(node), "votes"))
        .map(|note| note["yes"].as_bool().unwrap())
        .collect();
    let no = votes.iter().filter(|yes| !**yes).count();
    // About 30% of some 240 votes: far from none and far from all.
    assert!((40..=110).contains(&no), "{no} no votes of {}", votes.len());
    let outcomes: Vec<String> = decisions(run.as_ref(), 1)
        .into_iter()
        .map(|(_, _, value)| value)
        .collect();
    assert!(outcomes.contains(&"commit".to_string()) && outcomes.contains(&"abort".to_string()));
    assert!(
        violated(run.as_ref()).is_empty(),
        "{:?}",
        violated(run.as_ref())
    );
    // Without the parameter, nobody draws: the preset's trace is the one it always was.
    assert_eq!(
        causeway::engine::run::trace_hash(run_to_end(&busy(|_| {})).as_mut()),
        causeway::engine::run::trace_hash(
            run_to_end(&busy(|p| p["vote_no_percent"] = 0.into())).as_mut()
        )
    );
}

/// The sweep base `docs/2pc-sweep.json` (a transaction every 50 ms for 4 s), with its protocol
/// parameters edited.
fn busy(edit: impl FnOnce(&mut serde_json::Value)) -> causeway::scenario::Scenario {
    let mut value: serde_json::Value =
        serde_json::from_str(include_str!("../docs/2pc-sweep.json")).unwrap();
    edit(&mut value["protocol"]);
    causeway::scenario::Scenario::from_value(value).unwrap()
}

/// The sweep's model for two-phase commit: every fault `sweep::with_random_faults` draws
/// (crashes and restarts, partitions, lossy, slow and duplicating links, pauses, clock faults) over
/// the first half, everything healed for the second. Two-phase commit is safe whatever the network
/// does, and every node is up for the second half, so every transaction must also end.
#[test]
fn correct_two_phase_commit_stays_safe_and_finishes_under_random_faults() {
    for base in [
        busy(|_| {}),
        busy(|p| p["vote_no"] = serde_json::json!(["n3"])),
        busy(|p| p["vote_no_percent"] = 20.into()),
    ] {
        assert_settled_under_random_faults(
            &base,
            0..seed_count(200),
            "Termination",
            "correct two-phase commit",
        );
    }
}

/// The first seed in `0..` whose random faults make `base` violate `property`.
fn first_catch(base: &causeway::scenario::Scenario, property: &str) -> Option<u64> {
    (0..50).find(|&seed| {
        let run = run_to_end(&causeway::scenario::sweep::with_random_faults(base, seed));
        violated(run.as_ref()).contains(&property)
    })
}

/// Each break-it is caught within the first two seeds (`docs/atomic-commit.md` quotes these).
#[test]
fn random_faults_catch_each_break_it() {
    let majority = busy(|p| {
        p["vote_no"] = serde_json::json!(["n3"]);
        p["break_it"] = "commit_on_majority".into();
    });
    assert_eq!(first_catch(&majority, "Commit validity"), Some(0));
    let timeout = busy(|p| p["break_it"] = "participant_timeout_abort".into());
    assert_eq!(first_catch(&timeout, "Agreement"), Some(0));
    let unlogged = busy(|p| p["break_it"] = "decide_before_log".into());
    assert_eq!(first_catch(&unlogged, "Agreement"), Some(1));
}
