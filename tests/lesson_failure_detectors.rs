//! Failure detector lessons: a fixed timeout is fooled by every long pause; an adaptive one grows
//! its timeouts until pauses stop fooling it.

mod lessons;

use causeway::engine::run::Run;
use causeway::engine::{Fact, NodeId};
use causeway::scenario::ProtocolConfig;
use lessons::*;
use serde_json::json;

/// How many times `node` came to suspect `peer`.
fn suspicions(run: &dyn Run, node: NodeId, peer: NodeId) -> usize {
    facts_of(run, node)
        .into_iter()
        .filter(|(_, fact)| *fact == Fact::Suspects { peer })
        .count()
}

fn false_suspicions(run: &dyn Run) -> usize {
    (1..=4)
        .filter(|&node| node != 2)
        .map(|node| suspicions(run, n(node), n(2)))
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
    let n1_facts: Vec<Fact> = facts_of(run.as_ref(), n(1))
        .into_iter()
        .map(|(_, fact)| fact)
        .collect();
    let suspects = Fact::Suspects { peer: n(2) };
    let trusts = Fact::Trusts { peer: n(2) };
    assert_eq!(
        n1_facts,
        [suspects.clone(), trusts.clone(), suspects, trusts]
    );
    assert_eq!(
        notes_tagged(run.as_ref(), n(1), "trusts"),
        [
            json!({"note": "trusts", "peer": "n2", "raised_timeout_us": 700_000}),
            json!({"note": "trusts", "peer": "n2", "raised_timeout_us": 1_400_000}),
        ],
        "each mistake raises n1's timeout for n2"
    );
    assert_eq!(
        false_suspicions(run.as_ref()),
        6,
        "two mistakes per observer"
    );
    let last_suspicion = run
        .facts()
        .iter()
        .filter(|(_, fact)| matches!(fact, Fact::Suspects { .. }))
        .map(|(event, _)| run.events()[event.index()].time.as_us())
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

/// A ring detector: each of six nodes pings and watches only its next two nodes, so a crash is
/// noticed by exactly the crashed node's two predecessors, and completeness asks no more of it.
#[test]
fn a_ring_detector_watches_only_its_successors() {
    use causeway::engine::action::{Action, Scheduled};
    use causeway::engine::trace::EventKind;

    let mut scenario = preset("heartbeat-basic");
    scenario.nodes = 6;
    let ProtocolConfig::Heartbeat(params) = &mut scenario.protocol else {
        panic!("a heartbeat preset");
    };
    params.successors = Some(2);
    scenario.faults = vec![Scheduled {
        at_us: causeway::engine::SimTime(500_000),
        action: Action::Crash { node: n(1) },
    }];
    let run = run_to_end(&scenario);
    assert!(
        violated(run.as_ref()).is_empty(),
        "{:?}",
        violated(run.as_ref())
    );
    let suspecting: Vec<u32> = (2..=6)
        .filter(|&node| suspicions(run.as_ref(), n(node), n(1)) > 0)
        .collect();
    assert_eq!(suspecting, [5, 6], "n1's predecessors, and only they");
    for (from, to) in [(3, 4), (3, 5), (6, 1), (6, 2)] {
        assert!(
            run.events().iter().any(|e| e.node == Some(n(from))
                && matches!(e.kind, EventKind::Send { to: t, .. } if t == n(to))),
            "n{from} pings its successor n{to}"
        );
    }
    for (from, to) in [(3, 6), (4, 1), (6, 3)] {
        assert!(
            !run.events().iter().any(|e| e.node == Some(n(from))
                && matches!(e.kind, EventKind::Send { to: t, .. } if t == n(to))),
            "n{from} never writes to n{to}, neither its successor nor its predecessor"
        );
    }
}
