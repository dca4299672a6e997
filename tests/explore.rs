//! Exhaustive exploration (`scenario::explore`, `sim explore`): every break-it variant of the small
//! protocols is caught at its smallest configuration, with the depth of the shortest
//! counterexample pinned (breadth first, so a shorter one would be a bug); the correct versions
//! stay clean; a counterexample replays from its scenario and its link to the same violation;
//! the same input explores the same way; bad limits and large scenarios are refused in words.

use causeway::engine::run::Explorable;
use causeway::engine::{Action, EventKind, NodeId};
use causeway::scenario::explore::{Limits, Stop, explore};
use causeway::scenario::link::Link;
use causeway::scenario::{Scenario, presets};
use std::process::Command;

fn preset(id: &str) -> Scenario {
    presets::find(id)
        .unwrap_or_else(|| panic!("no preset {id}"))
        .scenario()
        .unwrap()
}

/// Paxos at its smallest: three nodes, each an acceptor, n1 and n2 proposing at once, n1 and n2
/// learning; no retry falls due before the horizon.
fn paxos(break_it: &str) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{
  "name": "Paxos: 3 acceptors, 2 proposers",
  "protocol": {{ "name": "paxos", "proposers": ["n1", "n2"], "learners": ["n1", "n2"], "break_it": "{break_it}" }},
  "nodes": 3,
  "seed": 1,
  "horizon_us": 60000,
  "network": {{ "default": {{ "delay": {{ "constant": {{ "us": 10000 }} }} }} }},
  "model": {{ "network": "fair_loss", "nodes": "crash_recovery", "timing": "asynchronous" }},
  "workload": {{ "requests": [
    {{ "at_us": 10000, "node": "n1", "op": {{ "propose": "x" }} }},
    {{ "at_us": 10000, "node": "n2", "op": {{ "propose": "y" }} }}
  ] }}
}}"#
    ))
    .unwrap()
}

fn limits(drops: u32, crashes: u32, beyond_model: bool) -> Limits {
    Limits {
        drops,
        crashes,
        beyond_model,
        max_states: 200_000,
        ..Limits::default()
    }
}

#[test]
fn every_break_it_of_the_small_protocols_is_caught_at_its_shortest() {
    let cases: Vec<(&str, Scenario, Limits, &str, u32)> = vec![
        (
            "2pc majority",
            preset("2pc-break-majority"),
            limits(0, 0, false),
            "Commit validity",
            5,
        ),
        (
            "2pc timeout",
            preset("2pc-break-timeout"),
            limits(0, 0, false),
            "Agreement",
            9,
        ),
        (
            "2pc unlogged",
            preset("2pc-break-unlogged"),
            limits(0, 1, false),
            "Agreement",
            9,
        ),
        (
            "paxos small quorum",
            paxos("small_quorum"),
            limits(0, 0, false),
            "Learned only if chosen",
            1,
        ),
        (
            "paxos ignore accepted",
            paxos("ignore_accepted"),
            limits(0, 0, false),
            "One value chosen",
            7,
        ),
        (
            "paxos forget promise",
            paxos("forget_promise"),
            limits(0, 1, false),
            "One value chosen",
            9,
        ),
        (
            "rpc volatile dedup",
            preset("rpc-break-volatile-dedup"),
            limits(0, 1, false),
            "Effect at most once",
            6,
        ),
        (
            "logical forget max",
            preset("logical-break-forget-max"),
            limits(0, 0, false),
            "Lamport clock condition",
            8,
        ),
        (
            "broadcast fifo",
            preset("broadcast-break-fifo"),
            limits(0, 0, false),
            "FIFO order",
            3,
        ),
        (
            "broadcast causal",
            preset("broadcast-break-causal"),
            limits(0, 0, false),
            "Causal order",
            4,
        ),
        (
            "broadcast total",
            preset("broadcast-break-total"),
            limits(0, 0, false),
            "Total order",
            5,
        ),
        (
            "two generals",
            preset("generals-last-lost"),
            limits(1, 0, true),
            "Agreement",
            5,
        ),
    ];
    for (name, scenario, limits, property, depth) in cases {
        let found = explore(&scenario, &limits, &mut |_| true).unwrap();
        assert_eq!(found.stop, Stop::Violation, "{name}: {:?}", found.progress);
        let counterexample = found.counterexample.unwrap();
        assert_eq!(counterexample.property, property, "{name}");
        assert_eq!(
            counterexample.depth, depth,
            "{name}: {:#?}",
            counterexample.moves
        );
        assert_eq!(counterexample.moves.len(), depth as usize, "{name}");
    }
}

