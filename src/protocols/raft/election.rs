//! Leader election (Figure 2, section 5.2): terms and votes on stable storage, randomized election
//! timeouts, candidates asking for votes, and a new leader taking office.

use super::{BreakIt, Command, Entry, LogIndex, Raft, RaftMsg, RaftNote, RaftTimer, Role, Term};
use crate::engine::ids::NodeId;
use crate::engine::rng::SimRng;
use crate::engine::sim::Ctx;
use std::rc::Rc;

impl Raft {
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

    pub(super) fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
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
    pub(super) fn observe_term(&mut self, ctx: &mut Ctx<'_, Self>, term: Term) {
        if term > self.current_term {
            self.set_term(ctx, term, None);
            self.become_follower(ctx);
        }
    }

    pub(super) fn become_follower(&mut self, ctx: &mut Ctx<'_, Self>) {
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

    pub(super) fn become_candidate(&mut self, ctx: &mut Ctx<'_, Self>) {
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

    pub(super) fn request_vote(&self) -> RaftMsg {
        RaftMsg::RequestVote {
            term: self.current_term,
            candidate: self.id,
            last_log_index: self.last_log_index(),
            last_log_term: self.last_log_term(),
        }
    }

    /// Starts the leader's heartbeat or the candidate's vote retry, replacing either.
    pub(super) fn set_retry_timer(&mut self, ctx: &mut Ctx<'_, Self>, kind: RaftTimer) {
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
        self.new_leader(ctx, self.id);
        self.catch_up(ctx, self.id);
        self.replicate(ctx);
        self.set_retry_timer(ctx, RaftTimer::Heartbeat);
        self.advance_commit(ctx);
        self.unpark(ctx);
    }

    pub(super) fn on_request_vote(
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

    pub(super) fn on_vote(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        term: Term,
        granted: bool,
    ) {
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
}
