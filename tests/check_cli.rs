//! `sim check` on small Jepsen histories under tests/jepsen/: verdicts, explanations, exit codes.

use std::process::Command;

fn check(file: &str, args: &[&str]) -> (i32, String, String) {
    let path = format!("{}/tests/jepsen/{file}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_sim"))
        .arg("check")
        .arg(&path)
        .args(args)
        .output()
        .expect("sim runs");
    (
        out.status.code().expect("sim exits"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_linearizable_register_history_with_cas_fail_info_and_nemesis_lines() {
    let (code, out, err) = check("register-ok.log", &["--model", "register"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.trim(),
        "linearizable (5 operations, 1 failed and dropped)"
    );
}

#[test]
fn a_stale_read_is_explained_with_the_order_and_the_line() {
    let (code, out, err) = check("register-stale.log", &["--model", "register"]);
    assert_eq!(code, 1, "{out}{err}");
    let expected = "not linearizable
the longest linearizable prefix found has 2 operations, in this order:
     1. process 0 :write 1: ok (lines 1–2)
     2. process 1 :write 2: ok (lines 3–4)
no operation order lets this one come next: line 6: process 2 :read: read 1 (lines 5–6)";
    assert_eq!(out.trim(), expected);
}

#[test]
fn kv_keys_are_independent_and_the_wrong_key_is_named() {
    let (code, out, err) = check("kv.edn", &["--model", "kv"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = check("kv-stale.edn", &["--model", "kv"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.starts_with("not linearizable on key y\n"), "{out}");
    assert!(
        out.contains("line 10: process 2 :get key \"y\": read nil (lines 9–10)"),
        "{out}"
    );
}

#[test]
fn a_malformed_file_exits_2_naming_the_line_and_what_was_expected() {
    let (code, out, err) = check("malformed.log", &["--model", "register"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(out, "");
    assert!(
        err.contains("malformed.log: line 4: expected `]` to close the collection"),
        "{err}"
    );
    // The register model refuses a kv operation, at its line.
    let (code, _, err) = check("kv.edn", &["--model", "register"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1: expected a register operation"),
        "{err}"
    );
}

#[test]
fn a_search_past_its_budget_is_unknown() {
    let (code, out, err) = check("budget.log", &["--model", "register", "--budget", "1000"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.starts_with("unknown: the search gave up after 1000 steps"),
        "{out}"
    );
    let (code, out, _) = check("budget.log", &["--model", "register"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("line 26: process 20 :read: read 99"), "{out}");
}
