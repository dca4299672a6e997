//! Dynamo lessons (leaderless replication with N, R and W): what each lesson's text claims beyond
//! its checker verdict (which `tests/presets.rs` checks), the parameters' validation, and
//! random-fault sweeps of R + W > N and of the R = W = 1 break (CI also runs 200 seeds through
//! `sim sweep`; see docs/dynamo.md).

mod lessons;

use causeway::engine::ids::EventId;
use causeway::engine::run::Run;
use causeway::scenario::Scenario;
use causeway::scenario::sweep::with_random_faults;
use lessons::*;
use serde_json::{Value, json};

const SWEEP: &str = include_str!("../docs/dynamo-sweep.json");

/// What node `node` answered its clients, in order.
fn answers(run: &dyn Run, node: u32) -> Vec<Value> {
    (0..run.events().len())
        .filter(|&i| run.events()[i].node == Some(n(node)))
        .filter_map(|i| run.response_json(EventId(i as u32)))
        .collect()
}

#[test]
fn quorums_meet_so_gets_see_the_last_put_and_a_stale_replica_is_repaired() {
    let run = run_preset("dynamo-quorums");
    assert_eq!(
        answers(run.as_ref(), 5),
        [json!({"values": ["1"]}), json!({"values": ["2"]})]
    );
    assert_eq!(answers(run.as_ref(), 4), [json!({"values": ["2"]})]);
    let repaired: Vec<Value> = notes_tagged(run.as_ref(), n(5), "repairs")
        .into_iter()
        .map(|note| note["replica"].clone())
        .collect();
    assert_eq!(
        repaired,
        [json!("n4")],
        "the get at 900 ms repairs n4 alone"
    );
}

#[test]
fn concurrent_puts_are_kept_as_siblings_until_a_put_that_saw_both_replaces_them() {
    let run = run_preset("dynamo-siblings");
    assert_eq!(
        answers(run.as_ref(), 2),
        [json!({"values": ["b", "a"]}), json!("stored")]
    );
    assert_eq!(
        answers(run.as_ref(), 1),
        [json!("stored"), json!({"values": ["c"]})]
    );
    let written = notes_tagged(run.as_ref(), n(2), "writes");
    assert_eq!(written[0]["version"]["clock"], json!([1, 1, 1]));
}

#[test]
fn weak_quorums_give_a_stale_read_linked_to_the_replica_it_read() {
    let run = run_preset("dynamo-break-weak-quorums");
    let (message, involved) = violation(run.as_ref(), "Fresh reads").unwrap();
    assert_eq!(
        message,
        "get x (op2) returned \"1\" but put x=\"2\" (op1) was acknowledged at 200ms, before the \
         get began at 250ms; the get read only n3, which did not have it"
    );
    assert_eq!(
        involved.len(),
        2,
        "the acknowledgement and the get's answer"
    );
}