#[test]
fn the_correct_versions_are_clean_where_they_are_exhausted_and_within_a_budget_elsewhere() {
    // The state counts were pinned before the explorer had sleep sets, which spare transitions
    // (each commented with the count before them) and must never lose a state.
    for (id, states, transitions) in [
        ("2pc-commit", 2_575, 5_711), // 9,426
        ("2pc-abort", 9_891, 21_467), // 43,742
        ("broadcast-causal", 33, 37), // 57
        ("logical-clocks", 84, 121),  // 121
    ] {
        let found = explore(&preset(id), &Limits::default(), &mut |_| true).unwrap();
        assert_eq!(found.stop, Stop::Exhausted, "{id}");
        assert_eq!(
            found.progress.states, states,
            "{id}: the state count is deterministic, and no reduction loses a state"
        );
        assert_eq!(
            found.progress.transitions, transitions,
            "{id}: the transitions are deterministic, and sleep sets spare some"
        );
        assert!(found.counterexample.is_none());
    }
    // With faults: drops and crashes never sleep, and nothing sleeps after one.
    for (id, max_depth, stop, states, transitions) in [
        ("broadcast-causal", 200, Stop::Exhausted, 197, 360), // 406
        ("2pc-commit", 8, Stop::Depth, 18_576, 62_217),       // 65,848
    ] {
        let faults = Limits {
            max_depth,
            ..limits(1, 1, false)
        };
        let found = explore(&preset(id), &faults, &mut |_| true).unwrap();
        assert_eq!(found.stop, stop, "{id} with faults");
        assert_eq!(
            (found.progress.states, found.progress.transitions),
            (states, transitions),
            "{id} with faults"
        );
    }
    let budget = Limits {
        max_states: 20_000,
        ..Limits::default()
    };
    let found = explore(&paxos("none"), &budget, &mut |_| true).unwrap();
    assert_eq!(found.stop, Stop::States);
    assert_eq!(found.progress.states, 20_000);
    let crashes = Limits {
        crashes: 1,
        drops: 1,
        max_states: 20_000,
        ..Limits::default()
    };
    let found = explore(&preset("rpc-exactly-once"), &crashes, &mut |_| true).unwrap();
    assert!(found.counterexample.is_none(), "{:?}", found.stop);
    let duplicates = Limits {
        duplicates: 1,
        ..crashes
    };
    let found = explore(&preset("rpc-exactly-once"), &duplicates, &mut |_| true).unwrap();
    assert!(found.counterexample.is_none(), "{:?}", found.stop);
}

