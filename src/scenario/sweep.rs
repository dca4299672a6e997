//! Randomized fault schedules for seed sweeps (in the spirit of TigerBeetle's VOPR). From one seed
//! and a base scenario, draw a fault schedule: a *fault phase* over the first half of the horizon
//! (crashes and restarts, partitions, lossy, duplicating, reordering and slow links, clock drift
//! and jumps, pauses), then at half time a *heal phase* that repairs everything at once, so the
//! second half shows whether the protocol recovers. Each seed also enables only some kinds of fault
//! (swarm testing), so rare combinations get concentrated runs.
//!
//! Nothing here knows the protocol: any scenario can be swept.

use crate::engine::action::{Action, Scheduled};
use crate::engine::ids::NodeId;
use crate::engine::network::{Delay, LinkConfig};
use crate::engine::rng::{Purpose, SimRng};
use crate::engine::time::SimTime;
use crate::scenario::Scenario;

/// At most this many faults are drawn per seed (repairs come on top).
const MAX_FAULTS: u64 = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Crash,
    Partition,
    Link,
    Clock,
    Pause,
}

const FAULTS: [Fault; 5] = [
    Fault::Crash,
    Fault::Partition,
    Fault::Link,
    Fault::Clock,
    Fault::Pause,
];

/// When the heal phase starts for a scenario with this horizon.
pub fn heal_at(horizon: SimTime) -> SimTime {
    SimTime(horizon.as_us() / 2)
}

/// The base scenario with its seed replaced by `seed` and its fault script replaced by a random
/// schedule drawn from that seed. The same (base, seed) always gives the same scenario.
pub fn with_random_faults(base: &Scenario, seed: u64) -> Scenario {
    let mut rng = SimRng::derive(seed, Purpose::Faults);
    let nodes = base.nodes;
    let heal = heal_at(base.horizon_us).as_us();
    let mut enabled: Vec<Fault> = FAULTS
        .iter()
        .copied()
        .filter(|f| nodes > 1 || matches!(f, Fault::Crash | Fault::Clock | Fault::Pause))
        .filter(|_| rng.chance_ppm(500_000))
        .collect();
    if enabled.is_empty() {
        enabled.push(FAULTS[rng.index(if nodes > 1 { 5 } else { 1 })]);
    }
    let mut plan = Plan {
        faults: Vec::new(),
        heal,
    };
    let mut links_changed: Vec<(NodeId, NodeId)> = Vec::new();
    let mut drifted: Vec<NodeId> = Vec::new();
    // Crash intervals so far, (node, from, to), and how many nodes may be down at once.
    let mut down: Vec<(NodeId, u64, u64)> = Vec::new();
    let max_down = ((nodes as usize).saturating_sub(1) / 2).max(1);
    let count = rng.range_u64(1, MAX_FAULTS + 1);
    for _ in 0..count {
        let at = rng.range_u64(0, heal.max(1));
        let node = NodeId(rng.range_u64(0, u64::from(nodes)) as u32);
        match enabled[rng.index(enabled.len())] {
            Fault::Crash => {
                // Keep a majority up, so the fault phase shows the protocol making progress
                // around failures rather than merely stalling.
                let down_for = if rng.chance_ppm(700_000) {
                    Some(log_uniform(&mut rng, 1_000, 2_000_000))
                } else {
                    None
                };
                let until = down_for.map_or(heal, |d| (at + d).min(heal));
                let overlapping = down
                    .iter()
                    .filter(|&&(n, from, to)| n == node || (from < until && at < to))
                    .count();
                if overlapping < max_down {
                    down.push((node, at, until));
                    plan.push(at, Action::Crash { node });
                    if let Some(d) = down_for {
                        plan.push(at + d, Action::Restart { node });
                    }
                }
            }
            Fault::Partition => {
                let mut order: Vec<NodeId> = (0..nodes).map(NodeId).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, rng.index(i + 1));
                }
                let cut = rng.range_u64(1, u64::from(nodes)) as usize;
                let groups = vec![order[..cut].to_vec(), order[cut..].to_vec()];
                // A new partition replaces the last one (partitions would otherwise pile up
                // until every node is alone).
                plan.push(at, Action::Heal);
                plan.push(at, Action::Partition { groups });
                let after = log_uniform(&mut rng, 10_000, 3_000_000);
                plan.push(at + after, Action::Heal);
            }
            Fault::Link => {
                let from = node;
                let to =
                    NodeId((from.0 + 1 + rng.range_u64(0, u64::from(nodes) - 1) as u32) % nodes);
                let link = bad_link(base.network.default, &mut rng);
                plan.push(at, Action::SetLink { from, to, link });
                if !links_changed.contains(&(from, to)) {
                    links_changed.push((from, to));
                }
            }
            Fault::Clock => {
                if rng.chance_ppm(500_000) {
                    let by_us = rng.range_u64(0, 2_000_001) as i64 - 1_000_000;
                    plan.push(at, Action::ClockJump { node, by_us });
                } else {
                    let ppm = rng.range_u64(0, 100_001) as i32 - 50_000;
                    plan.push(at, Action::ClockDrift { node, ppm });
                    if !drifted.contains(&node) {
                        drifted.push(node);
                    }
                }
            }
            Fault::Pause => {
                plan.push(at, Action::Pause { node });
                let after = rng.range_u64(10_000, 1_000_000);
                plan.push(at + after, Action::Resume { node });
            }
        }
    }
    let mut faults = plan.faults;
    faults.sort_by_key(|s| s.at_us);
    let at_us = SimTime(heal);
    let mut repair = |action| faults.push(Scheduled { at_us, action });
    repair(Action::Heal);
    for (from, to) in links_changed {
        let link = base
            .network
            .links
            .iter()
            .find(|l| l.from == from && l.to == to)
            .map_or(base.network.default, |l| l.config);
        repair(Action::SetLink { from, to, link });
    }
    for node in drifted {
        let ppm = base
            .clocks
            .nodes
            .iter()
            .find(|c| c.node == node)
            .map_or(base.clocks.default.drift_ppm, |c| c.clock.drift_ppm);
        repair(Action::ClockDrift { node, ppm });
    }
    for node in (0..nodes).map(NodeId) {
        repair(Action::Resume { node });
        repair(Action::Restart { node });
    }
    let mut scenario = base.clone();
    scenario.name = format!("{} (sweep seed {seed})", base.name);
    scenario.seed = seed;
    scenario.faults = faults;
    scenario.interventions = Vec::new();
    scenario
}