#[test]
fn bad_parameters_are_named() {
    let error = |protocol: Value| {
        let mut value = serde_json::to_value(preset("dynamo-quorums")).unwrap();
        value["protocol"] = protocol;
        match Scenario::from_value(value).and_then(|s| s.build().map(|_| ())) {
            Ok(()) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    };
    let message = error(json!({"name": "dynamo", "n": 3, "r": 4}));
    assert!(
        message.contains("`protocol.r` is 4, but must be from 1 to N (3)"),
        "{message}"
    );
    let message = error(json!({"name": "dynamo", "w": 0}));
    assert!(message.contains("`protocol.w` is 0"), "{message}");
    let message = error(json!({"name": "dynamo", "n": 6}));
    assert!(
        message.contains("`protocol.n` is 6, but must be from 1 to the number of nodes (5)"),
        "{message}"
    );
    let message = error(json!({"name": "dynamo", "timeout_us": 0}));
    assert!(message.contains("`protocol.timeout_us`"), "{message}");
}

#[test]
fn quorums_that_meet_stay_fresh_under_random_faults() {
    assert_clean_under_random_faults(&sweep_base(SWEEP, None), 0..seed_count(40));
}

#[test]
fn random_faults_catch_weak_quorums_at_the_documented_seed() {
    // Documented in docs/dynamo.md: R = W = 1 is caught first at seed 1.
    let mut weak: Value = serde_json::from_str(SWEEP).unwrap();
    weak["protocol"]["r"] = 1.into();
    weak["protocol"]["w"] = 1.into();
    let weak = Scenario::from_value(weak).unwrap();
    let first = (0..20).find(|&seed| {
        violated(run_to_end(&with_random_faults(&weak, seed)).as_ref()).contains(&"Fresh reads")
    });
    assert_eq!(first, Some(1));
}

#[test]
fn a_sloppy_put_is_held_by_stand_ins_and_handed_off_after_the_heal() {
    let run = run_preset("dynamo-hinted-handoff");
    let stood_in: Vec<(Value, Value)> = [1, 5]
        .into_iter()
        .flat_map(|node| notes_tagged(run.as_ref(), n(node), "stands_in"))
        .map(|note| (note["key"].clone(), note["for_node"].clone()))
        .collect();
    assert_eq!(
        stood_in,
        [(json!("x"), json!("n3")), (json!("x"), json!("n2"))]
    );
    let handed: Vec<Value> = [1, 5]
        .into_iter()
        .flat_map(|node| notes_tagged(run.as_ref(), n(node), "hands_off"))
        .map(|note| note["to"].clone())
        .collect();
    assert_eq!(handed, [json!("n3"), json!("n2")]);
    assert_eq!(answers(run.as_ref(), 2), [json!({"values": ["2"]})]);
}

#[test]
fn a_sloppy_quorum_lets_a_get_miss_an_acknowledged_put() {
    let run = run_preset("dynamo-break-sloppy-quorum");
    let (message, _) = violation(run.as_ref(), "Fresh reads").unwrap();
    assert!(
        message.ends_with("the get read n2, n3, none of which had it"),
        "{message}"
    );
    // Documented in docs/dynamo.md: random faults catch sloppy quorums first at seed 3.
    let mut sloppy: Value = serde_json::from_str(SWEEP).unwrap();
    sloppy["protocol"]["sloppy"] = true.into();
    let sloppy = Scenario::from_value(sloppy).unwrap();
    let first = (0..20).find(|&seed| {
        violated(run_to_end(&with_random_faults(&sloppy, seed)).as_ref()).contains(&"Fresh reads")
    });
    assert_eq!(first, Some(3));
}

#[test]
fn anti_entropy_sends_only_the_keys_of_differing_buckets_and_replicas_converge() {
    let run = run_preset("dynamo-anti-entropy");
    let syncs = notes_tagged(run.as_ref(), n(4), "syncs");
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    assert_eq!(
        (
            syncs[0]["with"].clone(),
            syncs[0]["buckets"].clone(),
            syncs[0]["keys"].clone()
        ),
        (json!("n2"), json!(3), json!(3))
    );
    // Under random faults, once the faults heal and requests stop, anti-entropy alone brings every
    // replica of every key to the same versions.
    let mut base: Value = serde_json::from_str(SWEEP).unwrap();
    base["protocol"]["anti_entropy_every_us"] = 100_000.into();
    base["workload"]["generator"]["count"] = 60.into();
    let base = Scenario::from_value(base).unwrap();
    assert_settled_under_random_faults(
        &base,
        0..seed_count(40),
        "Replicas converge",
        "anti-entropy",
    );
}

#[test]
fn cap_the_consistent_choice_fails_on_the_small_side_and_never_reads_stale() {
    let run = run_preset("cap-cp");
    assert_eq!(violated(run.as_ref()), ["Available"]);
    let (message, _) = violation(run.as_ref(), "Available").unwrap();
    assert_eq!(
        message,
        "n1 answered a request with a failure: 1 stores of the 2 needed"
    );
    assert_eq!(
        answers(run.as_ref(), 2),
        [json!({"failed": "1 replies of the 2 needed"})]
    );
    assert_eq!(answers(run.as_ref(), 5), [json!({"values": ["3"]})]);
    // The failed put did reach n2: after the heal it is a sibling of 3.
    assert_eq!(answers(run.as_ref(), 1)[2], json!({"values": ["3", "2"]}));
}

#[test]
fn cap_the_available_choice_answers_everything_reads_stale_and_loses_an_update() {
    let run = run_preset("cap-ap");
    assert_eq!(violated(run.as_ref()), ["Fresh reads"]);
    assert_eq!(answers(run.as_ref(), 2), [json!({"values": ["2"]})]);
    assert_eq!(answers(run.as_ref(), 5), [json!({"values": ["3"]})]);
    assert_eq!(
        answers(run.as_ref(), 1),
        [json!("stored"), json!("stored"), json!({"values": ["3"]})],
        "both puts acknowledged; after the heal only 3 is left"
    );
    // The history view judges the same run not linearizable.
    let mut history = causeway::view::history::HistoryIndex::new();
    history.update(run.as_ref());
    assert!(matches!(
        *history.verdict(run.as_ref(), false).0,
        causeway::view::history::HistoryVerdict::NotLinearizable { .. }
    ));
}

#[test]
fn cap_the_two_designs_tell_one_story_and_the_switch_counts_what_each_answered() {
    use causeway::scenario::presets;
    use causeway::view::history::HistoryIndex;
    let designs = presets::designs("cap-ap").unwrap();
    assert_eq!(presets::designs("cap-cp"), Some(designs));
    assert_eq!(presets::designs("dynamo-quorums"), None);
    let (cp, ap) = (preset(designs[0].1), preset(designs[1].1));
    assert_eq!(
        (cp.nodes, &cp.workload, &cp.faults, cp.horizon_us),
        (ap.nodes, &ap.workload, &ap.faults, ap.horizon_us),
        "a switch keeps the requests, the faults and the moment; only the design changes"
    );
    let availability = |scenario| {
        let run = run_to_end(scenario);
        let mut history = HistoryIndex::new();
        history.update(run.as_ref());
        history.availability()
    };
    assert_eq!(availability(&cp), (4, 2, 0), "the small side refuses two");
    assert_eq!(availability(&ap), (6, 0, 0));
}
