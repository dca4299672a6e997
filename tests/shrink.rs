//! Shrinking counterexamples (`scenario::shrink`, `sim shrink`, `sim sweep --shrink`): the shrunk
//! run still violates the same property, is never bigger, and the same input always shrinks to
//! the same scenario; the figures for a sweep-found counterexample are pinned, since shrinking is
//! deterministic.

mod lessons;

use causeway::engine::EventKind;
use causeway::scenario::Scenario;
use causeway::scenario::shrink::{DEFAULT_BUDGET, Stop, shrink};
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use std::process::Command;

fn violates(scenario: &Scenario, property: &str) -> bool {
    let run = run_to_end(scenario);
    run.events()
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Violation(v) if v.property == property))
}

#[test]
fn shrunk_break_its_still_break_the_same_property_and_are_never_bigger() {
    for (id, property) in [
        ("2pc-break-unlogged", "Agreement"),
        ("broadcast-break-total", "Total order"),
        (
            "chain-break-ack-at-head",
            "Acknowledged writes survive a crash",
        ),
        ("paxos-break-small-quorum", "Learned only if chosen"),
    ] {
        let scenario = preset(id);
        let shrunk = shrink(&scenario, property, DEFAULT_BUDGET, &mut |_| true).expect(id);
        assert_eq!(shrunk.stop, Stop::Minimal, "{id}");
        assert!(violates(&shrunk.scenario, property), "{id}");
        let (before, after) = (shrunk.before, shrunk.after);
        assert!(after.events < before.events, "{id}: {before:?} → {after:?}");
        assert!(
            after.faults <= before.faults && after.nodes <= before.nodes,
            "{id}"
        );
        assert!(after.horizon <= before.horizon, "{id}");
        let again = shrink(&scenario, property, DEFAULT_BUDGET, &mut |_| true).expect(id);
        assert_eq!(
            again.scenario.to_json_pretty(),
            shrunk.scenario.to_json_pretty(),
            "{id}: the same input shrinks to the same result"
        );
    }
}

#[test]
fn a_sweep_counterexample_shrinks_to_a_handful_of_faults() {
    // `sim sweep 2pc-break-unlogged --seeds 3 --shrink`: 56 faults and 127 events become 2 and 30.
    let seed = with_random_faults(&preset("2pc-break-unlogged"), 3);
    let shrunk = shrink(&seed, "Agreement", DEFAULT_BUDGET, &mut |_| true).expect("shrinks");
    assert_eq!((shrunk.before.faults, shrunk.before.events), (56, 127));
    assert_eq!((shrunk.after.faults, shrunk.after.events), (2, 30));
    assert_eq!((shrunk.before.nodes, shrunk.after.nodes), (4, 2));
    assert!(shrunk.scenario.guide.is_none());
    assert!(shrunk.scenario.name.ends_with("(shrunk: Agreement)"));
}

#[test]
fn nothing_to_shrink_and_a_cancelled_shrink_say_so() {
    let clean = preset("2pc-commit");
    let error = shrink(&clean, "Agreement", DEFAULT_BUDGET, &mut |_| true).expect_err("clean");
    assert!(error.contains("does not violate \"Agreement\""), "{error}");
    let mut calls = 0;
    let cancelled = shrink(
        &preset("2pc-break-unlogged"),
        "Agreement",
        DEFAULT_BUDGET,
        &mut |_| {
            calls += 1;
            false
        },
    )
    .expect("a cancelled shrink returns the best so far");
    assert_eq!(
        (cancelled.stop, cancelled.runs, calls),
        (Stop::Cancelled, 1, 1)
    );
    let spent = shrink(&preset("2pc-break-unlogged"), "Agreement", 3, &mut |_| true).expect("ok");
    assert_eq!((spent.stop, spent.runs), (Stop::Budget, 3));
}

#[test]
fn the_cli_prints_the_shrunk_scenario_and_its_link() {
    let sim = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sim"))
            .args(args)
            .output()
            .expect("sim runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, _) = sim(&[
        "sweep",
        "2pc-break-unlogged",
        "--seeds",
        "0..20",
        "--shrink",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("shrinking \"Break it: the coordinator sends its decision before writing it (sweep seed 3)\" against Agreement"), "{out}");
    assert!(out.contains("faults            56 → 2"), "{out}");
    let link = out
        .lines()
        .find_map(|l| l.strip_prefix("link: #"))
        .expect("a link");
    let (code, decoded, _) = sim(&["decode", link]);
    assert_eq!(code, Some(0));
    assert!(decoded.contains("(shrunk: Agreement)"), "{decoded}");
    let (code, out, _) = sim(&["shrink", "broadcast-break-fifo"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("against FIFO order"), "{out}");
    let (code, _, err) = sim(&["shrink", "2pc-commit"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("violates no property"), "{err}");
}
