//! The `sim` command line: exit codes, share links both ways, exports.

use std::process::{Command, Output};

fn sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(args)
        .output()
        .expect("the sim binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn run_exits_by_verdict() {
    let clean = sim(&["run", "heartbeat-basic"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    assert!(stdout(&clean).contains("✓ Accuracy (always): holds"));
    let violated = sim(&["run", "heartbeat-pause"]);
    assert_eq!(violated.status.code(), Some(1));
    assert!(stdout(&violated).contains("VIOLATED"));
    let bad = sim(&["run", "no-such-file.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot read no-such-file.json"));
    let until = sim(&["run", "heartbeat-basic", "--until", "250ms", "--seed", "9"]);
    assert!(
        stdout(&until).contains("ran to 250ms"),
        "{}",
        stdout(&until)
    );
}

#[test]
fn links_round_trip_through_the_cli() {
    let link = sim(&["link", "raft-basic", "--at", "1s"]);
    assert_eq!(link.status.code(), Some(0));
    let text = stdout(&link).trim().to_string();
    assert!(text.starts_with("c1."));
    let decoded = sim(&["decode", &format!("https://example.org/causeway/#{text}")]);
    assert_eq!(decoded.status.code(), Some(0));
    assert!(
        stdout(&decoded).contains("\"name\": \"raft\""),
        "{}",
        stdout(&decoded)
    );
    let bad = sim(&["decode", "c1.not-a-link"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("damaged"));
}

#[test]
fn exports_print_other_tools_formats() {
    let mermaid = sim(&[
        "export",
        "heartbeat-crash",
        "--format",
        "mermaid",
        "--until",
        "300ms",
    ]);
    assert!(stdout(&mermaid).starts_with("sequenceDiagram\n    participant n1"));
    let shiviz = sim(&[
        "export",
        "heartbeat-basic",
        "--format",
        "shiviz",
        "--until",
        "50ms",
    ]);
    assert!(
        stdout(&shiviz).starts_with("start\nn1 {\"n1\":1}\n"),
        "{}",
        stdout(&shiviz)
    );
    let jsonl = sim(&[
        "export",
        "heartbeat-basic",
        "--format",
        "jsonl",
        "--until",
        "50ms",
    ]);
    let first: serde_json::Value =
        serde_json::from_str(stdout(&jsonl).lines().next().unwrap()).unwrap();
    assert_eq!(first["kind"], "start");
}
