//! Bad scenarios are refused with a message that says what is wrong and where; they never panic.

use causeway::scenario::{Scenario, Settings, presets};

fn base() -> serde_json::Value {
    serde_json::from_str(presets::find("heartbeat-crash").unwrap().json().unwrap()).unwrap()
}

/// A change to the base scenario that should make it invalid.
type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

fn error_for(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value = base();
    edit(&mut value);
    match Scenario::from_value(value) {
        Ok(_) => panic!("the edited scenario was accepted"),
        Err(e) => e.0,
    }
}

#[test]
fn every_preset_is_valid_and_round_trips() {
    for preset in presets::PRESETS {
        let scenario = preset
            .scenario()
            .unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        let again = Scenario::from_json(&scenario.to_json_pretty()).unwrap();
        assert_eq!(scenario, again, "{}", preset.id);
        assert!(
            !scenario.description.is_empty(),
            "{} has lesson text",
            preset.id
        );
    }
}

#[test]
fn bounds_and_references_have_specific_messages() {
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|v| v["nodes"] = 100_000.into()),
            "`nodes` is 100000, but must be from 1 to 1000",
        ),
        (Box::new(|v| v["nodes"] = 0.into()), "`nodes` is 0"),
        (
            Box::new(|v| v["horizon_us"] = 0.into()),
            "`horizon_us` is 0",
        ),
        (
            Box::new(|v| v["horizon_us"] = serde_json::json!(u64::MAX)),
            "one simulated hour",
        ),
        (
            Box::new(|v| v["horizon_us"] = serde_json::json!(-5)),
            "not valid",
        ),
        (
            Box::new(|v| v["faults"][0]["node"] = "n9".into()),
            "names n9, but the scenario has only 5 nodes",
        ),
        (
            Box::new(|v| v["faults"][0]["node"] = "bob".into()),
            "`bob` is not a node name",
        ),
        (
            Box::new(|v| v["faults"][0]["at_us"] = 9_000_000.into()),
            "after the horizon",
        ),
        (
            Box::new(|v| v["faults"][0]["action"] = "explode".into()),
            "unknown variant `explode`",
        ),
        (
            Box::new(|v| v["network"]["default"]["loss_ppm"] = 2_000_000.into()),
            "at most 1000000",
        ),
        (
            Box::new(|v| {
                v["network"]["default"]["delay"] =
                    serde_json::json!({"uniform": {"min_us": 9, "max_us": 1}})
            }),
            "minimum (9µs) is above its maximum (1µs)",
        ),
        (
            Box::new(|v| v["protocol"]["name"] = "telepathy".into()),
            "unknown variant `telepathy`",
        ),
        (
            Box::new(|v| v["protocol"]["interval_us"] = 0.into()),
            "`protocol.interval_us` must be from 1ms to 60s",
        ),
        (
            Box::new(|v| v["protocol"]["successors"] = 0.into()),
            "`protocol.successors` must be at least 1",
        ),
        (
            Box::new(|v| v["version"] = 99.into()),
            "format version 99, but this Causeway only knows versions up to 1",
        ),
        (
            Box::new(|v| v["version"] = "one".into()),
            "`version` must be a format number",
        ),
        (
            Box::new(|v| v["surprise"] = true.into()),
            "unknown field `surprise`",
        ),
        (
            Box::new(|v| v["clocks"] = serde_json::json!({"default": {"drift_ppm": 900000}})),
            "drift must be within",
        ),
        (
            Box::new(|v| v["name"] = "x".repeat(500).into()),
            "`name` is longer than 200 characters",
        ),
        (
            Box::new(|v| v["workload"] = serde_json::json!({"generator": {"every_us": 1}})),
            "`workload.generator.every_us` is 1, but must be at least 100",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "multi_paxos"});
                v["nodes"] = 1.into();
                v["faults"] = serde_json::json!([]);
            }),
            "Multi-Paxos needs at least 2 nodes",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "multi_paxos", "heartbeat_us": 200000});
            }),
            "`protocol.heartbeat_us` must be from 100µs to below election_timeout_min_us",
        ),
        (
            Box::new(|v| {
                v["protocol"] =
                    serde_json::json!({"name": "multi_paxos", "max_commands_per_message": 0});
            }),
            "`protocol.max_commands_per_message` must be from 1 to 10000",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "primary_backup", "view_service": "n9"});
            }),
            "`protocol.view_service` names n9, but the cluster has only n1 to n",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "primary_backup"});
                v["nodes"] = 2.into();
                v["faults"] = serde_json::json!([]);
            }),
            "primary-backup needs at least 3: the view service, a primary and a backup",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "primary_backup", "dead_pings": 1});
            }),
            "`protocol.dead_pings` must be from 2 to 100",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "chain", "master": "n9"});
            }),
            "`protocol.master` names n9, but the cluster has only n1 to n",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "chain"});
                v["nodes"] = 2.into();
                v["faults"] = serde_json::json!([]);
            }),
            "which makes a chain of one",
        ),
        (
            Box::new(|v| {
                v["protocol"] =
                    serde_json::json!({"name": "chain", "break_it": "no_version_check"});
            }),
            "`protocol.break_it` is `no_version_check`, which only CRAQ has",
        ),
        (
            Box::new(|v| {
                v["protocol"] =
                    serde_json::json!({"name": "two_phase_commit", "vote_no_percent": 101});
            }),
            "`protocol.vote_no_percent` is 101, but must be from 0 to 100",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "three_phase_commit", "timeout_us": 0});
            }),
            "`protocol.timeout_us` is 0, but must be from 1ms to 10 minutes",
        ),
        (
            Box::new(|v| {
                v["protocol"] =
                    serde_json::json!({"name": "three_phase_commit", "vote_no": ["n1"]});
            }),
            "`protocol.vote_no` names n1, which is not a participant (n2 to n",
        ),
        (
            Box::new(|v| {
                v["protocol"] =
                    serde_json::json!({"name": "three_phase_commit", "vote_no_percent": 200});
            }),
            "`protocol.vote_no_percent` is 200, but must be from 0 to 100",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "paxos_commit", "f": 3});
            }),
            "`protocol.f` is 3, which needs 2F+1 = 7 acceptors (n1 to n7), but the scenario has only",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "paxos_commit", "vote_no": ["n1"]});
            }),
            "`protocol.vote_no` names n1, which is not a participant (n2 to n",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "chain", "retry_us": 0});
            }),
            "`protocol.retry_us` must be from 1ms to 10 minutes",
        ),
        (
            Box::new(|v| {
                v["protocol"] =
                    serde_json::json!({"name": "raft", "break_it": "read_before_catch_up"});
            }),
            "`protocol.break_it` read_before_catch_up needs `protocol.reads` \"local\"",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "dynamo"});
                v["workload"] = serde_json::json!({"requests": [
                    {"at_us": 0, "node": "n1", "op": {"get": {"key": "x"}}, "client": " "}]});
            }),
            "`workload.requests[0].client` must be a name of 1 to 24 characters",
        ),
        (
            Box::new(|v| {
                v["protocol"] = serde_json::json!({"name": "raft", "reads": "read_index", "break_it": "sync_locally"});
            }),
            "`protocol.break_it` sync_locally needs `protocol.reads` \"local\"",
        ),
    ];
    for (edit, expected) in cases {
        let message = error_for(edit);
        assert!(
            message.contains(expected),
            "expected `{expected}` in `{message}`"
        );
    }
}

