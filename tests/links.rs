//! Share links: round trips, length and hostile links (the links that must replay forever are in
//! `tests/traces.tsv`, checked by `tests/golden.rs`).
//! `CAUSEWAY_LINK_FUZZ=N` sets how many random and mutated inputs the fuzz test tries (default one
//! million).

use causeway::engine::Scheduled;
use causeway::engine::action::Action;
use causeway::engine::ids::NodeId;
use causeway::engine::rng::{Purpose, SimRng};
use causeway::engine::time::SimTime;
use causeway::scenario::link::{Link, Timestamps, ViewOptions};
use causeway::scenario::presets;

fn preset_link(id: &str) -> Link {
    let scenario = presets::find(id).unwrap().scenario().unwrap();
    Link {
        at: SimTime(scenario.horizon_us.0 / 2),
        scenario,
        view: ViewOptions::default(),
    }
}

#[test]
fn every_preset_round_trips_in_a_short_link() {
    for preset in presets::PRESETS {
        let link = preset_link(preset.id);
        let text = link.encode();
        println!("{:<28} {:>5} characters", preset.id, text.len());
        assert!(
            text.len() < 1_500,
            "{} makes a {}-character link",
            preset.id,
            text.len()
        );
        assert_eq!(Link::decode(&text).unwrap(), link, "{}", preset.id);
        assert_eq!(
            Link::decode(&format!("https://example.org/causeway/#{text}")).unwrap(),
            link
        );
    }
}

#[test]
fn twenty_interventions_still_fit() {
    let mut link = preset_link("heartbeat-partition");
    let mut rng = SimRng::derive(1, Purpose::Faults);
    for i in 0..20u64 {
        let node = NodeId(rng.range_u64(0, 5) as u32);
        let action = match i % 5 {
            0 => Action::Crash { node },
            1 => Action::Restart { node },
            2 => Action::ClockJump {
                node,
                by_us: -12_345,
            },
            3 => Action::Partition {
                groups: vec![vec![node, NodeId((node.0 + 1) % 5)]],
            },
            _ => Action::DropMessage {
                send: causeway::engine::EventId(1_000 + i as u32),
            },
        };
        link.scenario.interventions.push(Scheduled {
            at_us: SimTime(100_000 * i + 7),
            action,
        });
    }
    link.view = ViewOptions {
        timestamps: Timestamps::Vector,
        us_per_px: Some(250),
        selected: Some(NodeId(2)),
        speed: Some(4_000_000),
        history: true,
    };
    let text = link.encode();
    println!(
        "heartbeat-partition with 20 interventions: {} characters",
        text.len()
    );
    assert!(text.len() < 1_500, "{} characters", text.len());
    assert_eq!(Link::decode(&text).unwrap(), link);
}

#[test]
fn hostile_links_get_specific_messages() {
    let good = preset_link("heartbeat-crash").encode();
    let expect = |text: &str, needle: &str| {
        let error = Link::decode(text).expect_err(text).0;
        assert!(
            error.contains(needle),
            "`{needle}` not in `{error}` for `{}`",
            &text[..text.len().min(60)]
        );
    };
    expect("", "not a Causeway link");
    expect("hello", "not a Causeway link");
    expect("c9.AAAA", "format `c9`");
    expect(&good[..good.len() / 2], "damaged");
    expect("c1.!!!!", "damaged");
    expect(&format!("c1.{}", "A".repeat(200_000)), "at most 100000");
    let mut corrupted = good.clone().into_bytes();
    corrupted[40] = if corrupted[40] == b'A' { b'B' } else { b'A' };
    assert!(Link::decode(std::str::from_utf8(&corrupted).unwrap()).is_err());

    let pack = |json: &str| {
        use base64::Engine;
        let compressed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 10);
        format!(
            "c1.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
        )
    };
    let bomb = pack(&format!("{{\"scenario\": \"{}\"}}", "A".repeat(20_000_000)));
    assert!(bomb.len() < 100_000, "a small link");
    expect(&bomb, "expands to more than");
    let scenario = |edit: &str| {
        let mut value: serde_json::Value =
            serde_json::from_str(presets::find("heartbeat-basic").unwrap().json().unwrap())
                .unwrap();
        let patch: serde_json::Value = serde_json::from_str(edit).unwrap();
        for (k, v) in patch.as_object().unwrap() {
            value[k] = v.clone();
        }
        pack(&serde_json::json!({ "scenario": value, "at_us": 0 }).to_string())
    };
    expect(
        &scenario(r#"{"nodes": 1000000000}"#),
        "`nodes` is 1000000000",
    );
    expect(&scenario(r#"{"horizon_us": -1}"#), "not valid");
    expect(
        &scenario(r#"{"horizon_us": 99999999999999999}"#),
        "one simulated hour",
    );
    expect(
        &scenario(r#"{"protocol": {"name": "<b>bold</b>"}}"#),
        "unknown variant",
    );
    expect(
        &scenario(r#"{"faults": [{"at_us": 5, "action": "crash", "node": "n999"}]}"#),
        "only 5 nodes",
    );
    expect(
        &pack(r#"{"scenario": {}, "at_us": 0, "evil": true}"#),
        "unknown field `evil`",
    );
    expect(&pack("not json at all"), "not a Causeway link");
    let late = pack(&serde_json::json!({ "scenario": preset_link("heartbeat-basic").scenario, "at_us": u64::MAX }).to_string());
    expect(&late, "after the end of its run");
    // Markup in names is data, not markup: it decodes as text and the page escapes it.
    let mut named = preset_link("heartbeat-basic");
    named.scenario.name = "<img src=x onerror=alert(1)>".into();
    assert_eq!(
        Link::decode(&named.encode()).unwrap().scenario.name,
        named.scenario.name
    );
}

#[test]
fn the_decoder_survives_random_and_mutated_input() {
    let iterations: u64 = std::env::var("CAUSEWAY_LINK_FUZZ")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let seeds: Vec<String> = presets::PRESETS
        .iter()
        .map(|p| preset_link(p.id).encode())
        .collect();
    let alphabet: Vec<u8> =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.c#%".to_vec();
    let mut rng = SimRng::derive(2026, Purpose::Faults);
    let mut accepted = 0u64;
    for i in 0..iterations {
        let text = if i % 4 == 0 {
            let len = rng.range_u64(0, 300) as usize;
            let mut bytes: Vec<u8> = b"c1.".to_vec();
            bytes.extend((0..len).map(|_| alphabet[rng.index(alphabet.len())]));
            String::from_utf8(bytes).unwrap()
        } else {
            let mut bytes = seeds[rng.index(seeds.len())].clone().into_bytes();
            for _ in 0..1 + rng.range_u64(0, 3) {
                let at = 3 + rng.index(bytes.len() - 3);
                match rng.range_u64(0, 3) {
                    0 => bytes[at] = alphabet[rng.index(alphabet.len())],
                    1 => bytes.truncate(at),
                    _ => bytes.insert(at, alphabet[rng.index(alphabet.len())]),
                }
                if bytes.len() <= 4 {
                    break;
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        };
        // Decoding must never panic; whatever it accepts must be a valid, buildable scenario.
        if let Ok(link) = Link::decode(&text) {
            accepted += 1;
            assert!(
                link.scenario.build().is_ok(),
                "iteration {i}: accepted but unbuildable: {text}"
            );
        }
    }
    println!("{iterations} inputs, {accepted} decoded to valid scenarios");
}
