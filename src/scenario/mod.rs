//! The scenario: a small, versioned value that every run is a pure function of. It names the
//! protocol and its parameters, the nodes, network, clocks, workload, fault script, seed, horizon and
//! every intervention a user made. Decoding validates and bounds everything.

pub mod course;
pub mod explore;
pub mod guide;
pub mod link;
pub mod presets;
mod settings;
pub use settings::Settings;
pub mod search;
mod seen;
pub mod shrink;
pub mod sweep;

use crate::engine::action::{Action, Place, Scheduled};
use crate::engine::clock::{ClockConfig, MAX_DRIFT_PPM};
use crate::engine::ids::NodeId;
use crate::engine::model::SystemModel;
use crate::engine::network::{Delay, LinkConfig, MAX_DELAY_US, NetworkConfig};
use crate::engine::protocol::Protocol;
use crate::engine::run::{Explorable, Run};
use crate::engine::sim::{MAX_CLIENT_NAME, Setup, Sim, Workload};
use crate::engine::time::{SimTime, format_us};
use crate::protocols;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The scenario format this build writes. Every older version must keep decoding.
pub const FORMAT_VERSION: u32 = 1;
pub use crate::engine::ids::MAX_NODES;
/// One simulated hour.
pub const MAX_HORIZON_US: u64 = crate::engine::time::HOUR_US;
/// Fault script, interventions and scheduled requests, each.
pub use crate::engine::sim::MAX_SCRIPT_LEN;
pub const MAX_NAME_LEN: usize = 200;
pub const MAX_DESCRIPTION_LEN: usize = 10_000;
/// The largest scenario text accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 2_000_000;
const MAX_OFFSET_US: i64 = 86_400_000_000;
/// The fastest a workload generator may issue requests.
const MIN_GENERATOR_EVERY_US: u64 = 100;

