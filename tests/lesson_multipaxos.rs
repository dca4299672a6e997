//! Multi-Paxos lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks), the comparison with Raft's leader-crash lesson, and random-fault
//! sweeps: correct Multi-Paxos stays safe and live, and the break-it variant is caught within its
//! documented number of seeds.

mod lessons;

use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::trace::EventKind;
use causeway::engine::{EventId, Fact};
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use serde_json::Value;

/// Every `leads` note of the run, with its node (1-based).
fn leads(run: &dyn Run) -> Vec<(u32, Value)> {
    (1..=run.node_count())
        .flat_map(|node| {
            notes_tagged(run, n(node), "leads")
                .into_iter()
                .map(move |note| (node, note))
        })
        .collect()
}

/// A node's "Slots" table at the end of the run: (slot, command) rows.
fn slots(run: &dyn Run, node: u32) -> Vec<(String, String)> {
    let snapshot = run.snapshot();
    let view = snapshot.nodes[n(node).index()].view.clone().expect("up");
    let table = view
        .tables
        .into_iter()
        .find(|t| t.title == "Slots")
        .expect("a Slots table");
    table
        .rows
        .into_iter()
        .map(|row| (row[0].clone(), row[2].clone()))
        .collect()
}

#[test]
fn phase_1_runs_once_and_every_command_takes_one_round_trip() {
    let run = run_preset("multipaxos-basic");
    let run = run.as_ref();
    // n3 times out first, but 1.n4 is the higher ballot: n4 leads, and no one runs phase 1 again.
    let leaders = leads(run);
    assert_eq!(leaders.len(), 1, "{leaders:?}");
    assert_eq!(leaders[0].0, 4);
    assert_eq!(notes_tagged(run, n(3), "steps_down").len(), 1);
    let stats = run.stats();
    assert_eq!(stats.requests, stats.responses, "every request answered");
    // Every node learned the same log, slot for slot.
    let log = slots(run, 4);
    assert!(log.len() >= 10, "{log:?}");
    for node in 1..=5 {
        let theirs = slots(run, node);
        assert_eq!(theirs[..], log[..theirs.len()], "n{node}");
        assert!(theirs.len() + 2 >= log.len(), "n{node} lags: {theirs:?}");
    }
}

#[test]
fn a_new_leader_re_proposes_the_open_slot_and_fills_the_gap_with_a_no_op() {
    let run = run_preset("multipaxos-recovery");
    let run = run.as_ref();
    // n4 led ballot 1; after it crashes, n3 leads ballot 2 and recovers slots 3 and 4.
    let leaders: Vec<u32> = leads(run).into_iter().map(|(node, _)| node).collect();
    assert_eq!(leaders, [3, 4]);
    let taking_office = &notes_tagged(run, n(3), "leads")[0];
    assert_eq!(taking_office["ballot"]["round"], 2);
    assert_eq!(taking_office["recovered"], 1);
    assert_eq!(taking_office["gaps"], 1);
    let log = slots(run, 3);
    assert_eq!(log[2], ("3".into(), "no-op".into()));
    assert_eq!(log[3], ("4".into(), "put y=4 (op3)".into()));
    // The removed rule: the new leader recovers nothing, and a second value is chosen in slot 4.
    let broken = run_preset("multipaxos-break-ignore-accepted");
    assert_eq!(
        notes_tagged(broken.as_ref(), n(3), "leads")[0]["recovered"],
        0
    );
    let (message, involved) = violation(broken.as_ref(), "One value chosen").expect("caught");
    assert!(message.contains("in slot 4"), "{message}");
    assert!(message.contains("put y=4 (op3)"), "{message}");
    assert_eq!(involved.len(), 2);
}

#[test]
fn the_comparison_with_raft_says_what_the_two_runs_show() {
    // The figures the lesson quotes, in ms after the crash at 1 s: the new leader and the first
    // answer that is not a redirect; and the messages sent in all.
    let crash = SimTime(1_000_000);
    let figures = |id: &str| {
        let run = run_preset(id);
        let run = run.as_ref();
        let leader = run
            .facts()
            .iter()
            .map(|(event, fact)| (run.events()[event.index()].time, fact))
            .find(|(at, fact)| {
                *at > crash && matches!(fact, Fact::RoleChanged { role: "leader", .. })
            })
            .expect("a new leader")
            .0;
        let answer = run
            .events()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.time > crash && matches!(e.kind, EventKind::Response { .. }))
            .find(|(i, _)| {
                let reply = run.response_json(EventId(*i as u32));
                reply.is_some_and(|r| r.get("redirect").is_none())
            })
            .expect("an answer")
            .1
            .time;
        let after = |t: SimTime| (t.as_us() - crash.as_us()) / 1000;
        (after(leader), after(answer), run.stats().sent)
    };
    assert_eq!(figures("raft-leader-crash"), (206, 241, 883));
    assert_eq!(figures("multipaxos-leader-crash"), (234, 320, 636));
}

/// The sweep base, `docs/multipaxos-sweep.json`.
const SWEEP: &str = include_str!("../docs/multipaxos-sweep.json");

#[test]
fn correct_multi_paxos_stays_safe_and_live_under_random_faults() {
    assert_clean_under_random_faults(&sweep_base(SWEEP, None), 0..seed_count(200));
}

#[test]
fn random_faults_catch_the_break_it_variant_within_its_documented_seeds() {
    let base = sweep_base(SWEEP, Some("ignore_accepted"));
    let run = run_to_end(&with_random_faults(&base, 0));
    assert!(
        violated(run.as_ref()).contains(&"One value chosen"),
        "{:?}",
        violated(run.as_ref())
    );
}