#[test]
fn hostile_text_is_refused_without_panicking() {
    for text in [
        "",
        "null",
        "[]",
        "{",
        "\"n1\"",
        "{\"nodes\": 5}",
        &"[".repeat(100_000),
        &" ".repeat(3_000_000),
    ] {
        assert!(Scenario::from_json(text).is_err());
    }
    let bad_request = error_for(
        |v| v["workload"] = serde_json::json!({"requests": [{"at_us": 0, "node": "n1", "op": {"launch": "missiles"}}]}),
    );
    assert!(
        bad_request.contains(
            "workload.requests[0]: `{\"launch\":\"missiles\"}` is not a valid heartbeat request"
        ),
        "{bad_request}"
    );
    let html = error_for(|v| v["faults"][0]["node"] = "<script>alert(1)</script>".into());
    assert!(html.contains("is not a node name"), "{html}");
}

#[test]
fn every_registered_protocol_is_spelled_as_its_name_and_offers_a_valid_request() {
    use causeway::engine::{Action, NodeId};
    use causeway::scenario::ProtocolConfig;
    for name in ProtocolConfig::NAMES {
        let nodes = if *name == "generals" { 2 } else { 3 };
        let text = format!(
            r#"{{"name": "{name}", "protocol": {{"name": "{name}"}}, "nodes": {nodes}, "seed": 1, "horizon_us": 1000000}}"#
        );
        let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            scenario.protocol.name(),
            *name,
            "the registry spells {name}"
        );
        let mut run = scenario.build().unwrap();
        run.run_until(causeway::engine::SimTime(1_000));
        match run.example_request() {
            Some(op) => {
                let sent = run.apply(Action::ClientRequest {
                    node: NodeId(0),
                    op: op.clone(),
                });
                assert!(
                    sent.is_ok(),
                    "{name}'s example request {op} is refused: {sent:?}"
                );
            }
            // Only a protocol whose requests carry nothing (`null`) may offer no example.
            None => assert!(
                run.apply(Action::ClientRequest {
                    node: NodeId(0),
                    op: serde_json::Value::Null,
                })
                .is_ok(),
                "{name} takes requests but offers no example"
            ),
        }
    }
}

