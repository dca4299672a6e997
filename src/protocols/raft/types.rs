//! Raft's vocabulary: parameters, terms and log indexes, log entries, messages, and what survives a
//! crash. Client requests, replies and log commands are the shared key-value store's (`kv`).

use crate::engine::ids::{NodeId, OpId};
use crate::engine::shared::SharedVec;
use crate::protocols::kv::Command;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

/// A Raft term: a logical clock that numbers leaderships.
#[derive(
    Clone, Copy, Debug, Hash, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Term(pub u64);

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t{}", self.0)
    }
}

/// A position in the log, counted from 1 as in the paper (0 means "before the first entry").
#[derive(
    Clone, Copy, Debug, Hash, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct LogIndex(pub u64);

impl LogIndex {
    pub fn next(self) -> LogIndex {
        LogIndex(self.0 + 1)
    }

    /// The index before this one (0 stays 0).
    pub fn prev(self) -> LogIndex {
        LogIndex(self.0.saturating_sub(1))
    }
}

impl fmt::Display for LogIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How linearizable reads are served.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    /// A get is a log entry like any write, answered when it is applied.
    #[default]
    Log,
    /// The leader notes its commit index, confirms it still leads with one round of heartbeats,
    /// and answers once it has applied up to that index (Raft dissertation, section 6.4).
    ReadIndex,
    /// ZooKeeper's reads: every server answers a get from its own applied state at once. A
    /// follower forwards writes to the leader and answers them once it has applied them itself;
    /// a `sync` asks the leader for a read index and completes once applied up to it. A restarted
    /// server first catches up the same way, holding its clients' requests until it has.
    Local,
}

/// Deliberate bugs, each of which a checker catches.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    /// Correct Raft.
    #[default]
    None,
    /// Grant votes without the election restriction (the candidate's log need not be up to date).
    VoteWithoutLogCheck,
    /// Commit an entry from an earlier term once a majority stores it (the paper's Figure 8).
    CommitEarlierTerm,
    /// Keep votedFor only in memory, so a restarted node can vote twice in one term.
    ForgetVotedFor,
    /// Every node waits exactly the minimum election timeout, so split votes repeat forever.
    FixedElectionTimeout,
    /// Local reads: a restarted server answers reads at once, from the store it rebuilds from
    /// scratch, rather than first catching up with the leader.
    ReadBeforeCatchUp,
    /// Local reads: a server answers a sync at once, without asking the leader for a read
    /// index, so the get behind it may be stale.
    SyncLocally,
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

fn is_true(value: &bool) -> bool {
    *value
}

fn default_true() -> bool {
    true
}

fn default_liveness() -> u64 {
    3_000_000
}

/// Checks election timeouts drawn from `[min, max)`: from 1 ms, at most 10 minutes, max above
/// min (Raft's and Multi-Paxos's parameters alike).
pub fn check_election_timeouts(min_us: u64, max_us: u64) -> Result<(), String> {
    let ten_minutes = 600_000_000;
    if !(1_000..=ten_minutes).contains(&min_us) {
        return Err("`protocol.election_timeout_min_us` must be from 1ms to 10 minutes".into());
    }
    if max_us <= min_us || max_us > ten_minutes {
        return Err(format!(
            "`protocol.election_timeout_max_us` must be above election_timeout_min_us \
             ({min_us}µs) and at most 10 minutes"
        ));
    }
    Ok(())
}