/// The registry: every protocol a scenario can name, one line each. A line reads
/// `Variant => Type`: the scenario spells the protocol as the variant in snake case (which must be
/// the type's `Protocol::NAME`; `tests/scenario_validation.rs` checks it), with its parameters beside
/// the name: `{"name": "heartbeat", "interval_us": 100000}`. The protocol validates its own
/// parameters and offers its own example request; this is all the scenario layer knows of it.
macro_rules! registry {
    ($($(#[$cfg:meta])* $variant:ident => $protocol:ty,)*) => {
        /// The protocol every node runs, with its parameters.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "name", rename_all = "snake_case")]
        pub enum ProtocolConfig {
            $($(#[$cfg])* $variant(<$protocol as Protocol>::Params),)*
        }

        impl ProtocolConfig {
            /// The names of the protocols this build can run, in registry order.
            pub const NAMES: &[&str] = &[$($(#[$cfg])* <$protocol as Protocol>::NAME,)*];

            /// The names of every registered protocol, built into this engine or not (the page's
            /// engines each have a group of them: `scripts/engines.sh`).
            pub const ALL: &[&str] = &[$(<$protocol as Protocol>::NAME,)*];

            pub fn name(&self) -> &'static str {
                match self {
                    $($(#[$cfg])* ProtocolConfig::$variant(_) => <$protocol as Protocol>::NAME,)*
                }
            }

            /// The protocol's own checks of its parameters, and every client request in the
            /// scenario parsed as the protocol's request type.
            fn validate(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
                match self {
                    $($(#[$cfg])* ProtocolConfig::$variant(params) => {
                        scenario.check_requests::<$protocol>()?;
                        scenario.check_traitors::<$protocol>()?;
                        <$protocol as Protocol>::validate(params, scenario.nodes)
                            .map_err(ScenarioError)
                    })*
                }
            }

            fn build(&self, scenario: &Scenario) -> Result<Box<dyn Run>, ScenarioError> {
                match self {
                    $($(#[$cfg])* ProtocolConfig::$variant(params) => {
                        Ok(Box::new(scenario.sim::<$protocol>(params.clone())?))
                    })*
                }
            }

            fn explorable(
                &self,
                scenario: &Scenario,
            ) -> Result<Box<dyn Explorable>, ScenarioError> {
                match self {
                    $($(#[$cfg])* ProtocolConfig::$variant(params) => {
                        Ok(Box::new(scenario.sim::<$protocol>(params.clone())?))
                    })*
                }
            }
        }
    };
}

registry! {
    #[cfg(feature = "heartbeat")]
    Heartbeat => protocols::heartbeat::Heartbeat,
    #[cfg(feature = "broadcast")]
    Broadcast => protocols::broadcast::Broadcast,
    #[cfg(feature = "generals")]
    Generals => protocols::generals::Generals,
    #[cfg(feature = "clock_sync")]
    ClockSync => protocols::clocksync::ClockSync,
    #[cfg(feature = "logical")]
    Logical => protocols::logical::Logical,
    #[cfg(feature = "rpc")]
    Rpc => protocols::rpc::Rpc,
    #[cfg(feature = "raft")]
    Raft => protocols::raft::Raft,
    #[cfg(feature = "paxos")]
    Paxos => protocols::paxos::Paxos,
    #[cfg(feature = "multi_paxos")]
    MultiPaxos => protocols::multipaxos::MultiPaxos,
    #[cfg(feature = "primary_backup")]
    PrimaryBackup => protocols::primary_backup::PrimaryBackup,
    #[cfg(feature = "chain")]
    Chain => protocols::chain::Chain,
    #[cfg(feature = "two_phase_commit")]
    TwoPhaseCommit => protocols::two_phase_commit::TwoPhaseCommit,
    #[cfg(feature = "three_phase_commit")]
    ThreePhaseCommit => protocols::three_phase_commit::ThreePhaseCommit,
    #[cfg(feature = "paxos_commit")]
    PaxosCommit => protocols::paxos_commit::PaxosCommit,
    #[cfg(feature = "abd")]
    Abd => protocols::abd::Abd,
    #[cfg(feature = "crdt")]
    Crdt => protocols::crdt::Crdt,
    #[cfg(feature = "dynamo")]
    Dynamo => protocols::dynamo::Dynamo,
    #[cfg(feature = "byzantine_generals")]
    ByzantineGenerals => protocols::byzantine::Byzantine,
}

/// The protocol `scenario` (a scenario's JSON) names, if Causeway has it but this build does not:
/// the page's engines each run a group of protocols, and one that meets another group's scenario
/// reloads the page into the engine that has it (`ui::engines`).
pub fn elsewhere(scenario: &serde_json::Value) -> Option<&'static str> {
    let name = scenario.get("protocol")?.get("name")?.as_str()?;
    let known = ProtocolConfig::ALL.iter().find(|&&known| known == name)?;
    (!ProtocolConfig::NAMES.contains(known)).then_some(known)
}

/// One node's clock, when it differs from the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeClock {
    pub node: NodeId,
    #[serde(flatten)]
    pub clock: ClockConfig,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clocks {
    #[serde(default)]
    pub default: ClockConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeClock>,
}

fn default_version() -> u32 {
    FORMAT_VERSION
}

/// Everything a run depends on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default = "default_version")]
    pub version: u32,
    pub name: String,
    /// Lesson text: what to watch, why it matters, what to try.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub protocol: ProtocolConfig,
    pub nodes: u32,
    pub seed: u64,
    pub horizon_us: SimTime,
    #[serde(default)]
    pub network: NetworkConfig,
    #[serde(default)]
    pub clocks: Clocks,
    #[serde(default)]
    pub workload: Workload,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Scheduled>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interventions: Vec<Scheduled>,
    /// The system model the lesson's guarantees assume, which the run enforces; none: every fault
    /// is available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<SystemModel>,
    /// The guided lesson over this run, if any; it changes nothing the run does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guide: Option<guide::Guide>,
}

/// A scenario that cannot be run, with a message meant for the person who wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

fn err<T>(message: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError(message.into()))
}

impl Scenario {
    /// Parses and validates scenario JSON.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_JSON_BYTES {
            return err(format!(
                "the scenario is {} bytes; the limit is {MAX_JSON_BYTES}",
                text.len()
            ));
        }
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ScenarioError(format!("the scenario is not valid JSON: {e}")))?;
        Scenario::from_value(value)
    }

    /// Validates a parsed JSON value as a scenario, migrating older format versions.
    pub fn from_value(value: serde_json::Value) -> Result<Scenario, ScenarioError> {
        let Some(object) = value.as_object() else {
            return err("a scenario must be a JSON object");
        };
        match object.get("version") {
            None => {}
            Some(v) => match v.as_u64() {
                Some(v) if v >= 1 && v <= u64::from(FORMAT_VERSION) => {}
                Some(v) if v > u64::from(FORMAT_VERSION) => {
                    return err(format!(
                        "this scenario uses format version {v}, but this Causeway only knows versions up to \
                         {FORMAT_VERSION}; open it with a newer Causeway"
                    ));
                }
                _ => {
                    return err(format!(
                        "`version` must be a format number from 1 to {FORMAT_VERSION}, not {v}"
                    ));
                }
            },
        }
        if let Some(name) = elsewhere(&value) {
            return err(format!(
                "this page's engine has not got the `{name}` protocol; open the scenario in the \
                 engine that has"
            ));
        }
        let scenario: Scenario = serde_json::from_value(value)
            .map_err(|e| ScenarioError(format!("the scenario is not valid: {e}")))?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("scenarios always serialise")
    }

    /// Checks every bound and every reference, with a message that says where the problem is.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.name.chars().count() > MAX_NAME_LEN {
            return err(format!("`name` is longer than {MAX_NAME_LEN} characters"));
        }
        if self.description.chars().count() > MAX_DESCRIPTION_LEN {
            return err(format!(
                "`description` is longer than {MAX_DESCRIPTION_LEN} characters"
            ));
        }
        if self.nodes == 0 || self.nodes > MAX_NODES {
            return err(format!(
                "`nodes` is {}, but must be from 1 to {MAX_NODES}",
                self.nodes
            ));
        }
        if self.horizon_us.0 == 0 || self.horizon_us.0 > MAX_HORIZON_US {
            return err(format!(
                "`horizon_us` is {}, but must be from 1µs to {} (one simulated hour)",
                self.horizon_us.0,
                format_us(i128::from(MAX_HORIZON_US))
            ));
        }
        self.protocol.validate(self)?;
        validate_link(&"network.default", &self.network.default)?;
        for (i, link) in self.network.links.iter().enumerate() {
            let place = Place::Entry("network.links", i);
            self.check_node(&place, link.from)?;
            self.check_node(&place, link.to)?;
            validate_link(&place, &link.config)?;
        }
        validate_clock(&"clocks.default", &self.clocks.default)?;
        for (i, clock) in self.clocks.nodes.iter().enumerate() {
            let place = Place::Entry("clocks.nodes", i);
            self.check_node(&place, clock.node)?;
            validate_clock(&place, &clock.clock)?;
        }
        if self.workload.requests.len() > MAX_SCRIPT_LEN {
            return err(format!(
                "`workload.requests` has more than {MAX_SCRIPT_LEN} entries"
            ));
        }
        for (i, request) in self.workload.requests.iter().enumerate() {
            let place = Place::Entry("workload.requests", i);
            self.check_node(&place, request.node)?;
            self.check_time(&place, request.at_us)?;
            if let Some(client) = &request.client
                && (client.trim().is_empty() || client.chars().count() > MAX_CLIENT_NAME)
            {
                return err(format!(
                    "`{place}.client` must be a name of 1 to {MAX_CLIENT_NAME} characters"
                ));
            }
        }
        if let Some(generator) = &self.workload.generator {
            if generator.every_us < MIN_GENERATOR_EVERY_US {
                return err(format!(
                    "`workload.generator.every_us` is {}, but must be at least {MIN_GENERATOR_EVERY_US}",
                    generator.every_us
                ));
            }
            if let crate::engine::sim::Target::Node(node) = generator.target {
                self.check_node(&"workload.generator.target", node)?;
            }
        }
        for (list, name) in [
            (&self.faults, "faults"),
            (&self.interventions, "interventions"),
        ] {
            if list.len() > MAX_SCRIPT_LEN {
                return err(format!("`{name}` has more than {MAX_SCRIPT_LEN} entries"));
            }
            for (i, scheduled) in list.iter().enumerate() {
                let place = Place::Scheduled(name, i, &scheduled.action);
                self.check_time(&place, scheduled.at_us)?;
                self.validate_action(&place, &scheduled.action)?;
            }
        }
        self.check_model()?;
        if let Some(guide) = &self.guide {
            guide.validate(self)?;
        }
        Ok(())
    }

    /// The declared model's numbers, and every link and scripted action against it, in the order
    /// the run performs them.
    fn check_model(&self) -> Result<(), ScenarioError> {
        let Some(model) = &self.model else {
            return Ok(());
        };
        model.validate(self.nodes).map_err(ScenarioError)?;
        for (place, link) in self.network.configs() {
            if let Some(reason) = model.forbids_link(link) {
                return err(format!("{place}: {reason}"));
            }
        }
        let mut script: Vec<(Place, &Scheduled)> = [
            (&self.faults, "faults"),
            (&self.interventions, "interventions"),
        ]
        .into_iter()
        .flat_map(|(list, name)| {
            list.iter()
                .enumerate()
                .map(move |(i, s)| (Place::Scheduled(name, i, &s.action), s))
        })
        .collect();
        script.sort_by_key(|(_, s)| s.at_us);
        if let Some(reason) = model.forbids_corrupting(&self.network, self.nodes) {
            return err(format!("network: {reason}"));
        }
        let charged = crate::engine::model::corrupted_receivers(&self.network, self.nodes);
        match model.first_forbidden(charged, script.iter().map(|(_, s)| (s.at_us, &s.action))) {
            Some((i, reason)) => err(format!("{}: {reason}", script[i].0)),
            None => Ok(()),
        }
    }

    /// Every client operation in the workload and the scripts must parse as the protocol's request.
    fn check_requests<P: Protocol>(&self) -> Result<(), ScenarioError> {
        let scheduled = self
            .workload
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| (Place::Entry("workload.requests", i), &r.op));
        let scripted = [
            (&self.faults, "faults"),
            (&self.interventions, "interventions"),
        ]
        .into_iter()
        .flat_map(|(list, name)| {
            list.iter()
                .enumerate()
                .map(move |(i, s)| (i, name, &s.action))
        })
        .filter_map(|(i, name, action)| match action {
            Action::ClientRequest { op, .. } => Some((Place::Entry(name, i), op)),
            _ => None,
        });
        for (place, op) in scheduled.chain(scripted) {
            if let Err(e) = serde_json::from_value::<P::Request>(op.clone()) {
                return err(format!(
                    "{place}: `{op}` is not a valid {} request: {e}",
                    P::NAME
                ));
            }
        }
        Ok(())
    }

    /// Only protocols with Byzantine behaviours may have traitors, or messages a link forges.
    fn check_traitors<P: Protocol>(&self) -> Result<(), ScenarioError> {
        if P::BYZANTINE {
            return Ok(());
        }
        for (place, link) in self.network.configs() {
            if link.corrupt_ppm > 0 {
                return err(crate::engine::sim::no_forgeries::<P>(&format_args!(
                    "{place}.corrupt_ppm"
                )));
            }
        }
        if self
            .model
            .is_some_and(|m| m.nodes == crate::engine::model::Failures::Byzantine)
        {
            return err(format!(
                "`model.nodes` is byzantine, but {} has no Byzantine behaviours: declare crash_stop or crash_recovery nodes",
                P::NAME
            ));
        }
        for (list, name) in [
            (&self.faults, "faults"),
            (&self.interventions, "interventions"),
        ] {
            if let Some((i, s)) = list.iter().enumerate().find(|(_, s)| {
                matches!(s.action, Action::Traitor { .. })
                    || crate::engine::sim::corrupts(&s.action)
            }) {
                let place = format!("{name}[{i}] ({})", s.action.describe());
                if crate::engine::sim::corrupts(&s.action) {
                    return err(crate::engine::sim::no_forgeries::<P>(&place));
                }
                return err(crate::engine::sim::no_traitors::<P>(&place));
            }
        }
        Ok(())
    }

    fn check_node(&self, place: &dyn fmt::Display, node: NodeId) -> Result<(), ScenarioError> {
        if node.0 < self.nodes {
            Ok(())
        } else {
            err(format!(
                "{place} names {node}, but the scenario has only {} nodes (n1 to n{})",
                self.nodes, self.nodes
            ))
        }
    }

    fn check_time(&self, place: &dyn fmt::Display, at: SimTime) -> Result<(), ScenarioError> {
        if at > self.horizon_us {
            return err(format!(
                "{place} is at {at}, after the horizon ({})",
                self.horizon_us
            ));
        }
        Ok(())
    }

    fn validate_action(
        &self,
        place: &dyn fmt::Display,
        action: &Action,
    ) -> Result<(), ScenarioError> {
        for node in action.nodes() {
            self.check_node(place, node)?;
        }
        match action {
            Action::SetLink { link, .. } => validate_link(place, link),
            Action::ClockJump { by_us, .. } if by_us.unsigned_abs() > MAX_OFFSET_US as u64 => {
                err(format!("{place}: a clock may jump by at most a day"))
            }
            Action::ClockDrift { ppm, .. } if ppm.unsigned_abs() > MAX_DRIFT_PPM as u32 => err(
                format!("{place}: drift must be within ±{MAX_DRIFT_PPM} ppm"),
            ),
            Action::DelayMessage { by_us, .. } if *by_us > MAX_DELAY_US => err(format!(
                "{place}: a message may be delayed by at most an hour"
            )),
            Action::Partition { groups }
                if groups.iter().map(Vec::len).sum::<usize>() > self.nodes as usize * 2 =>
            {
                err(format!(
                    "{place}: the partition names more nodes than the scenario has"
                ))
            }
            _ => Ok(()),
        }
    }

    /// Builds the run this scenario describes.
    pub fn build(&self) -> Result<Box<dyn Run>, ScenarioError> {
        self.validate()?;
        let run = self.protocol.build(self)?;
        if let Some(guide) = &self.guide {
            guide.check_run(run.as_ref())?;
        }
        Ok(run)
    }

    /// Builds the run for the explorer, which can branch it (see `Explorable`).
    pub fn explorable(&self) -> Result<Box<dyn Explorable>, ScenarioError> {
        self.validate()?;
        let run = self.protocol.explorable(self)?;
        if let Some(guide) = &self.guide {
            guide.check_run(run.as_ref())?;
        }
        Ok(run)
    }

    fn sim<P: Protocol>(&self, params: P::Params) -> Result<Sim<P>, ScenarioError> {
        let mut clocks = vec![self.clocks.default; self.nodes as usize];
        for clock in &self.clocks.nodes {
            clocks[clock.node.index()] = clock.clock;
        }
        let setup = Setup::<P> {
            nodes: self.nodes,
            seed: self.seed,
            horizon: self.horizon_us,
            network: self.network.clone(),
            clocks,
            workload: self.workload.clone(),
            faults: self.faults.clone(),
            interventions: self.interventions.clone(),
            params,
            model: self.model,
        };
        Sim::<P>::new(setup).map_err(|e| ScenarioError(e.0))
    }
}