/// Faults of the fault phase; repairs that would fall after it are left to the heal phase.
struct Plan {
    faults: Vec<Scheduled>,
    heal: u64,
}

impl Plan {
    fn push(&mut self, at: u64, action: Action) {
        if at < self.heal {
            self.faults.push(Scheduled {
                at_us: SimTime(at),
                action,
            });
        }
    }
}

/// A duration from `lo` to `hi` whose logarithm is uniform, so short and long ones are equally
/// common: a crash may last a millisecond or two seconds.
fn log_uniform(rng: &mut SimRng, lo: u64, hi: u64) -> u64 {
    let mut span = lo.max(1);
    let mut doublings = 0;
    while span < hi {
        span *= 2;
        doublings += 1;
    }
    let base = lo.max(1) << rng.range_u64(0, doublings + 1);
    rng.range_u64(base, base * 2).min(hi)
}

/// A degraded version of `base`: lossy, duplicating, reordering (a wide delay range) or slow (a
/// long tail), or several of these.
fn bad_link(base: LinkConfig, rng: &mut SimRng) -> LinkConfig {
    let (min, max) = base.delay.bounds_us();
    let delay = match rng.index(3) {
        0 => base.delay,
        1 => Delay::Uniform {
            min_us: min,
            max_us: max.max(1_000) * 10,
        },
        _ => Delay::LongTail {
            min_us: min.max(1_000),
            max_us: max.max(1_000) * 50,
        },
    };
    LinkConfig {
        delay,
        loss_ppm: rng.range_u64(0, 300_001) as u32,
        duplicate_ppm: rng.range_u64(0, 200_001) as u32,
        fifo: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    #[test]
    fn schedules_are_reproducible_valid_and_healed() {
        let base = presets::find("heartbeat-basic")
            .unwrap()
            .scenario()
            .unwrap();
        for seed in 0..50 {
            let a = with_random_faults(&base, seed);
            assert_eq!(a, with_random_faults(&base, seed));
            a.validate().expect("sweep scenarios are valid");
            let heal = heal_at(a.horizon_us);
            assert!(
                a.faults
                    .iter()
                    .any(|f| f.at_us == heal && f.action == Action::Heal)
            );
            assert!(a.faults.iter().all(|f| f.at_us <= heal));
        }
    }
}
