//! Exports other tools open: the ShiViz log parses with the documented regular expression and its
//! clocks are consistent; the Mermaid text is a well-formed sequence diagram.

use causeway::export::{MERMAID_MAX_LINES, SHIVIZ_REGEX, mermaid, shiviz};
use causeway::scenario::presets;
use std::collections::BTreeMap;

fn run_preset(id: &str) -> Box<dyn causeway::engine::Run> {
    let scenario = presets::find(id).unwrap().scenario().unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(causeway::engine::SimTime(
        scenario.horizon_us.0.min(600_000),
    ));
    run
}

#[test]
fn shiviz_logs_parse_with_the_documented_regex() {
    let mut run = run_preset("heartbeat-crash");
    let log = shiviz(run.as_mut());
    // ShiViz uses JavaScript named groups; Rust's regex accepts the same syntax.
    let regex = regex::Regex::new(SHIVIZ_REGEX).unwrap();
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    let mut events = 0;
    for caps in regex.captures_iter(&log) {
        let host = caps["host"].to_string();
        let clock: BTreeMap<String, u64> = serde_json::from_str(&caps["clock"]).unwrap();
        let own = clock[&host];
        assert_eq!(
            own,
            last.get(&host).copied().unwrap_or(0) + 1,
            "{host}'s own entry counts its events"
        );
        last.insert(host, own);
        assert!(!caps["event"].is_empty());
        events += 1;
    }
    let node_events = run.events().iter().filter(|e| e.node.is_some()).count();
    assert_eq!(events, node_events, "every node event is in the log");
    assert!(
        log.contains("send ping 0 to n2\nn1 {\"n1\":"),
        "{}",
        &log[..300]
    );
}

#[test]
fn mermaid_is_a_sequence_diagram_with_crashes_and_losses() {
    let run = run_preset("heartbeat-lossy");
    let text = mermaid(run.as_ref(), run.now());
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    assert_eq!(lines.next(), Some("    participant n1"));
    assert!(text.contains("n1->>n2: ping 0"), "{text}");
    assert!(text.contains("-x"), "lost messages end in a cross");
    assert!(text.lines().count() <= MERMAID_MAX_LINES + 5);
    let scenario = presets::find("heartbeat-crash")
        .unwrap()
        .scenario()
        .unwrap();
    let mut crash = scenario.build().unwrap();
    crash.run_until(scenario.horizon_us);
    let full = mermaid(crash.as_ref(), causeway::engine::SimTime::MAX);
    assert!(full.contains("Note over n3: crash"), "crashes are notes");
    assert!(
        full.contains("cut here after"),
        "long runs are cut with a note"
    );
}
