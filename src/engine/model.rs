//! System models: the assumptions about links, nodes and timing that a protocol's guarantees rest
//! on (Kleppmann's lecture 2). A scenario may declare one; the engine then enforces it: a fault the
//! model forbids is refused with the reason ([`SystemModel::forbids`]), in the scenario, as an
//! intervention and in the page, and the network keeps the model's timing (no delay past a
//! synchronous bound; before a partially synchronous model's global stabilisation time, delays
//! that are long and erratic, and after it, within the bound). A scenario that declares none keeps
//! every fault available, as before models existed.

use crate::engine::action::Action;
use crate::engine::ids::NodeId;
use crate::engine::network::{LinkConfig, NetworkConfig};
use crate::engine::rng::SimRng;
use crate::engine::time::{SimTime, format_us};
use serde::{Deserialize, Serialize};

/// What links do to messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Links {
    /// A message is received if and only if it is sent (it may be reordered).
    Reliable,
    /// Messages may be lost, duplicated or reordered, but one sent again and again gets through.
    FairLoss,
    /// Anything goes: links may also lose everything for ever.
    Arbitrary,
}

/// How nodes fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failures {
    /// A crashed node never comes back.
    CrashStop,
    /// A crashed node may restart, with its stable storage.
    CrashRecovery,
    /// A faulty node may do anything, lie included (it may also crash and restart).
    Byzantine,
}

/// What nodes and links promise about time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Timing {
    /// Every message arrives within `bound_us`, and nodes run at a known speed (no pauses).
    Synchronous { bound_us: u64 },
    /// Asynchronous until the global stabilisation time `gst_us`, synchronous with `bound_us`
    /// after it.
    PartiallySynchronous { gst_us: u64, bound_us: u64 },
    /// No bound on delays or on how long a node may pause.
    Asynchronous,
}

/// What a property may rest on; a declared model that does not provide it does not promise the
/// property ([`SystemModel::unmet`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assumption {
    /// Synchronous timing from the start: bounded delays, no pauses.
    Synchrony,
    /// Synchronous or partially synchronous timing: the bound holds at least after GST.
    EventualSynchrony,
    /// Reliable links: every message sent is received.
    ReliableLinks,
}

/// A scenario's declared system model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemModel {
    pub network: Links,
    pub nodes: Failures,
    pub timing: Timing,
    /// At most this many nodes may be faulty (crash, or turn traitor) in a run; none: any number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faulty: Option<u32>,
}

/// While a synchronous bound holds, no clock drifts faster than this (parts per million): quartz
/// drifts by tens of ppm, so a thousand is generous.
pub const MAX_SYNC_DRIFT_PPM: u32 = 1_000;
/// The longest bound a synchronous model may declare.
pub const MAX_BOUND_US: u64 = 60_000_000;
/// Before GST, a message the network does not hold waits up to this many bounds more than its
/// link's delay.
const PRE_GST_FACTOR: u64 = 10;
/// Before GST, the share of messages the network holds until GST, in parts per million.
const HELD_BEFORE_GST_PPM: u32 = 500_000;

impl Links {
    pub fn label(self) -> &'static str {
        match self {
            Links::Reliable => "reliable links",
            Links::FairLoss => "fair-loss links",
            Links::Arbitrary => "arbitrary links",
        }
    }
}

impl Failures {
    pub fn label(self) -> &'static str {
        match self {
            Failures::CrashStop => "crash-stop",
            Failures::CrashRecovery => "crash-recovery",
            Failures::Byzantine => "Byzantine",
        }
    }
}

impl Timing {
    pub fn label(self) -> String {
        match self {
            Timing::Synchronous { bound_us } => format!("synchronous (≤ {})", us(bound_us)),
            Timing::PartiallySynchronous { gst_us, bound_us } => format!(
                "partially synchronous (≤ {} after GST at {})",
                us(bound_us),
                us(gst_us)
            ),
            Timing::Asynchronous => "asynchronous".to_string(),
        }
    }

    /// The delay bound in force at `now`, if any.
    fn bound_at(self, now: SimTime) -> Option<u64> {
        match self {
            Timing::Synchronous { bound_us } => Some(bound_us),
            Timing::PartiallySynchronous { gst_us, bound_us } if now.as_us() >= gst_us => {
                Some(bound_us)
            }
            Timing::PartiallySynchronous { .. } | Timing::Asynchronous => None,
        }
    }

