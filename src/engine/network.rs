//! The network: directed links with delay, loss, duplication and ordering; partitions (two-way and
//! one-way) and held links. Pure data plus the draws that decide each message's fate.

use crate::engine::ids::NodeId;
use crate::engine::model::Timing;
use crate::engine::rng::SimRng;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest one-way delay a link may have: one hour of simulated time.
pub const MAX_DELAY_US: u64 = 3_600_000_000;

/// How long a message takes on a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Delay {
    /// Always exactly `us`.
    Constant { us: u64 },
    /// Uniform in `min_us..=max_us`.
    Uniform { min_us: u64, max_us: u64 },
    /// Long-tailed (Pareto, shape 2) from `min_us`, cut off at `max_us`: the median is about
    /// 1.4 × `min_us` and one message in a hundred takes ten times `min_us`.
    LongTail { min_us: u64, max_us: u64 },
}

impl Delay {
    pub fn bounds_us(&self) -> (u64, u64) {
        match *self {
            Delay::Constant { us } => (us, us),
            Delay::Uniform { min_us, max_us } | Delay::LongTail { min_us, max_us } => {
                (min_us, max_us)
            }
        }
    }

    fn draw(&self, rng: &mut SimRng) -> u64 {
        match *self {
            Delay::Constant { us } => us,
            Delay::Uniform { min_us, max_us } => rng.range_u64(min_us, max_us.saturating_add(1)),
            Delay::LongTail { min_us, max_us } => {
                // Inverse transform of Pareto(shape 2): min / sqrt(u) with u uniform in (0, 1],
                // computed as min * sqrt(2^32 / u') in integers so every platform agrees.
                let u = u64::from(rng.next_u32()) + 1;
                let scaled = (1u64 << 32) * 65_536 / u;
                let factor_x256 = scaled.isqrt();
                let us = u128::from(min_us) * u128::from(factor_x256) / 256;
                us.min(u128::from(max_us)) as u64
            }
        }
    }
}

fn default_fifo() -> bool {
    false
}

/// The behaviour of one directed link (or the default for all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    pub delay: Delay,
    /// Fraction of messages lost, in parts per million (100000 = 10 %).
    #[serde(default)]
    pub loss_ppm: u32,
    /// Fraction of messages delivered twice, in parts per million.
    #[serde(default)]
    pub duplicate_ppm: u32,
    /// Deliver in send order (a later message never overtakes an earlier one on this link).
    #[serde(default = "default_fifo")]
    pub fifo: bool,
    /// Fraction of messages the link alters on the way, in parts per million: they arrive forged
    /// (for protocols with Byzantine behaviours only, under arbitrary links).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub corrupt_ppm: u32,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            delay: Delay::Uniform {
                min_us: 1_000,
                max_us: 5_000,
            },
            loss_ppm: 0,
            duplicate_ppm: 0,
            fifo: false,
            corrupt_ppm: 0,
        }
    }
}

/// A link that behaves differently from the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOverride {
    pub from: NodeId,
    pub to: NodeId,
    #[serde(flatten)]
    pub config: LinkConfig,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    #[serde(default)]
    pub default: LinkConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkOverride>,
}

impl NetworkConfig {
    /// Every link configuration, the default first, each with where it stands in a scenario
    /// (`network.default`, `network.links[2]`).
    pub fn configs(&self) -> impl Iterator<Item = (String, &LinkConfig)> {
        std::iter::once(("network.default".to_string(), &self.default)).chain(
            self.links
                .iter()
                .enumerate()
                .map(|(i, l)| (format!("network.links[{i}]"), &l.config)),
        )
    }
}

/// What the network decided for one copy of a message at send time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transit {
    pub arrive_at: SimTime,
    pub lost: bool,
    /// The link alters this copy on the way (`LinkConfig::corrupt_ppm`).
    pub corrupted: bool,
}

/// Live network state. Per-link state lives in flat `n × n` tables indexed `from * n + to`.
#[derive(Debug)]
pub struct Network {
    n: usize,
    seed: u64,
    default: LinkConfig,
    overrides: BTreeMap<(NodeId, NodeId), LinkConfig>,
    blocked: Vec<bool>,
    blocked_count: usize,
    held: Vec<bool>,
    held_count: usize,
    /// Per sending node, its outgoing links' streams, derived on its first send.
    rngs: Vec<Vec<SimRng>>,
    fifo_last: Vec<u64>,
    /// The declared model's timing, which bounds (or, before GST, stretches) every delay.
    timing: Option<Timing>,
}

