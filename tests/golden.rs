//! Golden trace hashes: every preset (and a scenario using every intervention) must replay to the
//! same trace, natively and in the browser, today and after every future change. A changed hash means
//! old links no longer replay: never update one without a format-version plan.

use causeway::engine::run::trace_hash;
use causeway::scenario::{Scenario, presets};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &[(&str, &str)] = &[
    (
        "heartbeat-basic",
        "d13a4d2d45625c51c6fbfbe74cb7a591f9b2e095e110bb7bb5ce9392bc8e3f93",
    ),
    (
        "heartbeat-crash",
        "1ab61c9a7c4044ac71f369d6538b265529521f820a8df1d11e3588e5b70609a6",
    ),
    (
        "heartbeat-pause",
        "c764cfa556e57aed84f3133ff947ef81d9239c5f1be349be6bd02f6db0494355",
    ),
    (
        "heartbeat-partition",
        "363da7cad304cf9f405694327a04cadc0da299b7ce03bd069ef814f233b74260",
    ),
    (
        "heartbeat-lossy",
        "e853d7c5891dd184bd857f6faeab69eb3c0bec8d4422a0719141c9a971f8d4e5",
    ),
    (
        "raft-election",
        "fc0b7a02e420431c5391a2af444732d3cd8d04d52745339fa5528f44ee745248",
    ),
    (
        "raft-basic",
        "52f91f67127b58fdc1a40999058fa72473fcad4e0046926aa2f2f362e681a790",
    ),
    (
        "raft-leader-crash",
        "56be5b14ddfa193269a47dc20ac6b83d186d8e9d54004392d93cc085a0b43ebf",
    ),
    (
        "raft-partition",
        "5ce23026d08b19abef56bb5c547e41c496f84b1c149ddd602db628b1947a6459",
    ),
    (
        "raft-figure8",
        "d123c14efc6c410e83d39d56dab3d706bde6f1ea97ce5237f6be98504750a640",
    ),
    (
        "raft-break-vote-check",
        "3cdc54c5b92f88b3df4540d85225b3aced72eeda7dcfcd821e78490cedaa264c",
    ),
    (
        "raft-break-figure8",
        "494fb6605c175bd324584a2367087d0676157b782c755aa7a89a7aaf312ebbe2",
    ),
    (
        "raft-break-voted-for",
        "5f2996bbe8443ed802819fc566bd95903dbcac515183f0737b65c6d78afa4dcd",
    ),
    (
        "raft-break-fixed-timeout",
        "753cc05d6c5f96f0d4c3629bb2c32135f80f20fcc1c61d4364da3af5d4aa2461",
    ),
    (
        "every-intervention",
        "bc7dd37023259bd25e92ab292f8917689f628bdceeeada0135189e3a407fba8d",
    ),
];

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

fn scenario(id: &str) -> Scenario {
    if id == "every-intervention" {
        return Scenario::from_json(EVERY_INTERVENTION).expect("the golden scenario is valid");
    }
    presets::find(id)
        .expect("golden ids name presets")
        .scenario()
        .expect("presets are valid")
}

fn hashes() -> Vec<(String, String)> {
    GOLDEN
        .iter()
        .map(|(id, _)| {
            let scenario = scenario(id);
            let mut run = scenario.build().expect("golden scenarios build");
            run.run_until(scenario.horizon_us);
            (id.to_string(), trace_hash(run.as_mut()))
        })
        .collect()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn traces_match_their_golden_hashes() {
    let actual = hashes();
    let wrong: Vec<String> = actual
        .iter()
        .zip(GOLDEN)
        .filter(|((_, got), (_, want))| got != want)
        .map(|((id, got), (_, want))| format!("{id}: expected {want}, got {got}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "golden trace hashes changed:\n{}",
        wrong.join("\n")
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_preset_has_a_golden_hash() {
    for preset in presets::PRESETS {
        assert!(
            GOLDEN.iter().any(|(id, _)| *id == preset.id),
            "preset {} has no golden hash",
            preset.id
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_intervention_scenario_really_intervenes() {
    let scenario = scenario("every-intervention");
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