    /// When a copy sent at `now` that the link would deliver at `arrive_at` arrives under this
    /// timing: within the bound under synchrony. Before GST the network is adversarial: it holds
    /// half the messages until GST (they arrive within the bound after it) and delays the others
    /// by up to ten bounds more, never past GST plus the bound.
    pub(crate) fn arrival(self, now: SimTime, arrive_at: SimTime, rng: &mut SimRng) -> SimTime {
        match self {
            Timing::Synchronous { bound_us } => arrive_at.min(now.saturating_add_us(bound_us)),
            Timing::PartiallySynchronous { gst_us, bound_us } => {
                if now.as_us() >= gst_us {
                    return arrive_at.min(now.saturating_add_us(bound_us));
                }
                let settled = SimTime(gst_us).saturating_add_us(bound_us);
                if rng.chance_ppm(HELD_BEFORE_GST_PPM) {
                    return SimTime(gst_us).saturating_add_us(rng.range_u64(0, bound_us + 1));
                }
                let late = arrive_at.saturating_add_us(rng.range_u64(0, PRE_GST_FACTOR * bound_us));
                late.min(settled)
            }
            Timing::Asynchronous => arrive_at,
        }
    }
}

fn us(value: u64) -> String {
    format_us(i128::from(value))
}

impl SystemModel {
    /// The model in words: "fair-loss links · crash-recovery · asynchronous · at most 1 faulty".
    pub fn label(&self) -> String {
        let mut parts = vec![
            self.network.label().to_string(),
            self.nodes.label().to_string(),
            self.timing.label(),
        ];
        if let Some(f) = self.faulty {
            parts.push(format!("at most {f} faulty"));
        }
        parts.join(" · ")
    }

    /// Why this model does not promise a property resting on `assumes`, if it does not: the first
    /// assumption it fails, e.g. "needs synchronous timing, but the model is asynchronous".
    pub fn unmet(&self, assumes: &[Assumption]) -> Option<String> {
        assumes.iter().find_map(|assumption| {
            let (met, needs) = match assumption {
                Assumption::Synchrony => (
                    matches!(self.timing, Timing::Synchronous { .. }),
                    "synchronous timing",
                ),
                Assumption::EventualSynchrony => (
                    !matches!(self.timing, Timing::Asynchronous),
                    "timing that is synchronous at least after some point",
                ),
                Assumption::ReliableLinks => (self.network == Links::Reliable, "reliable links"),
            };
            let has = match assumption {
                Assumption::ReliableLinks => self.says_links(),
                _ => format!("the model's timing is {}", self.timing.label()),
            };
            (!met).then(|| format!("needs {needs}, but {has}"))
        })
    }

    /// Checks the model's own numbers.
    pub fn validate(&self, nodes: u32) -> Result<(), String> {
        let bound = match self.timing {
            Timing::Synchronous { bound_us } => Some(bound_us),
            Timing::PartiallySynchronous { gst_us, bound_us } => {
                if gst_us > crate::engine::time::HOUR_US {
                    return Err(
                        "`model.timing.partially_synchronous.gst_us` must be at most \
                                one hour"
                            .into(),
                    );
                }
                Some(bound_us)
            }
            Timing::Asynchronous => None,
        };
        if let Some(bound) = bound
            && !(1..=MAX_BOUND_US).contains(&bound)
        {
            return Err(format!(
                "the model's `bound_us` is {bound}, but must be from 1µs to 1 minute"
            ));
        }
        if let Some(f) = self.faulty
            && f > nodes
        {
            return Err(format!(
                "`model.faulty` is {f}, but the scenario has only {nodes} nodes"
            ));
        }
        Ok(())
    }

    /// Why the model forbids a link that behaves as `link`, if it does.
    pub fn forbids_link(&self, link: &LinkConfig) -> Option<String> {
        if link.corrupt_ppm > 0 && self.network != Links::Arbitrary {
            return Some(self.no_corruption());
        }
        match self.network {
            Links::Reliable if link.loss_ppm > 0 => {
                return Some(format!("{}: no message may be lost", self.says_links()));
            }
            Links::Reliable if link.duplicate_ppm > 0 => {
                return Some(format!(
                    "{}: each message is delivered once",
                    self.says_links()
                ));
            }
            Links::FairLoss if link.loss_ppm >= 1_000_000 => {
                return Some(format!(
                    "{}: a message sent again and again gets through, so no link may lose \
                     everything",
                    self.says_links()
                ));
            }
            _ => {}
        }
        let bound = match self.timing {
            Timing::Synchronous { bound_us } => bound_us,
            _ => return None,
        };
        let (_, max) = link.delay.bounds_us();
        (max > bound).then(|| {
            format!(
                "the model is synchronous: no delay may exceed {}, but this link's reach {}",
                us(bound),
                us(max)
            )
        })
    }

    /// Whether `action` can make a node faulty, so that judging it needs the nodes already
    /// faulty (`forbids`'s `faulty`, and a corrupted message's receiver): a caller need not work
    /// that list out for anything else.
    pub fn counts_faults(action: &Action) -> bool {
        matches!(
            action,
            Action::Crash { .. }
                | Action::Traitor { .. }
                | Action::SetLink { .. }
                | Action::CorruptMessage { .. }
        )
    }

