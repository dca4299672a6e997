//! Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014),
//! following Figure 2: leader election with randomized timeouts, log replication with the
//! consistency check and fast backtracking, commitment by majority in the current term, and a
//! replicated key-value store. Every new leader appends a no-op (section 8) so entries of earlier
//! terms commit, and reads are linearizable, through the log or with a read index.
//!
//! `break_it` selects deliberate bugs; the checkers in `properties` catch each of them.

pub mod kv;
mod properties;
pub mod shared;
pub mod types;
mod view;

use crate::engine::fact::Fact;
use crate::engine::ids::{NodeId, OpId, RequestId, TimerId};
use crate::engine::protocol::{NodeView, Outcome, Property, Protocol, RequestInfo, Watched};
use crate::engine::rng::SimRng;
use crate::engine::sim::Ctx;
use crate::engine::time::HOUR_US;
use kv::KvStore;
use serde::Serialize;
use shared::SharedVec;
use std::collections::BTreeMap;
use std::rc::Rc;
pub use types::{
    BreakIt, Command, Entry, KvRequest, KvResponse, LogIndex, RaftMsg, RaftParams, RaftStable,
    RaftTimer, ReadMode, Term,
};

/// A server's role (Figure 2's "Rules for Servers").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
    Role { role: Role, term: Term },
}

impl std::fmt::Display for RaftNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let RaftNote::Role { role, term } = *self;
        write!(f, "{} in term {}", role.name(), term.0)
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

/// A get waiting for its read index to be confirmed and applied.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingRead {
    request: RequestId,
    key: String,
    read_index: LogIndex,
    round: u64,
}

