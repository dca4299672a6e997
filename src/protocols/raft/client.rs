//! Client requests: redirects to the leader, requests parked while no leader is known, retries of
//! operations already in the log, and reads, through the log or with a read index (section 8), or
//! ZooKeeper's way: from each server's own state, with writes forwarded and `sync`.

use super::{
    BreakIt, Command, Entry, KvRequest, KvResponse, LogIndex, Raft, RaftMsg, RaftNote, RaftTimer,
    ReadMode, Role,
};
use crate::engine::ids::{NodeId, RequestId};
use crate::engine::protocol::RequestInfo;
use crate::engine::sim::Ctx;
use std::rc::Rc;

/// What a confirmed read index answers.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum ReadFor {
    /// A client's get on the leader: the key's value.
    Get(RequestId, String),
    /// A client's sync on the leader: done.
    Sync(RequestId),
    /// A follower's sync `id`: the index, sent back to it.
    Follower(NodeId, u64),
}

/// A read waiting for its read index to be confirmed and applied.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) struct PendingRead {
    answer: ReadFor,
    read_index: LogIndex,
    round: u64,
}

/// A follower's sync, for a client or (`request` none) to catch up after a restart: waiting for
/// the leader's read index, then to apply up to it. `gets` arrived after it and wait for it, as a
/// ZooKeeper server handles a session's requests in order.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(super) struct PendingSync {
    id: u64,
    request: Option<RequestId>,
    index: Option<LogIndex>,
    gets: Vec<(RequestId, String)>,
}

