//! Primary-backup's vocabulary: parameters, views, messages, timers, notes and what survives a
//! crash. Client requests, replies and the store are the shared key-value store's (`kv`).

use crate::engine::ids::{NodeId, OpId};
use crate::protocols::kv::Command;
use crate::protocols::kv::store::KvStore;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

/// A rule of primary-backup a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// The primary answers gets from its own store without asking the backup, so a primary the
    /// view service has replaced keeps answering from a store that no longer gets the writes.
    LocalReads,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

fn default_view_service() -> NodeId {
    NodeId(0)
}

fn default_ping() -> u64 {
    100_000
}

fn default_dead_pings() -> u32 {
    5
}

fn default_retry() -> u64 {
    50_000
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryBackupParams {
    /// The node that runs the view service; every other node is a server.
    #[serde(default = "default_view_service")]
    pub view_service: NodeId,
    /// How often each server pings the view service (and the service checks who is alive).
    #[serde(default = "default_ping")]
    pub ping_us: u64,
    /// The view service declares a server dead after this many ping intervals without a ping.
    #[serde(default = "default_dead_pings")]
    pub dead_pings: u32,
    /// How long a primary waits for the backup's answer before it sends again.
    #[serde(default = "default_retry")]
    pub retry_us: u64,
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

impl Default for PrimaryBackupParams {
    fn default() -> Self {
        PrimaryBackupParams {
            view_service: default_view_service(),
            ping_us: default_ping(),
            dead_pings: default_dead_pings(),
            retry_us: default_retry(),
            break_it: BreakIt::None,
        }
    }
}

impl PrimaryBackupParams {
    pub fn validate(&self, nodes: u32) -> Result<(), String> {
        if self.view_service.0 >= nodes {
            return Err(format!(
                "`protocol.view_service` names {}, but the cluster has only n1 to n{nodes}",
                self.view_service
            ));
        }
        if nodes < 3 {
            return Err(format!(
                "`nodes` is {nodes}, but primary-backup needs at least 3: the view service, a \
                 primary and a backup"
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
        Ok(())
    }
}

/// A view: its number, and the primary and backup it names (view 0 names none).
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize)]
pub struct View {
    pub num: u64,
    pub primary: Option<NodeId>,
    pub backup: Option<NodeId>,
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |n: Option<NodeId>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
        write!(
            f,
            "view {}: {}, {}",
            self.num,
            name(self.primary),
            name(self.backup)
        )
    }
}

fn shared_command<S: serde::Serializer>(command: &Rc<Command>, s: S) -> Result<S::Ok, S::Error> {
    command.serialize(s)
}

fn shared_store<S: serde::Serializer>(store: &Rc<KvStore>, s: S) -> Result<S::Ok, S::Error> {
    store.data().serialize(s)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PbMsg {
    /// A server is alive and has seen view `viewnum` (0 after a restart).
    Ping { viewnum: u64 },
    /// The view service's current view, in answer to a ping, and whether its primary has
    /// acknowledged it (so a restarted first primary knows not to start over).
    ViewIs { view: View, acked: bool },
    /// The primary of view `view` asks the backup to apply an operation first.
    Forward {
        view: u64,
        #[serde(serialize_with = "shared_command")]
        command: Rc<Command>,
    },
    /// The backup applied `op` (or, `ok: false`, is not the backup of view `view`).
    ForwardOk { view: u64, op: OpId, ok: bool },
    /// The primary of view `view` sends its whole store to a new backup.
    Transfer {
        view: u64,
        #[serde(serialize_with = "shared_store")]
        store: Rc<KvStore>,
    },
    /// The new backup installed the store (or, `ok: false`, is not the backup of view `view`).
    TransferOk { view: u64, ok: bool },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum PbTimer {
    /// A server's next ping; the view service's next check of who is alive.
    Ping,
    /// The primary sends its forward or transfer again.
    Retry,
}

/// What a node notes: the view service moved to a new view, or a server took on a role in one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum PbNote {
    NewView {
        view: View,
    },
    /// A server's part in view `view`, and its part before.
    Role {
        role: Role,
        view: u64,
        was: Role,
    },
}

/// A server's part in a view.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Primary,
    Backup,
    Idle,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Backup => "backup",
            Role::Idle => "idle",
        }
    }
}

impl fmt::Display for PbNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PbNote::NewView { view } => write!(f, "{view}"),
            PbNote::Role { role, view, was } if was != role => {
                write!(f, "{} in view {view} (was {})", role.name(), was.name())
            }
            PbNote::Role { role, view, .. } => write!(f, "{} in view {view}", role.name()),
        }
    }
}

/// What survives a crash: the view service's view and whether its primary acknowledged it.
/// Servers keep nothing: a restarted server starts empty and gets the store by state transfer.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct PbStable {
    pub view: View,
    pub acked: bool,
}
