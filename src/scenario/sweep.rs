//! Randomized fault schedules for seed sweeps (in the spirit of TigerBeetle's VOPR). From one seed
//! and a base scenario, draw a fault schedule: a *fault phase* over the first half of the horizon
//! (crashes and restarts, partitions, lossy, duplicating, reordering and slow links, clock drift
//! and jumps, pauses), then at half time a *heal phase* that repairs everything at once, so the
//! second half shows whether the protocol recovers. Each seed also enables only some kinds of fault
//! (swarm testing), so rare combinations get concentrated runs, and half the seeds also play the
//! Raft paper's Figure 8 on cue: a choreography of elections, cuts and crashes that random faults
//! almost never line up.
//!
//! Nothing here knows the protocol: any scenario can be swept. (Figure 8 on cue is timed for a
//! leader that takes client requests, but uses only the actions every scenario has.)

use crate::engine::action::{Action, Scheduled};
use crate::engine::byzantine::Strategy;
use crate::engine::ids::NodeId;
use crate::engine::model::{Failures, Links, SystemModel, corrupted_receivers, note_faulty};
use crate::engine::network::{Delay, LinkConfig};
use crate::engine::rng::{Purpose, SimRng};
use crate::engine::sim::{Generator, Target};
use crate::engine::time::SimTime;
use crate::scenario::Scenario;

/// At most this many fault patterns are drawn per seed (a pattern may schedule several actions;
/// repairs come on top).
const MAX_FAULTS: u64 = 32;

/// How often a seed also plays Figure 8 on cue (in parts per million).
const FIGURE8_PPM: u32 = 500_000;

/// How long before Figure 8 on cue the cluster is repaired, so a leader is elected and settled.
const SETTLE_US: u64 = 1_000_000;

/// The kinds of fault pattern a seed may enable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    /// One node crashes, and restarts after a millisecond to two seconds (or at the heal).
    Crash,
    /// One node crashes and restarts again and again, each time down for a few milliseconds and
    /// up for a few more: it keeps voting and forgetting what it had not persisted.
    Flap,
    /// An election on cue: one or two nodes' timers fire at once (two candidates split the
    /// vote), a third node crashes just after it may have voted and restarts while the election
    /// may still be on, and the first candidate, perhaps just elected, is cut off or crashed.
    Election,
    /// Every node in turn crashes and restarts at once, in quick succession.
    Rolling,
    /// The nodes split in two groups, for ten milliseconds to three seconds.
    Partition,
    /// One node is cut off for a short while, so it churns terms and disrupts the others when it
    /// returns.
    Isolate,
    /// Some nodes cannot send to some others, though the reverse works.
    OneWay,
    /// A link becomes lossy, duplicating, reordering or slow.
    Link,
    /// A node's clock drifts or jumps.
    Clock,
    /// A node freezes for a while, then resumes.
    Pause,
}

const FAULTS: [Fault; 10] = [
    Fault::Crash,
    Fault::Flap,
    Fault::Election,
    Fault::Rolling,
    Fault::Partition,
    Fault::Isolate,
    Fault::OneWay,
    Fault::Link,
    Fault::Clock,
    Fault::Pause,
];

impl Fault {
    /// Whether this kind needs more than one node.
    fn needs_peers(self) -> bool {
        matches!(
            self,
            Fault::Partition
                | Fault::Isolate
                | Fault::OneWay
                | Fault::Link
                | Fault::Rolling
                | Fault::Election
        )
    }
}

/// When the heal phase starts for a scenario with this horizon.
pub fn heal_at(horizon: SimTime) -> SimTime {
    SimTime(horizon.as_us() / 2)
}