/// By hand for `clone_from`, which copies into the tables already there (see `World::clone_from`).
impl Clone for Network {
    fn clone(&self) -> Network {
        Network {
            n: self.n,
            seed: self.seed,
            default: self.default,
            overrides: self.overrides.clone(),
            blocked: self.blocked.clone(),
            blocked_count: self.blocked_count,
            held: self.held.clone(),
            held_count: self.held_count,
            rngs: self.rngs.clone(),
            fifo_last: self.fifo_last.clone(),
            timing: self.timing,
        }
    }

    fn clone_from(&mut self, source: &Network) {
        let Network {
            n,
            seed,
            default,
            overrides,
            blocked,
            blocked_count,
            held,
            held_count,
            rngs,
            fifo_last,
            timing,
        } = self;
        *n = source.n;
        *seed = source.seed;
        *default = source.default;
        if *overrides != source.overrides {
            overrides.clone_from(&source.overrides);
        }
        blocked.clone_from(&source.blocked);
        *blocked_count = source.blocked_count;
        held.clone_from(&source.held);
        *held_count = source.held_count;
        rngs.clone_from(&source.rngs);
        fifo_last.clone_from(&source.fifo_last);
        *timing = source.timing;
    }
}

impl Network {
    pub fn new(n: u32, seed: u64, config: &NetworkConfig) -> Network {
        let n = n as usize;
        Network {
            n,
            seed,
            default: config.default,
            overrides: config
                .links
                .iter()
                .map(|l| ((l.from, l.to), l.config))
                .collect(),
            blocked: vec![false; n * n],
            blocked_count: 0,
            held: vec![false; n * n],
            held_count: 0,
            rngs: vec![Vec::new(); n],
            fifo_last: vec![0; n * n],
            timing: None,
        }
    }

    /// Keeps every delay to `timing` from now on (see `Timing::arrival`).
    pub fn set_timing(&mut self, timing: Timing) {
        self.timing = Some(timing);
    }

    fn slot(&self, from: NodeId, to: NodeId) -> usize {
        from.index() * self.n + to.index()
    }

    pub fn config(&self, from: NodeId, to: NodeId) -> LinkConfig {
        if self.overrides.is_empty() {
            return self.default;
        }
        self.overrides
            .get(&(from, to))
            .copied()
            .unwrap_or(self.default)
    }

    pub fn default_config(&self) -> LinkConfig {
        self.default
    }