fn validate_link(place: &dyn fmt::Display, link: &LinkConfig) -> Result<(), ScenarioError> {
    let (min, max) = link.delay.bounds_us();
    if max > MAX_DELAY_US {
        return err(format!("{place}: delays may be at most an hour"));
    }
    if min > max {
        return err(format!(
            "{place}: the delay's minimum ({min}µs) is above its maximum ({max}µs)"
        ));
    }
    if let Delay::LongTail { min_us: 0, .. } = link.delay {
        return err(format!(
            "{place}: a long-tailed delay needs min_us of at least 1"
        ));
    }
    for (value, name) in [
        (link.loss_ppm, "loss_ppm"),
        (link.duplicate_ppm, "duplicate_ppm"),
    ] {
        if value > 1_000_000 {
            return err(format!(
                "{place}: `{name}` is {value}, but a ratio in parts per million is at most 1000000"
            ));
        }
    }
    Ok(())
}

fn validate_clock(place: &dyn fmt::Display, clock: &ClockConfig) -> Result<(), ScenarioError> {
    if clock.drift_ppm.unsigned_abs() > MAX_DRIFT_PPM as u32 {
        return err(format!(
            "{place}: drift must be within ±{MAX_DRIFT_PPM} ppm"
        ));
    }
    if clock.offset_us.unsigned_abs() > MAX_OFFSET_US as u64 {
        return err(format!("{place}: a clock's offset may be at most a day"));
    }
    Ok(())
}