    /// Why the model forbids `action` at `now`, if it does; `faulty` are the nodes already faulty
    /// (crashed or turned traitor at some point so far).
    pub fn forbids(&self, action: &Action, now: SimTime, faulty: &[NodeId]) -> Option<String> {
        let reliable = self.network == Links::Reliable;
        let bound = self.timing.bound_at(now);
        match action {
            Action::Restart { .. } if self.nodes == Failures::CrashStop => {
                Some("the model is crash-stop: a crashed node never comes back".to_string())
            }
            Action::Traitor { .. } if self.nodes != Failures::Byzantine => Some(format!(
                "the model's nodes are {}, not Byzantine: no node may lie",
                self.nodes.label()
            )),
            Action::Crash { node } | Action::Traitor { node, .. } => self.over_budget(*node, faulty),
            Action::CorruptMessage { .. } if self.network != Links::Arbitrary => {
                Some(self.no_corruption())
            }
            Action::SetLink { to, link, .. } if link.corrupt_ppm > 0 => self
                .forbids_link(link)
                .or_else(|| self.over_budget(*to, faulty)),
            Action::Partition { .. }
            | Action::PartitionOneWay { .. }
            | Action::DropMessage { .. }
                if reliable =>
            {
                Some(format!("{}: no message may be lost", self.says_links()))
            }
            Action::DuplicateMessage { .. } if reliable => Some(format!(
                "{}: each message is delivered once",
                self.says_links()
            )),
            Action::SetLink { link, .. } => self.forbids_link(link),
            Action::Hold { .. } => bound.map(|b| {
                format!(
                    "the model is synchronous now: holding messages would delay them past {}",
                    us(b)
                )
            }),
            Action::Pause { .. } => bound.map(|_| {
                "the model is synchronous now: nodes run at a known speed, so none may pause"
                    .to_string()
            }),
            Action::ClockDrift { ppm, .. } if ppm.unsigned_abs() > MAX_SYNC_DRIFT_PPM => {
                bound.map(|_| {
                    format!(
                        "the model is synchronous now: clocks drift by at most {MAX_SYNC_DRIFT_PPM} \
                         ppm, not {ppm}"
                    )
                })
            }
            Action::ExpireTimers { .. } => bound.map(|_| {
                "the model is synchronous now: timers fire on time, so none may be forced early"
                    .to_string()
            }),
            Action::DelayMessage { by_us, .. } => bound.filter(|b| by_us > b).map(|b| {
                format!(
                    "the model is synchronous now: no message may be delayed past {}",
                    us(b)
                )
            }),
            _ => None,
        }
    }

    /// Why making `node` faulty breaks the model's budget of faulty nodes, given the nodes already
    /// `faulty`, if it does.
    pub fn over_budget(&self, node: NodeId, faulty: &[NodeId]) -> Option<String> {
        let f = self.faulty?;
        let more = !faulty.contains(&node) && faulty.len() as u32 >= f;
        if more && f == 0 {
            return Some("the model allows no faulty node".to_string());
        }
        more.then(|| {
            format!(
                "the model allows at most {f} faulty node{}, and {} already {}",
                if f == 1 { "" } else { "s" },
                crate::engine::ids::join_nodes(faulty, ", "),
                if faulty.len() == 1 { "is" } else { "are" }
            )
        })
    }

    fn no_corruption(&self) -> String {
        format!(
            "{}: they may lose a message, never alter one (only arbitrary links corrupt)",
            self.says_links()
        )
    }

    /// Why the corrupting links of `network` break the model's budget of faulty nodes, if they do:
    /// a corrupted link counts as a fault of the node it delivers to.
    pub fn forbids_corrupting(&self, network: &NetworkConfig, nodes: u32) -> Option<String> {
        let mut faulty = Vec::new();
        for node in corrupted_receivers(network, nodes) {
            if let Some(reason) = self.over_budget(node, &faulty) {
                return Some(format!(
                    "a link that corrupts messages to {node} makes it faulty, and {reason}"
                ));
            }
            faulty.push(node);
        }
        None
    }

    /// The first of `actions` (in the order they run) the model forbids, by its position, with
    /// the reason; each is judged with the nodes the actions before it made faulty, starting from
    /// `faulty`.
    pub fn first_forbidden<'a>(
        &self,
        mut faulty: Vec<NodeId>,
        actions: impl IntoIterator<Item = (SimTime, &'a Action)>,
    ) -> Option<(usize, String)> {
        for (i, (at, action)) in actions.into_iter().enumerate() {
            if let Some(reason) = self.forbids(action, at, &faulty) {
                return Some((i, reason));
            }
            note_faulty(&mut faulty, action);
        }
        None
    }