    /// Links whose configuration differs from the default, in `(from, to)` order.
    pub fn overrides(&self) -> impl Iterator<Item = (NodeId, NodeId, LinkConfig)> + '_ {
        self.overrides.iter().map(|(&(f, t), &c)| (f, t, c))
    }

    pub fn set_config(&mut self, from: NodeId, to: NodeId, config: LinkConfig) {
        if config == self.default {
            self.overrides.remove(&(from, to));
        } else {
            self.overrides.insert((from, to), config);
        }
    }

    pub fn is_blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.blocked_count > 0 && self.blocked[self.slot(from, to)]
    }

    pub fn is_held(&self, from: NodeId, to: NodeId) -> bool {
        self.held_count > 0 && self.held[self.slot(from, to)]
    }

    /// Blocks every directed pair `from → to` (a one-way partition).
    pub fn block(&mut self, from: &[NodeId], to: &[NodeId]) {
        for &a in from {
            for &b in to {
                if a != b {
                    let slot = self.slot(a, b);
                    if !self.blocked[slot] {
                        self.blocked[slot] = true;
                        self.blocked_count += 1;
                    }
                }
            }
        }
    }

    /// Splits the nodes into groups that cannot reach each other. Nodes not named in any group form
    /// one more group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        let mut group_of = vec![usize::MAX; self.n];
        for (g, members) in groups.iter().enumerate() {
            for m in members {
                group_of[m.index()] = g;
            }
        }
        for a in 0..self.n {
            for b in 0..self.n {
                if a != b && group_of[a] != group_of[b] {
                    let slot = a * self.n + b;
                    if !self.blocked[slot] {
                        self.blocked[slot] = true;
                        self.blocked_count += 1;
                    }
                }
            }
        }
    }

    pub fn heal(&mut self) {
        self.blocked.iter_mut().for_each(|b| *b = false);
        self.blocked_count = 0;
    }

    /// Every blocked directed pair, in order.
    pub fn blocked_pairs(&self) -> Vec<(NodeId, NodeId)> {
        self.pairs_where(&self.blocked, self.blocked_count)
    }

    pub fn held_pairs(&self) -> Vec<(NodeId, NodeId)> {
        self.pairs_where(&self.held, self.held_count)
    }

    fn pairs_where(&self, table: &[bool], count: usize) -> Vec<(NodeId, NodeId)> {
        if count == 0 {
            return Vec::new();
        }
        table
            .iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(i, _)| (NodeId((i / self.n) as u32), NodeId((i % self.n) as u32)))
            .collect()
    }

    pub fn set_held(&mut self, from: NodeId, to: NodeId, held: bool) {
        let slot = self.slot(from, to);
        if self.held[slot] != held {
            self.held[slot] = held;
            if held {
                self.held_count += 1;
            } else {
                self.held_count -= 1;
            }
        }
    }

    /// The link `from → to`'s own random stream (a corrupting link draws its forgeries from it).
    pub fn link_rng(&mut self, from: NodeId, to: NodeId) -> &mut SimRng {
        let row = &mut self.rngs[from.index()];
        if row.is_empty() {
            *row = SimRng::derive_links(self.seed, from, self.n as u32);
        }
        &mut row[to.index()]
    }

    /// Decides the fate of one message: how many copies arrive (one, or two when duplicated),
    /// when, and whether each is lost on the way. Draws come from the link's own stream.
    pub fn transmit(
        &mut self,
        now: SimTime,
        from: NodeId,
        to: NodeId,
    ) -> (Transit, Option<Transit>) {
        let config = self.config(from, to);
        let slot = self.slot(from, to);
        let timing = self.timing;
        let rng = self.link_rng(from, to);
        let mut first = Self::one_copy(&config, rng, now);
        let mut second = if rng.chance_ppm(config.duplicate_ppm) {
            Some(Self::one_copy(&config, rng, now))
        } else {
            None
        };
        if let Some(timing) = timing {
            first.arrive_at = timing.arrival(now, first.arrive_at, rng);
            if let Some(copy) = &mut second {
                copy.arrive_at = timing.arrival(now, copy.arrive_at, rng);
            }
        }
        let (first, second) = if config.fifo {
            let last = &mut self.fifo_last[slot];
            let first = Self::in_order(first, last);
            let second = second.map(|copy| Self::in_order(copy, last));
            (first, second)
        } else {
            (first, second)
        };
        (first, second)
    }

    /// One copy's fate. A link that corrupts nothing draws nothing for it, so adding corruption
    /// to the engine left every earlier run's draws as they were.
    fn one_copy(config: &LinkConfig, rng: &mut SimRng, now: SimTime) -> Transit {
        let lost = rng.chance_ppm(config.loss_ppm);
        let delay = config.delay.draw(rng);
        let corrupted = config.corrupt_ppm > 0 && rng.chance_ppm(config.corrupt_ppm);
        Transit {
            arrive_at: now.saturating_add_us(delay),
            lost,
            corrupted,
        }
    }

    fn in_order(mut copy: Transit, last: &mut u64) -> Transit {
        copy.arrive_at = copy.arrive_at.max(SimTime(*last));
        *last = copy.arrive_at.0;
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Purpose;

    #[test]
    fn long_tail_is_long_tailed_and_bounded() {
        let delay = Delay::LongTail {
            min_us: 1_000,
            max_us: 50_000,
        };
        let mut rng = SimRng::derive(3, Purpose::Workload);
        let mut draws: Vec<u64> = (0..20_000).map(|_| delay.draw(&mut rng)).collect();
        draws.sort_unstable();
        assert!(draws[0] >= 1_000);
        assert!(*draws.last().unwrap() <= 50_000);
        let median = draws[draws.len() / 2];
        let p99 = draws[draws.len() * 99 / 100];
        assert!((1_300..1_550).contains(&median), "median {median}");
        assert!((8_000..12_500).contains(&p99), "p99 {p99}");
    }

    #[test]
    fn partitions_split_groups_and_the_rest() {
        let mut net = Network::new(5, 1, &NetworkConfig::default());
        net.partition(&[vec![NodeId(0), NodeId(1)]]);
        assert!(net.is_blocked(NodeId(0), NodeId(2)));
        assert!(net.is_blocked(NodeId(4), NodeId(1)));
        assert!(!net.is_blocked(NodeId(0), NodeId(1)));
        assert!(!net.is_blocked(NodeId(2), NodeId(4)));
        net.heal();
        assert!(!net.is_blocked(NodeId(0), NodeId(2)));
        net.block(&[NodeId(0)], &[NodeId(1)]);
        assert!(net.is_blocked(NodeId(0), NodeId(1)));
        assert!(!net.is_blocked(NodeId(1), NodeId(0)));
        assert_eq!(net.blocked_pairs(), vec![(NodeId(0), NodeId(1))]);
    }
}
