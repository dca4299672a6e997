//! The trace table, `tests/traces.tsv`: share links, each with the trace hash it must replay to,
//! natively and in the browser, today and after every future change. It is both the golden hashes of
//! the presets (a preset's row is the one whose link holds exactly its scenario; `tests/presets.rs`
//! checks that every preset has one) and the forever-link corpus (links made by every format version
//! ever shipped). A changed hash means old links no longer replay: never edit a row.

mod trace_table;

use causeway::scenario::{Scenario, presets};
use trace_table::{TABLE, replay, rows};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_link_in_the_table_replays_to_its_hash() {
    let wrong: Vec<String> = rows()
        .iter()
        .filter_map(|row| {
            let got = replay(&row.link.scenario);
            (got != row.hash).then(|| {
                format!(
                    "{}: the table says {}, the run gives {got}",
                    row.name, row.hash
                )
            })
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "links no longer replay to the same trace:\n{}",
        wrong.join("\n")
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_table_holds_every_format_version_and_the_intervention_scenario() {
    let rows = rows();
    // c1 is the only link format shipped so far; each new format adds its links to the table.
    let c1 = TABLE.lines().filter(|l| l.contains("\tc1.")).count();
    assert!(
        c1 >= presets::PRESETS.len(),
        "the table has {c1} c1 links for {} presets",
        presets::PRESETS.len()
    );
    let every = Scenario::from_json(EVERY_INTERVENTION).expect("the scenario is valid");
    assert!(
        rows.iter().any(|row| row.link.scenario == every),
        "the scenario using every intervention has a row"
    );
}

/// A scenario whose script uses every intervention at least once.
const EVERY_INTERVENTION: &str = r#"{
  "version": 1,
  "name": "Every intervention",
  "protocol": { "name": "heartbeat", "interval_us": 50000, "timeout_us": 200000 },
  "nodes": 4,
  "seed": 99,
  "horizon_us": 1500000,
  "network": { "default": { "delay": { "uniform": { "min_us": 1000, "max_us": 30000 } }, "loss_ppm": 50000 } },
  "clocks": { "default": { "offset_us": 1000, "drift_ppm": -300 } },
  "workload": { "requests": [ { "at_us": 20000, "node": "n1", "op": { "echo": "first" } } ],
                "generator": { "every_us": 200000, "target": "random", "count": 5 } },
  "faults": [
    { "at_us": 100000, "action": "hold", "from": "n1", "to": "n2" },
    { "at_us": 180000, "action": "release", "from": "n1", "to": "n2" },
    { "at_us": 200000, "action": "crash", "node": "n3" },
    { "at_us": 400000, "action": "restart", "node": "n3" },
    { "at_us": 450000, "action": "pause", "node": "n4" },
    { "at_us": 700000, "action": "resume", "node": "n4" },
    { "at_us": 750000, "action": "partition", "groups": [["n1"], ["n2", "n3"]] },
    { "at_us": 900000, "action": "heal" },
    { "at_us": 920000, "action": "partition_one_way", "from": ["n2"], "to": ["n1"] },
    { "at_us": 1000000, "action": "heal" },
    { "at_us": 1010000, "action": "set_link", "from": "n1", "to": "n4",
      "link": { "delay": { "long_tail": { "min_us": 500, "max_us": 90000 } }, "duplicate_ppm": 500000, "fifo": true } },
    { "at_us": 1050000, "action": "clock_jump", "node": "n2", "by_us": -250000 },
    { "at_us": 1060000, "action": "clock_drift", "node": "n1", "ppm": 150000 },
    { "at_us": 1100000, "action": "expire_timers", "node": "n2" },
    { "at_us": 1200000, "action": "client_request", "node": "n4", "op": { "echo": "late" } }
  ],
  "interventions": [
    { "at_us": 1250000, "action": "drop_message", "send": 1161 },
    { "at_us": 1300000, "action": "duplicate_message", "send": 1220 },
    { "at_us": 1350000, "action": "deliver_message", "send": 1271 },
    { "at_us": 1400000, "action": "delay_message", "send": 1327, "by_us": 70000 }
  ]
}"#;

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_intervention_scenario_really_intervenes() {
    let scenario = Scenario::from_json(EVERY_INTERVENTION).expect("the scenario is valid");
    let mut run = scenario.build().unwrap();
    run.run_until(scenario.horizon_us);
    let kinds: std::collections::BTreeSet<&str> =
        run.events().iter().map(|e| e.kind.name()).collect();
    for kind in [
        "crash",
        "restart",
        "pause",
        "resume",
        "partition",
        "partition_one_way",
        "heal",
        "hold",
        "release",
        "link_change",
        "clock_jump",
        "clock_drift",
        "request",
        "response",
        "drop",
        "duplicate",
    ] {
        assert!(kinds.contains(kind), "no {kind} event in {kinds:?}");
    }
    let by_user = run.events().iter().any(|e| {
        matches!(
            e.kind,
            causeway::engine::EventKind::Drop {
                reason: causeway::engine::trace::DropReason::ByUser,
                ..
            }
        )
    });
    assert!(by_user, "the hand-dropped message is in the trace");
}
