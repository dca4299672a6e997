//! Byzantine generals lessons: what each lesson claims beyond its checker verdict, the message
//! counts of OM(m), and the theorems behind them checked on every small configuration: OM(m) keeps
//! IC1 and IC2 against every set of at most m traitors and every strategy when n > 3m, and fails
//! for some when n = 3m; SM(m) keeps them against any m traitors with any n.

mod lessons;

use causeway::engine::action::{Action, Scheduled};
use causeway::engine::byzantine::Strategy;
use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::{Fact, NodeId};
use causeway::scenario::{Scenario, Settings};
use lessons::*;
use serde_json::json;

const IC1: &str = "IC1: loyal agreement";
const IC2: &str = "IC2: loyal commander obeyed";

/// Each node's decision (lieutenants only), in node order.
fn decisions(run: &dyn Run) -> Vec<(NodeId, String)> {
    (1..=run.node_count())
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

fn loyal_decisions(run: &dyn Run, traitors: &[NodeId]) -> Vec<(NodeId, String)> {
    decisions(run)
        .into_iter()
        .filter(|(node, _)| !traitors.contains(node))
        .collect()
}

fn all(nodes: &[u32], value: &str) -> Vec<(NodeId, String)> {
    nodes.iter().map(|&i| (n(i), value.to_string())).collect()
}

/// A scenario of `nodes` generals running `algorithm` with `m` rounds, with `traitors`.
fn generals(
    algorithm: &str,
    nodes: u32,
    m: u32,
    traitors: &[(NodeId, Strategy)],
    seed: u64,
) -> Scenario {
    let faults: Vec<_> = traitors
        .iter()
        .map(|(node, strategy)| {
            json!({"at_us": 0, "action": "traitor", "node": node.to_string(), "strategy": strategy.name()})
        })
        .collect();
    Scenario::from_value(json!({
        "name": "generals",
        "protocol": {"name": "byzantine_generals", "algorithm": algorithm, "m": m},
        "nodes": nodes,
        "seed": seed,
        "horizon_us": 100_000 * u64::from(m + 2),
        "network": {"default": {"delay": {"uniform": {"min_us": 5000, "max_us": 20000}}}},
        "faults": faults,
    }))
    .expect("valid scenario")
}

#[test]
fn om1_with_four_generals_outvotes_a_traitor_lieutenant_and_a_traitor_commander() {
    let run = run_preset("byzantine-om-lieutenant");
    assert_eq!(
        loyal_decisions(run.as_ref(), &[n(4)]),
        all(&[2, 3], "attack")
    );
    let votes = notes_tagged(run.as_ref(), n(2), "decides");
    assert_eq!(
        votes[0]["votes"],
        json!(["attack", "attack", "retreat"]),
        "n2 outvotes n4's lie"
    );
    assert_eq!(run.stats().sent, 9, "3 orders and 6 relays");

    let run = run_preset("byzantine-om-commander");
    assert_eq!(
        loyal_decisions(run.as_ref(), &[n(1)]),
        all(&[2, 3, 4], "retreat")
    );
    let votes = notes_tagged(run.as_ref(), n(3), "decides");
    assert_eq!(
        votes[0]["votes"],
        json!(["attack", "retreat", "retreat"]),
        "n3 was told attack, and the others relay retreat"
    );
}

#[test]
fn three_generals_cannot_outvote_a_traitor_but_signatures_can() {
    let oral = run_preset("byzantine-om-three");
    assert_eq!(violated(oral.as_ref()), [IC2]);
    let votes = notes_tagged(oral.as_ref(), n(2), "decides");
    assert_eq!(votes[0]["votes"], json!(["attack", "retreat"]), "a tie");
    assert_eq!(votes[0]["value"], "retreat");

    let signed = run_preset("byzantine-sm-three");
    assert!(violated(signed.as_ref()).is_empty());
    assert_eq!(
        loyal_decisions(signed.as_ref(), &[n(3)]),
        all(&[2], "attack")
    );
    let rejected = notes_tagged(signed.as_ref(), n(2), "rejects");
    assert_eq!(rejected.len(), 1, "n3's forgery is rejected");
    assert_eq!(rejected[0]["from"], "n3");
    assert_eq!(field(signed.as_ref(), n(2), "forgeries rejected"), "1");
}

#[test]
fn signed_messages_expose_a_two_faced_commander() {
    let scenario = generals("signed", 3, 1, &[(n(1), Strategy::TwoFaced)], 1);
    let run = run_to_end(&scenario);
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(
        loyal_decisions(run.as_ref(), &[n(1)]),
        all(&[2, 3], "retreat")
    );
    let seen = notes_tagged(run.as_ref(), n(2), "decides");
    assert_eq!(
        seen[0]["votes"],
        json!(["attack", "retreat"]),
        "both signed orders"
    );
}

#[test]
fn seven_generals_survive_two_colluding_traitors_with_om2_but_not_om1() {
    let run = run_preset("byzantine-om-seven");
    assert!(violated(run.as_ref()).is_empty());
    let loyal = loyal_decisions(run.as_ref(), &[n(1), n(7)]);
    assert_eq!(loyal.len(), 5);
    assert!(loyal.iter().all(|(_, v)| *v == loyal[0].1));
    assert_eq!(run.stats().sent, 6 + 30 + 120, "OM(2) grows as n^m");

    // The lesson's "try this": OM(1) against two traitors.
    let scenario = preset("byzantine-om-seven")
        .with_settings(&Settings {
            protocol:
                r#"{"name": "byzantine_generals", "algorithm": "oral", "m": 1, "round_us": 50000}"#
                    .into(),
            ..preset("byzantine-om-seven").settings()
        })
        .expect("valid settings");
    let run = run_to_end(&scenario);
    assert_eq!(violated(run.as_ref()), [IC1]);
    assert_eq!(run.stats().sent, 6 + 30);
}

#[test]
fn a_second_traitor_breaks_om1_with_four_generals() {
    // The lesson's "try this": the model allows a second traitor, and n3 turns traitor before
    // round 2. Under the lesson's own model (at most one faulty node) it is refused.
    let mut scenario = preset("byzantine-om-lieutenant");
    let mut refused = scenario.build().expect("valid");
    refused.run_until(SimTime(10_000));
    let error = refused
        .apply(Action::Traitor {
            node: n(3),
            strategy: Strategy::TwoFaced,
        })
        .expect_err("outside the model");
    assert!(
        error.0.contains("at most 1 faulty node, and n4 already is"),
        "{}",
        error.0
    );
    scenario.model.as_mut().expect("a model").faulty = Some(2);
    scenario.interventions.push(Scheduled {
        at_us: SimTime(10_000),
        action: Action::Traitor {
            node: n(3),
            strategy: Strategy::TwoFaced,
        },
    });
    let run = run_to_end(&scenario);
    assert_eq!(violated(run.as_ref()), [IC2]);
    let snapshot = run.snapshot();
    assert_eq!(snapshot.nodes[2].traitor, Some(Strategy::TwoFaced));
    assert_eq!(snapshot.nodes[1].traitor, None);
}

/// Every set of at most `max` generals out of `nodes`.
fn traitor_sets(nodes: u32, max: u32) -> Vec<Vec<NodeId>> {
    (0u32..1 << nodes)
        .filter(|set| set.count_ones() <= max)
        .map(|set| {
            (0..nodes)
                .filter(|i| set & (1 << i) != 0)
                .map(NodeId)
                .collect()
        })
        .collect()
}

/// Runs `algorithm` against every traitor set of at most `traitors` and every strategy (random
/// with three seeds), and returns the violating configurations.
fn violations(algorithm: &str, nodes: u32, m: u32, traitors: u32) -> Vec<String> {
    let mut found = Vec::new();
    for set in traitor_sets(nodes, traitors) {
        for strategy in Strategy::ALL {
            let seeds = if strategy == Strategy::Random { 3 } else { 1 };
            for seed in 0..seeds {
                let plan: Vec<_> = set.iter().map(|&node| (node, strategy)).collect();
                let run = run_to_end(&generals(algorithm, nodes, m, &plan, seed));
                let broken = violated(run.as_ref());
                if !broken.is_empty() {
                    found.push(format!(
                        "{algorithm} n={nodes} m={m} traitors {set:?} {} seed {seed}: {broken:?}",
                        strategy.name()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn om_keeps_ic1_and_ic2_against_m_traitors_whenever_n_exceeds_3m() {
    for (nodes, m) in [(4, 1), (5, 1), (6, 1), (7, 1), (7, 2)] {
        let found = violations("oral", nodes, m, m);
        assert!(found.is_empty(), "{found:#?}");
    }
}

#[test]
fn om_fails_for_some_m_traitors_when_n_is_3m() {
    for (nodes, m) in [(3, 1), (6, 2)] {
        assert!(
            !violations("oral", nodes, m, m).is_empty(),
            "n = {nodes} = 3m should be too few for OM({m})"
        );
    }
}

#[test]
fn sm_keeps_ic1_and_ic2_against_m_traitors_with_any_number_of_generals() {
    for (nodes, m) in [(3, 1), (4, 1), (4, 2), (5, 2), (5, 3)] {
        let found = violations("signed", nodes, m, m);
        assert!(found.is_empty(), "{found:#?}");
    }
}

#[test]
fn bad_settings_and_traitors_elsewhere_are_refused_with_a_reason() {
    let refuse = |value: serde_json::Value, expect: &str| {
        let error = Scenario::from_value(value).expect_err("refused").0;
        assert!(error.contains(expect), "{error}");
    };
    refuse(
        json!({"name": "x", "protocol": {"name": "byzantine_generals", "m": 3}, "nodes": 4,
               "seed": 1, "horizon_us": 1000000}),
        "`protocol.m` is 3, but with 4 generals",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "byzantine_generals"}, "nodes": 2,
               "seed": 1, "horizon_us": 1000000}),
        "`nodes` is 2, but must be from 3 to 10",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "byzantine_generals", "m": 8}, "nodes": 10,
               "seed": 1, "horizon_us": 1000000}),
        "messages, more than the 20000",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "byzantine_generals"}, "nodes": 4,
               "seed": 1, "horizon_us": 1000000,
               "faults": [{"at_us": 0, "action": "traitor", "node": "n5", "strategy": "silent"}]}),
        "names n5, but the scenario has only 4 nodes",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "two_phase_commit"}, "nodes": 3,
               "seed": 1, "horizon_us": 1000000,
               "faults": [{"at_us": 0, "action": "traitor", "node": "n2", "strategy": "random"}]}),
        "two_phase_commit has no Byzantine behaviours",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "byzantine_generals"}, "nodes": 4,
               "seed": 1, "horizon_us": 1000000,
               "faults": [{"at_us": 0, "action": "traitor", "node": "n2", "strategy": "sneaky"}]}),
        "unknown variant `sneaky`",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "byzantine_generals"}, "nodes": 4,
               "seed": 1, "horizon_us": 1000000,
               "model": {"network": "reliable", "nodes": "crash_stop", "timing": "asynchronous"},
               "faults": [{"at_us": 0, "action": "traitor", "node": "n2", "strategy": "random"}]}),
        "the model's nodes are crash-stop, not Byzantine: no node may lie",
    );
    refuse(
        json!({"name": "x", "protocol": {"name": "raft"}, "nodes": 3, "seed": 1,
               "horizon_us": 1000000,
               "model": {"network": "reliable", "nodes": "byzantine", "timing": "asynchronous"}}),
        "`model.nodes` is byzantine, but raft has no Byzantine behaviours",
    );
    // An intervention on a running protocol without Byzantine behaviours is refused too.
    let mut run = run_preset("2pc-commit");
    let error = run
        .apply(Action::Traitor {
            node: n(2),
            strategy: Strategy::Silent,
        })
        .expect_err("refused");
    assert!(error.0.contains("no Byzantine behaviours"), "{}", error.0);
}

#[test]
fn a_silent_traitor_sends_nothing() {
    let run = run_to_end(&generals("oral", 4, 1, &[(n(4), Strategy::Silent)], 1));
    assert_eq!(run.stats().sent, 3 + 4, "n4 relays nothing");
    assert!(violated(run.as_ref()).is_empty());
}
