//! System models: the lessons that run one protocol under two models, and the engine keeping a
//! declared model: the faults it refuses (with the reason), the delays it bounds, and the sweeps
//! that draw only what it allows.

mod lessons;

use causeway::engine::action::Action;
use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::{EventKind, Fact};
use causeway::scenario::sweep::{beyond_model, with_random_faults};
use causeway::scenario::{Scenario, Settings};
use lessons::*;
use serde_json::json;

const SYNCHRONOUS: &str = r#"{"network": "reliable", "nodes": "crash_stop", "timing": {"synchronous": {"bound_us": 10000}}}"#;

/// Who suspected whom, and when.
fn suspicions(run: &dyn Run) -> Vec<(u32, u32, SimTime)> {
    (1..=run.node_count())
        .flat_map(|node| {
            facts_of(run, n(node))
                .into_iter()
                .filter_map(move |(event, fact)| match fact {
                    Fact::Suspects { peer } => Some((node, peer.0 + 1, event)),
                    _ => None,
                })
        })
        .map(|(node, peer, event)| (node, peer, run.events()[event.index()].time))
        .collect()
}

#[test]
fn under_synchrony_the_detector_is_perfect_and_pauses_are_ruled_out() {
    let run = run_preset("models-detector-sync");
    assert!(violated(run.as_ref()).is_empty());
    let suspected = suspicions(run.as_ref());
    assert!(
        suspected.iter().all(|&(_, peer, _)| peer == 3),
        "only the crashed n3 is suspected: {suspected:?}"
    );
    let by: Vec<u32> = suspected.iter().map(|&(node, _, _)| node).collect();
    assert_eq!(by, [1, 2, 4]);
    assert!(
        suspected
            .iter()
            .all(|&(_, _, at)| at <= SimTime(1_000_000 + 450_000))
    );

    let mut run = preset("models-detector-sync").build().unwrap();
    run.run_until(SimTime(500_000));
    let pause = Action::Pause { node: n(2) };
    let why = run.forbids(&pause).expect("a pause breaks synchrony");
    assert!(why.contains("nodes run at a known speed"), "{why}");
    assert!(run.apply(pause).unwrap_err().0.contains(&why));
    let restart = Action::Restart { node: n(3) };
    assert!(run.forbids(&restart).unwrap().contains("crash-stop"));
}

#[test]
fn under_asynchrony_the_same_detector_suspects_a_paused_node() {
    let run = run_preset("models-detector-async");
    assert_eq!(violated(run.as_ref()), ["Accuracy"]);
    assert!(
        suspicions(run.as_ref())
            .iter()
            .any(|&(_, peer, at)| peer == 2 && at < SimTime(1_400_000)),
        "n2 is suspected while paused"
    );
    // The lesson's "try this": the synchronous model refuses the scenario, naming the pause.
    let scenario = preset("models-detector-async");
    let error = scenario
        .with_settings(&Settings {
            model: SYNCHRONOUS.to_string(),
            ..scenario.settings()
        })
        .unwrap_err();
    assert!(
        error.contains("faults[0] (pause n2): the model is synchronous now"),
        "{error}"
    );
}

#[test]
fn fair_loss_links_lose_messages_but_never_everything() {
    let run = run_preset("generals-lossy");
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    assert!(run.stats().dropped > 0, "the valley loses messengers");
    let mut scenario = preset("generals-lossy");
    scenario.network.default.loss_ppm = 1_000_000;
    let error = scenario.validate().unwrap_err().0;
    assert!(
        error.contains("network.default: the model's links are fair-loss"),
        "{error}"
    );
}

/// A heartbeat scenario under `model`, with the given link delays, for `horizon` µs.
fn heartbeats(model: serde_json::Value, min_us: u64, max_us: u64, horizon: u64) -> Scenario {
    Scenario::from_value(json!({
        "name": "heartbeats",
        "protocol": {"name": "heartbeat", "interval_us": 100000, "timeout_us": 350000},
        "nodes": 3,
        "seed": 1,
        "horizon_us": horizon,
        "network": {"default": {"delay": {"uniform": {"min_us": min_us, "max_us": max_us}}}},
        "model": model,
    }))
    .expect("valid")
}

