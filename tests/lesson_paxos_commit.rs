//! Paxos Commit lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks): who accepts, takes over and decides what, and why (the typed notes'
//! `because`); the messages and latency of the fast path against two-phase commit's; that nobody
//! stays in doubt for long under the fault that blocks two-phase commit; the broken leader that
//! skips phase 1; the parameter checks; and random-fault sweeps in Paxos Commit's model
//! (fair-loss links, crash-recovery nodes, no timing assumption).

mod lessons;

use causeway::engine::action::{Action, Scheduled};
use causeway::engine::run::Run;
use causeway::engine::sim::PropertyState;
use causeway::engine::time::SimTime;
use causeway::engine::{EventKind, Fact};
use causeway::scenario::Scenario;
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use serde_json::Value;

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

fn decided(commit: bool, because: &str) -> Vec<(u64, bool, String)> {
    vec![(1, commit, because.to_string())]
}

/// The ballots node `node` took over transaction 1 in, as `round.node`.
fn takeovers(run: &dyn Run, node: u32) -> Vec<(u64, String)> {
    notes_tagged(run, n(node), "takes_over")
        .into_iter()
        .map(|note| {
            let ballot = &note["ballot"];
            (
                ballot["round"].as_u64().unwrap(),
                ballot["leader"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// When node `node` first decided (in µs).
fn decided_at(run: &dyn Run, node: u32) -> Option<u64> {
    facts_of(run, n(node))
        .into_iter()
        .find(|(_, fact)| matches!(fact, Fact::Decided { .. }))
        .map(|(event, _)| run.events()[event.index()].time.as_us())
}

/// How long node `node` was in doubt about transaction 1: from its `in_doubt` fact to its
/// decision, or to the end of the run if it never decided. `None` if it never was in doubt.
fn in_doubt_us(run: &dyn Run, node: u32, end: SimTime) -> Option<u64> {
    let facts = facts_of(run, n(node));
    let from = facts
        .iter()
        .find(|(_, f)| matches!(f, Fact::InDoubt { instance: 1 }))
        .map(|(event, _)| run.events()[event.index()].time)?;
    let to = facts
        .iter()
        .find(|(_, f)| matches!(f, Fact::Decided { instance: 1, .. }))
        .map_or(end, |(event, _)| run.events()[event.index()].time);
    Some(to.as_us() - from.as_us())
}

fn termination(run: &dyn Run) -> PropertyState {
    run.properties()
        .into_iter()
        .find(|p| p.name == "Termination")
        .unwrap()
        .state
}

/// A preset with its protocol parameters edited.
fn with_params(id: &str, edit: impl FnOnce(&mut Value)) -> Scenario {
    let mut value = serde_json::to_value(preset(id)).unwrap();
    edit(&mut value["protocol"]);
    Scenario::from_value(value).unwrap()
}

#[test]
fn the_fast_path_commits_once_prepared_is_chosen_in_every_instance() {
    let run = run_preset("paxos-commit");
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(decides(run.as_ref(), 1), decided(true, "all_prepared"));
    for node in 2..=4 {
        assert_eq!(decides(run.as_ref(), node), decided(true, "told"));
        assert_eq!(field(run.as_ref(), n(node), "decided"), "t1 commit");
        assert_eq!(field(run.as_ref(), n(node), "in doubt"), "none");
    }
    // Only the acceptors n1 to n3 accept; every acceptance is in ballot 0, the fast path.
    for node in 1..=4 {
        let accepts = notes_tagged(run.as_ref(), n(node), "accepts");
        assert_eq!(accepts.len(), if node <= 3 { 3 } else { 0 }, "n{node}");
        assert!(accepts.iter().all(|a| a["ballot"]["round"] == 0));
    }
    assert!((1..=4).all(|node| takeovers(run.as_ref(), node).is_empty()));
    // "n1 commits at 83.2 ms": one message delay after two-phase commit's 73.8 ms.
    assert_eq!(decided_at(run.as_ref(), 1), Some(83_152));
    let two_pc = run_preset("2pc-commit");
    assert_eq!(decided_at(two_pc.as_ref(), 1), Some(73_820));
    assert_eq!(
        answers(run.as_ref())[0].2,
        serde_json::json!({"committed": {"tx": 1}})
    );
    // "22 messages instead of 12": 3 prepares, 7 votes as 2a (n2 and n3 accept their own), 6
    // acceptances as 2b (n1 counts its own), 3 commits and 3 acknowledgements.
    let counts: Vec<usize> = ["prepare", "phase2a", "phase2b", "outcome", "have"]
        .into_iter()
        .map(|kind| sent(run.as_ref(), kind))
        .collect();
    assert_eq!(counts, [3, 7, 6, 3, 3]);
    assert_eq!(run.stats().sent, 22);
    assert_eq!(two_pc.stats().sent, 12);
}

#[test]
fn a_no_vote_is_chosen_aborted_and_everyone_aborts() {
    // The commit lesson's "try this".
    let run = run_to_end(&with_params("paxos-commit", |p| {
        p["vote_no"] = serde_json::json!(["n3"]);
    }));
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(decides(run.as_ref(), 3), decided(false, "own_no"));
    assert_eq!(decides(run.as_ref(), 1), decided(false, "aborted_chosen"));
    for node in [2, 4] {
        assert_eq!(decides(run.as_ref(), node), decided(false, "told"));
    }
}

#[test]
fn the_fault_that_blocks_two_phase_commit_does_not_block_paxos_commit() {
    let end = SimTime(600_000);
    let blocked = run_preset("2pc-blocking");
    assert_eq!(violated(blocked.as_ref()), ["Termination"]);
    for node in 2..=4 {
        let doubt = in_doubt_us(blocked.as_ref(), node, end).unwrap();
        assert!(doubt > 500_000, "n{node} blocked to the end in 2PC");
    }
    let run = run_preset("paxos-commit-no-blocking");
    assert!(violated(run.as_ref()).is_empty());
    assert!(matches!(
        termination(run.as_ref()),
        PropertyState::Satisfied { .. }
    ));
    // The same fault schedule as two-phase commit's lesson.
    assert_eq!(
        preset("paxos-commit-no-blocking").faults,
        preset("2pc-blocking").faults
    );
    assert_eq!(takeovers(run.as_ref(), 2), [(1, "n2".to_string())]);
    assert!(takeovers(run.as_ref(), 3).is_empty());
    assert_eq!(decides(run.as_ref(), 2), decided(true, "all_prepared"));
    assert_eq!(decided_at(run.as_ref(), 2), Some(197_344));
    for node in 3..=4 {
        assert_eq!(decides(run.as_ref(), node), decided(true, "told"));
    }
    assert!(decides(run.as_ref(), 1).is_empty());
    assert!(decided_at(run.as_ref(), 3).unwrap() < 210_000, "by 210 ms");
    for node in 2..=4 {
        let doubt = in_doubt_us(run.as_ref(), node, end).unwrap();
        assert!(doubt < 150_000, "n{node} in doubt {doubt} µs");
    }
    // The participants asked while n2 waited its turn.
    assert_eq!(sent(run.as_ref(), "ask"), 7);
}

#[test]
fn restarting_the_coordinator_teaches_it_the_outcome_and_one_acceptor_blocks() {
    // "Restart n1 at 300 ms: n2's resent commit tells it."
    let mut scenario = preset("paxos-commit-no-blocking");
    scenario.faults.push(Scheduled {
        at_us: SimTime(300_000),
        action: Action::Restart { node: n(1) },
    });
    let run = run_to_end(&scenario);
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(decides(run.as_ref(), 1), decided(true, "told"));
    // "Set f to 0": n1 is the only acceptor, and Paxos Commit is two-phase commit: it blocks.
    let run = run_to_end(&with_params("paxos-commit-no-blocking", |p| {
        p["f"] = 0.into();
    }));
    assert_eq!(violated(run.as_ref()), ["Termination"]);
    assert!((2..=4).all(|node| decides(run.as_ref(), node).is_empty()));
}

#[test]
fn a_leader_that_skips_phase_one_aborts_what_was_committed() {
    let run = run_preset("paxos-commit-break-skip-phase-one");
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    let (message, _) = violation(run.as_ref(), "Agreement").unwrap();
    assert_eq!(
        message,
        "n2 decided \"abort\" in instance 1, but n1 decided \"commit\""
    );
    assert_eq!(decides(run.as_ref(), 1), decided(true, "all_prepared"));
    assert_eq!(decides(run.as_ref(), 4), decided(true, "told"));
    assert_eq!(takeovers(run.as_ref(), 2), [(1, "n2".to_string())]);
    assert_eq!(decides(run.as_ref(), 2), decided(false, "aborted_chosen"));
    assert_eq!(decided_at(run.as_ref(), 2), Some(179_624));
    assert_eq!(decides(run.as_ref(), 3), decided(false, "told"));
    assert_eq!(sent(run.as_ref(), "phase1a"), 0, "no phase 1");
    // "Set break_it back to none": n2 runs phase 1 and commits.
    let fixed = run_to_end(&with_params("paxos-commit-break-skip-phase-one", |p| {
        p.as_object_mut().unwrap().remove("break_it");
    }));
    assert!(violated(fixed.as_ref()).is_empty());
    assert_eq!(decides(fixed.as_ref(), 2), decided(true, "all_prepared"));
    assert_eq!(decides(fixed.as_ref(), 3), decided(true, "told"));
}

#[test]
fn the_inspector_shows_each_instance_at_each_acceptor_and_the_leader() {
    let scenario = preset("paxos-commit-no-blocking");
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(190_000));
    let snapshot = run.snapshot();
    let view = |node: u32| snapshot.nodes[n(node).index()].view.clone().unwrap();
    let n2 = view(2);
    assert_eq!(n2.role.as_deref(), Some("leader"));
    assert!(n2.fields.contains(&(
        "leading".to_string(),
        "t1 ballot 1.n2 (phase 2)".to_string()
    )));
    let counted = n2
        .tables
        .iter()
        .find(|t| t.title == "Acceptances counted")
        .unwrap();
    assert_eq!(
        counted.columns,
        [
            "transaction",
            "instance",
            "ballot",
            "n1",
            "n2",
            "n3",
            "chosen"
        ]
    );
    // n3's acceptance of 1.n2 is still on its way: only n2's own is counted.
    assert_eq!(
        counted.rows[0],
        ["t1", "n2", "1.n2", "—", "prepared", "—", "no"].map(String::from)
    );
    let n3 = view(3);
    assert_eq!(n3.role.as_deref(), Some("in doubt"));
    let accepted = n3
        .tables
        .iter()
        .find(|t| t.title == "Accepted here")
        .unwrap();
    assert_eq!(
        accepted.rows,
        ["n2", "n3", "n4"].map(|p| ["t1", p, "1.n2", "prepared in 1.n2"].map(String::from))
    );
    // n4 is a participant only: it shows no acceptor's table.
    assert!(view(4).tables.is_empty());
    run.run_until(SimTime(800_000));
    let n2 = run.snapshot().nodes[n(2).index()].view.clone().unwrap();
    assert!(
        n2.fields
            .contains(&("decided".to_string(), "t1 commit".to_string()))
    );
}

/// An edit of a scenario's protocol parameters.
type Edit = fn(&mut Value);

#[test]
fn parameters_are_checked_with_what_is_wrong() {
    let error = |edit: Edit| {
        let mut value = serde_json::to_value(preset("paxos-commit")).unwrap();
        edit(&mut value["protocol"]);
        Scenario::from_value(value).unwrap_err().to_string()
    };
    let cases: [(Edit, &str); 5] = [
        (
            |p| p["f"] = 2.into(),
            "`protocol.f` is 2, which needs 2F+1 = 5 acceptors (n1 to n5), but the scenario has \
             only 4 nodes: make `f` at most 1",
        ),
        (
            |p| p["vote_no"] = serde_json::json!(["n9"]),
            "`protocol.vote_no` names n9, which is not a participant (n2 to n4)",
        ),
        (
            |p| p["vote_no"] = serde_json::json!(["n1"]),
            "`protocol.vote_no` names n1, which is not a participant (n2 to n4)",
        ),
        (
            |p| p["vote_no_percent"] = 101.into(),
            "`protocol.vote_no_percent` is 101, but must be from 0 to 100",
        ),
        (
            |p| p["timeout_us"] = 0.into(),
            "`protocol.timeout_us` is 0, but must be from 1ms to 10 minutes",
        ),
    ];
    for (edit, expected) in cases {
        let message = error(edit);
        assert!(message.contains(expected), "{message}");
    }
    let message = error(|p| p["break_it"] = "forget_promises".into());
    assert!(message.contains("forget_promises"), "{message}");
}

/// The lessons' sweeps: each clean preset under random faults within its model, every node up
/// for the second half, and the sweep base of `docs/paxos-commit-sweep.json` (a transaction every
/// 50 ms for 4 s), with and without random no votes. Safe, and every transaction ends.
#[test]
fn correct_paxos_commit_stays_safe_and_finishes_under_random_faults() {
    let base = sweep_base(sweep_json(), None);
    let mut random_no: Value = serde_json::from_str(sweep_json()).unwrap();
    random_no["protocol"]["vote_no_percent"] = 20.into();
    let random_no = Scenario::from_value(random_no).unwrap();
    let lessons = [preset("paxos-commit"), preset("paxos-commit-no-blocking")];
    let bases = [
        (&lessons[0], seed_count(200)),
        (&lessons[1], seed_count(200)),
        (&base, seed_count(200)),
        (&random_no, seed_count(100)),
    ];
    let mut takeovers = 0;
    for (base, seeds) in bases {
        for seed in 0..seeds {
            let scenario = with_random_faults(base, seed);
            let run = run_to_end(&scenario);
            assert!(
                violated(run.as_ref()).is_empty()
                    && matches!(termination(run.as_ref()), PropertyState::Satisfied { .. }),
                "{} seed {seed}: {:?}\nreproduce with: {}",
                base.name,
                violated(run.as_ref()),
                serde_json::to_string(&scenario).unwrap()
            );
            takeovers += (1..=base.nodes)
                .map(|node| notes_tagged(run.as_ref(), n(node), "takes_over").len())
                .sum::<usize>();
        }
    }
    assert!(takeovers > 0, "the sweeps exercise the recovery ballots");
}

fn sweep_json() -> &'static str {
    include_str!("../docs/paxos-commit-sweep.json")
}

/// The first seed whose random faults make `base` violate Agreement.
fn first_caught(base: &Scenario, seeds: u64) -> Option<u64> {
    (0..seeds).find(|&seed| {
        let run = run_to_end(&with_random_faults(base, seed));
        violated(run.as_ref()).contains(&"Agreement")
    })
}

/// The break-it is caught under random faults: at once on the sweep base (many transactions),
/// and at seed 863 on the lesson's own single transaction, whose schedule the sweep replaces (a
/// new leader must take over while the commit is still on its way).
#[test]
fn a_leader_that_skips_phase_one_is_caught_by_the_sweeps() {
    let base = sweep_base(sweep_json(), Some("skip_phase_one"));
    assert_eq!(first_caught(&base, 10), Some(0));
    let lesson = preset("paxos-commit-break-skip-phase-one");
    assert_eq!(first_caught(&lesson, 1_000), Some(863));
    let run = run_to_end(&with_random_faults(&lesson, 863));
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    assert!(
        run.events()
            .iter()
            .all(|e| !matches!(e.kind, EventKind::Violation(ref v) if v.property != "Agreement"))
    );
}
