//! Physical clock lessons: drift accumulates, synchronisation shrinks the error to within its
//! promise, asymmetric delay fills that promise, ignoring the round trip breaks it, and a clock
//! jumping back makes last-writer-wins keep an older write.

mod lessons;

use causeway::engine::run::Run;
use causeway::engine::{Fact, NodeId};
use lessons::*;

/// The node's clock reading minus true time at its latest event, and its corrected error there.
fn errors(run: &dyn Run, node: NodeId) -> (i64, i64) {
    let last = run
        .events()
        .iter()
        .rev()
        .find(|e| e.node == Some(node))
        .expect("the node did something");
    let raw = last.local_us - last.time.as_us() as i64;
    let correction = signed_us(&field(run, node, "offset estimate (correction)"));
    (raw, raw + correction)
}

#[test]
fn unsynchronised_clocks_drift_linearly() {
    let run = run_preset("clock-drift");
    assert!(violated(run.as_ref()).is_empty());
    let (n3_raw, _) = errors(run.as_ref(), n(3));
    let (n4_raw, _) = errors(run.as_ref(), n(4));
    assert!(
        (-22_500..=-22_000).contains(&n3_raw),
        "n3 loses 500µs/s from -20ms: {n3_raw}"
    );
    assert!(
        (9_000..=10_000).contains(&n4_raw),
        "n4 gains 2ms/s: {n4_raw}"
    );
    assert_eq!(notes_tagged(run.as_ref(), n(2), "reads").len(), 10);
}

#[test]
fn sync_error_shrinks_after_sync() {
    let scenario = preset("clock-cristian");
    let mut run = scenario.build().unwrap();
    run.run_until(causeway::engine::time::SimTime(900_000));
    let before: Vec<i64> = (2..=4)
        .map(|node| errors(run.as_ref(), n(node)).1)
        .collect();
    run.run_until(scenario.horizon_us);
    assert!(violated(run.as_ref()).is_empty());
    for (i, node) in (2..=4).enumerate() {
        let (raw, corrected) = errors(run.as_ref(), n(node));
        let bound = signed_us(&field(run.as_ref(), n(node), "error bound"));
        assert!(
            before[i].abs() > 10_000,
            "n{node} starts well off: {}",
            before[i]
        );
        assert!(
            corrected.abs() <= bound && corrected.abs() * 4 < before[i].abs(),
            "n{node}: error {} before sync, {corrected} after (bound {bound}, raw {raw})",
            before[i]
        );
        let syncs = facts_of(run.as_ref(), n(node))
            .into_iter()
            .filter(|(_, fact)| matches!(fact, Fact::ClockAdjusted { .. }))
            .count();
        assert_eq!(syncs, 4, "n{node} synchronises four times");
    }
}

#[test]
fn asymmetric_delay_fills_the_bound_but_stays_within_it() {
    let run = run_preset("clock-asymmetric");
    assert!(violated(run.as_ref()).is_empty());
    let (raw, corrected) = errors(run.as_ref(), n(2));
    assert_eq!(raw, 0, "n2's own clock is perfect");
    assert_eq!(
        corrected, -14_000,
        "(2ms - 30ms) / 2 of error from asymmetry"
    );
    assert_eq!(field(run.as_ref(), n(2), "error bound"), "16ms");
}

#[test]
fn ignoring_the_round_trip_is_caught() {
    let run = run_preset("clock-break-ignore-rtt");
    assert_eq!(violated(run.as_ref()), ["Sync accuracy"]);
    let (message, _) = violation(run.as_ref(), "Sync accuracy").unwrap();
    assert_eq!(
        message,
        "n2's corrected clock is -30ms off n1's, but its synchronisation promised at most ±16ms"
    );
}

#[test]
fn berkeley_brings_clocks_together() {
    let run = run_preset("clock-berkeley");
    assert!(violated(run.as_ref()).is_empty());
    let corrected: Vec<i64> = (1..=4)
        .map(|node| errors(run.as_ref(), n(node)).1)
        .collect();
    let spread = corrected.iter().max().unwrap() - corrected.iter().min().unwrap();
    assert!(spread < 15_000, "clocks agree after sync: {corrected:?}");
    let raw_spread = 150_000 + 40_000;
    assert!(spread * 10 < raw_spread);
}

#[test]
fn a_clock_jumping_back_loses_a_write() {
    let run = run_preset("clock-lww-jump");
    assert_eq!(violated(run.as_ref()), ["Last writer wins"]);
    for node in 1..=3 {
        assert!(
            field(run.as_ref(), n(node), "register").starts_with("\"a\" by n1"),
            "n{node} kept the older write"
        );
    }
    let (message, involved) = violation(run.as_ref(), "Last writer wins").unwrap();
    assert!(message.starts_with("n2's write \"b\" at 1.3s"), "{message}");
    assert_eq!(involved.len(), 2);
}
