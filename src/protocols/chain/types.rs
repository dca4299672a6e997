//! Chain replication's vocabulary: parameters, configurations, log entries, messages, timers,
//! notes and what survives a crash. Client requests, replies and the store are the shared
//! key-value store's (`kv`).

use crate::engine::ids::{NodeId, RequestId, join_nodes};
use crate::protocols::kv::Command;
use crate::protocols::kv::store::KvStore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

/// A rule of chain replication a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// CRAQ without the version check: a node whose newest version of a key is dirty answers with
    /// its last clean version instead of asking the tail which version is committed, so it misses
    /// a write the tail has already acknowledged.
    NoVersionCheck,
    /// The head acknowledges a write as soon as it has sent it down the chain, so a crash of the
    /// head before the write reaches its successor loses an acknowledged write.
    AckAtHead,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

fn default_master() -> NodeId {
    NodeId(0)
}

fn default_ping() -> u64 {
    100_000
}

fn default_dead_pings() -> u32 {
    5
}

fn default_retry() -> u64 {
    200_000
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainParams {
    /// The node that runs the configuration master; every other node is a server.
    #[serde(default = "default_master")]
    pub master: NodeId,
    /// CRAQ: every member of the chain serves reads, not only the tail.
    #[serde(default)]
    pub craq: bool,
    /// How often each server pings the master (and the master checks who is alive).
    #[serde(default = "default_ping")]
    pub ping_us: u64,
    /// The master declares a server dead after this many ping intervals without a ping.
    #[serde(default = "default_dead_pings")]
    pub dead_pings: u32,
    /// How long a node waits for an update's acknowledgement (which comes back from the tail)
    /// before it sends the update to its successor again.
    #[serde(default = "default_retry")]
    pub retry_us: u64,
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

impl Default for ChainParams {
    fn default() -> Self {
        ChainParams {
            master: default_master(),
            craq: false,
            ping_us: default_ping(),
            dead_pings: default_dead_pings(),
            retry_us: default_retry(),
            break_it: BreakIt::None,
        }
    }
}

impl ChainParams {
    pub fn validate(&self, nodes: u32) -> Result<(), String> {
        if self.master.0 >= nodes {
            return Err(format!(
                "`protocol.master` names {}, but the cluster has only n1 to n{nodes}",
                self.master
            ));
        }
        if nodes < 3 {
            return Err(format!(
                "`nodes` is {nodes}, which makes a chain of one: chain replication needs at least \
                 3 nodes (the master and a chain of two servers) to survive a crash"
            ));
        }
        let ten_minutes = 600_000_000;
        if self.ping_us < 1_000 || self.ping_us > ten_minutes {
            return Err("`protocol.ping_us` must be from 1ms to 10 minutes".into());
        }
        if self.dead_pings < 2 || self.dead_pings > 100 {
            return Err("`protocol.dead_pings` must be from 2 to 100".into());
        }
        if self.retry_us < 1_000 || self.retry_us > ten_minutes {
            return Err("`protocol.retry_us` must be from 1ms to 10 minutes".into());
        }
        if self.break_it == BreakIt::NoVersionCheck && !self.craq {
            return Err(
                "`protocol.break_it` is `no_version_check`, which only CRAQ has: set \
                 `protocol.craq` to true"
                    .into(),
            );
        }
        Ok(())
    }

    /// How long after sending a ping a server may serve reads on the strength of the master's
    /// answer: one ping interval less than the master waits before it declares the server dead,
    /// so a server the master removes has stopped serving by then (with clocks within 1/dead_pings
    /// of each other's rate).
    pub fn lease_us(&self) -> u64 {
        self.ping_us * u64::from(self.dead_pings - 1)
    }
}

/// A configuration: its number, the chain from head to tail, and a server catching up to join
/// it at the tail (configuration 0 names none).
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq, Serialize)]
pub struct Config {
    pub num: u64,
    #[serde(serialize_with = "shared_nodes")]
    pub chain: Rc<[NodeId]>,
    pub joining: Option<NodeId>,
}

impl Config {
    pub fn head(&self) -> Option<NodeId> {
        self.chain.first().copied()
    }

    pub fn tail(&self) -> Option<NodeId> {
        self.chain.last().copied()
    }

    pub fn position(&self, node: NodeId) -> Option<usize> {
        self.chain.iter().position(|&n| n == node)
    }

    /// The node before `node` in the chain.
    pub fn predecessor(&self, node: NodeId) -> Option<NodeId> {
        let i = self.position(node)?;
        i.checked_sub(1).map(|p| self.chain[p])
    }

