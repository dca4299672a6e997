//! Chain replication and CRAQ lessons: what each lesson's text claims beyond its checker verdict
//! (which `tests/presets.rs` checks), and random-fault sweeps: chain replication and CRAQ stay
//! linearizable and lose no acknowledged write whatever crashes, and each break-it variant is
//! caught within its documented number of seeds.

mod lessons;

use causeway::engine::SimTime;
use causeway::engine::run::Run;
use causeway::scenario::Scenario;
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// How many gets each server answered.
fn reads_by_server(run: &dyn Run) -> BTreeMap<u32, usize> {
    let mut reads = BTreeMap::new();
    for (node, _, reply) in answers(run) {
        if reply.get("value").is_some() {
            *reads.entry(node).or_default() += 1;
        }
    }
    reads
}

/// The chains the master (n1) published, each as its servers (1-based) and the one joining.
fn configs(run: &dyn Run) -> Vec<(Vec<String>, Option<String>)> {
    notes_tagged(run, n(1), "new_config")
        .into_iter()
        .map(|note| {
            let config = &note["config"];
            let chain = config["chain"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            (chain, config["joining"].as_str().map(str::to_string))
        })
        .collect()
}

#[test]
fn writes_flow_from_the_head_and_the_tail_answers_everything() {
    let run = run_preset("chain-basic");
    let run = run.as_ref();
    let answers = answers(run);
    assert_eq!(answers.len(), 7);
    assert!(answers.iter().all(|(node, _, _)| *node == 5), "{answers:?}");
    // The first put reaches the tail through n3 and n4 and is answered at 237 ms.
    assert_eq!(answers[0].1, SimTime(237_363));
    // The get of y at 1.01 s comes while the put of y is on its way down: it reads nothing.
    let early = answers
        .iter()
        .find(|(_, at, _)| *at == SimTime(1_010_000))
        .expect("the early get of y");
    assert_eq!(early.2["value"], Value::Null);
    for server in 2..=5 {
        assert_eq!(field(run, n(server), "committed"), "3", "n{server}");
    }
}

#[test]
fn a_crashed_middle_server_is_bridged_and_rejoins_at_the_tail() {
    let run = run_preset("chain-repair");
    let run = run.as_ref();
    let chain = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let configs = configs(run);
    assert_eq!(configs[0], (chain(&["n2", "n3", "n4", "n5"]), None));
    assert_eq!(configs[1], (chain(&["n2", "n4", "n5"]), None));
    assert_eq!(
        configs[2],
        (chain(&["n2", "n4", "n5"]), Some("n3".to_string()))
    );
    assert_eq!(configs[3], (chain(&["n2", "n4", "n5", "n3"]), None));
    // Both appends sent into the crash are answered by the tail once n2 resends them to n4.
    let answers = answers(run);
    let appends: Vec<_> = answers
        .iter()
        .filter(|(_, _, reply)| *reply == "ok")
        .filter(|(_, at, _)| *at > SimTime(1_000_000))
        .collect();
    assert_eq!(appends.len(), 2);
    assert!(
        appends
            .iter()
            .all(|(node, at, _)| *node == 5 && *at == SimTime(1_037_331))
    );
    // The last get is served by n3, the new tail, with every write.
    let last = answers.last().unwrap();
    assert_eq!((last.0, &last.2["value"]), (3, &Value::from("1+a+b")));
}

#[test]
fn craq_spreads_the_reads_that_chain_replication_sends_to_the_tail() {
    let chain = run_preset("chain-reads");
    let craq = run_preset("craq-reads");
    let tail_only = reads_by_server(chain.as_ref());
    assert_eq!(tail_only, BTreeMap::from([(5, 46)]));
    let spread = reads_by_server(craq.as_ref());
    assert_eq!(spread, BTreeMap::from([(2, 14), (3, 10), (4, 9), (5, 13)]));
    // Dirty reads ask the tail; the inspector counts them.
    assert_eq!(sent(craq.as_ref(), "version_query"), 21);
    assert_eq!(sent(chain.as_ref(), "version_query"), 0);
    let counted: usize = (2..=5)
        .map(|s| {
            let text = field(craq.as_ref(), n(s), "reads answered");
            let asked = text.split('(').nth(1).unwrap().split(' ').next().unwrap();
            asked.parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(counted, 21);
}

/// The preset's scenario with `break_it` removed.
fn repaired(id: &str) -> Scenario {
    let mut value = serde_json::to_value(preset(id)).unwrap();
    value["protocol"]
        .as_object_mut()
        .unwrap()
        .remove("break_it");
    Scenario::from_value(value).unwrap()
}

#[test]
fn a_read_without_the_version_check_is_stale_and_the_check_fixes_it() {
    let broken = run_preset("craq-break-version-check");
    let broken = broken.as_ref();
    let (message, involved) = violation(broken, "Linearizable reads").expect("caught");
    assert!(message.contains("returned \"1\""), "{message}");
    // The write's reply on the tail, the get's start and the stale reply on n3.
    let nodes: Vec<Option<u32>> = involved
        .iter()
        .map(|e| broken.events()[e.index()].node.map(|n| n.0 + 1))
        .collect();
    assert_eq!(nodes, [Some(5), Some(3), Some(3)]);
    let fixed = run_to_end(&repaired("craq-break-version-check"));
    assert!(violated(fixed.as_ref()).is_empty());
    let read = answers(fixed.as_ref())
        .into_iter()
        .find(|(node, at, _)| *node == 3 && *at >= SimTime(540_000))
        .expect("n3 answers the get of 540 ms");
    assert_eq!(read.2["value"], "2");
}

#[test]
fn acknowledging_at_the_head_loses_a_write_and_the_chain_keeps_it() {
    let broken = run_preset("chain-break-ack-at-head");
    let broken = broken.as_ref();
    assert_eq!(
        violated(broken),
        ["Linearizable reads", "Acknowledged writes survive a crash"]
    );
    let (message, _) = violation(broken, "Acknowledged writes survive a crash").unwrap();
    assert!(
        message.starts_with("n2 acknowledged the write put x=1"),
        "{message}"
    );
    let fixed = run_to_end(&repaired("chain-break-ack-at-head"));
    assert!(violated(fixed.as_ref()).is_empty());
    let last = answers(fixed.as_ref()).pop().unwrap();
    assert_eq!(last.2["value"], "2", "the retried put of 2 is not lost");
}

/// The sweep base, `docs/chain-sweep.json`.
const SWEEP: &str = include_str!("../docs/chain-sweep.json");

/// The sweep base with CRAQ on and `break_it` set if given.
fn craq_base(break_it: Option<&str>) -> Scenario {
    let mut value: Value = serde_json::from_str(SWEEP).unwrap();
    value["protocol"]["craq"] = true.into();
    if let Some(variant) = break_it {
        value["protocol"]["break_it"] = variant.into();
    }
    Scenario::from_value(value).unwrap()
}

#[test]
fn chain_replication_stays_linearizable_under_random_faults() {
    assert_clean_under_random_faults(&sweep_base(SWEEP, None), 0..seed_count(200));
}

#[test]
fn craq_stays_linearizable_under_random_faults() {
    assert_clean_under_random_faults(&craq_base(None), 0..seed_count(200));
}

#[test]
fn random_faults_catch_both_break_its_at_the_documented_seed() {
    // Documented in docs/chain-replication.md: both are caught by seed 0.
    let stale = run_to_end(&with_random_faults(&craq_base(Some("no_version_check")), 0));
    assert!(violated(stale.as_ref()).contains(&"Linearizable reads"));
    let lost = run_to_end(&with_random_faults(
        &sweep_base(SWEEP, Some("ack_at_head")),
        0,
    ));
    assert!(violated(lost.as_ref()).contains(&"Acknowledged writes survive a crash"));
}
