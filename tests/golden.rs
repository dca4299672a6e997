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
        "0a72e7acd4ec83e70c00df8559481f6f18e99fbd88ec0949af705f795c764215",
    ),
    (
        "raft-leader-crash",
        "f9917befdb97fe399ee14a22d6f41af1dc0d7dba536f16a857859f47c2c1b78e",
    ),
    (
        "raft-partition",
        "6265ce262d71f0213da9179b52e95e1cd50f3d017bba945c5acdef8f960dfd1c",
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
        "b398ba54dfcaab49d7ecfc491a2043a88f2b0a4e7ed1f37bc05472ab57425a00",
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
        "clock-drift",
        "6f5adf3108815ce83b5d822f34882ad5ffd37fd52caf1ba28e5055c75bf4b842",
    ),
    (
        "clock-cristian",
        "0c37a689b5ed7f502d7e028a6632ec31ece7e071e1c2d9a26daea80c8d7deaea",
    ),
    (
        "clock-asymmetric",
        "3e1c7d333730abe485a5c1f051e6559f7c106e43b352dd20b96c239bfbe56f45",
    ),
    (
        "clock-break-ignore-rtt",
        "44d9d3b8a953b2e0914920107c2e1d4e4bb0bf0d33650448bbc3271b5275837c",
    ),
    (
        "clock-berkeley",
        "b14f43891112b80fa98bb2598ce600289ba92d75d9968638b25ddf73b9bce2a3",
    ),
    (
        "clock-lww-jump",
        "8c1c782e156ee4df9f3fbd1fb911bc4f6dd502e6ff1b85770ab24e7d2585efd5",
    ),
    (
        "logical-clocks",
        "5eb0b38ff1eaf2c6ce3ff36dd5329e549a49aa2debb31051749e6eb43a210e8c",
    ),
    (
        "logical-random",
        "ffca2a8798fe644fc66e1c1310bcf96f0b564330e46e46ba1efbe9d8f049496f",
    ),
    (
        "logical-break-forget-max",
        "0dc697b0232c75c9f64aa93152c29b4cb6d9cc7ef28272be16f67e7faeae9373",
    ),
    (
        "broadcast-best-effort",
        "8f09bd5540146be54ab6b2e015fb119f3e235b673561fb2671ae1592a43042d5",
    ),
    (
        "broadcast-reliable",
        "7558830feb5309d6b9682d78936ff07e92ddc06967f2b706d81236c9cc4bf3a0",
    ),
    (
        "broadcast-gossip",
        "29f2f81c70321bad8ee936d61f259d6ac9680f14c12a638b3fc1aeafded9e37e",
    ),
    (
        "broadcast-fifo",
        "5b33a6c531e15c21a6152b436fa44b6c4fab5298c309d8875f58504562cb93ec",
    ),
    (
        "broadcast-break-fifo",
        "1d5cc2818c3969fead18412846a30bbc241aba5da3bd0b70c647304058fc4e03",
    ),
    (
        "broadcast-causal",
        "0cf1a46a9c2e1b39e539029f40ddedc49a6da2a1d1040ab3ab999401fd72a249",
    ),
    (
        "broadcast-break-causal",
        "cf316b1d703a5e7225ef14eb9524aa7208dca16282f61b22c42f6b71d9af642d",
    ),
    (
        "broadcast-total-sequencer",
        "e6579cab4e7488be5bcdab1b5e489e932306bd27380c44ced11b5fc746a365da",
    ),
    (
        "broadcast-total-lamport",
        "dc19e8c492e14bf04bae38f2171f582b5e8b0c9adf38e4af2093b645c71e8262",
    ),
    (
        "broadcast-break-total",
        "a3502f500597520c35b1293bdf40cbddffcd2742f616f40aeafaa38b86b5eff7",
    ),
    (
        "generals-messengers",
        "1ec1258eb2850e202098720970b9f3896330abe9bfadc03267044c595200e61a",
    ),
    (
        "generals-last-lost",
        "e7f4e4fb69f21d08cce1666235fe37690ff3938c4990599c93bcf1cb53a8b472",
    ),
    (
        "generals-lossy",
        "1dacfa2c694273f3e93d4cf5becb37c16a7a0c14dfc5860ffbe6671d1b5b99fd",
    ),
    (
        "rpc-at-least-once",
        "5df360fb0d3a1a12cd6e308a7864c5a073a2b64b11379ca8697c1b6645aa429c",
    ),
    (
        "rpc-at-most-once",
        "278bd2cb4f026895e99d810729849f78885a1bd9864fea75ed49c433bdd1a899",
    ),
    (
        "rpc-exactly-once",
        "dafc8f9c6e7b92e5cb595edffc18b2c103998968d3eea173d53b7e525d6ac826",
    ),
    (
        "rpc-break-volatile-dedup",
        "acfa344fcfcfb585aeea04dbf180b6672411ad8d43ddf8c4c17b31aa4ed4f43f",
    ),
    (
        "heartbeat-adaptive",
        "94fe0994724faea786ca2bc7306f3aaabdd798ca9d0ab7c37a0101f1589d45f6",
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
