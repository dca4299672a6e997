//! Logical clock lessons: the clock condition holds with the max-on-receive rule, concurrency is
//! visible only in vectors, and forgetting the max is caught.

mod lessons;

use lessons::*;
use serde_json::{Value, json};

fn local(label: &str, lamport: u64, vector: [u64; 3]) -> Value {
    json!({"note": "local", "label": label, "stamp": {"lamport": lamport, "vector": vector}})
}

fn receive(label: &str, from: &str, lamport: u64, vector: [u64; 3]) -> Value {
    json!({
        "note": "receive",
        "label": label,
        "from": from,
        "stamp": {"lamport": lamport, "vector": vector}
    })
}

#[test]
fn timestamps_follow_the_figure() {
    let run = run_preset("logical-clocks");
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(
        typed_notes(run.as_ref(), n(1)),
        [
            local("a", 1, [1, 0, 0]),
            local("d", 3, [3, 0, 0]),
            receive("m3", "n3", 7, [4, 3, 3]),
            local("e", 8, [5, 3, 3])
        ]
    );
    assert_eq!(
        typed_notes(run.as_ref(), n(3)),
        [local("c", 1, [0, 0, 1]), receive("m2", "n2", 5, [2, 3, 2])]
    );
    assert_eq!(field(run.as_ref(), n(2), "vector clock"), "[2, 3, 0]");
}

#[test]
fn random_runs_keep_the_clock_condition() {
    let scenario = preset("logical-random");
    for seed in 0..seed_count(20) {
        let mut scenario = scenario.clone();
        scenario.seed = seed;
        let run = run_to_end(&scenario);
        assert!(violated(run.as_ref()).is_empty(), "seed {seed}");
        assert!(
            notes_tagged(run.as_ref(), n(1), "receive").len() > 1,
            "seed {seed}"
        );
    }
}

#[test]
fn forgetting_the_max_on_receive_is_caught() {
    let run = run_preset("logical-break-forget-max");
    assert_eq!(
        violated(run.as_ref()),
        ["Lamport clock condition", "Vector clock condition"]
    );
    let (message, involved) = violation(run.as_ref(), "Lamport clock condition").unwrap();
    assert_eq!(
        message,
        "n2 stamped the receive of m1 with L=2, but its send, which happened before it, has L=6"
    );
    assert_eq!(involved.len(), 2, "the send and the receive");
}
