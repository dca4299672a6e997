//! Two generals lessons: with every messenger through they agree; dropping the last messenger,
//! whichever it is, makes them disagree.

mod lessons;

use causeway::engine::action::Action;
use causeway::engine::run::Run;
use causeway::engine::trace::EventKind;
use causeway::engine::{Fact, NodeId};
use lessons::*;
use serde_json::json;

/// The decisions `node` stated, in order.
fn decisions(run: &dyn Run, node: NodeId) -> Vec<Fact> {
    facts_of(run, node)
        .into_iter()
        .map(|(_, fact)| fact)
        .filter(|fact| matches!(fact, Fact::Decided { .. }))
        .collect()
}

#[test]
fn all_messengers_through_means_both_attack() {
    let run = run_preset("generals-messengers");
    assert!(violated(run.as_ref()).is_empty());
    for node in 1..=2 {
        assert_eq!(
            notes_tagged(run.as_ref(), n(node), "decides"),
            [json!({"note": "decides", "attack": true})],
            "n{node} decides once, to attack"
        );
    }
    let first = decisions(run.as_ref(), n(1));
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(
        decisions(run.as_ref(), n(2)),
        first,
        "both generals state the same decision"
    );
}

#[test]
fn losing_the_last_messenger_splits_the_generals() {
    let run = run_preset("generals-last-lost");
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    let (message, involved) = violation(run.as_ref(), "Agreement").unwrap();
    assert_eq!(
        message,
        "n2 attacks at dawn but n1 does not: the generals disagree"
    );
    assert_eq!(involved.len(), 2, "both decisions");
}

#[test]
fn dropping_the_last_messenger_by_hand_splits_any_finite_protocol() {
    for messengers in 1..=6u32 {
        let mut scenario = preset("generals-messengers");
        // Its model has reliable links, which rule out the drop: the drop is the point here.
        scenario.model = None;
        let causeway::scenario::ProtocolConfig::Generals(params) = &mut scenario.protocol else {
            panic!("a generals preset");
        };
        params.messengers = messengers;
        let mut run = scenario.build().unwrap();
        // Run until the last messenger is on its way, then drop it, as a user would.
        let last = loop {
            assert!(run.step(), "{messengers} messengers: the last one is sent");
            let sends: Vec<_> = run
                .events()
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e.kind, EventKind::Send { .. }))
                .map(|(i, _)| i)
                .collect();
            if sends.len() == messengers as usize {
                break sends[sends.len() - 1];
            }
        };
        run.apply(Action::DropMessage {
            send: causeway::engine::EventId(last as u32),
        })
        .unwrap();
        run.run_until(scenario.horizon_us);
        assert_eq!(
            violated(run.as_ref()),
            ["Agreement"],
            "{messengers} messengers"
        );
    }
}

#[test]
fn resending_does_not_make_the_lossy_valley_safe() {
    let run = run_preset("generals-lossy");
    assert_eq!(violated(run.as_ref()), ["Agreement"]);
    let agreed = (0..seed_count(20))
        .filter(|&seed| {
            let mut scenario = preset("generals-lossy");
            scenario.seed = seed;
            violated(run_to_end(&scenario).as_ref()).is_empty()
        })
        .count();
    assert!(agreed > 0, "some seeds agree: it is luck, not a guarantee");
}
