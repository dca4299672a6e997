//! Arbitrary links that forge: a corrupting link (`corrupt_ppm`) or a corrupted message
//! (`Action::CorruptMessage`) rewrites what arrives through the protocol's own lie, but holds no
//! key. Signed messages unmask the forgery; oral ones cannot. Only a model with arbitrary links
//! allows it, a corrupted link counts as a fault of the node it lies to, and only protocols with
//! Byzantine behaviours have messages to forge.

mod lessons;

use causeway::engine::action::Action;
use causeway::engine::model::Links;
use causeway::engine::run::Run;
use causeway::engine::trace::EventKind;
use causeway::engine::{EventId, SimTime};
use causeway::scenario::Scenario;
use causeway::scenario::sweep::{beyond_model, with_random_faults};
use lessons::*;
use serde_json::{Value, json};

const IC2: &str = "IC2: loyal commander obeyed";

/// The decision of every lieutenant, in node order.
fn decided(run: &dyn Run) -> Vec<String> {
    (2..=run.node_count())
        .map(|node| {
            let notes = notes_tagged(run, n(node), "decides");
            notes[0]["value"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

/// The corruptions in the trace: (from, to, what was sent, what arrives).
fn corruptions(run: &dyn Run) -> Vec<(String, String, String, String)> {
    run.events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Corrupt {
                from,
                to,
                msg,
                forged,
                ..
            } => Some((
                from.to_string(),
                to.to_string(),
                run.message_label(msg),
                run.message_label(forged),
            )),
            _ => None,
        })
        .collect()
}

fn with(id: &str, change: impl FnOnce(&mut Value)) -> Result<Scenario, String> {
    let mut value = serde_json::to_value(preset(id)).expect("serialises");
    change(&mut value);
    Scenario::from_value(value).map_err(|e| e.0)
}

#[test]
fn signatures_unmask_a_forging_link_and_oral_messages_believe_it() {
    let signed = run_preset("byzantine-forged-link");
    let forged = corruptions(signed.as_ref());
    assert_eq!(forged.len(), 1, "{forged:?}");
    assert_eq!((forged[0].0.as_str(), forged[0].1.as_str()), ("n1", "n2"));
    assert!(forged[0].2.starts_with("attack") && forged[0].3.starts_with("retreat"));
    let rejected = notes_tagged(signed.as_ref(), n(2), "rejects");
    assert_eq!(rejected.len(), 1, "the forgery is caught");
    assert_eq!(rejected[0]["from"], "n1");
    assert_eq!(decided(signed.as_ref()), ["attack", "attack"]);
    assert!(violated(signed.as_ref()).is_empty());

    let oral = run_preset("byzantine-om-forged-link");
    assert_eq!(decided(oral.as_ref()), ["retreat", "retreat"]);
    assert_eq!(violated(oral.as_ref()), [IC2]);
    assert!(
        broken_promises(oral.as_ref()).is_empty(),
        "the paper assumes intact messages, which arbitrary links do not give"
    );
    let reports = oral.properties();
    let ic2 = reports.iter().find(|r| r.name == IC2).expect("IC2");
    assert!(
        ic2.unpromised
            .as_deref()
            .is_some_and(|why| why.contains("needs reliable links")),
        "{:?}",
        ic2.unpromised
    );

    // With four generals, OM(1) outvotes the forged order as it outvotes a traitor.
    let four = with("byzantine-om-forged-link", |v| v["nodes"] = json!(4)).expect("valid");
    let run = run_to_end(&four);
    assert_eq!(decided(run.as_ref()), ["attack", "attack", "attack"]);
    assert!(violated(run.as_ref()).is_empty());
}

#[test]
fn a_corrupted_message_is_forged_in_flight_and_counts_against_the_faulty_budget() {
    // The forged-link lesson without its corrupting link: corrupt n1's order to n3 by hand.
    let scenario = with("byzantine-forged-link", |v| {
        v["network"]["links"] = json!([]);
    })
    .expect("valid");
    let mut run = scenario.build().expect("valid");
    run.run_until(SimTime(10_001));
    let send = run
        .events()
        .iter()
        .position(|e| matches!(e.kind, EventKind::Send { to, .. } if to == n(3)))
        .map(|i| EventId(i as u32))
        .expect("n1 sent its order to n3");
    run.apply(Action::CorruptMessage { send })
        .expect("arbitrary links may forge");
    run.run_until(scenario.horizon_us);
    assert_eq!(corruptions(run.as_ref()).len(), 1);
    assert_eq!(notes_tagged(run.as_ref(), n(3), "rejects").len(), 1);
    assert_eq!(decided(run.as_ref()), ["attack", "attack"]);

    // A second corrupted receiver would be a second faulty node, past the model's one.
    run.seek(SimTime(10_001));
    let to_n2 = run
        .events()
        .iter()
        .position(|e| matches!(e.kind, EventKind::Send { to, .. } if to == n(2)))
        .map(|i| EventId(i as u32))
        .expect("n1 sent its order to n2");
    let error = run
        .apply(Action::CorruptMessage { send: to_n2 })
        .expect_err("over the budget");
    assert!(
        error
            .0
            .contains("corrupting a message to n2 makes it faulty, and the model allows at most 1"),
        "{}",
        error.0
    );
}

#[test]
fn only_arbitrary_links_forge_and_only_byzantine_protocols_have_forgeable_messages() {
    let refused = |result: Result<Scenario, String>, expect: &str| {
        let error = result.expect_err("refused");
        assert!(error.contains(expect), "{error}");
    };
    refused(
        with("byzantine-forged-link", |v| {
            v["model"]["network"] = json!("fair_loss")
        }),
        "the model's links are fair-loss: they may lose a message, never alter one",
    );
    refused(
        with("byzantine-forged-link", |v| {
            v["faults"] = json!([{"at_us": 0, "action": "traitor", "node": "n3",
                                  "strategy": "two_faced"}]);
        }),
        "the model allows at most 1 faulty node, and n2 already is",
    );
    refused(
        with("byzantine-forged-link", |v| {
            v["model"]["faulty"] = json!(0);
        }),
        "a link that corrupts messages to n2 makes it faulty, and the model allows no faulty node",
    );
    refused(
        with("2pc-commit", |v| {
            v["network"]["default"]["corrupt_ppm"] = json!(1000);
            v["model"]["network"] = json!("arbitrary");
        }),
        "two_phase_commit has no Byzantine behaviours, so none of its messages can be forged",
    );
    // The page's Corrupt control is disabled under a model that forbids it, with the reason.
    let run = run_preset("byzantine-sm-three");
    let why = run
        .forbids(&Action::CorruptMessage { send: EventId(0) })
        .expect("reliable links never alter a message");
    assert!(why.contains("the model's links are reliable"), "{why}");
    let mut raft = run_preset("raft-basic");
    let error = raft
        .apply(Action::CorruptMessage { send: EventId(0) })
        .expect_err("raft's messages cannot be forged");
    assert!(
        error.0.contains("raft has no Byzantine behaviours"),
        "{}",
        error.0
    );
}

#[test]
fn sweeps_draw_forging_links_only_under_arbitrary_links() {
    let corrupting = |scenario: &Scenario| {
        scenario
            .faults
            .iter()
            .any(|s| matches!(&s.action, Action::SetLink { link, .. } if link.corrupt_ppm > 0))
    };
    let om = with("byzantine-om-lieutenant", |v| {
        v["faults"] = json!([]);
        v["model"]["network"] = json!("arbitrary");
    })
    .expect("valid");
    assert_eq!(om.model.map(|m| m.network), Some(Links::Arbitrary));
    let drawn = (0..40)
        .filter(|&seed| corrupting(&with_random_faults(&om, seed)))
        .count();
    assert!((5..40).contains(&drawn), "{drawn} of 40 seeds forge");
    let reliable = preset("byzantine-om-lieutenant");
    assert!((0..40).all(|seed| !corrupting(&with_random_faults(&reliable, seed))));
    // Beyond the model, a forging link is drawn and named as what put the seed outside it.
    let outside = (0..40)
        .filter_map(|seed| beyond_model(&reliable, seed).1)
        .filter(|why| why.contains("never alter one"))
        .count();
    assert!(outside > 0, "--beyond-model draws forging links");
    // Every drawn schedule is valid: the forged link's receiver counts against the budget.
    for seed in 0..40 {
        with_random_faults(&om, seed)
            .build()
            .unwrap_or_else(|e| panic!("seed {seed}: {}", e.0));
    }
}
