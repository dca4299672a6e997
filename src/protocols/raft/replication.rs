//! Log replication (Figure 2, section 5.3): AppendEntries with the consistency check and fast
//! backtracking, commitment by majority in the current term, and applying committed entries.

use super::{BreakIt, Entry, LogIndex, Raft, RaftMsg, Role, Term};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;

impl Raft {
    /// Appends one entry to the leader's log, on stable storage first.
    pub(super) fn append(&mut self, ctx: &mut Ctx<'_, Self>, entry: Entry) {
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
    pub(super) fn replicate(&mut self, ctx: &mut Ctx<'_, Self>) {
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
    pub(super) fn advance_commit(&mut self, ctx: &mut Ctx<'_, Self>) {
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
        self.finish_syncs(ctx);
    }

    pub(super) fn on_append_entries(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        msg: &RaftMsg,
    ) {
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
            self.new_leader(ctx, *leader);
            self.unpark(ctx);
        }
        self.catch_up(ctx, *leader);
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

    pub(super) fn on_append_response(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        msg: &RaftMsg,
    ) {
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
}
