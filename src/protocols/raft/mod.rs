//! Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014),
//! following Figure 2: leader election with randomized timeouts, log replication with the
//! consistency check and fast backtracking, commitment by majority in the current term, and a
//! replicated key-value store. Every new leader appends a no-op (section 8) so entries of earlier
//! terms commit, and reads are linearizable, through the log or with a read index.
//!
//! `break_it` selects deliberate bugs; the checkers in `properties` catch each of them.
//!
//! This file holds a server's state and the `Protocol` implementation; the rules it follows are in
//! `election.rs` (terms, votes, taking office), `replication.rs` (AppendEntries, commitment,
//! applying) and `client.rs` (requests and reads).

mod client;
mod election;
mod liveness;
mod properties;
mod replication;
pub mod types;
mod view;

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, OpId, RequestId, TimerId};
use crate::engine::protocol::{
    LogWords, NodeView, Outcome, Property, Protocol, RequestInfo, Watched,
};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::rng::SimRng;
use crate::engine::shared::SharedVec;
use crate::engine::sim::Ctx;
use crate::engine::time::HOUR_US;
use crate::protocols::kv;
use crate::protocols::kv::store::KvStore;
pub use crate::protocols::kv::{Command, KvRequest, KvResponse};
use client::{PendingRead, PendingSync};
use serde::Serialize;
use std::collections::BTreeMap;
pub use types::{
    BreakIt, Entry, LogIndex, RaftMsg, RaftParams, RaftStable, RaftTimer, ReadMode, Term,
};

/// A server's role (Figure 2's "Rules for Servers").
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Follower,
    Candidate,
    Leader,
}

/// What a server notes: it took on a role in a term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum RaftNote {
    Role {
        role: Role,
        term: Term,
    },
    /// Local reads: a restarted server applied everything the leader had committed when it
    /// asked, and serves its clients again.
    CaughtUp {
        index: LogIndex,
    },
}

impl std::fmt::Display for RaftNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            RaftNote::Role { role, term } => write!(f, "{} in term {}", role.name(), term.0),
            RaftNote::CaughtUp { index } => write!(f, "caught up to index {}: serving", index.0),
        }
    }
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// One Raft server.
#[derive(Clone, Debug, Hash)]
pub struct Raft {
    id: NodeId,
    nodes: u32,
    params: RaftParams,
    /// Mirrors of the persistent state (stable storage is the truth after a restart).
    current_term: Term,
    voted_for: Option<NodeId>,
    log: SharedVec<Entry>,
    role: Role,
    commit_index: LogIndex,
    last_applied: LogIndex,
    /// The leader of the current term, once heard from.
    leader: Option<NodeId>,
    kv: KvStore,
    election_timer: Option<TimerId>,
    /// The leader's heartbeat timer, or the candidate's vote retry timer.
    retry_timer: Option<TimerId>,
    /// As a candidate in the current term, per node: whether it answered, and whether it granted.
    answered: Vec<bool>,
    votes: Vec<bool>,
    /// Leader state, reinitialized after each election.
    next_index: Vec<LogIndex>,
    match_index: Vec<LogIndex>,
    /// Per follower, the last index any AppendEntries of this term has carried to it: a success
    /// that acknowledges less is answered by a later message already on its way.
    sent: Vec<LogIndex>,
    /// The index of this leader's no-op: reads wait until it is committed.
    term_start: LogIndex,
    /// Client requests to answer once their operation is applied, on the node that received them.
    pending: BTreeMap<OpId, Vec<RequestId>>,
    /// Read-index rounds: the latest round started, and the latest each follower acknowledged.
    round: u64,
    acked_round: Vec<u64>,
    reads: Vec<PendingRead>,
    /// Local reads: this follower's clients' syncs, and the last sync number it used.
    syncs: Vec<PendingSync>,
    next_sync: u64,
    sync_timer: Option<TimerId>,
    /// Local reads: restarted, and not yet caught up with the leader, so holding every request.
    catching_up: bool,
    /// Requests that arrived while no leader was known: they wait for the election's outcome
    /// rather than sending the client around the cluster.
    parked: Vec<(RequestInfo, KvRequest)>,
}

impl Raft {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn current_term(&self) -> Term {
        self.current_term
    }

    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    pub fn log(&self) -> &SharedVec<Entry> {
        &self.log
    }

