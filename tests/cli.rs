//! The `sim` command line: exit codes, share links both ways, exports.

use std::process::{Command, Output, Stdio};

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

/// Runs `sim` with its standard output already closed by the reader, as `sim … | head -0` would.
fn sim_into_closed_pipe(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sim binary runs");
    // Dropping our end of the pipe closes it before sim writes a byte.
    child.stdout = None;
    child.wait_with_output().expect("sim ends")
}

#[test]
fn every_subcommand_ends_quietly_on_a_closed_pipe() {
    for (args, code) in [
        (&["presets"][..], 0),
        (&["show", "raft-basic"][..], 0),
        (&["run", "heartbeat-basic", "--until", "1s"][..], 0),
        (&["run", "heartbeat-pause"][..], 1),
        (&["run", "no-such-file.json"][..], 2),
        (&["sweep", "broadcast-break-fifo", "--seeds", "0..2"][..], 1),
        (&["link", "raft-basic"][..], 0),
        (
            &[
                "export",
                "heartbeat-basic",
                "--format",
                "jsonl",
                "--until",
                "1s",
            ][..],
            0,
        ),
        (&["export", "heartbeat-basic", "--format", "shiviz"][..], 0),
        (&["bench", "--events", "1000", "--nodes", "5"][..], 0),
    ] {
        let output = sim_into_closed_pipe(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "sim {args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "sim {args:?} complained about the closed pipe: {stderr}"
        );
    }
}

#[test]
fn sweep_allow_lets_a_named_property_fail_and_counts_its_seeds() {
    let stale = sim(&["sweep", "docs/zk-sweep.json", "--seeds", "0..4", "--quiet"]);
    assert_eq!(stale.status.code(), Some(1), "{}", stdout(&stale));
    let allowed = sim(&[
        "sweep",
        "docs/zk-sweep.json",
        "--seeds",
        "0..4",
        "--quiet",
        "--allow",
        "Linearizable reads",
    ]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stdout(&allowed));
    let text = stdout(&allowed);
    assert!(
        text.contains("seeds violated Linearizable reads, which --allow lets pass"),
        "{text}"
    );
    let unknown = sim(&["sweep", "zk-stale-read", "--allow", "Linearisable reads"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("--allow 'Linearisable reads' is not a property of zk-stale-read")
            && stderr.contains("Fresh after sync"),
        "{stderr}"
    );
}

#[test]
fn sweep_stays_within_the_declared_model_and_reports_the_rest_apart() {
    // Seed 12 of the three-phase commit sweep is clean in its model, and beyond it violates
    // Agreement after a fault the model rules out (`tests/lesson_3pc.rs`).
    let within = sim(&["sweep", "docs/3pc-sweep.json", "--seeds", "12", "--quiet"]);
    assert_eq!(within.status.code(), Some(0), "{}", stdout(&within));
    assert!(stdout(&within).contains(
        "only faults within the model: reliable links · crash-recovery · synchronous (≤ 15ms)"
    ));
    let beyond = sim(&[
        "sweep",
        "docs/3pc-sweep.json",
        "--seeds",
        "12",
        "--beyond-model",
    ]);
    let text = stdout(&beyond);
    assert_eq!(
        beyond.status.code(),
        Some(0),
        "outside the model is not a failure: {text}"
    );
    assert!(
        text.contains("seed 12: violated outside the model"),
        "{text}"
    );
    assert!(text.contains("outside the model: "), "{text}");
    assert!(text.contains("1 violated only outside the model"), "{text}");
}
