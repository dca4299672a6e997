//! Primary-backup lessons: what each lesson's text claims beyond its checker verdict (which
//! `tests/presets.rs` checks), and random-fault sweeps: the correct service stays linearizable
//! whatever crashes, and the break-it variant is caught within its documented number of seeds.

mod lessons;

use causeway::engine::SimTime;
use causeway::engine::run::Run;
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use serde_json::Value;

/// The views the view service (n1) moved through, as their notes' JSON.
fn views(run: &dyn Run) -> Vec<Value> {
    notes_tagged(run, n(1), "new_view")
        .into_iter()
        .map(|note| note["view"].clone())
        .collect()
}

#[test]
fn the_backup_takes_over_when_the_primary_crashes() {
    let run = run_preset("pb-basic");
    let run = run.as_ref();
    let views = views(run);
    let shape: Vec<(u64, &str, &str)> = views
        .iter()
        .map(|v| {
            (
                v["num"].as_u64().unwrap(),
                v["primary"].as_str().unwrap_or("—"),
                v["backup"].as_str().unwrap_or("—"),
            )
        })
        .collect();
    assert_eq!(shape, [(1, "n3", "—"), (2, "n3", "n2"), (3, "n2", "n4")]);
    // n2 takes over half a second after the crash at 1.5 s, and the restarted n3 stays idle.
    let n3 = run.snapshot().nodes[n(3).index()]
        .view
        .clone()
        .expect("n3 is up");
    assert_eq!(n3.role.as_deref(), Some("idle"));
    let promoted = notes_tagged(run, n(2), "role")
        .into_iter()
        .find(|note| note["role"] == "primary")
        .expect("n2 becomes primary");
    assert_eq!(promoted["was"], "backup");
    // Answers come from n3 before the crash and from n2 after it, never both in one view.
    let answers = answers(run);
    assert!(answers.iter().any(|(node, _, _)| *node == 3));
    let crash = SimTime(1_500_000);
    assert!(
        answers
            .iter()
            .filter(|(_, at, _)| *at > crash)
            .all(|(node, _, _)| *node == 2)
    );
}

#[test]
fn a_cut_off_primary_answers_nothing_and_the_broken_one_answers_stale() {
    let run = run_preset("pb-partition");
    let gets_at_n3 = |run: &dyn Run| {
        answers(run)
            .into_iter()
            .filter(|(node, at, _)| *node == 3 && *at >= SimTime(2_000_000))
            .count()
    };
    assert_eq!(
        gets_at_n3(run.as_ref()),
        0,
        "n3 cannot answer during the cut"
    );
    let values: Vec<Value> = answers(run.as_ref())
        .into_iter()
        .filter(|(_, at, _)| *at > SimTime(2_000_000))
        .map(|(_, _, reply)| reply)
        .collect();
    assert!(values.iter().all(|v| v["value"] == "2"), "{values:?}");
    let broken = run_preset("pb-break-local-reads");
    let broken = broken.as_ref();
    assert_eq!(gets_at_n3(broken), 1);
    let (message, involved) = violation(broken, "Linearizable reads").expect("caught");
    assert!(message.contains("returned \"1+a\""), "{message}");
    // The violation links the write's reply on n2, the get's start and the stale reply on n3.
    let nodes: Vec<Option<u32>> = involved
        .iter()
        .map(|e| broken.events()[e.index()].node.map(|n| n.0 + 1))
        .collect();
    assert_eq!(nodes, [Some(2), Some(3), Some(3)]);
}

/// The sweep base, `docs/primary-backup-sweep.json`.
const SWEEP: &str = include_str!("../docs/primary-backup-sweep.json");

#[test]
fn the_correct_service_stays_linearizable_under_random_faults() {
    assert_clean_under_random_faults(&sweep_base(SWEEP, None), 0..seed_count(200));
}

#[test]
fn random_faults_catch_local_reads_at_the_documented_seed() {
    // Documented in docs/primary-backup.md: the seeds before 778 are clean.
    let base = sweep_base(SWEEP, Some("local_reads"));
    let run = run_to_end(&with_random_faults(&base, 778));
    assert!(
        violated(run.as_ref()).contains(&"Linearizable reads"),
        "{:?}",
        violated(run.as_ref())
    );
}

/// Seed 961 of pb-basic's random faults once broke linearizability. n4, primary of view 6 with no
/// backup, answered a put of y alone; the service had already moved to view 7 (n4, with n3 as
/// backup), but n4 crashed before it learned of it or sent n3 its store. Restarted empty, n4
/// refused to be view 7's primary yet still pinged with 7 like any idle server, so the service took
/// view 7 as acknowledged and promoted n3, whose store lacked the put: a later get of y missed it.
/// A server the view names primary now acknowledges it only as a primary with a synced backup,
/// and view 7 waits.
#[test]
fn a_restarted_primary_that_refuses_its_view_does_not_acknowledge_it() {
    let run = run_to_end(&with_random_faults(&preset("pb-basic"), 961));
    assert!(
        violated(run.as_ref()).is_empty(),
        "{:?}",
        violated(run.as_ref())
    );
}