/// The page's engines (`scripts/engines.sh`) each build a group of protocols by Cargo feature: every
/// protocol has a feature named after it, `all-protocols` (the default) has every one, and this
/// build, which has them all, opens every protocol's scenario here rather than elsewhere.
#[test]
fn every_protocol_has_its_feature_and_the_default_build_has_them_all() {
    use causeway::scenario::{ProtocolConfig, elsewhere};
    let manifest = include_str!("../Cargo.toml");
    let line = manifest
        .lines()
        .find_map(|line| line.strip_prefix("all-protocols = ["))
        .expect("Cargo.toml has an all-protocols feature");
    let mut features: Vec<&str> = line
        .trim_end_matches(']')
        .split(',')
        .map(|name| name.trim().trim_matches('"'))
        .collect();
    features.sort_unstable();
    let mut all = ProtocolConfig::ALL.to_vec();
    all.sort_unstable();
    assert_eq!(features, all, "all-protocols lists every protocol");
    for name in ProtocolConfig::ALL {
        assert!(
            manifest.contains(&format!("\n{name} = []\n")),
            "Cargo.toml has a feature `{name}`"
        );
    }
    assert_eq!(ProtocolConfig::NAMES, ProtocolConfig::ALL);
    let raft = serde_json::json!({"protocol": {"name": "raft"}});
    assert_eq!(elsewhere(&raft), None, "this build runs Raft itself");
    let unknown = serde_json::json!({"protocol": {"name": "gossip"}});
    assert_eq!(
        elsewhere(&unknown),
        None,
        "no engine has an unknown protocol"
    );
}

#[test]
fn changed_settings_run_without_the_guide_and_every_mistake_is_named() {
    let scenario = causeway::scenario::presets::find("paxos-break-forget-promise")
        .unwrap()
        .scenario()
        .unwrap();
    let protocol =
        r#"{"name": "paxos", "proposers": ["n1", "n2"], "acceptors": ["n3", "n4", "n5"]}"#;
    let settings = |protocol: &str, seed: &str, nodes: &str| Settings {
        protocol: protocol.to_string(),
        seed: seed.to_string(),
        nodes: nodes.to_string(),
        model: String::new(),
    };
    let edited = scenario
        .with_settings(&settings(protocol, " 7 ", "5"))
        .unwrap();
    assert_eq!(edited.seed, 7);
    assert!(
        edited.guide.is_none(),
        "the guide's moments were for the old settings"
    );
    assert!(edited.name.ends_with(" (edited)"));
    assert!(
        edited
            .description
            .starts_with("You changed this scenario's settings")
    );
    let twice = edited.with_settings(&settings(protocol, "7", "5")).unwrap();
    assert_eq!(twice.name, edited.name, "edited once, named once");
    assert_eq!(twice.description, edited.description);
    let mut run = edited.build().unwrap();
    run.run_until(edited.horizon_us);
    assert!(run.properties().iter().all(|p| !matches!(
        p.state,
        causeway::engine::sim::PropertyState::Violated { .. }
    )));

    let mistake = |protocol: &str, seed: &str| {
        scenario
            .with_settings(&settings(protocol, seed, "5"))
            .unwrap_err()
    };
    assert!(mistake(protocol, "-1").contains("the seed must be a whole number"));
    assert!(mistake("{\"name\": \"paxos\",", "1").contains("not valid JSON"));
    assert!(mistake(r#"{"name": "paxos", "break_it": "sometimes"}"#, "1").contains("sometimes"));
    assert!(
        mistake(r#"{"name": "paxos", "proposers": ["n9"]}"#, "1")
            .contains("`protocol.proposers` names n9")
    );
    assert!(mistake(r#"{"name": "nonsense"}"#, "1").contains("nonsense"));

    // The node count: a number, within bounds, and one the scenario's other parts fit.
    let nodes = |count: &str| scenario.with_settings(&settings(protocol, "1", count));
    assert_eq!(nodes(" 6 ").unwrap().nodes, 6);
    assert!(
        nodes("five")
            .unwrap_err()
            .contains("the number of nodes must be a whole number")
    );
    assert!(nodes("0").unwrap_err().contains("`nodes` is 0"));
    assert!(
        nodes("4").unwrap_err().contains("names n5"),
        "{}",
        nodes("4").unwrap_err()
    );

    // The system model: JSON, checked like any other; empty for none.
    let model = |text: &str| {
        scenario.with_settings(&Settings {
            model: text.to_string(),
            ..settings(protocol, "1", "5")
        })
    };
    let recovery =
        r#"{"network": "fair_loss", "nodes": "crash_recovery", "timing": "asynchronous"}"#;
    assert!(model(recovery).unwrap().model.is_some());
    let crash_stop = recovery.replace("crash_recovery", "crash_stop");
    assert!(
        model(&crash_stop).unwrap_err().contains(
            "faults[3] (restart n4): the model is crash-stop: a crashed node never comes back"
        ),
        "the lesson restarts a node"
    );
    assert!(model("").unwrap().model.is_none());
    assert!(
        model("{")
            .unwrap_err()
            .contains("the model is not valid JSON")
    );
    assert!(
        model(r#"{"network": "perfect", "nodes": "crash_stop", "timing": "asynchronous"}"#)
            .unwrap_err()
            .contains("unknown variant `perfect`")
    );
}