    pub fn commit_index(&self) -> LogIndex {
        self.commit_index
    }

    pub fn last_applied(&self) -> LogIndex {
        self.last_applied
    }

    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    pub fn kv(&self) -> &KvStore {
        &self.kv
    }

    /// On a leader, each follower with its nextIndex and matchIndex.
    pub fn followers(&self) -> impl Iterator<Item = (NodeId, LogIndex, LogIndex)> + '_ {
        self.next_index
            .iter()
            .zip(&self.match_index)
            .enumerate()
            .filter(|(i, _)| *i != self.id.index())
            .map(|(i, (next, matched))| (NodeId(i as u32), *next, *matched))
    }

    fn majority(&self) -> usize {
        self.nodes as usize / 2 + 1
    }

    fn last_log_index(&self) -> LogIndex {
        LogIndex(self.log.len() as u64)
    }

    fn last_log_term(&self) -> Term {
        self.log.last().map_or(Term(0), |e| e.term)
    }

    /// The term of the entry at `index` (0 before the first entry); `None` past the end.
    fn term_at(&self, index: LogIndex) -> Option<Term> {
        match index.0 {
            0 => Some(Term(0)),
            i => self.log.get(i as usize - 1).map(|e| e.term),
        }
    }
}

impl Protocol for Raft {
    type Msg = RaftMsg;
    type Timer = RaftTimer;
    type Request = KvRequest;
    type Response = KvResponse;
    type Stable = RaftStable;
    type Params = RaftParams;
    type Note = RaftNote;

    const NAME: &'static str = "raft";
    const LOG: Option<LogWords> = Some(LogWords {
        position: "index",
        number: "term",
        entry: "entry",
        settled: "committed",
    });