    fn says_links(&self) -> String {
        let kind = match self.network {
            Links::Reliable => "reliable",
            Links::FairLoss => "fair-loss",
            Links::Arbitrary => "arbitrary",
        };
        format!("the model's links are {kind}")
    }
}

/// The nodes that are faulty once `actions` (in time order) have run: crashed or turned traitor
/// at some point.
pub fn faulty_nodes<'a>(actions: impl IntoIterator<Item = &'a Action>) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    for action in actions {
        note_faulty(&mut nodes, action);
    }
    nodes
}

/// Adds the node `action` makes faulty (by crashing it, turning it traitor, or corrupting a link
/// to it: Lamport, Shostak and Pease count a faulty link as a fault of one of its ends) to
/// `faulty`.
pub fn note_faulty(faulty: &mut Vec<NodeId>, action: &Action) {
    let node = match action {
        Action::Crash { node } | Action::Traitor { node, .. } => node,
        Action::SetLink { to, link, .. } if link.corrupt_ppm > 0 => to,
        _ => return,
    };
    if !faulty.contains(node) {
        faulty.push(*node);
    }
}

/// The nodes that links corrupting messages in `network` deliver to (every node, when the default
/// link corrupts), in node order.
pub fn corrupted_receivers(network: &NetworkConfig, nodes: u32) -> Vec<NodeId> {
    (0..nodes)
        .map(NodeId)
        .filter(|&to| {
            let into = |from: NodeId| {
                network
                    .links
                    .iter()
                    .find(|l| l.from == from && l.to == to)
                    .map_or(network.default, |l| l.config)
                    .corrupt_ppm
                    > 0
            };
            (0..nodes).map(NodeId).any(|from| from != to && into(from))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::network::Delay;

    fn model(network: Links, nodes: Failures, timing: Timing) -> SystemModel {
        SystemModel {
            network,
            nodes,
            timing,
            faulty: None,
        }
    }

    #[test]
    fn each_assumption_forbids_its_faults_with_a_reason() {
        let strict = model(
            Links::Reliable,
            Failures::CrashStop,
            Timing::Synchronous { bound_us: 50_000 },
        );
        let now = SimTime::ZERO;
        let n = NodeId(1);
        for action in [
            Action::Restart { node: n },
            Action::Partition {
                groups: vec![vec![n]],
            },
            Action::Pause { node: n },
            Action::Hold { from: n, to: n },
        ] {
            assert!(strict.forbids(&action, now, &[]).is_some(), "{action:?}");
        }
        assert_eq!(strict.forbids(&Action::Crash { node: n }, now, &[]), None);
        let loose = model(Links::Arbitrary, Failures::Byzantine, Timing::Asynchronous);
        assert_eq!(loose.forbids(&Action::Pause { node: n }, now, &[]), None);
        let slow = LinkConfig {
            delay: Delay::Constant { us: 80_000 },
            ..LinkConfig::default()
        };
        assert!(strict.forbids_link(&slow).unwrap().contains("80ms"));
        let gst = model(
            Links::FairLoss,
            Failures::CrashRecovery,
            Timing::PartiallySynchronous {
                gst_us: 1_000_000,
                bound_us: 50_000,
            },
        );
        let pause = Action::Pause { node: n };
        assert_eq!(gst.forbids(&pause, SimTime(999_999), &[]), None);
        assert!(gst.forbids(&pause, SimTime(1_000_000), &[]).is_some());
        let one = SystemModel {
            faulty: Some(1),
            ..gst
        };
        let crash = Action::Crash { node: NodeId(2) };
        assert_eq!(one.forbids(&crash, now, &[NodeId(2)]), None);
        assert!(
            one.forbids(&crash, now, &[NodeId(0)])
                .unwrap()
                .contains("at most 1 faulty node, and n1 already is")
        );
    }

    #[test]
    fn timing_bounds_arrivals() {
        let mut rng = SimRng::derive(1, crate::engine::rng::Purpose::Faults);
        let sync = Timing::Synchronous { bound_us: 10 };
        assert_eq!(
            sync.arrival(SimTime(5), SimTime(100), &mut rng),
            SimTime(15)
        );
        let partial = Timing::PartiallySynchronous {
            gst_us: 1_000,
            bound_us: 10,
        };
        for sent in [0, 500, 995] {
            let at = partial.arrival(SimTime(sent), SimTime(sent + 1), &mut rng);
            assert!(at.as_us() <= 1_010, "by GST plus the bound");
        }
        assert_eq!(
            partial.arrival(SimTime(2_000), SimTime(3_000), &mut rng),
            SimTime(2_010)
        );
    }
}
