//! Failure detector lessons: a fixed timeout is fooled by every long pause; an adaptive one grows
//! its timeouts until pauses stop fooling it.

mod lessons;

use causeway::scenario::ProtocolConfig;
use lessons::*;

fn false_suspicions(run: &dyn causeway::engine::run::Run) -> usize {
    (1..=4)
        .filter(|&node| node != 2)
        .map(|node| notes_of(run, n(node), "suspects n2").len())
        .sum()
}

#[test]
fn an_adaptive_detector_stops_making_mistakes() {
    let run = run_preset("heartbeat-adaptive");
    assert_eq!(
        violated(run.as_ref()),
        ["Accuracy"],
        "it does make mistakes at first"
    );
    assert_eq!(
        notes_of(run.as_ref(), n(1), ""),
        [
            "suspects n2",
            "trusts n2 again and raises its timeout to 700ms",
            "suspects n2",
            "trusts n2 again and raises its timeout to 1.4s"
        ]
    );
    assert_eq!(
        false_suspicions(run.as_ref()),
        6,
        "two mistakes per observer"
    );
    let last_suspicion = notes(run.as_ref())
        .into_iter()
        .filter(|(_, t)| t.starts_with("suspects"))
        .map(|(e, _)| e.time.as_us())
        .max()
        .unwrap();
    assert!(
        last_suspicion < 4_000_000,
        "the last two pauses fool nobody"
    );
}

#[test]
fn a_fixed_timeout_is_fooled_by_every_pause() {
    let mut scenario = preset("heartbeat-adaptive");
    let ProtocolConfig::Heartbeat(params) = &mut scenario.protocol else {
        panic!("a heartbeat preset");
    };
    params.adaptive = false;
    let run = run_to_end(&scenario);
    assert_eq!(
        false_suspicions(run.as_ref()),
        12,
        "four mistakes per observer"
    );
}

#[test]
fn the_adaptive_parameter_is_left_out_of_older_scenarios() {
    let scenario = preset("heartbeat-basic");
    assert!(!scenario.to_json_pretty().contains("adaptive"));
    assert!(
        preset("heartbeat-adaptive")
            .to_json_pretty()
            .contains("\"adaptive\": true")
    );
}