    fn new(id: NodeId, nodes: u32, params: &RaftParams) -> Self {
        Raft {
            id,
            nodes,
            params: *params,
            current_term: Term(0),
            voted_for: None,
            log: SharedVec::default(),
            role: Role::Follower,
            commit_index: LogIndex(0),
            last_applied: LogIndex(0),
            leader: None,
            kv: KvStore::default(),
            election_timer: None,
            retry_timer: None,
            answered: Vec::new(),
            votes: Vec::new(),
            next_index: Vec::new(),
            match_index: Vec::new(),
            sent: Vec::new(),
            term_start: LogIndex(0),
            pending: BTreeMap::new(),
            round: 0,
            acked_round: Vec::new(),
            reads: Vec::new(),
            syncs: Vec::new(),
            sync_timer: None,
            next_sync: 0,
            catching_up: false,
            parked: Vec::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable();
        self.current_term = stable.current_term;
        self.voted_for = stable.voted_for;
        self.log = stable.log.clone();
        // A server with a log may have answered reads from it before a crash: it must not answer
        // from an older state now.
        self.catching_up = self.params.reads == ReadMode::Local
            && !self.log.is_empty()
            && self.params.break_it != BreakIt::ReadBeforeCatchUp;
        self.reset_election_timer(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &RaftMsg) {
        match msg {
            RaftMsg::RequestVote {
                term,
                last_log_index,
                last_log_term,
                ..
            } => self.on_request_vote(ctx, from, *term, *last_log_index, *last_log_term),
            RaftMsg::RequestVoteResponse { term, vote_granted } => {
                self.on_vote(ctx, from, *term, *vote_granted)
            }
            RaftMsg::AppendEntries { .. } => self.on_append_entries(ctx, from, msg),
            RaftMsg::AppendEntriesResponse { .. } => self.on_append_response(ctx, from, msg),
            RaftMsg::Forward { command } => self.on_forward(ctx, command),
            RaftMsg::SyncRequest { id } => self.on_sync_request(ctx, from, *id),
            RaftMsg::SyncIndex { id, index } => self.on_sync_index(ctx, *id, *index),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: RaftTimer) {
        match timer {
            RaftTimer::Election => {
                self.election_timer = None;
                if self.role != Role::Leader {
                    self.become_candidate(ctx);
                }
            }
            RaftTimer::Heartbeat => {
                self.retry_timer = None;
                if self.role == Role::Leader {
                    self.replicate(ctx);
                    self.set_retry_timer(ctx, RaftTimer::Heartbeat);
                }
            }
            RaftTimer::VoteRetry => {
                self.retry_timer = None;
                if self.role == Role::Candidate {
                    let request = self.request_vote();
                    for peer in ctx.peers().filter(|p| !self.answered[p.index()]) {
                        ctx.send(peer, request.clone());
                    }
                    self.set_retry_timer(ctx, RaftTimer::VoteRetry);
                }
            }
            RaftTimer::SyncRetry => self.on_sync_retry(ctx),
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        self.on_client(ctx, req, op);
    }

    fn outcome(response: &KvResponse) -> Outcome {
        response.outcome()
    }

    fn validate(p: &RaftParams, _nodes: u32) -> Result<(), String> {
        let ten_minutes = 600_000_000;
        types::check_election_timeouts(p.election_timeout_min_us, p.election_timeout_max_us)?;
        if p.heartbeat_us < 100 || p.heartbeat_us > ten_minutes {
            return Err("`protocol.heartbeat_us` must be from 100µs to 10 minutes".into());
        }
        if p.max_entries_per_message == 0 || p.max_entries_per_message > 10_000 {
            return Err("`protocol.max_entries_per_message` must be from 1 to 10000".into());
        }
        if p.liveness_bound_us == 0 || p.liveness_bound_us > HOUR_US {
            return Err("`protocol.liveness_bound_us` must be from 1µs to one hour".into());
        }
        let local_only = match p.break_it {
            BreakIt::ReadBeforeCatchUp => Some("read_before_catch_up"),
            BreakIt::SyncLocally => Some("sync_locally"),
            _ => None,
        };
        if let Some(name) = local_only.filter(|_| p.reads != ReadMode::Local) {
            return Err(format!(
                "`protocol.break_it` {name} needs `protocol.reads` \"local\""
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<KvRequest> {
        Some(KvRequest::Put {
            key: "x".into(),
            value: "1".into(),
        })
    }

    fn fact(note: &RaftNote) -> Option<Fact> {
        match *note {
            RaftNote::Role { role, term } => Some(Fact::RoleChanged {
                role: role.name(),
                term: Some(term.0),
            }),
            RaftNote::CaughtUp { .. } => None,
        }
    }

    fn msg_label(msg: &RaftMsg) -> String {
        match msg {
            RaftMsg::RequestVote { term, .. } => format!("RequestVote {term}"),
            RaftMsg::RequestVoteResponse { term, vote_granted } => {
                if *vote_granted {
                    format!("vote {term}")
                } else {
                    format!("no vote {term}")
                }
            }
            RaftMsg::AppendEntries {
                term,
                prev_log_index,
                entries,
                ..
            } => match entries.len() as u64 {
                0 => format!("heartbeat {term}"),
                1 => format!("AppendEntries {term} [{}]", prev_log_index.0 + 1),
                n => format!(
                    "AppendEntries {term} [{}..{}]",
                    prev_log_index.0 + 1,
                    prev_log_index.0 + n
                ),
            },
            RaftMsg::AppendEntriesResponse {
                term,
                success,
                index,
                ..
            } => {
                if *success {
                    format!("ok {term} → {index}")
                } else {
                    format!("mismatch {term} at {index}")
                }
            }
            RaftMsg::Forward { command } => format!("forward {}", command.describe()),
            RaftMsg::SyncRequest { id } => format!("sync {id}?"),
            RaftMsg::SyncIndex { id, index } => format!("sync {id}: index {index}"),
        }
    }

    fn timer_name(timer: &RaftTimer) -> &'static str {
        match timer {
            RaftTimer::Election => "election",
            RaftTimer::Heartbeat => "heartbeat",
            RaftTimer::VoteRetry => "vote retry",
            RaftTimer::SyncRetry => "sync retry",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &RaftParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all(params)
    }

    /// What Election Safety, Leader Completeness and State Machine Safety read of a node.
    fn watched(&self) -> Watched {
        [
            self.role as u64,
            self.current_term.0,
            self.commit_index.0,
            self.last_applied.0,
        ]
    }

    fn generate_request(seq: u64, rng: &mut SimRng) -> Option<KvRequest> {
        Some(crate::protocols::kv::generate_request(seq, rng))
    }

    fn register_op(request: &KvRequest) -> Option<(&str, RegisterInput)> {
        kv::register_op(request)
    }

    fn register_answer(response: &KvResponse) -> Option<RegisterOutput> {
        kv::register_answer(response)
    }
}
