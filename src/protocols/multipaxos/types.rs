//! Multi-Paxos's vocabulary: parameters, slots, messages, timers, notes and what survives a crash.
//! Ballots are single-decree Paxos's (a round made unique by its proposer); client requests,
//! replies and commands are the shared key-value store's (`kv`).

use crate::engine::shared::SharedVec;
use crate::engine::time::HOUR_US;
use crate::protocols::kv::Command;
use crate::protocols::paxos::Ballot;
use crate::protocols::raft::types::check_election_timeouts;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

/// A position in the replicated log, counted from 1.
pub type Slot = u64;

/// A rule of Multi-Paxos a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// A new leader ignores what phase 1 reports and starts proposing right after the last slot it
    /// knows is chosen, so it can overwrite a slot a majority already accepted.
    IgnoreAccepted,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

fn default_timeout_min() -> u64 {
    150_000
}

fn default_timeout_max() -> u64 {
    300_000
}

fn default_heartbeat() -> u64 {
    50_000
}

fn default_batch() -> u32 {
    64
}

fn default_liveness() -> u64 {
    3_000_000
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiPaxosParams {
    /// A node that has heard nothing from a leader for a time drawn from `[min, max)` on its own
    /// clock runs phase 1 with a higher ballot.
    #[serde(default = "default_timeout_min")]
    pub election_timeout_min_us: u64,
    #[serde(default = "default_timeout_max")]
    pub election_timeout_max_us: u64,
    /// How often a leader tells each replica it still leads, and what has been chosen.
    #[serde(default = "default_heartbeat")]
    pub heartbeat_us: u64,
    /// At most this many chosen commands in one message.
    #[serde(default = "default_batch")]
    pub max_commands_per_message: u32,
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
    /// The liveness checkers' bound: once faults have healed for this long, a leader must exist
    /// and every request made since the heal must have completed within it.
    #[serde(default = "default_liveness")]
    pub liveness_bound_us: u64,
}

impl Default for MultiPaxosParams {
    fn default() -> Self {
        MultiPaxosParams {
            election_timeout_min_us: default_timeout_min(),
            election_timeout_max_us: default_timeout_max(),
            heartbeat_us: default_heartbeat(),
            max_commands_per_message: default_batch(),
            break_it: BreakIt::None,
            liveness_bound_us: default_liveness(),
        }
    }
}

impl MultiPaxosParams {
    pub fn validate(&self) -> Result<(), String> {
        check_election_timeouts(self.election_timeout_min_us, self.election_timeout_max_us)?;
        if self.heartbeat_us < 100 || self.heartbeat_us >= self.election_timeout_min_us {
            return Err(format!(
                "`protocol.heartbeat_us` must be from 100µs to below election_timeout_min_us \
                 ({}µs), or followers would depose a healthy leader",
                self.election_timeout_min_us
            ));
        }
        if self.max_commands_per_message == 0 || self.max_commands_per_message > 10_000 {
            return Err("`protocol.max_commands_per_message` must be from 1 to 10000".into());
        }
        if self.liveness_bound_us == 0 || self.liveness_bound_us > HOUR_US {
            return Err("`protocol.liveness_bound_us` must be from 1µs to one hour".into());
        }
        Ok(())
    }
}

/// A command an acceptor accepted in a ballot. The command is shared, so copying a vote copies a
/// pointer.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Vote {
    pub ballot: Ballot,
    pub command: Rc<Command>,
}

impl Serialize for Vote {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.ballot, &*self.command).serialize(serializer)
    }
}

/// Chosen commands for the slots from `from` on, which a leader sends a replica that lacks them.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct Chosen {
    pub from: Slot,
    pub commands: Vec<Rc<Command>>,
}

impl Serialize for Chosen {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let commands: Vec<&Command> = self.commands.iter().map(|c| &**c).collect();
        (self.from, commands).serialize(serializer)
    }
}

fn shared_command<S: serde::Serializer>(command: &Rc<Command>, s: S) -> Result<S::Ok, S::Error> {
    command.serialize(s)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MpMsg {
    /// Phase 1 for every slot from `from` on (the slots the candidate does not know are chosen).
    Prepare { ballot: Ballot, from: Slot },
    /// The acceptor promises `ballot` and reports what it accepted in the slots asked about.
    Promise {
        ballot: Ballot,
        accepted: Vec<(Slot, Vote)>,
    },
    /// Phase 2 for one slot; also carries chosen commands the replica lacks.
    Accept {
        ballot: Ballot,
        slot: Slot,
        #[serde(serialize_with = "shared_command")]
        command: Rc<Command>,
        chosen: Chosen,
    },
    /// The acceptor accepted `slot` in `ballot`; it has learned every slot up to `learned`.
    Accepted {
        ballot: Ballot,
        slot: Slot,
        learned: Slot,
    },
    /// The leader's periodic message: it still leads, and these commands are chosen.
    Heartbeat { ballot: Ballot, chosen: Chosen },
    /// The replica has learned every slot up to `learned`.
    HeartbeatOk { ballot: Ballot, learned: Slot },
    /// Refused: the acceptor has promised `promised`, higher than `ballot`.
    Nack { ballot: Ballot, promised: Ballot },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum MpTimer {
    /// No word from a leader for a while: run phase 1 with a higher ballot.
    Election,
    Heartbeat,
}

/// What a node notes: its part in leadership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum MpNote {
    /// The node runs phase 1 with `ballot` for every slot from `from` on.
    Prepares { ballot: Ballot, from: Slot },
    /// A majority promised `ballot`: the node leads. It re-proposes `recovered` commands phase 1
    /// reported and fills `gaps` empty slots below the highest reported one with no-ops.
    Leads {
        ballot: Ballot,
        recovered: u64,
        gaps: u64,
    },
    /// The node gave up leading (or trying to) with `ballot`: an acceptor promised `by`.
    StepsDown { ballot: Ballot, by: Ballot },
}

impl MpNote {
    pub fn ballot(&self) -> Ballot {
        match *self {
            MpNote::Prepares { ballot, .. }
            | MpNote::Leads { ballot, .. }
            | MpNote::StepsDown { ballot, .. } => ballot,
        }
    }
}

impl fmt::Display for MpNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MpNote::Prepares { ballot, from } => write!(f, "prepares {ballot} from slot {from}"),
            MpNote::Leads {
                ballot,
                recovered,
                gaps,
            } => {
                write!(f, "leads {ballot}")?;
                if *recovered > 0 || *gaps > 0 {
                    write!(f, ": re-proposes {recovered}, fills {gaps} with no-ops")?;
                }
                Ok(())
            }
            MpNote::StepsDown { ballot, by } => write!(f, "{ballot} pre-empted by {by}"),
        }
    }
}

/// What survives a crash: the acceptor's promise and its votes, slot by slot (the learned log and
/// the store are rebuilt from the leader after a restart).
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct MpStable {
    pub promised: Option<Ballot>,
    /// The vote for slot `s` is at position `s - 1`.
    pub accepted: SharedVec<Option<Vote>>,
}
