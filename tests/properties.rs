//! Randomized properties of the engine over many seeds. Each failure prints its seed and the
//! scenario that reproduces it; `CAUSEWAY_SEEDS=500 cargo test --test properties` widens the sweep.

mod common;

use causeway::engine::action::{Action, Scheduled};
use causeway::engine::causality::{causal_future, causal_past};
use causeway::engine::network::{Delay, LinkConfig};
use causeway::engine::rng::{Purpose, SimRng};
use causeway::engine::time::SimTime;
use causeway::engine::trace::{DropReason, EventKind};
use causeway::engine::{EventId, NodeId};
use causeway::scenario::Scenario;
use common::*;

/// A heartbeat scenario with faults and a rough network drawn from `seed`.
fn chaotic(seed: u64) -> Scenario {
    let mut rng = SimRng::derive(seed, Purpose::Faults);
    let nodes = 2 + rng.range_u64(0, 5) as u32;
    let mut scenario = heartbeat(nodes, seed);
    scenario.horizon_us = us("3s");
    scenario.network.default = LinkConfig {
        delay: Delay::LongTail {
            min_us: 1_000,
            max_us: 200_000,
        },
        loss_ppm: rng.range_u64(0, 300_000) as u32,
        duplicate_ppm: rng.range_u64(0, 200_000) as u32,
        fifo: rng.chance_ppm(300_000),
        corrupt_ppm: 0,
    };
    let pick = |rng: &mut SimRng| NodeId(rng.range_u64(0, u64::from(nodes)) as u32);
    for _ in 0..rng.range_u64(0, 8) {
        let at = SimTime(rng.range_u64(0, 3_000_000));
        let node = pick(&mut rng);
        let action = match rng.range_u64(0, 7) {
            0 => Action::Crash { node },
            1 => Action::Restart { node },
            2 => Action::Pause { node },
            3 => Action::Resume { node },
            4 => Action::Partition {
                groups: vec![vec![node]],
            },
            5 => Action::Heal,
            _ => Action::ClockJump {
                node,
                by_us: rng.range_u64(0, 200_000) as i64 - 100_000,
            },
        };
        scenario.faults.push(Scheduled { at_us: at, action });
    }
    scenario
}

#[test]
fn the_clock_condition_holds_for_lamport_and_vector_timestamps() {
    for seed in 0..seed_count(30) {
        let scenario = chaotic(seed);
        let mut run = scenario.build().unwrap();
        run.run_until(scenario.horizon_us);
        let events = run.events().to_vec();
        let causality = run.causality().clone();
        let mut rng = SimRng::derive(seed, Purpose::Workload);
        for _ in 0..40 {
            let b = EventId(rng.range_u64(0, events.len() as u64) as u32);
            if events[b.index()].node.is_none() {
                continue;
            }
            let past = causal_past(&events, b);
            let vb = causality.vector_clock(b).unwrap();
            for &a in &past {
                if events[a.index()].node.is_none() {
                    continue;
                }
                let va = causality.vector_clock(a).unwrap();
                assert!(
                    events[a.index()].lamport < events[b.index()].lamport,
                    "seed {seed}: {a} → {b} but L({a}) >= L({b})\n{}",
                    reproduce(&scenario)
                );
                assert!(
                    va.iter().zip(&vb).all(|(x, y)| x <= y) && va != vb,
                    "seed {seed}: {a} → {b} but V({a}) is not below V({b})\n{}",
                    reproduce(&scenario)
                );
                assert!(
                    causality.happens_before(a, b),
                    "seed {seed}: {a} → {b} not seen by vector clocks"
                );
            }
            // Events neither in the past nor the future of b are concurrent with it.
            let future = causal_future(&events, b);
            let a = EventId(rng.range_u64(0, events.len() as u64) as u32);
            if a != b
                && events[a.index()].node.is_some()
                && !past.contains(&a)
                && !future.contains(&a)
            {
                let va = causality.vector_clock(a).unwrap();
                let comparable = va.iter().zip(&vb).all(|(x, y)| x <= y)
                    || va.iter().zip(&vb).all(|(x, y)| x >= y);
                assert!(
                    !comparable,
                    "seed {seed}: {a} ∥ {b} yet their vectors compare\n{}",
                    reproduce(&scenario)
                );
                assert!(causality.concurrent(a, b));
            }
        }
    }
}

#[test]
fn fifo_links_never_reorder() {
    for seed in 0..seed_count(30) {
        let mut scenario = chaotic(seed);
        scenario.network.default.fifo = true;
        scenario.network.default.delay = Delay::Uniform {
            min_us: 1_000,
            max_us: 90_000,
        };
        let mut run = scenario.build().unwrap();
        run.run_until(scenario.horizon_us);
        let mut last: std::collections::BTreeMap<(NodeId, NodeId), EventId> = Default::default();
        for event in run.events() {
            if let (Some(to), EventKind::Deliver { from, send, .. }) = (event.node, &event.kind)
                && let Some(previous) = last.insert((*from, to), *send)
            {
                assert!(
                    previous <= *send,
                    "seed {seed}: {from}→{to} delivered {send} after {previous}\n{}",
                    reproduce(&scenario)
                );
            }
        }
    }
}

