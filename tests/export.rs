//! Exports other tools open: the ShiViz log parses with the documented regular expression and its
//! clocks are consistent; the Mermaid text is a well-formed sequence diagram.

use causeway::export::{MERMAID_MAX_LINES, SHIVIZ_REGEX, mermaid, shiviz, shiviz_escape};
use causeway::scenario::presets;
use std::collections::BTreeMap;

/// The text `shiviz_escape` was given, from the event text ShiViz shows: the reading the docs describe.
pub fn shiviz_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                let code: String = chars.by_ref().take(4).collect();
                match code.as_str() {
                    "2028" => out.push('\u{2028}'),
                    "2029" => out.push('\u{2029}'),
                    other => {
                        out.push_str("\\u");
                        out.push_str(other);
                    }
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

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
    let run = run_preset("heartbeat-crash");
    let log = shiviz(run.as_ref());
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

/// ShiViz reads the log with JavaScript's regular expressions, where `.` stops at `\r`, U+2028 and
/// U+2029 as well as `\n`; the Rust regex crate's `.` stops only at `\n`. This is the documented
/// regex as JavaScript runs it.
fn shiviz_regex_as_javascript_reads_it() -> regex::Regex {
    regex::Regex::new(&SHIVIZ_REGEX.replace('.', "[^\\n\\r\\u{2028}\\u{2029}]")).unwrap()
}

#[test]
fn hostile_labels_round_trip_through_the_shiviz_regex() {
    let hostile = [
        "{x}",
        "a {x}",
        "n2 {\"n1\":9}",
        "back\\slash \\{",
        "carriage\rreturn",
        "line\u{2028}separator",
        "para\u{2029}graph",
        "new\nline {}",
        "} {",
        "\\u2028 written out",
    ];
    let requests: Vec<serde_json::Value> = hostile
        .iter()
        .enumerate()
        .flat_map(|(i, label)| {
            let at = 1_000 * (i as u64 + 1);
            [
                serde_json::json!({"at_us": at, "node": "n1", "op": {"local": label}}),
                serde_json::json!({"at_us": at + 500, "node": "n1", "op": {"send": {"to": "n2", "label": label}}}),
            ]
        })
        .collect();
    let scenario = serde_json::json!({
        "name": "hostile labels",
        "protocol": {"name": "logical"},
        "nodes": 2,
        "seed": 1,
        "horizon_us": 100_000,
        "workload": {"requests": requests},
    });
    let scenario = causeway::scenario::Scenario::from_json(&scenario.to_string()).unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(scenario.horizon_us);
    let log = shiviz(run.as_ref());
    let regex = shiviz_regex_as_javascript_reads_it();
    let parsed: Vec<(String, String)> = regex
        .captures_iter(&log)
        .map(|caps| {
            let clock: Result<BTreeMap<String, u64>, _> = serde_json::from_str(&caps["clock"]);
            assert!(
                clock.is_ok(),
                "a clock that is not JSON: {}",
                &caps["clock"]
            );
            (caps["host"].to_string(), shiviz_unescape(&caps["event"]))
        })
        .collect();
    let node_events = run.events().iter().filter(|e| e.node.is_some()).count();
    assert_eq!(
        parsed.len(),
        node_events,
        "every node event parses as one:\n{log}"
    );
    for label in hostile {
        assert!(
            parsed
                .iter()
                .any(|(host, text)| host == "n1" && text.starts_with(&format!("local {label} "))),
            "the local event labelled {label:?} round-trips"
        );
        assert!(
            parsed
                .iter()
                .any(|(host, text)| host == "n2" && text.starts_with(&format!("receive {label} "))),
            "the delivery of the message labelled {label:?} round-trips"
        );
    }
    assert_eq!(shiviz_unescape(&shiviz_escape("\\u2028")), "\\u2028");
}