    /// The node after `node`: the next in the chain, or for the tail the server joining.
    pub fn successor(&self, node: NodeId) -> Option<NodeId> {
        let i = self.position(node)?;
        self.chain
            .get(i + 1)
            .copied()
            .or(if i + 1 == self.chain.len() {
                self.joining
            } else {
                None
            })
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config {}: {}", self.num, join_nodes(&self.chain, " → "))?;
        if let Some(joining) = self.joining {
            write!(f, " (+{joining} joining)")?;
        }
        Ok(())
    }
}

/// An update: a write the head numbered `seq`, and the client requests the tail answers.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: u64,
    #[serde(serialize_with = "shared_command")]
    pub command: Rc<Command>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestId>,
}

fn shared_nodes<S: serde::Serializer>(nodes: &Rc<[NodeId]>, s: S) -> Result<S::Ok, S::Error> {
    nodes.serialize(s)
}

fn shared_command<S: serde::Serializer>(command: &Rc<Command>, s: S) -> Result<S::Ok, S::Error> {
    command.serialize(s)
}

fn shared_store<S: serde::Serializer>(store: &Rc<KvStore>, s: S) -> Result<S::Ok, S::Error> {
    store.data().serialize(s)
}

fn shared_entries<S: serde::Serializer>(entries: &Rc<[Entry]>, s: S) -> Result<S::Ok, S::Error> {
    entries.serialize(s)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainMsg {
    /// A server is alive and holds the state of configuration `holds` (0: none, after a restart);
    /// for the tail, `ready` says the server joining behind it holds its store. `sent_at` is its
    /// monotonic clock at sending, echoed in the answer to time its lease.
    Ping {
        holds: u64,
        ready: bool,
        sent_at: i64,
    },
    /// The master's configuration: pushed when it changes, and in answer to a ping (`echo`).
    ConfigIs { config: Config, echo: Option<i64> },
    /// Updates from a node to its successor, in order of their numbers.
    Update {
        config: u64,
        #[serde(serialize_with = "shared_entries")]
        entries: Rc<[Entry]>,
    },
    /// From a node to its predecessor: it holds every update up to `have`, and every update up
    /// to `committed` has reached the tail.
    Ack {
        config: u64,
        have: u64,
        committed: u64,
    },
    /// The tail's whole store, up to update `seq`, to the server joining behind it.
    Transfer {
        config: u64,
        seq: u64,
        #[serde(serialize_with = "shared_store")]
        store: Rc<KvStore>,
    },
    /// CRAQ: which update of `key` has the tail committed? `query` matches the answer.
    VersionQuery { key: String, query: u32 },
    /// The tail's answer: every update up to `seq` is committed.
    Version { query: u32, seq: u64 },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ChainTimer {
    /// A server's next ping; the master's next check of who is alive.
    Ping,
    /// A node sends its successor the updates it has not confirmed.
    Retry,
}

/// What a node notes: the master moved to a new configuration, or a server took on a part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum ChainNote {
    /// The master's new configuration, and the servers it left out.
    NewConfig {
        config: Config,
        removed: Vec<NodeId>,
    },
    /// A server's part in configuration `config`, and its part before.
    Role { role: Role, config: u64, was: Role },
}

/// A server's part in a configuration.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Head,
    Middle,
    Tail,
    /// Catching up from the tail to join the chain.
    Joining,
    /// Not in the chain (a fresh or restarted server, or one the master removed).
    Idle,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Head => "head",
            Role::Middle => "middle",
            Role::Tail => "tail",
            Role::Joining => "joining",
            Role::Idle => "idle",
        }
    }

    pub fn in_chain(self) -> bool {
        matches!(self, Role::Head | Role::Middle | Role::Tail)
    }
}

impl fmt::Display for ChainNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainNote::NewConfig { config, removed } if removed.is_empty() => {
                write!(f, "{config}")
            }
            ChainNote::NewConfig { config, removed } => {
                write!(f, "{config}, without {}", join_nodes(removed, ", "))
            }
            ChainNote::Role { role, config, was } if was != role => {
                write!(f, "{} in config {config} (was {})", role.name(), was.name())
            }
            ChainNote::Role { role, config, .. } => {
                write!(f, "{} in config {config}", role.name())
            }
        }
    }
}

/// What survives a crash: the master's configuration, and for a server only that it has run
/// before, so after a restart it knows its store is gone.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct ChainStable {
    pub config: Config,
    pub booted: bool,
}