#[test]
fn a_duplicate_breaks_at_least_once_before_any_retry_its_copies_delivered_one_at_a_time() {
    // Before the client's first retry falls due (at 110 ms), only a duplicate can run the
    // request twice.
    let mut before_retry = preset("rpc-at-least-once");
    let horizon = causeway::engine::SimTime(100_000);
    before_retry.horizon_us = horizon;
    before_retry.workload.requests.retain(|r| r.at_us < horizon);
    before_retry.faults.retain(|f| f.at_us < horizon);
    let without = explore(&before_retry, &Limits::default(), &mut |_| true).unwrap();
    assert!(without.counterexample.is_none(), "{:?}", without.stop);
    assert_eq!(without.stop, Stop::Exhausted);
    let limits = Limits {
        duplicates: 1,
        ..Limits::default()
    };
    let found = explore(&before_retry, &limits, &mut |_| true).unwrap();
    let counterexample = found.counterexample.expect("a violation");
    assert_eq!(counterexample.property, "Effect at most once");
    assert_eq!(counterexample.depth, 4, "{:?}", counterexample.moves);
    let moves = &counterexample.moves;
    assert!(moves[1].starts_with("duplicate n1→n2"), "{moves:?}");
    let request = moves[1].trim_start_matches("duplicate ");
    assert_eq!(moves[2], format!("deliver {request}"), "{moves:?}");
    assert_eq!(
        moves[3], moves[2],
        "the copy is delivered by a move of its own"
    );
    // Without the horizon, a reply slow enough to trigger the retry does it in as many moves.
    let without = explore(
        &preset("rpc-at-least-once"),
        &Limits::default(),
        &mut |_| true,
    )
    .unwrap();
    let slow = without.counterexample.expect("a violation");
    assert_eq!(slow.depth, 4);
    assert!(slow.moves[3].contains("(retry 1)"), "{:?}", slow.moves);
}

#[test]
fn a_counterexample_replays_from_its_scenario_and_its_link() {
    let found = explore(
        &preset("2pc-break-unlogged"),
        &limits(0, 1, false),
        &mut |_| true,
    )
    .unwrap();
    let counterexample = found.counterexample.unwrap();
    let again = explore(
        &preset("2pc-break-unlogged"),
        &limits(0, 1, false),
        &mut |_| true,
    )
    .unwrap();
    let twice = again.counterexample.unwrap();
    assert_eq!(
        counterexample.scenario.to_json_pretty(),
        twice.scenario.to_json_pretty(),
        "the same input explores to the same counterexample"
    );
    assert_eq!(found.progress, again.progress);
    let link = Link {
        scenario: counterexample.scenario.clone(),
        at: causeway::engine::SimTime(counterexample.at_us),
        view: Default::default(),
    };
    let decoded = Link::decode(&link.encode()).unwrap();
    for scenario in [&counterexample.scenario, &decoded.scenario] {
        let mut run = scenario.build().unwrap();
        run.run_until(causeway::engine::SimTime(counterexample.at_us));
        let event = &run.events()[counterexample.event as usize];
        assert!(
            matches!(&event.kind, EventKind::Violation(v) if v.property == counterexample.property),
            "{:?}",
            event.kind
        );
        assert_eq!(event.time.0, counterexample.at_us);
    }
    let moves = counterexample.moves.join("\n");
    assert!(
        moves.contains("crash n1") && moves.contains("restart n1"),
        "{moves}"
    );
}

#[test]
fn deliver_now_goes_through_a_held_link() {
    let mut run = preset("broadcast-fifo").build().unwrap();
    run.apply(Action::Hold {
        from: NodeId(0),
        to: NodeId(1),
    })
    .unwrap();
    run.run_until(causeway::engine::SimTime(30_000));
    let held = run
        .snapshot()
        .in_flight
        .into_iter()
        .find(|m| m.held)
        .expect("a held message");
    run.apply(Action::DeliverMessage {
        send: held.send,
        one: false,
    })
    .unwrap();
    let delivered = run.events().iter().any(|e| {
        matches!(e.kind, EventKind::Deliver { send, .. } if send == held.send) && e.time.0 == 30_000
    });
    assert!(delivered, "the held message is delivered at once");
}

#[test]
fn bad_limits_and_large_scenarios_are_refused_in_words() {
    let mut big = preset("raft-basic");
    big.nodes = 9;
    let error = explore(&big, &Limits::default(), &mut |_| true).unwrap_err();
    assert!(error.contains("at most 7 nodes"), "{error}");
    let zero = Limits {
        max_depth: 0,
        ..Limits::default()
    };
    let error = explore(&preset("2pc-commit"), &zero, &mut |_| true).unwrap_err();
    assert!(error.contains("depth budget must be from 1"), "{error}");
    let error = explore(&preset("2pc-commit"), &limits(11, 0, false), &mut |_| true).unwrap_err();
    assert!(error.contains("at most 10 drops"), "{error}");
    let mut calls = 0;
    let cancelled = explore(&paxos("none"), &Limits::default(), &mut |_| {
        calls += 1;
        calls < 3
    })
    .unwrap();
    assert_eq!(cancelled.stop, Stop::Cancelled);
}

