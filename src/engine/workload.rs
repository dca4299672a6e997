//! What clients ask of a run, as a scenario states it: requests at given times, a generator of
//! requests, and how clients retry. Plain data, like the network and clock configurations.

use crate::engine::ids::NodeId;
use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

/// Who sends the generated workload's requests where.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// n1, n2, n3, … in turn.
    #[default]
    RoundRobin,
    /// A node drawn from the workload's random stream.
    Random,
    /// Always the same node.
    Node(NodeId),
}

/// A steady stream of client requests whose operations the protocol generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    #[serde(default)]
    pub start_us: u64,
    pub every_us: u64,
    #[serde(default)]
    pub target: Target,
    /// Stop after this many requests (no limit when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// A client request at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledRequest {
    pub at_us: SimTime,
    pub node: NodeId,
    pub op: serde_json::Value,
    /// The client (session) that asks it: requests naming the same client are one client's
    /// operations, in order, which the session guarantees judge. Without one, a request belongs to
    /// whichever client is free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
}

/// Client requests entering the system from outside.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<ScheduledRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// How clients retry; without it every operation is tried once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
}

fn default_max_attempts() -> u32 {
    5
}

fn default_backoff() -> u64 {
    1_000
}

/// Clients retry an operation when a reply redirects them or none comes in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Give up on an attempt after this long without a reply, and try the next node.
    pub timeout_us: u64,
    /// Attempts per operation, the first included.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Pause before retrying after a redirect.
    #[serde(default = "default_backoff")]
    pub backoff_us: u64,
}
