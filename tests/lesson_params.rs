//! The lesson protocols' parameters are validated with messages that say what is wrong.

use causeway::scenario::Scenario;

fn error(protocol: &str, nodes: u32) -> String {
    let json = format!(
        r#"{{ "name": "t", "protocol": {protocol}, "nodes": {nodes}, "seed": 1, "horizon_us": 1000000 }}"#
    );
    Scenario::from_json(&json)
        .expect_err("the scenario is refused")
        .0
}

#[test]
fn bad_parameters_are_explained() {
    assert_eq!(
        error(
            r#"{ "name": "broadcast", "order": "gossip", "fanout": 0 }"#,
            3
        ),
        "`protocol.fanout` is 0, but must be from 1 to 1000"
    );
    assert_eq!(
        error(
            r#"{ "name": "broadcast", "order": "reliable", "holdback": false }"#,
            3
        ),
        "`protocol.holdback` only applies to the fifo, causal and total orders, not to reliable (eager)"
    );
    assert_eq!(
        error(r#"{ "name": "rpc" }"#, 1),
        "rpc needs at least 2 nodes (clients, then the server last), but `nodes` is 1"
    );
    assert_eq!(
        error(r#"{ "name": "rpc", "max_attempts": 0 }"#, 2),
        "`protocol.max_attempts` is 0, but must be from 1 to 100"
    );
    assert_eq!(
        error(r#"{ "name": "generals" }"#, 3),
        "generals is a story about exactly 2 nodes, but `nodes` is 3"
    );
    assert_eq!(
        error(r#"{ "name": "logical", "auto_every_us": 5 }"#, 3),
        "`protocol.auto_every_us` is 5, but must be 0 (no random events) or from 1ms to 60s"
    );
    assert_eq!(
        error(
            r#"{ "name": "clock_sync", "algorithm": "berkeley", "ignore_rtt": true }"#,
            3
        ),
        "`protocol.ignore_rtt` only applies to `\"algorithm\": \"cristian\"`"
    );
    assert!(
        error(r#"{ "name": "broadcast", "order": "sideways" }"#, 3)
            .contains("unknown variant `sideways`")
    );
}

#[test]
fn lesson_requests_are_checked_against_the_protocol() {
    let json = r#"{ "name": "t", "protocol": { "name": "rpc" }, "nodes": 2, "seed": 1, "horizon_us": 1000000,
        "workload": { "requests": [ { "at_us": 0, "node": "n1", "op": { "withdraw": 5 } } ] } }"#;
    let message = Scenario::from_json(json).expect_err("refused").0;
    assert!(
        message.starts_with("workload.requests[0]: `{\"withdraw\":5}` is not a valid rpc request"),
        "{message}"
    );
}