/// Every delivery's send time and delay.
fn delays(run: &dyn Run) -> Vec<(SimTime, u64)> {
    let events = run.events();
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Deliver { send, .. } => {
                let sent = events[send.index()].time;
                Some((sent, e.time.as_us() - sent.as_us()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn timing_bounds_delays_and_partial_synchrony_stretches_them_before_gst() {
    let sync = json!({"network": "reliable", "nodes": "crash_stop",
                      "timing": {"synchronous": {"bound_us": 5000}}});
    let error = Scenario::from_value(json!({
        "name": "x", "protocol": {"name": "heartbeat"}, "nodes": 3, "seed": 1,
        "horizon_us": 1000000, "model": sync,
        "network": {"default": {"delay": {"uniform": {"min_us": 2000, "max_us": 8000}}}},
    }))
    .unwrap_err()
    .0;
    assert!(
        error.contains("no delay may exceed 5ms, but this link's reach 8ms"),
        "{error}"
    );

    let gst = 1_000_000;
    let partial = json!({"network": "reliable", "nodes": "crash_recovery",
        "timing": {"partially_synchronous": {"gst_us": gst, "bound_us": 10000}}});
    let run = run_to_end(&heartbeats(partial, 2000, 8000, 2_000_000));
    let delays = delays(run.as_ref());
    let before: Vec<u64> = delays
        .iter()
        .filter(|(sent, _)| sent.as_us() < gst)
        .map(|&(_, d)| d)
        .collect();
    assert!(
        before.iter().any(|&d| d > 50_000),
        "before GST some delays are far past the bound"
    );
    assert!(
        delays
            .iter()
            .all(|&(sent, d)| sent.as_us() + d <= gst + 10_000 || d <= 10_000),
        "what is sent before GST arrives by GST plus the bound, and after it within the bound"
    );
    let asynchronous =
        json!({"network": "reliable", "nodes": "crash_stop", "timing": "asynchronous"});
    let run = run_to_end(&heartbeats(asynchronous, 2000, 8000, 1_000_000));
    assert!(
        delays_within(run.as_ref(), 8000),
        "an asynchronous model keeps the links' own delays"
    );
}

fn delays_within(run: &dyn Run, max: u64) -> bool {
    delays(run).iter().all(|&(_, d)| d <= max)
}

#[test]
fn sweeps_draw_only_what_the_model_allows_and_beyond_it_say_which_fault_broke_it() {
    let base = preset("models-detector-sync");
    let model = base.model.unwrap();
    for seed in 0..seed_count(200) {
        let scenario = with_random_faults(&base, seed);
        for fault in &scenario.faults {
            assert!(
                model.forbids(&fault.action, fault.at_us, &[]).is_none(),
                "seed {seed}: {fault:?} is outside the model"
            );
        }
        let run = run_to_end(&scenario);
        assert!(
            violated(run.as_ref()).is_empty(),
            "seed {seed}: {:?}",
            violated(run.as_ref())
        );
    }
    let outside = (0..50)
        .filter_map(|seed| beyond_model(&base, seed).1)
        .next()
        .expect("some seed draws a fault the model rules out");
    assert!(outside.contains("the model"), "{outside}");
}

/// Every `RoleChanged` fact of `role`: (node, term, when).
fn roles(run: &dyn Run, role: &str) -> Vec<(u32, u64, SimTime)> {
    run.facts()
        .iter()
        .filter_map(|(event, fact)| match fact {
            Fact::RoleChanged { role: r, term } if *r == role => {
                let e = &run.events()[event.index()];
                Some((e.node?.0 + 1, (*term)?, e.time))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn raft_elects_no_leader_before_gst_and_one_stable_leader_after() {
    let gst = SimTime(2_000_000);
    let run = run_preset("models-raft-gst");
    assert!(violated(run.as_ref()).is_empty(), "safe in every model");
    let candidates = roles(run.as_ref(), "candidate");
    let last_term = candidates
        .iter()
        .filter(|&&(_, _, at)| at < gst)
        .map(|&(_, term, _)| term)
        .max();
    assert_eq!(last_term, Some(10), "terms 1 to 10 fail before GST");
    assert_eq!(
        roles(run.as_ref(), "leader")
            .iter()
            .map(|&(node, term, at)| (node, term, at >= gst && at < SimTime(2_020_000)))
            .collect::<Vec<_>>(),
        [(3, 10, true)],
        "one leader, just after GST, for the rest of the run"
    );

    // The lesson's "try this": under synchrony a leader wins term 1 at once.
    let scenario = preset("models-raft-gst");
    let sync = scenario
        .with_settings(&Settings {
            model: r#"{"network": "reliable", "nodes": "crash_recovery", "timing": {"synchronous": {"bound_us": 15000}}}"#.into(),
            ..scenario.settings()
        })
        .expect("valid");
    let run = run_to_end(&sync);
    let leaders = roles(run.as_ref(), "leader");
    assert_eq!(leaders.len(), 1, "{leaders:?}");
    assert_eq!(leaders[0].1, 1);
    assert!(leaders[0].2 < SimTime(500_000));
}

/// Every preset that runs clean stays clean under random faults within its declared model, for
/// every property the model promises: 200 seeds each here (`CAUSEWAY_SEEDS=1000` for the full
/// sweep). A failure prints the seed and the command that reproduces it.
#[test]
fn every_clean_preset_survives_random_faults_within_its_model() {
    let mut swept = 0;
    for preset in causeway::scenario::presets::PRESETS {
        let base = preset.scenario().expect("presets are valid");
        if preset.expect.violates.is_some() {
            continue;
        }
        for seed in 0..seed_count(200) {
            let scenario = with_random_faults(&base, seed);
            let run = run_to_end(&scenario);
            assert!(
                broken_promises(run.as_ref()).is_empty(),
                "{} seed {seed}: {:?}\nreproduce with: cargo run --release --bin sim -- sweep {} --seeds {seed}",
                preset.id,
                broken_promises(run.as_ref()),
                preset.id
            );
        }
        swept += 1;
    }
    assert!(swept >= 50, "{swept} presets swept");
}

/// Every preset declares the system model its guarantees assume, so the page shows it and the
/// sweeps draw only the faults it allows.
#[test]
fn every_preset_declares_its_model() {
    let undeclared: Vec<&str> = causeway::scenario::presets::PRESETS
        .iter()
        .filter(|p| p.scenario().expect("presets are valid").model.is_none())
        .map(|p| p.id)
        .collect();
    assert!(undeclared.is_empty(), "no model: {undeclared:?}");
}

/// What a model does not promise is shown as such: the timeout detector's Accuracy under
/// asynchrony, Paxos's termination without eventual synchrony, the two generals' agreement over
/// fair-loss links; and the same property is promised when the model provides what it rests on.
#[test]
fn a_model_that_lacks_an_assumption_does_not_promise_what_rests_on_it() {
    let unpromised = |id: &str, name: &str| -> Option<String> {
        run_preset(id)
            .properties()
            .into_iter()
            .find(|p| p.name == name)
            .expect("the property exists")
            .unpromised
    };
    let accuracy = unpromised("models-detector-async", "Accuracy").expect("not promised");
    assert_eq!(
        accuracy,
        "needs synchronous timing, but the model's timing is asynchronous"
    );
    assert_eq!(unpromised("models-detector-sync", "Accuracy"), None);
    assert!(
        unpromised("paxos-duel", "Termination")
            .unwrap()
            .contains("synchronous at least after some point")
    );
    assert_eq!(
        unpromised("generals-lossy", "Agreement").unwrap(),
        "needs reliable links, but the model's links are fair-loss"
    );
    assert_eq!(unpromised("generals-messengers", "Agreement"), None);
    // The story still shows the violation: it is the lesson, not hidden.
    let run = run_preset("models-detector-async");
    assert_eq!(violated(run.as_ref()), vec!["Accuracy"]);
    assert!(broken_promises(run.as_ref()).is_empty());
}
