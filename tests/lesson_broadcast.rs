//! Broadcast lessons: each preset teaches what it says, and each "break it" variant is caught by
//! the checker for the order it breaks.

mod lessons;

use causeway::engine::run::Run;
use causeway::engine::{Fact, NodeId};
use lessons::*;

/// The broadcasts `node` delivered, as `(origin, seq)`, in delivery order.
fn delivered(run: &dyn Run, node: NodeId) -> Vec<(NodeId, u32)> {
    facts_of(run, node)
        .into_iter()
        .filter_map(|(_, fact)| match fact {
            Fact::Delivered { origin, seq, .. } => Some((origin, seq)),
            _ => None,
        })
        .collect()
}

#[test]
fn best_effort_loses_a_message_that_reliable_broadcast_recovers() {
    let best_effort = run_preset("broadcast-best-effort");
    assert_eq!(violated(best_effort.as_ref()), ["Agreement"]);
    let reliable = run_preset("broadcast-reliable");
    assert!(violated(reliable.as_ref()).is_empty());
    assert!(
        reliable.stats().dropped > 0,
        "the reliable lesson runs on the same lossy network"
    );
    for node in 1..=4 {
        assert_eq!(
            delivered(reliable.as_ref(), n(node)).len(),
            5,
            "n{node} delivers all five messages"
        );
    }
}

#[test]
fn gossip_spreads_by_hops_to_almost_everyone() {
    let run = run_preset("broadcast-gossip");
    let first: Vec<u32> = run
        .facts()
        .iter()
        .filter_map(|(_, fact)| match *fact {
            Fact::Delivered {
                origin, seq, hops, ..
            } if origin == n(1) && seq == 1 => Some(hops),
            _ => None,
        })
        .collect();
    assert_eq!(first.len(), 16, "the rumour reaches all sixteen nodes");
    let hops = |h: u32| first.iter().filter(|&&hops| hops == h).count();
    assert_eq!(hops(0), 1, "only the origin delivers without a hop");
    assert!(
        hops(1) <= 3 && hops(2) > hops(1),
        "the infection grows per round"
    );
    assert_eq!(
        violated(run.as_ref()),
        ["Agreement"],
        "gossip is probabilistic: the second message misses a node"
    );
}

#[test]
fn fifo_holds_back_and_the_break_it_variant_is_caught() {
    let run = run_preset("broadcast-fifo");
    assert!(violated(run.as_ref()).is_empty());
    for node in 2..=3 {
        let expected: Vec<(NodeId, u32)> = (1..=6).map(|seq| (n(1), seq)).collect();
        assert_eq!(
            delivered(run.as_ref(), n(node)),
            expected,
            "n{node} delivers in send order"
        );
    }
    let broken = run_preset("broadcast-break-fifo");
    assert_eq!(violated(broken.as_ref()), ["FIFO order"]);
}

#[test]
fn causal_broadcast_holds_the_reply_until_the_question() {
    let run = run_preset("broadcast-causal");
    assert!(violated(run.as_ref()).is_empty());
    assert_eq!(
        delivered(run.as_ref(), n(3)),
        [(n(1), 1), (n(2), 1)],
        "the question, then the reply"
    );
}

#[test]
fn causal_broadcast_that_does_not_wait_is_caught() {
    let run = run_preset("broadcast-break-causal");
    assert_eq!(violated(run.as_ref()), ["Causal order"]);
    let (message, involved) = violation(run.as_ref(), "Causal order").unwrap();
    assert!(
        message.starts_with("n3 delivered n2#1 before n1#1"),
        "{message}"
    );
    assert_eq!(involved.len(), 3, "the early delivery and both broadcasts");
    assert_eq!(
        delivered(run.as_ref(), n(3)),
        [(n(2), 1), (n(1), 1)],
        "the reply before the question"
    );
}

#[test]
fn total_order_agrees_everywhere_and_breaks_without_holdback() {
    for id in ["broadcast-total-sequencer", "broadcast-total-lamport"] {
        let run = run_preset(id);
        assert!(violated(run.as_ref()).is_empty(), "{id}");
        let orders: Vec<Vec<(NodeId, u32)>> = (1..=4)
            .map(|node| delivered(run.as_ref(), n(node)))
            .collect();
        assert_eq!(orders[0].len(), 4, "{id}: every message is delivered");
        assert!(
            orders.iter().all(|o| *o == orders[0]),
            "{id}: one order: {orders:?}"
        );
    }
    let broken = run_preset("broadcast-break-total");
    assert_eq!(violated(broken.as_ref()), ["Total order"]);
}

/// The labels of every message sent, in send order.
fn sent_labels(run: &dyn Run) -> Vec<String> {
    run.events()
        .iter()
        .filter_map(|e| match e.kind {
            causeway::engine::EventKind::Send { msg, .. } => Some(run.message_label(msg)),
            _ => None,
        })
        .collect()
}

/// Over fair-loss links, relaying alone loses a message whose every path is lost; resending to
/// each peer not yet heard from repairs it. Seed 2 of the lesson's random faults is such a run.
#[test]
fn reliable_broadcast_over_fair_loss_links_needs_retransmission() {
    let lesson = run_preset("broadcast-reliable");
    let labels = sent_labels(lesson.as_ref());
    assert!(labels.iter().any(|l| l == "n1#1 again"), "n4 resends n1#1");
    assert!(labels.iter().any(|l| l == "got n1#1"), "and n2 confirms it");

    let base = preset("broadcast-reliable");
    let mut relaying_only = base.clone();
    let causeway::scenario::ProtocolConfig::Broadcast(params) = &mut relaying_only.protocol else {
        panic!("a broadcast preset");
    };
    params.retransmit_us = 0;
    let faults = |scenario| causeway::scenario::sweep::with_random_faults(scenario, 2);
    let lost = run_to_end(&faults(&relaying_only));
    assert_eq!(violated(lost.as_ref()), ["Agreement"]);
    let repaired = run_to_end(&faults(&base));
    assert!(violated(repaired.as_ref()).is_empty());
}

#[test]
fn retransmission_is_for_the_reliable_order_only_and_within_ten_seconds() {
    for (order, every, error) in [
        (
            "fifo",
            100_000,
            "`protocol.retransmit_us` only applies to the reliable order, not to FIFO",
        ),
        (
            "reliable",
            20_000_000,
            "`protocol.retransmit_us` is 20000000, but must be at most 10000000 (10 s)",
        ),
    ] {
        let mut value = serde_json::to_value(preset("broadcast-reliable")).unwrap();
        value["protocol"]["order"] = order.into();
        value["protocol"]["retransmit_us"] = every.into();
        let message = causeway::scenario::Scenario::from_value(value)
            .and_then(|s| s.build().map(|_| ()))
            .unwrap_err()
            .to_string();
        assert!(message.contains(error), "{message}");
    }
}