#[test]
fn the_cli_prints_the_counterexample_and_its_link() {
    let out = Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["explore", "broadcast-break-fifo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a violation exits 1");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FIFO order violated"), "{text}");
    let link = text
        .lines()
        .find_map(|l| l.strip_prefix("link: #"))
        .expect("a link");
    assert!(Link::decode(link).is_ok());
    let out = Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["explore", "2pc-commit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("explored every reachable state"), "{text}");
    assert!(text.contains("2,575 states"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["explore", "2pc-commit", "--max-states", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Correct Paxos with every link holding its messages, as the explorer runs it, at 10 ms.
fn paxos_held_at_10ms() -> Box<dyn Explorable> {
    let mut run = paxos("none").explorable().unwrap();
    for (from, to) in [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)] {
        run.apply(Action::Hold {
            from: NodeId(from),
            to: NodeId(to),
        })
        .unwrap();
    }
    run.run_until(causeway::engine::SimTime(10_000));
    run
}

#[test]
fn a_trial_puts_the_run_back_exactly() {
    // The explorer tries every move from a state in place (`Explorable::trial`) and then goes on
    // from that state: the run must come back unchanged, down to how it continues.
    let mut run = paxos_held_at_10ms();
    let before = (run.fingerprint(), run.events().to_vec(), run.snapshot());
    // The second trial and those after reuse the buffers the first one kept.
    for round in 0..3 {
        let mut tried = 0;
        run.trial(&mut |next| {
            let pending = next.moves().messages[round];
            next.apply(Action::DeliverMessage {
                send: pending.send,
                one: false,
            })
            .unwrap();
            next.apply(Action::Crash { node: NodeId(2) }).unwrap();
            next.run_until(causeway::engine::SimTime(40_000));
            tried = next.events().len();
        });
        assert!(tried > before.1.len(), "trial {round} took steps");
        assert_eq!(run.fingerprint(), before.0, "trial {round}");
        assert_eq!(run.events(), &before.1[..], "trial {round}");
        assert_eq!(run.snapshot(), before.2, "trial {round}");
    }
    assert_eq!(
        run.interventions().len(),
        6,
        "only the holds stay scheduled"
    );
    let mut fresh = paxos("none").explorable().unwrap();
    for scheduled in run.interventions() {
        fresh.apply(scheduled.action).unwrap();
    }
    fresh.run_until(causeway::engine::SimTime(10_000));
    run.run_until(causeway::engine::SimTime(60_000));
    fresh.run_until(causeway::engine::SimTime(60_000));
    assert_eq!(run.events(), fresh.events(), "it goes on as if never tried");
}

#[test]
fn marks_bring_the_run_back_to_any_state_kept() {
    // The explorer keeps a mark at each state of its path and comes back to the deepest one two
    // paths share (`Explorable::keep`, `back_to_kept`): coming back must give exactly the state
    // kept, and the run must go on from it as a copy taken then would.
    let mut run = paxos_held_at_10ms().fork();
    let mut kept = Vec::new();
    for depth in 0..4 {
        kept.push((run.fingerprint(), run.fork()));
        run.keep();
        let pending = run.moves().messages[0];
        run.apply(Action::DeliverMessage {
            send: pending.send,
            one: false,
        })
        .unwrap();
        assert!(run.events().len() > kept[depth].1.events().len());
    }
    // There is no mark 4: nothing happens.
    let deepest = run.fingerprint();
    run.back_to_kept(4);
    assert_eq!(run.fingerprint(), deepest);
    for depth in [2, 3, 0, 1, 1] {
        run.back_to_kept(depth);
        let (fingerprint, copy) = &mut kept[depth];
        assert_eq!(run.fingerprint(), *fingerprint, "mark {depth}");
        assert_eq!(run.events(), copy.events(), "mark {depth}");
        assert_eq!(run.snapshot(), copy.snapshot(), "mark {depth}");
        assert_eq!(run.interventions(), copy.interventions(), "mark {depth}");
        // A different move from the mark, on the run and on the copy, to go deeper again.
        let pending = run.moves().messages.last().copied().unwrap();
        run.apply(Action::DeliverMessage {
            send: pending.send,
            one: false,
        })
        .unwrap();
        run.run_until(causeway::engine::SimTime(30_000));
        let mut expected = copy.fork();
        expected
            .apply(Action::DeliverMessage {
                send: pending.send,
                one: false,
            })
            .unwrap();
        expected.run_until(causeway::engine::SimTime(30_000));
        assert_eq!(
            run.events(),
            expected.events(),
            "going on from mark {depth}"
        );
        assert_eq!(run.fingerprint(), expected.fingerprint(), "mark {depth}");
        // Back once more, as the explorer does for each sibling, and keep marks above it again.
        run.back_to_kept(depth);
        assert_eq!(run.fingerprint(), *fingerprint, "mark {depth}, again");
        for _ in depth + 1..4 {
            let pending = run.moves().messages[0];
            run.apply(Action::DeliverMessage {
                send: pending.send,
                one: false,
            })
            .unwrap();
            run.keep();
        }
    }
}

#[test]
fn the_order_of_two_responses_is_in_the_fingerprint_when_a_history_checker_reads_it() {
    // Two reads of an empty ABD register, answered in either order, leave every replica as it was
    // and nothing in flight; only the clients' history differs, and the linearizability checker
    // remembers it, so the two runs are two states.
    let scenario = Scenario::from_json(
        r#"{
  "name": "Two reads",
  "protocol": { "name": "abd" },
  "nodes": 3,
  "seed": 1,
  "horizon_us": 50000,
  "network": { "default": { "delay": { "constant": { "us": 1000 } } } },
  "workload": { "requests": [
    { "at_us": 10000, "node": "n1", "op": { "read": { "key": "x" } } },
    { "at_us": 10000, "node": "n2", "op": { "read": { "key": "x" } } }
  ] }
}"#,
    )
    .unwrap();
    let answered_last = |last: NodeId| {
        let mut run = scenario.explorable().unwrap();
        for from in 0..3 {
            for to in (0..3).filter(|&to| to != from) {
                let (from, to) = (NodeId(from), NodeId(to));
                run.apply(Action::Hold { from, to }).unwrap();
            }
        }
        run.run_until(causeway::engine::SimTime(10_000));
        // Nothing reaches `last` until nothing else is in flight, so the other reader gathers
        // its majority and answers first.
        while let Some(pending) = {
            let open = run.moves().messages;
            let ahead = open.iter().find(|m| m.to != last);
            ahead.or(open.first()).copied()
        } {
            let deliver = Action::DeliverMessage {
                send: pending.send,
                one: true,
            };
            run.apply(deliver).unwrap();
        }
        let responses: Vec<NodeId> = run
            .events()
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Response { .. }))
            .filter_map(|e| e.node)
            .collect();
        (run, responses)
    };
    let (mut one, first) = answered_last(NodeId(1));
    let (mut other, second) = answered_last(NodeId(0));
    assert_eq!(first, [NodeId(0), NodeId(1)]);
    assert_eq!(second, [NodeId(1), NodeId(0)]);
    let views = |run: &dyn Explorable| -> Vec<_> {
        let snapshot = run.snapshot();
        snapshot.nodes.into_iter().map(|n| n.view).collect()
    };
    assert_eq!(views(one.as_ref()), views(other.as_ref()));
    assert!(one.moves().messages.is_empty() && other.moves().messages.is_empty());
    assert_ne!(one.fingerprint(), other.fingerprint());
}