impl Raft {
    /// Answers read-index gets whose round a majority confirmed and whose index is applied.
    pub(super) fn serve_reads(&mut self, ctx: &mut Ctx<'_, Self>) {
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
            match read.answer {
                ReadFor::Get(request, key) => ctx.reply(request, self.kv.read(&key)),
                ReadFor::Sync(request) => ctx.reply(request, KvResponse::Ok),
                ReadFor::Follower(node, id) => {
                    let index = read.read_index;
                    ctx.send(node, RaftMsg::SyncIndex { id, index });
                }
            }
        }
    }

    /// Starts a read-index round for `answer` (section 6.4).
    fn read_index(&mut self, ctx: &mut Ctx<'_, Self>, answer: ReadFor) {
        self.round += 1;
        self.reads.push(PendingRead {
            answer,
            read_index: self.commit_index.max(self.term_start),
            round: self.round,
        });
        self.replicate(ctx);
        self.serve_reads(ctx);
    }

    /// Local reads: the leader takes a follower's request for a read index.
    pub(super) fn on_sync_request(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, id: u64) {
        if self.role == Role::Leader {
            self.read_index(ctx, ReadFor::Follower(from, id));
        }
    }

    /// Local reads: a follower learns the read index of one of its syncs (the first answer
    /// counts; a repeated request may bring a second).
    pub(super) fn on_sync_index(&mut self, ctx: &mut Ctx<'_, Self>, id: u64, index: LogIndex) {
        if let Some(sync) = self.syncs.iter_mut().find(|s| s.id == id) {
            sync.index.get_or_insert(index);
        }
        let waiting = self
            .syncs
            .iter()
            .any(|s| s.request.is_some() && s.index.is_none());
        if let Some(timer) = self.sync_timer.take_if(|_| !waiting) {
            ctx.cancel_timer(timer);
        }
        self.finish_syncs(ctx);
    }

    /// Local reads, on learning of a new leader: a restarted server forgets the index it was
    /// catching up to, which the old leader may never have committed; clients' syncs without a
    /// read index ask the new leader, or, on the new leader itself, wait for its term's first
    /// entry, which commits only after every entry committed before.
    pub(super) fn new_leader(&mut self, ctx: &mut Ctx<'_, Self>, leader: NodeId) {
        self.syncs.retain(|s| s.request.is_some());
        if leader != self.id {
            self.ask_syncs(ctx, leader);
            return;
        }
        for sync in self.syncs.iter_mut().filter(|s| s.index.is_none()) {
            sync.index = Some(self.term_start);
        }
    }

    /// Local reads: asks `leader` for the read index of every client sync still without one,
    /// and again after a while if no answer comes.
    fn ask_syncs(&mut self, ctx: &mut Ctx<'_, Self>, leader: NodeId) {
        let waiting = self
            .syncs
            .iter()
            .filter(|s| s.request.is_some() && s.index.is_none());
        for sync in waiting {
            ctx.send(leader, RaftMsg::SyncRequest { id: sync.id });
        }
        self.arm_sync_timer(ctx);
    }

    /// Local reads: sets the sync retry timer while a client's sync waits for its read index.
    fn arm_sync_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let waiting = self
            .syncs
            .iter()
            .any(|s| s.request.is_some() && s.index.is_none());
        if waiting && self.sync_timer.is_none() {
            let after = self.params.election_timeout_min_us;
            self.sync_timer = Some(ctx.set_timer(after, RaftTimer::SyncRetry));
        }
    }

    /// Local reads: no read index came in time, so the syncs ask the leader again.
    pub(super) fn on_sync_retry(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.sync_timer = None;
        match self.leader {
            Some(leader) if leader != self.id => self.ask_syncs(ctx, leader),
            _ => {}
        }
    }

    /// Local reads: a restarted server hearing from the leader asks for a read index to catch up
    /// to, again at each message from the leader until it has one (a request may be lost). One
    /// that became leader itself catches up to its term's first entry, which commits only after
    /// everything before it.
    pub(super) fn catch_up(&mut self, ctx: &mut Ctx<'_, Self>, leader: NodeId) {
        if !self.catching_up {
            return;
        }
        if leader == self.id {
            self.next_sync += 1;
            self.syncs.push(PendingSync {
                id: self.next_sync,
                request: None,
                index: Some(self.term_start),
                gets: Vec::new(),
            });
            return;
        }
        let id = match self.syncs.iter().find(|s| s.request.is_none()) {
            Some(sync) if sync.index.is_some() => return,
            Some(sync) => sync.id,
            None => {
                self.next_sync += 1;
                self.syncs.push(PendingSync {
                    id: self.next_sync,
                    request: None,
                    index: None,
                    gets: Vec::new(),
                });
                self.next_sync
            }
        };
        ctx.send(leader, RaftMsg::SyncRequest { id });
    }

    /// Answers the syncs whose read index this server has applied; once its own catch-up sync is
    /// among them, serves the requests it held.
    pub(super) fn finish_syncs(&mut self, ctx: &mut Ctx<'_, Self>) {
        let applied = self.last_applied;
        let (done, waiting): (Vec<PendingSync>, Vec<PendingSync>) = std::mem::take(&mut self.syncs)
            .into_iter()
            .partition(|s| s.index.is_some_and(|i| i <= applied));
        self.syncs = waiting;
        for sync in done {
            match sync.request {
                Some(request) => {
                    ctx.reply(request, KvResponse::Ok);
                    for (get, key) in sync.gets {
                        ctx.reply(get, self.kv.read(&key));
                    }
                }
                None => {
                    self.catching_up = false;
                    ctx.note(RaftNote::CaughtUp { index: applied });
                    self.unpark(ctx);
                }
            }
        }
    }

    /// Local reads: the leader appends a write a follower passed on, unless it has it already.
    pub(super) fn on_forward(&mut self, ctx: &mut Ctx<'_, Self>, command: &Rc<Command>) {
        let Some(op) = command.op() else {
            return;
        };
        let known = self.kv.result(op).is_some()
            || self
                .log
                .range(self.commit_index.0 as usize..self.log.len())
                .any(|e| e.command.op() == Some(op));
        if self.role != Role::Leader || known {
            return;
        }
        self.append(
            ctx,
            Entry {
                term: self.current_term,
                command: command.clone(),
            },
        );
        self.replicate(ctx);
        self.advance_commit(ctx);
    }

    /// Local reads on a follower: a get is answered from this server's state, a sync asks the
    /// leader for a read index, and a write goes to the leader and is answered here once applied.
    /// A server catching up holds every request. Returns false for a request left to the
    /// leader's path.
    fn local(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) -> bool {
        if self.catching_up {
            self.parked.push((req, op.clone()));
            return true;
        }
        if let KvRequest::Get { key } = op {
            self.local_get(ctx, req, key);
            return true;
        }
        if self.params.break_it == BreakIt::SyncLocally && matches!(op, KvRequest::Sync { .. }) {
            ctx.reply(req.id, KvResponse::Ok);
            return true;
        }
        if self.role == Role::Leader {
            return false;
        }
        let Some(leader) = self.leader else {
            self.parked.push((req, op.clone()));
            return true;
        };
        if let KvRequest::Sync { .. } = op {
            self.next_sync += 1;
            let id = self.next_sync;
            self.syncs.push(PendingSync {
                id,
                request: Some(req.id),
                index: None,
                gets: Vec::new(),
            });
            ctx.send(leader, RaftMsg::SyncRequest { id });
            self.arm_sync_timer(ctx);
        } else if let Some(result) = self.kv.result(req.op) {
            ctx.reply(req.id, result.clone());
        } else {
            self.pending.entry(req.op).or_default().push(req.id);
            let command = Rc::new(Command::from_request(req.op, op));
            ctx.send(leader, RaftMsg::Forward { command });
        }
        true
    }

    /// Local reads, for the inspector: each pending sync's number, whom it is for, the read index
    /// once known, and the gets waiting for it.
    pub(super) fn sync_rows(&self) -> Vec<Vec<String>> {
        self.syncs
            .iter()
            .map(|sync| {
                let gets: Vec<String> = sync
                    .gets
                    .iter()
                    .map(|(_, key)| format!("get {key}"))
                    .collect();
                vec![
                    sync.id.to_string(),
                    if sync.request.is_some() {
                        "a client"
                    } else {
                        "catching up"
                    }
                    .to_string(),
                    sync.index
                        .map_or_else(|| "asked".to_string(), |i| i.0.to_string()),
                    if gets.is_empty() {
                        "none".to_string()
                    } else {
                        gets.join(", ")
                    },
                ]
            })
            .collect()
    }

    /// Local reads: a get is answered from this server's state at once, unless a client's sync is
    /// still pending here: then it waits for the latest one and sees what that sync promises (a
    /// sync held until a leader is known holds the get too).
    fn local_get(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, key: &str) {
        let request = req.id;
        if let Some(at) = self
            .parked
            .iter()
            .position(|(_, op)| matches!(op, KvRequest::Sync { .. }))
        {
            let get = KvRequest::Get {
                key: key.to_string(),
            };
            self.parked.insert(at + 1, (req, get));
            return;
        }
        let follower_sync = self.syncs.iter_mut().rev().find(|s| s.request.is_some());
        let leader_sync = self
            .reads
            .iter()
            .rev()
            .find(|r| matches!(r.answer, ReadFor::Sync(_)));
        if let Some(sync) = follower_sync {
            sync.gets.push((request, key.to_string()));
        } else if let Some(sync) = leader_sync {
            let (read_index, round) = (sync.read_index, sync.round);
            self.reads.push(PendingRead {
                answer: ReadFor::Get(request, key.to_string()),
                read_index,
                round,
            });
        } else {
            ctx.reply(request, self.kv.read(key));
        }
    }

    /// Handles the requests parked while no leader was known, now that one is.
    pub(super) fn unpark(&mut self, ctx: &mut Ctx<'_, Self>) {
        for (req, op) in std::mem::take(&mut self.parked) {
            self.on_client(ctx, req, &op);
        }
    }

    pub(super) fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        if self.params.reads == ReadMode::Local && self.local(ctx, req, op) {
            return;
        }
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
        match (op, self.params.reads) {
            (KvRequest::Get { key }, ReadMode::ReadIndex) => {
                self.read_index(ctx, ReadFor::Get(req.id, key.clone()));
                return;
            }
            (KvRequest::Sync { .. }, _) => {
                self.read_index(ctx, ReadFor::Sync(req.id));
                return;
            }
            _ => {}
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
        let command = Command::from_request(req.op, op);
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
