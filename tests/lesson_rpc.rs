//! RPC lessons: a lost reply makes an at-least-once transfer run twice, at-most-once leaves the
//! client in doubt, and a deduplication table fixes both only if it survives crashes.

mod lessons;

use causeway::engine::trace::EventKind;
use lessons::*;
use serde_json::{Value, json};

/// The bank's execution notes, in order, as JSON.
fn executions(id: &str) -> (Vec<&'static str>, Vec<Value>) {
    let run = run_preset(id);
    let executed = notes_tagged(run.as_ref(), n(2), "executes");
    (violated(run.as_ref()), executed)
}

/// n1's first call, as the notes name it.
fn first_call() -> Value {
    json!({"client": "n1", "incarnation": 1, "seq": 1})
}

#[test]
fn a_lost_response_makes_the_transfer_run_twice() {
    let (violated, executed) = executions("rpc-at-least-once");
    let execution = |attempt: u32, alice: i64, bob: i64| {
        json!({
            "note": "executes",
            "call": first_call(),
            "attempt": attempt,
            "from": "alice",
            "from_balance": alice,
            "to": "bob",
            "to_balance": bob
        })
    };
    assert_eq!(executed, [execution(1, 70, 130), execution(2, 40, 160)]);
    assert_eq!(violated, ["Effect at most once"]);
    let run = run_preset("rpc-at-least-once");
    let (message, involved) = violation(run.as_ref(), "Effect at most once").unwrap();
    assert_eq!(
        message,
        "call n1#1 took effect twice: n2 executed it again on attempt 2"
    );
    assert_eq!(involved.len(), 2, "both executions are pointed at");
}

#[test]
fn at_most_once_executes_once_but_leaves_the_client_in_doubt() {
    let (violated, executed) = executions("rpc-at-most-once");
    assert_eq!(executed.len(), 1);
    assert_eq!(violated, ["Outcome known"]);
}

#[test]
fn exactly_once_recognises_the_retry() {
    let run = run_preset("rpc-exactly-once");
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(notes_tagged(run.as_ref(), n(2), "executes").len(), 1);
    assert_eq!(
        notes_tagged(run.as_ref(), n(2), "duplicate"),
        [json!({"note": "duplicate", "call": first_call(), "attempt": 2})]
    );
    let answers = run
        .events()
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e.kind, EventKind::Response { .. }))
        .map(|(i, _)| {
            run.response_json(causeway::engine::EventId(i as u32))
                .unwrap()
                .to_string()
        })
        .collect::<Vec<_>>();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(answers[0].contains("\"attempts\":2"), "{}", answers[0]);
    assert!(
        answers[1].contains("\"balance\":70"),
        "alice was charged once: {}",
        answers[1]
    );
}

#[test]
fn a_deduplication_table_in_memory_is_caught_after_a_crash() {
    let (violated, executed) = executions("rpc-break-volatile-dedup");
    assert_eq!(executed.len(), 2, "{executed:?}");
    assert_eq!(violated, ["Effect at most once"]);
}

#[test]
fn a_durable_table_survives_the_same_crash() {
    let mut scenario = preset("rpc-break-volatile-dedup");
    let causeway::scenario::ProtocolConfig::Rpc(params) = &mut scenario.protocol else {
        panic!("an rpc preset");
    };
    params.durable_dedup = true;
    let run = run_to_end(&scenario);
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(notes_tagged(run.as_ref(), n(2), "duplicate").len(), 1);
}