/// The base scenario with its seed replaced by `seed` and its fault script replaced by a random
/// schedule drawn from that seed, keeping only the faults the scenario's declared system model
/// allows (and, under a Byzantine model, up to its faulty nodes as traitors). The same (base, seed)
/// always gives the same scenario; without a model, every fault drawn stays.
pub fn with_random_faults(base: &Scenario, seed: u64) -> Scenario {
    let mut scenario = draw(base, seed);
    if let Some(model) = base.model {
        let mut rng = SimRng::derive(seed, Purpose::Traitors);
        let mut faults = traitors(&model, base.nodes, &mut rng);
        if model.network == Links::Arbitrary {
            faults.append(&mut forgeries(&model, base, seed));
        }
        faults.append(&mut scenario.faults);
        let charged = corrupted_receivers(&base.network, base.nodes);
        scenario.faults = within(&model, charged, faults);
    }
    scenario
}

/// The same draws as [`with_random_faults`] without the model's filter, for `sim sweep
/// --beyond-model`: the scenario with every fault drawn and no model (so the run performs them),
/// and why the first fault the model rules out is outside it, if one is.
pub fn beyond_model(base: &Scenario, seed: u64) -> (Scenario, Option<String>) {
    let mut scenario = draw(base, seed);
    if let Some(model) = base.model {
        let mut forged = forgeries(&model, base, seed);
        forged.append(&mut scenario.faults);
        scenario.faults = forged;
        scenario.faults.sort_by_key(|s| s.at_us);
    }
    let outside = base.model.and_then(|model| {
        let faults = &scenario.faults;
        let charged = crate::engine::model::corrupted_receivers(&base.network, base.nodes);
        let (i, reason) =
            model.first_forbidden(charged, faults.iter().map(|s| (s.at_us, &s.action)))?;
        Some(format!(
            "{} at {}: {reason}",
            faults[i].action.describe(),
            faults[i].at_us
        ))
    });
    scenario.model = None;
    (scenario, outside)
}

/// The faults the model allows, in time order, each judged with the nodes made faulty before it
/// (starting from `faulty`).
fn within(
    model: &SystemModel,
    mut faulty: Vec<NodeId>,
    mut faults: Vec<Scheduled>,
) -> Vec<Scheduled> {
    faults.sort_by_key(|s| s.at_us);
    let mut kept: Vec<Scheduled> = Vec::with_capacity(faults.len());
    for scheduled in faults {
        if model
            .forbids(&scheduled.action, scheduled.at_us, &faulty)
            .is_none()
        {
            note_faulty(&mut faulty, &scheduled.action);
            kept.push(scheduled);
        }
    }
    kept
}

/// Under a Byzantine model, up to its faulty nodes (a third of the nodes, less one, when it names
/// no number) turn traitor at the start, each with a strategy of its own.
fn traitors(model: &SystemModel, nodes: u32, rng: &mut SimRng) -> Vec<Scheduled> {
    if model.nodes != Failures::Byzantine {
        return Vec::new();
    }
    let most = model.faulty.unwrap_or(nodes.saturating_sub(1) / 3);
    let count = rng.range_u64(0, u64::from(most) + 1) as usize;
    shuffled(rng, nodes)
        .into_iter()
        .take(count)
        .map(|node| Scheduled {
            at_us: SimTime::ZERO,
            action: Action::Traitor {
                node,
                strategy: Strategy::ALL[rng.index(Strategy::ALL.len())],
            },
        })
        .collect()
}

/// Under a Byzantine model (the protocols whose messages can be forged), one seed in two corrupts
/// some of the messages on one link from the start, up to every one: within the model only under
/// arbitrary links, where its budget of faulty nodes counts the node the link delivers to, and
/// beyond it otherwise.
fn forgeries(model: &SystemModel, base: &Scenario, seed: u64) -> Vec<Scheduled> {
    if model.nodes != Failures::Byzantine || base.nodes < 2 {
        return Vec::new();
    }
    let mut rng = SimRng::derive(seed, Purpose::Forgeries);
    if !rng.chance_ppm(500_000) {
        return Vec::new();
    }
    let from = NodeId(rng.index(base.nodes as usize) as u32);
    let to = NodeId((from.0 + 1 + rng.index(base.nodes as usize - 1) as u32) % base.nodes);
    let current = base
        .network
        .links
        .iter()
        .find(|l| l.from == from && l.to == to)
        .map_or(base.network.default, |l| l.config);
    vec![Scheduled {
        at_us: SimTime::ZERO,
        action: Action::SetLink {
            from,
            to,
            link: LinkConfig {
                corrupt_ppm: rng.range_u64(100_000, 1_000_001) as u32,
                ..current
            },
        },
    }]
}