#[test]
fn nothing_crosses_a_partition() {
    for seed in 0..seed_count(30) {
        let scenario = chaotic(seed);
        let mut run = scenario.build().unwrap();
        run.run_until(scenario.horizon_us);
        let events = run.events();
        let n = scenario.nodes as usize;
        // Replay partition state from the trace and check every delivery against it.
        let mut blocked = vec![false; n * n];
        let mut blocked_at_send = std::collections::BTreeMap::new();
        for (i, event) in events.iter().enumerate() {
            match &event.kind {
                EventKind::Partition { groups } => {
                    let mut group = vec![usize::MAX; n];
                    for (g, members) in groups.iter().enumerate() {
                        for m in members {
                            group[m.index()] = g;
                        }
                    }
                    for a in 0..n {
                        for b in 0..n {
                            if group[a] != group[b] {
                                blocked[a * n + b] = true;
                            }
                        }
                    }
                }
                EventKind::Heal => blocked.iter_mut().for_each(|b| *b = false),
                EventKind::Send { to, .. } => {
                    let from = event.node.unwrap();
                    blocked_at_send.insert(i, blocked[from.index() * n + to.index()]);
                }
                EventKind::Deliver { from, send, .. } => {
                    let to = event.node.unwrap();
                    let now = blocked[from.index() * n + to.index()];
                    let then = blocked_at_send[&send.index()];
                    assert!(
                        !now && !then,
                        "seed {seed}: {send} crossed a partition {from}→{to}\n{}",
                        reproduce(&scenario)
                    );
                }
                _ => {}
            }
        }
    }
}

#[test]
fn loss_and_duplication_match_their_ratios() {
    for (loss_ppm, duplicate_ppm) in [(100_000, 50_000), (300_000, 0), (0, 250_000)] {
        let mut scenario = heartbeat(4, 77);
        scenario.horizon_us = us("20s");
        scenario.network.default = LinkConfig {
            delay: Delay::Uniform {
                min_us: 1_000,
                max_us: 5_000,
            },
            loss_ppm,
            duplicate_ppm,
            fifo: false,
            corrupt_ppm: 0,
        };
        let mut run = scenario.build().unwrap();
        run.run_until(scenario.horizon_us);
        let stats = run.stats();
        let lost = run
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Drop {
                        reason: DropReason::Lost,
                        ..
                    }
                )
            })
            .count();
        let copies = stats.sent + stats.duplicated;
        for (observed, trials, ppm, what) in [
            (lost as u64, copies, loss_ppm, "loss"),
            (stats.duplicated, stats.sent, duplicate_ppm, "duplication"),
        ] {
            let p = f64::from(ppm) / 1e6;
            let expected = trials as f64 * p;
            let sigma = (trials as f64 * p * (1.0 - p)).sqrt().max(1.0);
            assert!(
                (observed as f64 - expected).abs() <= 5.0 * sigma,
                "{what}: {observed} of {trials}, expected {expected:.0} ± {:.0}",
                5.0 * sigma
            );
        }
    }
}

#[test]
fn seeking_and_branching_equal_a_fresh_run() {
    for seed in 0..seed_count(12) {
        let scenario = chaotic(seed);
        let fresh_to = |t: SimTime| {
            let mut run = scenario.build().unwrap();
            run.run_until(t);
            run.events().to_vec()
        };
        let mut run = scenario.build().unwrap();
        run.run_until(us("3s"));
        let full = run.events().to_vec();
        run.seek(us("1.2s"));
        assert_eq!(
            run.events(),
            &fresh_to(us("1.2s"))[..],
            "seed {seed}: seek back\n{}",
            reproduce(&scenario)
        );
        run.seek(us("2.5s"));
        assert_eq!(
            run.events(),
            &fresh_to(us("2.5s"))[..],
            "seed {seed}: seek forward"
        );
        run.seek(us("3s"));
        assert_eq!(run.events(), &full[..], "seed {seed}: seek to the end");
        let target = EventId((full.len() / 3) as u32);
        run.seek_event(target).unwrap();
        // A step is atomic: seeking to an event stops after the step that recorded it.
        let len = run.events().len();
        assert!(len > target.index());
        assert_eq!(run.events(), &full[..len], "seed {seed}: seek to an event");

        // Branch: rewind, intervene, and compare with a fresh run of the recorded scenario.
        run.seek(us("1.5s"));
        run.apply(Action::Crash { node: NodeId(0) }).unwrap();
        run.run_until(us("3s"));
        let mut branched = scenario.clone();
        branched.interventions = run.interventions();
        let mut again = branched.build().unwrap();
        again.run_until(us("3s"));
        assert_eq!(
            run.events(),
            again.events(),
            "seed {seed}: branch replays\n{}",
            reproduce(&branched)
        );
        assert_ne!(
            run.events(),
            &full[..],
            "seed {seed}: the branch differs from the original"
        );

        // A second intervention earlier than the first cuts the first off.
        run.seek(us("1s"));
        let cut = run.apply(Action::Pause { node: NodeId(0) }).unwrap();
        assert_eq!(cut.len(), 1, "the later crash belongs to the old branch");
        assert_eq!(run.interventions().len(), 1);
    }
}

#[test]
fn cluster_size_does_not_reshuffle_unrelated_links() {
    let delays = |nodes: u32| {
        let mut scenario = heartbeat(nodes, 5);
        scenario.network.default.delay = Delay::Uniform {
            min_us: 1_000,
            max_us: 90_000,
        };
        scenario.horizon_us = us("1s");
        let mut run = scenario.build().unwrap();
        run.run_until(us("1s"));
        run.events()
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Deliver { from, send, .. }
                    if from == NodeId(0) && e.node == Some(NodeId(1)) =>
                {
                    Some(e.time.0 - run.events()[send.index()].time.0)
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        delays(3)[..5],
        delays(6)[..5],
        "link n1→n2 draws the same delays in a bigger cluster"
    );
}