/// Raft's parameters, as scenarios spell them.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaftParams {
    /// Election timeouts are drawn uniformly from `[min, max)` on the node's own clock.
    #[serde(default = "default_timeout_min")]
    pub election_timeout_min_us: u64,
    #[serde(default = "default_timeout_max")]
    pub election_timeout_max_us: u64,
    /// How often a leader sends AppendEntries to each follower when it has nothing new.
    #[serde(default = "default_heartbeat")]
    pub heartbeat_us: u64,
    /// At most this many entries in one AppendEntries.
    #[serde(default = "default_batch")]
    pub max_entries_per_message: u32,
    /// Followers report the conflicting term and its first index so the leader skips a whole term
    /// per round trip; without it the leader steps back one entry per round trip.
    #[serde(default = "default_true")]
    pub fast_backtrack: bool,
    #[serde(default)]
    pub reads: ReadMode,
    #[serde(default)]
    pub break_it: BreakIt,
    /// A new leader appends a no-op of its term (section 8), so entries of earlier terms commit
    /// promptly. The paper's Figure 8 has none; only written to JSON when turned off.
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub leader_noop: bool,
    /// The liveness checkers' bound: once faults have healed for this long, a leader must exist
    /// and every request made since the heal must have completed within it.
    #[serde(default = "default_liveness")]
    pub liveness_bound_us: u64,
}

impl Default for RaftParams {
    fn default() -> Self {
        RaftParams {
            election_timeout_min_us: default_timeout_min(),
            election_timeout_max_us: default_timeout_max(),
            heartbeat_us: default_heartbeat(),
            max_entries_per_message: default_batch(),
            fast_backtrack: true,
            reads: ReadMode::Log,
            break_it: BreakIt::None,
            leader_noop: true,
            liveness_bound_us: default_liveness(),
        }
    }
}

/// One log entry: the term of the leader that created it and the command. The command is shared,
/// so copying an entry (into a message, another log, a checkpoint) copies a pointer.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Entry {
    pub term: Term,
    pub command: Rc<Command>,
}

impl Serialize for Entry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut entry = serializer.serialize_struct("Entry", 2)?;
        entry.serialize_field("term", &self.term)?;
        entry.serialize_field("command", &*self.command)?;
        entry.end()
    }
}

impl Entry {
    /// Identifies an entry across nodes: equal entries have equal terms and operations (a term has
    /// one leader, which creates one no-op).
    pub fn id(&self) -> (Term, Option<OpId>) {
        (self.term, self.command.op())
    }
}

/// Raft's RPCs (Figure 2), with the fields the responses need in a network that reorders and
/// duplicates: which index a response is about, and the fast-backtracking hint.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RaftMsg {
    RequestVote {
        term: Term,
        candidate: NodeId,
        last_log_index: LogIndex,
        last_log_term: Term,
    },
    RequestVoteResponse {
        term: Term,
        vote_granted: bool,
    },
    AppendEntries {
        term: Term,
        leader: NodeId,
        prev_log_index: LogIndex,
        prev_log_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
        /// The leader's read-index round, echoed back to confirm leadership for reads.
        round: u64,
    },
    AppendEntriesResponse {
        term: Term,
        success: bool,
        /// On success, the last index now known to match the leader's log; on failure, the
        /// `prev_log_index` that did not match.
        index: LogIndex,
        /// Fast backtracking: the term of the follower's conflicting entry (none if its log is
        /// too short) and the first index it stores for that term (or its log length + 1).
        conflict_term: Option<Term>,
        conflict_index: LogIndex,
        round: u64,
    },
    /// Local reads: a follower passes a client's write to the leader.
    Forward {
        #[serde(serialize_with = "shared_command")]
        command: Rc<Command>,
    },
    /// Local reads: a follower asks the leader for a read index for a client's sync.
    SyncRequest {
        id: u64,
    },
    /// The leader's read index for sync `id`, confirmed by a majority.
    SyncIndex {
        id: u64,
        index: LogIndex,
    },
}

fn shared_command<S: serde::Serializer>(command: &Rc<Command>, s: S) -> Result<S::Ok, S::Error> {
    command.serialize(s)
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum RaftTimer {
    Election,
    Heartbeat,
    /// A candidate asks again the servers that have not answered its RequestVote (the paper,
    /// section 5.1: "servers retry RPCs if they do not receive a response in a timely manner").
    VoteRetry,
    /// Local reads: a follower asks the leader again for the read index of syncs still without
    /// one (the request or its answer may have been lost).
    SyncRetry,
}

/// What a node keeps on stable storage: Figure 2's persistent state.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct RaftStable {
    pub current_term: Term,
    pub voted_for: Option<NodeId>,
    pub log: SharedVec<Entry>,
}
