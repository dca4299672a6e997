//! A run too large for a browser tab stops at the engine's event limit, in a clear state, instead
//! of growing until the tab runs out of memory.

mod common;

use causeway::engine::sim::MAX_EVENTS;
use causeway::engine::time::SimTime;
use common::*;

#[test]
fn a_run_too_large_for_a_tab_stops_at_the_event_limit() {
    // Sixty nodes pinging each other ten times a second make about 140,000 events per simulated
    // second: the limit comes after half a minute of an hour's horizon.
    let mut scenario = heartbeat(60, 1);
    scenario.horizon_us = us("1h");
    let mut run = scenario.build().unwrap();
    run.run_until(scenario.horizon_us);
    let len = run.events().len();
    let cut = run.now();
    assert!(run.at_event_limit());
    assert!(run.finished(), "no step is left to take");
    assert!(
        (MAX_EVENTS..MAX_EVENTS + 1_000).contains(&len),
        "the run stops at the first step past the limit: {len} events"
    );
    assert!(
        cut < scenario.horizon_us && cut > us("20s"),
        "stopped at {cut}"
    );
    assert!(!run.step());
    assert_eq!(run.events().len(), len);

    // Going back leaves the limit behind; going forward again stops at the same step.
    run.seek(SimTime(cut.0 / 2));
    assert!(!run.at_event_limit());
    assert!(!run.finished());
    run.run_until(scenario.horizon_us);
    assert_eq!((run.events().len(), run.now()), (len, cut));
}

#[test]
fn requests_waiting_at_a_node_paused_for_an_hour_stop_at_the_event_limit() {
    // A client sends n1 a request every 100 µs while n1 stays paused: none of them reaches it, so
    // none is recorded. The generator stops after as many requests as a run could ever record,
    // instead of piling up 36 million of them (which once overflowed the engine's pending slab).
    let scenario = causeway::scenario::Scenario::from_json(
        r#"{
          "name": "Paused target",
          "protocol": { "name": "raft" },
          "nodes": 3,
          "seed": 1,
          "horizon_us": 3600000000,
          "workload": { "generator": { "start_us": 1000, "every_us": 100, "target": { "node": "n1" } } },
          "faults": [ { "at_us": 0, "action": "pause", "node": "n1" } ]
        }"#,
    )
    .unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(scenario.horizon_us);
    assert!(run.finished());
    assert_eq!(
        run.now(),
        scenario.horizon_us,
        "the run reached its horizon"
    );
    assert_eq!(
        run.stats().requests,
        0,
        "no request reached the paused node"
    );
    assert!(!run.at_event_limit());
}