/// Every fault a seed draws, whatever the model.
///
/// Each seed first draws a *fault profile* (swarm testing): which kinds of fault it uses, each
/// with its own weight, how many patterns in all, and how fast clients send. So one seed crashes
/// and restarts nodes often and quickly, another partitions a lot, another only loses messages,
/// and rare combinations get runs of their own instead of being diluted by everything else.
fn draw(base: &Scenario, seed: u64) -> Scenario {
    let mut rng = SimRng::derive(seed, Purpose::Faults);
    let nodes = base.nodes;
    let heal = heal_at(base.horizon_us).as_us();
    // The profile: a weight from 1 to 8 for each enabled kind.
    let mut weights: Vec<(Fault, u64)> = Vec::new();
    for f in FAULTS {
        if (nodes > 1 || !f.needs_peers()) && rng.chance_ppm(500_000) {
            weights.push((f, 1 << rng.range_u64(0, 4)));
        }
    }
    if weights.is_empty() {
        let kinds: Vec<Fault> = FAULTS
            .iter()
            .copied()
            .filter(|f| nodes > 1 || !f.needs_peers())
            .collect();
        weights.push((kinds[rng.index(kinds.len())], 1));
    }
    let total: u64 = weights.iter().map(|(_, w)| w).sum();
    let mut plan = Plan {
        faults: Vec::new(),
        heal,
        down: Vec::new(),
        max_down: ((nodes as usize).saturating_sub(1) / 2).max(1),
    };
    let mut links_changed: Vec<(NodeId, NodeId)> = Vec::new();
    let mut drifted: Vec<NodeId> = Vec::new();
    let count = rng.range_u64(1, MAX_FAULTS + 1);
    for _ in 0..count {
        let at = rng.range_u64(0, heal.max(1));
        let node = NodeId(rng.range_u64(0, u64::from(nodes)) as u32);
        let mut pick = rng.range_u64(0, total);
        let kind = weights
            .iter()
            .find(|(_, w)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .map_or(weights[0].0, |(f, _)| *f);
        match kind {
            Fault::Crash => {
                let down_for = if rng.chance_ppm(700_000) {
                    Some(log_uniform(&mut rng, 1_000, 2_000_000))
                } else {
                    None
                };
                plan.crash(node, at, down_for);
            }
            Fault::Flap => {
                let cycles = rng.range_u64(2, 20);
                let down_max = log_uniform(&mut rng, 2_000, 100_000);
                let up_max = log_uniform(&mut rng, 5_000, 300_000);
                let mut t = at;
                for _ in 0..cycles {
                    let down = rng.range_u64(1_000, down_max + 1);
                    plan.crash(node, t, Some(down));
                    t += down + rng.range_u64(1_000, up_max + 1);
                }
            }
            Fault::Election => {
                // One node's timers fire early, and it may win an election that another node
                // (which cannot hear from it) never learns of; the winner is cut off at about
                // the moment it could have won, before its first entries spread; voters crash
                // and restart just after their votes; then the other node's timers fire too.
                // Latencies come from the scenario's network.
                let (lo, hi) = base.network.default.delay.bounds_us();
                let (lo, hi) = (lo.max(1_000), hi.max(2_000));
                let order = shuffled(&mut rng, nodes);
                let (a, b) = (order[0], order[1 % order.len()]);
                let watch = at + log_uniform(&mut rng, 100_000, 1_000_000);
                if a != b && rng.chance_ppm(700_000) {
                    plan.push(
                        at,
                        Action::PartitionOneWay {
                            from: vec![a],
                            to: vec![b],
                        },
                    );
                }
                let start = at + 1;
                plan.push(start, Action::ExpireTimers { node: a });
                let cut = start + rng.range_u64(lo, 2 * hi + lo);
                let out_for = log_uniform(&mut rng, 20_000, 1_000_000);
                if rng.chance_ppm(500_000) {
                    plan.crash(a, cut, Some(out_for));
                } else {
                    let rest: Vec<NodeId> = (0..nodes).map(NodeId).filter(|&n| n != a).collect();
                    plan.push(cut, Action::Heal);
                    plan.push(
                        cut,
                        Action::Partition {
                            groups: vec![vec![a], rest],
                        },
                    );
                }
                let voters = rng.range_u64(1, 3) as usize;
                for &voter in order.iter().skip(2).take(voters) {
                    let crash = start + rng.range_u64(lo, 2 * hi + 20_000);
                    let down = log_uniform(&mut rng, 500, 50_000);
                    plan.crash(voter, crash, Some(down));
                }
                if a != b {
                    let then = start + rng.range_u64(2 * hi + 20_000, 2 * hi + 300_000);
                    plan.push(then, Action::ExpireTimers { node: b });
                }
                plan.push(watch.max(cut + out_for), Action::Heal);
            }
            Fault::Rolling => {
                let down_max = log_uniform(&mut rng, 1_000, 100_000);
                let gap_max = log_uniform(&mut rng, 1_000, 200_000);
                let mut t = at;
                for n in shuffled(&mut rng, nodes) {
                    let down = rng.range_u64(500, down_max + 1);
                    plan.crash(n, t, Some(down));
                    t += down + rng.range_u64(0, gap_max + 1);
                }
            }
            Fault::Partition => {
                let order = shuffled(&mut rng, nodes);
                let cut = rng.range_u64(1, u64::from(nodes)) as usize;
                let groups = vec![order[..cut].to_vec(), order[cut..].to_vec()];
                let after = log_uniform(&mut rng, 10_000, 3_000_000);
                plan.partition(at, after, Action::Partition { groups });
            }
            Fault::Isolate => {
                let rest: Vec<NodeId> = (0..nodes).map(NodeId).filter(|&n| n != node).collect();
                let after = log_uniform(&mut rng, 5_000, 1_000_000);
                let groups = vec![vec![node], rest];
                plan.partition(at, after, Action::Partition { groups });
            }
            Fault::OneWay => {
                let order = shuffled(&mut rng, nodes);
                let cut = rng.range_u64(1, u64::from(nodes)) as usize;
                let from_len = rng.range_u64(1, cut as u64 + 1) as usize;
                let to_len = rng.range_u64(1, (order.len() - cut) as u64 + 1) as usize;
                let from = order[..from_len].to_vec();
                let to = order[cut..cut + to_len].to_vec();
                let after = log_uniform(&mut rng, 10_000, 2_000_000);
                plan.partition(at, after, Action::PartitionOneWay { from, to });
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
    // Swarm over the load too: some seeds send requests up to ten times as fast, so logs grow
    // long enough for backtracking and batching to matter while the faults play out.
    let mut workload = base.workload.clone();
    if let Some(generator) = &mut workload.generator
        && rng.chance_ppm(400_000)
    {
        let divide = rng.range_u64(2, 11);
        generator.every_us = (generator.every_us / divide).max(1_000);
    }
    // Figure 8 on cue comes last, from the draws after all the others, so a seed without it has the
    // schedule it always had. It plays out on a whole cluster: whatever is broken is repaired a
    // while before it (as at the heal), and no other fault falls in between or during it.
    if nodes >= 3 && rng.chance_ppm(FIGURE8_PPM) {
        let requests = Requests {
            generator: workload.generator,
            nodes,
        };
        let at = rng.range_u64(heal / 5, heal / 2 + 1);
        let mut cue = Plan {
            faults: Vec::new(),
            heal,
            down: Vec::new(),
            max_down: plan.max_down,
        };
        figure8(
            &mut cue,
            &mut rng,
            at,
            base.network.default.delay.bounds_us(),
            &requests,
        );
        let last = cue
            .faults
            .iter()
            .map(|f| f.at_us)
            .max()
            .unwrap_or(SimTime(at));
        let repaired = SimTime(at.saturating_sub(SETTLE_US));
        plan.faults.retain(|f| f.at_us < repaired || f.at_us > last);
        for action in repairs(base, &links_changed, &drifted) {
            plan.push(repaired.as_us(), action);
        }
        plan.faults.extend(cue.faults);
    }
    let mut faults = plan.faults;
    faults.sort_by_key(|s| s.at_us);
    let at_us = SimTime(heal);
    faults.extend(
        repairs(base, &links_changed, &drifted)
            .into_iter()
            .map(|action| Scheduled { at_us, action }),
    );
    let mut scenario = base.clone();
    scenario.name = format!("{} (sweep seed {seed})", base.name);
    scenario.seed = seed;
    scenario.faults = faults;
    scenario.workload = workload;
    scenario.interventions = Vec::new();
    scenario
}

/// The paper's Figure 8 on cue. A leader `a` is cut off with a minority and takes an entry from a
/// client, which reaches only that minority; the minority crashes. A node `e` of the majority wins
/// the next term, is cut off just after its followers hear of it, takes a different entry at the
/// same index from the next client (redirected to it), and crashes. `a` returns, wins a later term
/// (its log is the most up to date) and sends its old entry to the majority, and crashes before the
/// next client request. `e` returns and wins again, with the votes of servers whose logs end in
/// `a`'s older term, and overwrites the entry. Correct Raft never committed it (it is not from
/// `a`'s term), so that is safe; a leader that commits by counting replicas has committed what `e`
/// overwrites. The rest of the minority stays down until `e` has won, so `a` gets no requests
/// through it.
///
/// Entries come only from client requests, so each step is timed between two of the workload's
/// requests, and by the latencies.
fn figure8(plan: &mut Plan, rng: &mut SimRng, at: u64, (lo, hi): (u64, u64), requests: &Requests) {
    let (lo, hi) = (lo.max(1_000), hi.max(2_000));
    // A redirected client retries about this much later.
    let redirect = 1_000;
    let nodes = requests.nodes;
    let order = shuffled(rng, nodes);
    let (minority, majority) = order.split_at((nodes - (nodes / 2 + 1)) as usize);
    let (a, e) = (minority[0], majority[0]);
    let others: Vec<NodeId> = order.iter().copied().filter(|&n| n != e).collect();
    // `a`'s election starts once every follower holds the latest entry; it is cut off with the
    // minority once the majority has heard from it.
    let mut t = requests.next(at, &[]) + redirect + hi + 1 + rng.range_u64(0, lo);
    plan.push(t, Action::ExpireTimers { node: a });
    t += 3 * hi + 1 + rng.range_u64(0, lo);
    plan.push(t, Action::Heal);
    plan.push(
        t,
        Action::Partition {
            groups: vec![minority.to_vec(), majority.to_vec()],
        },
    );
    // The next request reaches `a` and the minority; then the minority crashes and `e` runs.
    t = requests.next(t, &[]) + redirect + hi + 1 + rng.range_u64(0, lo);
    let minority_down = t;
    plan.push(t, Action::ExpireTimers { node: e });
    t += 3 * hi + 1;
    plan.push(t, Action::Heal);
    plan.push(
        t,
        Action::Partition {
            groups: vec![vec![e], others],
        },
    );
    // The next request not sent to the crashed minority reaches `e` alone; `e` crashes, `a`
    // returns and stands twice at once (the majority voted for `e` in the next term).
    let e_down = requests.next(t, minority) + redirect + 1 + rng.range_u64(0, lo);
    let a_stands = e_down + rng.range_u64(0, lo);
    // `a` wins and has its entry acknowledged within six latencies: it crashes before the next
    // request that could reach it, and `e` returns and stands twice at once.
    let down: Vec<NodeId> = minority[1..].iter().copied().chain([e]).collect();
    let a_down = requests.next(a_stands + 6 * lo, &down) - 1 - rng.range_u64(0, lo);
    for &n in &minority[1..] {
        plan.crash(n, minority_down, Some(a_down + 4 * hi - minority_down));
    }
    plan.crash(a, minority_down, Some(e_down - minority_down));
    plan.push(e_down, Action::Heal);
    plan.crash(e, e_down, Some(a_down - e_down));
    plan.push(a_stands, Action::ExpireTimers { node: a });
    plan.push(a_stands, Action::ExpireTimers { node: a });
    plan.crash(a, a_down, Some(log_uniform(rng, 20_000, 1_000_000)));
    plan.push(a_down, Action::ExpireTimers { node: e });
    plan.push(a_down, Action::ExpireTimers { node: e });
}

/// What makes the cluster whole again: heal every partition, restore the links and clock drifts
/// the faults changed, resume and restart every node.
fn repairs(base: &Scenario, links: &[(NodeId, NodeId)], drifted: &[NodeId]) -> Vec<Action> {
    let mut actions = vec![Action::Heal];
    for &(from, to) in links {
        let link = base
            .network
            .links
            .iter()
            .find(|l| l.from == from && l.to == to)
            .map_or(base.network.default, |l| l.config);
        actions.push(Action::SetLink { from, to, link });
    }
    for &node in drifted {
        let ppm = base
            .clocks
            .nodes
            .iter()
            .find(|c| c.node == node)
            .map_or(base.clocks.default.drift_ppm, |c| c.clock.drift_ppm);
        actions.push(Action::ClockDrift { node, ppm });
    }
    for node in (0..base.nodes).map(NodeId) {
        actions.push(Action::Resume { node });
        actions.push(Action::Restart { node });
    }
    actions
}

/// When the workload's generated requests arrive, and where.
struct Requests {
    generator: Option<Generator>,
    nodes: u32,
}

impl Requests {
    /// The first generated request at or after `t` that is not sent to one of `skip` (known only
    /// when requests go round robin), or `t` if there are none.
    fn next(&self, t: u64, skip: &[NodeId]) -> u64 {
        let Some(g) = self.generator else {
            return t;
        };
        let every = g.every_us.max(1);
        let mut k = t.saturating_sub(g.start_us).div_ceil(every);
        if g.target == Target::RoundRobin {
            let nodes = u64::from(self.nodes);
            let skipped = (0..nodes).find(|i| !skip.contains(&NodeId(((k + i) % nodes) as u32)));
            k += skipped.unwrap_or(0);
        }
        g.start_us + k * every
    }
}

/// The nodes in a random order.
fn shuffled(rng: &mut SimRng, nodes: u32) -> Vec<NodeId> {
    let mut order: Vec<NodeId> = (0..nodes).map(NodeId).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.index(i + 1));
    }
    order
}

/// Faults of the fault phase; repairs that would fall after it are left to the heal phase.
struct Plan {
    faults: Vec<Scheduled>,
    heal: u64,
    /// Crash intervals so far, (node, from, to), and how many nodes may be down at once.
    down: Vec<(NodeId, u64, u64)>,
    max_down: usize,
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

    /// Crashes `node` at `at` for `down_for` (until the heal if `None`), unless that would take
    /// down a majority: the fault phase should show the protocol working around failures, not
    /// merely stalling.
    fn crash(&mut self, node: NodeId, at: u64, down_for: Option<u64>) {
        if at >= self.heal {
            return;
        }
        let until = down_for.map_or(self.heal, |d| (at + d).min(self.heal));
        let overlapping = self
            .down
            .iter()
            .filter(|&&(_, from, to)| from < until && at < to)
            .count();
        let same_node = self
            .down
            .iter()
            .any(|&(n, from, to)| n == node && from <= until && at <= to);
        if overlapping >= self.max_down || same_node {
            return;
        }
        self.down.push((node, at, until));
        self.push(at, Action::Crash { node });
        if let Some(d) = down_for {
            self.push(at + d, Action::Restart { node });
        }
    }

    /// Applies `cut` at `at` and heals it `after` later. A new partition replaces the last one
    /// (partitions would otherwise pile up until every node is alone).
    fn partition(&mut self, at: u64, after: u64, cut: Action) {
        self.push(at, Action::Heal);
        self.push(at, cut);
        self.push(at + after, Action::Heal);
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
        corrupt_ppm: base.corrupt_ppm,
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