/// One Raft server.
#[derive(Clone, Debug)]
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

    fn election_timeout(&self, rng: &mut SimRng) -> u64 {
        let (min, max) = (
            self.params.election_timeout_min_us,
            self.params.election_timeout_max_us,
        );
        if self.params.break_it == BreakIt::FixedElectionTimeout {
            min
        } else {
            rng.range_u64(min, max)
        }
    }

    fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(timer) = self.election_timer.take() {
            ctx.cancel_timer(timer);
        }
        let after = self.election_timeout(ctx.rng());
        self.election_timer = Some(ctx.set_timer(after, RaftTimer::Election));
    }

    /// Moves to `term` having voted for `vote`, persisting both before anything else happens.
    fn set_term(&mut self, ctx: &mut Ctx<'_, Self>, term: Term, vote: Option<NodeId>) {
        if term != self.current_term {
            self.current_term = term;
            self.leader = None;
            ctx.persist("currentTerm", |s| s.current_term = term);
        }
        self.record_vote(ctx, vote);
    }

    fn record_vote(&mut self, ctx: &mut Ctx<'_, Self>, vote: Option<NodeId>) {
        self.voted_for = vote;
        let forget = self.params.break_it == BreakIt::ForgetVotedFor;
        if !forget && ctx.stable().voted_for != vote {
            ctx.persist("votedFor", |s| s.voted_for = vote);
        }
    }

    /// Figure 2: "If RPC request or response contains term T > currentTerm: set currentTerm = T,
    /// convert to follower."
    fn observe_term(&mut self, ctx: &mut Ctx<'_, Self>, term: Term) {
        if term > self.current_term {
            self.set_term(ctx, term, None);
            self.become_follower(ctx);
        }
    }

    fn become_follower(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role == Role::Follower {
            return;
        }
        let was_leader = self.role == Role::Leader;
        self.role = Role::Follower;
        self.reads.clear();
        if let Some(timer) = self.retry_timer.take() {
            ctx.cancel_timer(timer);
        }
        ctx.note(RaftNote::Role {
            role: Role::Follower,
            term: self.current_term,
        });
        if was_leader || self.election_timer.is_none() {
            self.reset_election_timer(ctx);
        }
    }

    fn become_candidate(&mut self, ctx: &mut Ctx<'_, Self>) {
        let term = Term(self.current_term.0 + 1);
        self.set_term(ctx, term, Some(self.id));
        self.role = Role::Candidate;
        self.leader = None;
        self.votes = vec![false; self.nodes as usize];
        self.votes[self.id.index()] = true;
        self.answered = self.votes.clone();
        ctx.note(RaftNote::Role {
            role: Role::Candidate,
            term,
        });
        self.reset_election_timer(ctx);
        if self.majority() == 1 {
            self.become_leader(ctx);
            return;
        }
        ctx.broadcast(self.request_vote());
        self.set_retry_timer(ctx, RaftTimer::VoteRetry);
    }

    fn request_vote(&self) -> RaftMsg {
        RaftMsg::RequestVote {
            term: self.current_term,
            candidate: self.id,
            last_log_index: self.last_log_index(),
            last_log_term: self.last_log_term(),
        }
    }

    /// Starts the leader's heartbeat or the candidate's vote retry, replacing either.
    fn set_retry_timer(&mut self, ctx: &mut Ctx<'_, Self>, kind: RaftTimer) {
        if let Some(timer) = self.retry_timer.take() {
            ctx.cancel_timer(timer);
        }
        self.retry_timer = Some(ctx.set_timer(self.params.heartbeat_us, kind));
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.role = Role::Leader;
        self.leader = Some(self.id);
        ctx.note(RaftNote::Role {
            role: Role::Leader,
            term: self.current_term,
        });
        if let Some(timer) = self.election_timer.take() {
            ctx.cancel_timer(timer);
        }
        let next = self.last_log_index().next();
        self.next_index = vec![next; self.nodes as usize];
        self.match_index = vec![LogIndex(0); self.nodes as usize];
        self.sent = vec![LogIndex(0); self.nodes as usize];
        self.acked_round = vec![0; self.nodes as usize];
        self.round = 0;
        self.reads.clear();
        // The paper's Figure 8 has no no-op, and the broken commit rule needs its absence to show:
        // the no-op would travel with the old entries, so a majority would never store those alone.
        if self.params.leader_noop {
            self.append(
                ctx,
                Entry {
                    term: self.current_term,
                    command: Rc::new(Command::Noop),
                },
            );
        }
        self.term_start = self.last_log_index();
        self.replicate(ctx);
        self.set_retry_timer(ctx, RaftTimer::Heartbeat);
        self.advance_commit(ctx);
        self.unpark(ctx);
    }

    /// Appends one entry to the leader's log, on stable storage first.
    fn append(&mut self, ctx: &mut Ctx<'_, Self>, entry: Entry) {
        self.log.push(entry.clone());
        ctx.persist("log", |s| s.log.push(entry));
    }

    /// The last index an AppendEntries starting at `next` carries.
    fn batch_end(&self, next: LogIndex) -> usize {
        let start = next.prev().0 as usize;
        (start + self.params.max_entries_per_message as usize).min(self.log.len())
    }

    /// The AppendEntries a follower whose next index is `next` should get now.
    fn append_entries_for(&self, next: LogIndex) -> RaftMsg {
        let prev = next.prev();
        let start = prev.0 as usize;
        let end = self.batch_end(next);
        RaftMsg::AppendEntries {
            term: self.current_term,
            leader: self.id,
            prev_log_index: prev,
            prev_log_term: self.term_at(prev).unwrap_or(Term(0)),
            entries: self.log.range(start..end).cloned().collect(),
            leader_commit: self.commit_index,
            round: self.round,
        }
    }

    /// Sends every follower what it is missing (or a heartbeat): one shared message when all
    /// followers are at the same point, as they are in steady state.
    fn replicate(&mut self, ctx: &mut Ctx<'_, Self>) {
        let mut peers = ctx.peers();
        let Some(first) = peers.next() else {
            return;
        };
        let next = self.next_index[first.index()];
        if peers.all(|p| self.next_index[p.index()] == next) {
            let end = LogIndex(self.batch_end(next) as u64);
            for peer in ctx.peers() {
                self.sent[peer.index()] = self.sent[peer.index()].max(end);
            }
            ctx.broadcast(self.append_entries_for(next));
        } else {
            for peer in ctx.peers() {
                self.send_append(ctx, peer, self.next_index[peer.index()]);
            }
        }
    }

    /// Sends `peer` the AppendEntries that starts at `next`.
    fn send_append(&mut self, ctx: &mut Ctx<'_, Self>, peer: NodeId, next: LogIndex) {
        let end = LogIndex(self.batch_end(next) as u64);
        self.sent[peer.index()] = self.sent[peer.index()].max(end);
        ctx.send(peer, self.append_entries_for(next));
    }

    /// The highest index a majority of servers store: the majority-th largest matchIndex, counting
    /// this leader's own log. Clusters are small, so the values are ranked on the stack, without an
    /// allocation per acknowledgement.
    fn majority_match(&self) -> LogIndex {
        let mut stack = [LogIndex(0); 16];
        let mut heap = Vec::new();
        let matched: &mut [LogIndex] = match stack.get_mut(..self.match_index.len()) {
            Some(slice) => slice,
            None => {
                heap.resize(self.match_index.len(), LogIndex(0));
                &mut heap
            }
        };
        matched.copy_from_slice(&self.match_index);
        matched[self.id.index()] = self.last_log_index();
        *matched
            .select_nth_unstable_by(self.majority() - 1, |a, b| b.cmp(a))
            .1
    }

    /// Figure 2: "If there exists an N such that N > commitIndex, a majority of matchIndex[i] ≥ N,
    /// and log[N].term == currentTerm: set commitIndex = N."
    fn advance_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
        // Most acknowledgements commit nothing new: a count settles that without ranking.
        let next = self.commit_index.next();
        let me = self.id.index();
        let stored = self
            .match_index
            .iter()
            .enumerate()
            .filter(|&(i, m)| i != me && *m >= next)
            .count()
            + usize::from(self.last_log_index() >= next);
        if stored < self.majority() {
            return;
        }
        let n = self.majority_match();
        let current = self.term_at(n) == Some(self.current_term);
        if n > self.commit_index && (current || self.params.break_it == BreakIt::CommitEarlierTerm)
        {
            self.commit_index = n;
            self.apply(ctx);
        }
    }

    /// Figure 2: "If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to
    /// state machine." Answers the clients waiting on this node for what was applied.
    fn apply(&mut self, ctx: &mut Ctx<'_, Self>) {
        // Only a broken variant can commit past the end of the log (after losing committed
        // entries); applying stops there rather than panicking, and the checkers report why.
        let applicable = self.commit_index.min(self.last_log_index());
        while self.last_applied < applicable {
            self.last_applied = self.last_applied.next();
            let command = &self.log[self.last_applied.0 as usize - 1].command;
            let result = self.kv.apply(command);
            if let (Some(op), Some(result)) = (command.op(), result)
                && let Some(requests) = self.pending.remove(&op)
            {
                for request in requests {
                    ctx.reply(request, result.clone());
                }
            }
        }
        self.serve_reads(ctx);
    }

    /// Answers read-index gets whose round a majority confirmed and whose index is applied.
    fn serve_reads(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.role != Role::Leader || self.reads.is_empty() {
            return;
        }
        let mut acked: Vec<u64> = ctx.peers().map(|p| self.acked_round[p.index()]).collect();
        acked.sort_unstable_by(|a, b| b.cmp(a));
        let confirmed = match self.majority() - 1 {
            0 => u64::MAX,
            k => acked[k - 1],
        };
        let applied = self.last_applied;
        let (ready, waiting): (Vec<PendingRead>, Vec<PendingRead>) =
            std::mem::take(&mut self.reads)
                .into_iter()
                .partition(|r| r.round <= confirmed && r.read_index <= applied);
        self.reads = waiting;
        for read in ready {
            ctx.reply(read.request, self.kv.read(&read.key));
        }
    }

    fn on_request_vote(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: Term,
        last_log_index: LogIndex,
        last_log_term: Term,
    ) {
        self.observe_term(ctx, term);
        let up_to_date = (last_log_term, last_log_index)
            >= (self.last_log_term(), self.last_log_index())
            || self.params.break_it == BreakIt::VoteWithoutLogCheck;
        let free = self.voted_for.is_none() || self.voted_for == Some(from);
        let grant = term == self.current_term && free && up_to_date;
        if grant {
            self.record_vote(ctx, Some(from));
            self.reset_election_timer(ctx);
        }
        ctx.send(
            from,
            RaftMsg::RequestVoteResponse {
                term: self.current_term,
                vote_granted: grant,
            },
        );
    }

    fn on_vote(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, term: Term, granted: bool) {
        self.observe_term(ctx, term);
        if self.role != Role::Candidate || term != self.current_term {
            return;
        }
        self.answered[from.index()] = true;
        if !granted {
            return;
        }
        self.votes[from.index()] = true;
        if self.votes.iter().filter(|v| **v).count() >= self.majority() {
            self.become_leader(ctx);
        }
    }

    fn on_append_entries(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &RaftMsg) {
        let RaftMsg::AppendEntries {
            term,
            leader,
            prev_log_index,
            prev_log_term,
            entries,
            leader_commit,
            round,
        } = msg
        else {
            return;
        };
        self.observe_term(ctx, *term);
        let reply = |raft: &Self, success: bool, index: LogIndex, conflict: Option<Term>, at| {
            RaftMsg::AppendEntriesResponse {
                term: raft.current_term,
                success,
                index,
                conflict_term: conflict,
                conflict_index: at,
                round: *round,
            }
        };
        if *term < self.current_term {
            ctx.send(from, reply(self, false, *prev_log_index, None, LogIndex(0)));
            return;
        }
        if self.role == Role::Candidate {
            self.become_follower(ctx);
        }
        self.reset_election_timer(ctx);
        if self.leader != Some(*leader) {
            self.leader = Some(*leader);
            self.unpark(ctx);
        }
        // Consistency check: our log must hold prev_log_index with prev_log_term.
        match self.term_at(*prev_log_index) {
            None => {
                let at = self.last_log_index().next();
                ctx.send(from, reply(self, false, *prev_log_index, None, at));
                return;
            }
            Some(t) if t != *prev_log_term => {
                let mut first = *prev_log_index;
                while first.0 > 1 && self.term_at(first.prev()) == Some(t) {
                    first = first.prev();
                }
                ctx.send(from, reply(self, false, *prev_log_index, Some(t), first));
                return;
            }
            Some(_) => {}
        }
        // Delete a conflicting suffix, then append what is new.
        let mut keep = self.log.len();
        let mut new_from = entries.len();
        for (k, entry) in entries.iter().enumerate() {
            let index = LogIndex(prev_log_index.0 + 1 + k as u64);
            match self.term_at(index) {
                Some(t) if t == entry.term => {}
                Some(_) => {
                    keep = index.0 as usize - 1;
                    new_from = k;
                    break;
                }
                None => {
                    new_from = k;
                    break;
                }
            }
        }
        if new_from < entries.len() {
            let suffix = &entries[new_from..];
            self.log.truncate(keep);
            self.log.extend(suffix.iter().cloned());
            ctx.persist("log", |s| {
                s.log.truncate(keep);
                s.log.extend(suffix.iter().cloned());
            });
        }
        let last_new = LogIndex(prev_log_index.0 + entries.len() as u64);
        if *leader_commit > self.commit_index {
            self.commit_index = self.commit_index.max((*leader_commit).min(last_new));
            self.apply(ctx);
        }
        ctx.send(from, reply(self, true, last_new, None, LogIndex(0)));
    }

    fn on_append_response(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &RaftMsg) {
        let RaftMsg::AppendEntriesResponse {
            term,
            success,
            index,
            conflict_term,
            conflict_index,
            round,
        } = *msg
        else {
            return;
        };
        self.observe_term(ctx, term);
        if self.role != Role::Leader || term != self.current_term {
            return;
        }
        let peer = from.index();
        self.acked_round[peer] = self.acked_round[peer].max(round);
        if success {
            if index > self.match_index[peer] {
                self.match_index[peer] = index;
                // Acknowledging what is already committed cannot commit more.
                if index > self.commit_index {
                    self.advance_commit(ctx);
                }
            }
            self.next_index[peer] = self.next_index[peer].max(index.next());
            // Send the rest only if nothing already on its way carries it: answering every
            // success while entries keep arriving would start one more chain of messages per
            // request, never ending while the follower lags.
            if self.next_index[peer] <= self.last_log_index() && index >= self.sent[peer] {
                let next = self.next_index[peer];
                self.send_append(ctx, from, next);
            }
        } else if index.next() == self.next_index[peer] {
            let back = if self.params.fast_backtrack {
                match conflict_term {
                    Some(t) => match self.log.rposition(|e| e.term == t) {
                        Some(position) => LogIndex(position as u64 + 2),
                        None => conflict_index,
                    },
                    None => conflict_index,
                }
            } else {
                index
            };
            let next = back
                .min(index)
                .max(self.match_index[peer].next())
                .max(LogIndex(1));
            self.next_index[peer] = next;
            // Whatever was sent beyond `next` will fail the consistency check too.
            self.sent[peer] = LogIndex(0);
            self.send_append(ctx, from, next);
        }
        self.serve_reads(ctx);
    }

    /// Handles the requests parked while no leader was known, now that one is.
    fn unpark(&mut self, ctx: &mut Ctx<'_, Self>) {
        for (req, op) in std::mem::take(&mut self.parked) {
            self.on_client(ctx, req, &op);
        }
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        if self.role != Role::Leader {
            match self.leader {
                Some(leader) => ctx.reply(req.id, KvResponse::Redirect(leader)),
                None => self.parked.push((req, op.clone())),
            }
            return;
        }
        if let Some(result) = self.kv.result(req.op) {
            ctx.reply(req.id, result.clone());
            return;
        }
        if let (KvRequest::Get { key }, ReadMode::ReadIndex) = (op, self.params.reads) {
            self.round += 1;
            self.reads.push(PendingRead {
                request: req.id,
                key: key.clone(),
                read_index: self.commit_index.max(self.term_start),
                round: self.round,
            });
            self.replicate(ctx);
            self.serve_reads(ctx);
            return;
        }
        // A retry of an operation already in the uncommitted log waits for that entry.
        let retry = self
            .log
            .range(self.commit_index.0 as usize..self.log.len())
            .any(|e| e.command.op() == Some(req.op));
        if retry {
            self.pending.entry(req.op).or_default().push(req.id);
            return;
        }
        let command = match op.clone() {
            KvRequest::Put { key, value } => Command::Put {
                op: req.op,
                key,
                value,
            },
            KvRequest::Append { key, value } => Command::Append {
                op: req.op,
                key,
                value,
            },
            KvRequest::Get { key } => Command::Get { op: req.op, key },
        };
        self.pending.entry(req.op).or_default().push(req.id);
        self.append(
            ctx,
            Entry {
                term: self.current_term,
                command: Rc::new(command),
            },
        );
        self.replicate(ctx);
        self.advance_commit(ctx);
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
            parked: Vec::new(),
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable();
        self.current_term = stable.current_term;
        self.voted_for = stable.voted_for;
        self.log = stable.log.clone();
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
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        self.on_client(ctx, req, op);
    }

    fn outcome(response: &KvResponse) -> Outcome {
        match response {
            KvResponse::Redirect(leader) => Outcome::Redirect(Some(*leader)),
            KvResponse::Ok | KvResponse::Value(_) => Outcome::Done,
        }
    }

    fn validate(p: &RaftParams, _nodes: u32) -> Result<(), String> {
        let ten_minutes = 600_000_000;
        if p.election_timeout_min_us < 1_000 || p.election_timeout_min_us > ten_minutes {
            return Err("`protocol.election_timeout_min_us` must be from 1ms to 10 minutes".into());
        }
        if p.election_timeout_max_us <= p.election_timeout_min_us
            || p.election_timeout_max_us > ten_minutes
        {
            return Err(format!(
                "`protocol.election_timeout_max_us` must be above election_timeout_min_us ({}µs) \
                 and at most 10 minutes",
                p.election_timeout_min_us
            ));
        }
        if p.heartbeat_us < 100 || p.heartbeat_us > ten_minutes {
            return Err("`protocol.heartbeat_us` must be from 100µs to 10 minutes".into());
        }
        if p.max_entries_per_message == 0 || p.max_entries_per_message > 10_000 {
            return Err("`protocol.max_entries_per_message` must be from 1 to 10000".into());
        }
        if p.liveness_bound_us == 0 || p.liveness_bound_us > HOUR_US {
            return Err("`protocol.liveness_bound_us` must be from 1µs to one hour".into());
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
        let RaftNote::Role { role, term } = *note;
        Some(Fact::RoleChanged {
            role: role.name(),
            term: Some(term.0),
        })
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
        }
    }

    fn timer_name(timer: &RaftTimer) -> &'static str {
        match timer {
            RaftTimer::Election => "election",
            RaftTimer::Heartbeat => "heartbeat",
            RaftTimer::VoteRetry => "vote retry",
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
        let key = ["x", "y", "z"][rng.index(3)].to_string();
        Some(match rng.range_u64(0, 10) {
            0..=3 => KvRequest::Put {
                key,
                value: seq.to_string(),
            },
            4..=6 => KvRequest::Get { key },
            _ => KvRequest::Append {
                key,
                value: format!("+{seq}"),
            },
        })
    }
}
