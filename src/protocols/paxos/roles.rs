//! What each role does: the acceptor's promises and acceptances, the proposer's two phases and
//! retries, and how a node comes to know the chosen value (a learner learns it, a proposer answers
//! its clients and tells the learners).

use super::{
    Backoff, Ballot, BreakIt, Paxos, PaxosMsg, PaxosNote, PaxosResponse, PaxosTimer, Phase, Value,
    Vote, quorum,
};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;
use std::rc::Rc;

impl Paxos {
    pub(super) fn is_proposer(&self) -> bool {
        self.roles.params.proposers.contains(&self.id)
    }

    pub(super) fn is_acceptor(&self) -> bool {
        self.roles.acceptors.contains(&self.id)
    }

    pub(super) fn is_learner(&self) -> bool {
        self.roles.learners.contains(&self.id)
    }

    pub(super) fn quorum(&self) -> usize {
        quorum(&self.roles.params, self.roles.acceptors.len())
    }

    /// Sends `msg` to `to`, or handles it here at once when `to` is this node.
    fn to(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, msg: PaxosMsg) {
        if to == self.id {
            self.handle(ctx, to, &msg);
        } else {
            ctx.send(to, msg);
        }
    }

    pub(super) fn handle(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &PaxosMsg) {
        if from != self.id {
            self.start_asking(ctx);
        }
        match msg {
            PaxosMsg::Prepare { ballot } if self.is_acceptor() => {
                let reply = self.prepare(ctx, *ballot);
                self.to(ctx, from, reply);
            }
            PaxosMsg::Accept { ballot, value } if self.is_acceptor() => {
                self.accept(ctx, from, *ballot, value.clone())
            }
            PaxosMsg::Promise { ballot, accepted } => self.promise(ctx, from, *ballot, accepted),
            PaxosMsg::Nack { ballot, promised } => self.refused(ctx, *ballot, *promised),
            PaxosMsg::Accepted { ballot, value } => self.hear(ctx, from, *ballot, value.clone()),
            PaxosMsg::Chosen { value } => {
                self.know(ctx, value.clone());
                self.to(ctx, from, PaxosMsg::Ack);
            }
            PaxosMsg::Ack => {
                self.unacked.retain(|&learner| learner != from);
            }
            PaxosMsg::Query => {
                // A node that knows says so; an acceptor also repeats what it accepted, so the
                // learner can find a majority itself when no one knows.
                if let Some(value) = self.chosen.clone() {
                    ctx.send(from, PaxosMsg::Chosen { value });
                } else if let Some((ballot, value)) = self.accepted.clone() {
                    ctx.send(from, PaxosMsg::Accepted { ballot, value });
                }
            }
            _ => {}
        }
    }

    // --- Acceptor ---

    fn prepare(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot) -> PaxosMsg {
        if let Some(promised) = self.promised.filter(|p| *p > ballot) {
            return PaxosMsg::Nack { ballot, promised };
        }
        self.promise_ballot(ctx, ballot);
        ctx.note(PaxosNote::Promises { ballot });
        PaxosMsg::Promise {
            ballot,
            accepted: self.accepted.clone(),
        }
    }

    /// Raises the promise to `ballot`, on stable storage unless promises are forgetful.
    fn promise_ballot(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot) {
        self.promised = Some(ballot);
        if self.roles.params.break_it != BreakIt::ForgetPromise {
            ctx.persist("promise", |s| s.promised = Some(ballot));
        }
    }

    fn accept(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, value: Value) {
        if let Some(promised) = self.promised.filter(|p| *p > ballot) {
            self.to(ctx, from, PaxosMsg::Nack { ballot, promised });
            return;
        }
        self.promise_ballot(ctx, ballot);
        let vote = (ballot, value.clone());
        ctx.persist("accepted", |s| s.accepted = Some(vote.clone()));
        self.accepted = Some(vote);
        ctx.note(PaxosNote::Accepts {
            ballot,
            value: value.clone(),
        });
        let roles = Rc::clone(&self.roles);
        let proposer = (!roles.learners.contains(&ballot.proposer)).then_some(ballot.proposer);
        for &node in roles.learners.iter().chain(&proposer) {
            let msg = PaxosMsg::Accepted {
                ballot,
                value: value.clone(),
            };
            self.to(ctx, node, msg);
        }
    }

    // --- Proposer ---

    /// Starts a new ballot, higher than any this proposer has used or seen.
    pub(super) fn start_ballot(&mut self, ctx: &mut Ctx<'_, Self>) {
        let round = ctx.stable().round.max(self.seen_round) + 1;
        ctx.persist("round", |s| s.round = round);
        self.seen_round = round;
        let ballot = Ballot {
            round,
            proposer: self.id,
        };
        self.ballot = Some(ballot);
        self.phase = Phase::Preparing {
            promises: Vec::new(),
        };
        ctx.note(PaxosNote::Prepares { ballot });
        self.schedule_retry(ctx, round);
        let roles = Rc::clone(&self.roles);
        for &acceptor in &roles.acceptors {
            self.to(ctx, acceptor, PaxosMsg::Prepare { ballot });
        }
    }

    fn schedule_retry(&mut self, ctx: &mut Ctx<'_, Self>, round: u64) {
        if let Some(timer) = self.retry.take() {
            ctx.cancel_timer(timer);
        }
        self.attempts += 1;
        let after = match self.roles.params.backoff {
            Backoff::None => self.roles.params.retry_us,
            Backoff::Random => {
                let base = self.roles.params.retry_us << (self.attempts - 1).min(5);
                base + ctx.rng().range_u64(0, base)
            }
        };
        self.retry = Some(ctx.set_timer(after, PaxosTimer::Retry { round }));
    }

    fn promise(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        accepted: &Option<Vote>,
    ) {
        let quorum = self.quorum();
        let Phase::Preparing { promises } = &mut self.phase else {
            return;
        };
        if self.ballot != Some(ballot) {
            return;
        }
        match promises.binary_search_by_key(&from, |(acceptor, _)| *acceptor) {
            Ok(at) => promises[at].1 = accepted.clone(),
            Err(at) => promises.insert(at, (from, accepted.clone())),
        }
        if promises.len() != quorum {
            return;
        }
        let reported = promises
            .iter()
            .filter_map(|(_, vote)| vote.as_ref())
            .max_by_key(|(b, _)| *b)
            .cloned();
        let own = self.value.clone().unwrap_or_else(|| "".into());
        let value = match reported {
            Some((from, value)) if self.roles.params.break_it != BreakIt::IgnoreAccepted => {
                if value != own {
                    ctx.note(PaxosNote::Adopts {
                        ballot,
                        value: value.clone(),
                        from,
                    });
                }
                value
            }
            _ => own,
        };
        self.phase = Phase::Accepting {
            value: value.clone(),
        };
        let roles = Rc::clone(&self.roles);
        for &acceptor in &roles.acceptors {
            let msg = PaxosMsg::Accept {
                ballot,
                value: value.clone(),
            };
            self.to(ctx, acceptor, msg);
        }
    }

    fn refused(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot, promised: Ballot) {
        self.seen_round = self.seen_round.max(promised.round);
        if self.ballot == Some(ballot) && self.phase != Phase::Idle && self.chosen.is_none() {
            self.phase = Phase::Idle;
            ctx.note(PaxosNote::Preempted {
                ballot,
                by: promised,
            });
        }
    }

    // --- Learner (and a proposer waiting for its answer) ---

    fn hear(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot, value: Value) {
        let quorum = self.quorum();
        let Err(at) = self
            .heard
            .binary_search_by_key(&(ballot, from), |(b, by, _)| (*b, *by))
        else {
            return;
        };
        self.heard.insert(at, (ballot, from, value.clone()));
        let first = self.heard.partition_point(|(b, _, _)| *b < ballot);
        let by = self.heard[first..]
            .iter()
            .take_while(|(b, _, _)| *b == ballot)
            .count();
        if by == quorum {
            self.know(ctx, value);
        }
    }

    /// A learner that has not learned starts asking everyone, every four retry periods, whether
    /// they know the chosen value: once Paxos traffic shows a decision may be under way, or after a
    /// restart. So a learner that missed the news while down or cut off learns it once it can.
    pub(super) fn start_asking(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.is_learner() && self.chosen.is_none() && !self.asking {
            self.asking = true;
            ctx.set_timer(4 * self.roles.params.retry_us, PaxosTimer::Ask);
        }
    }

    /// This node now knows `value` is chosen: a learner learns it (once), a proposer answers its
    /// clients, stops retrying and tells the learners.
    fn know(&mut self, ctx: &mut Ctx<'_, Self>, value: Value) {
        if self.chosen.is_some() {
            return;
        }
        self.chosen = Some(value.clone());
        if self.is_learner() || self.is_proposer() {
            ctx.persist("chosen", |s| s.chosen = Some(value.clone()));
        }
        if self.is_learner() {
            ctx.note(PaxosNote::Learns {
                value: value.clone(),
            });
        }
        if self.is_proposer() {
            self.answer(ctx);
            self.announce_to_all(ctx);
        }
    }

    /// Starts telling every other learner the chosen value, as if none knew it yet.
    pub(super) fn announce_to_all(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.unacked = self
            .roles
            .learners
            .iter()
            .copied()
            .filter(|&l| l != self.id)
            .collect();
        self.unacked.sort_unstable();
        self.announce(ctx);
    }

    /// Tells this proposer's waiting clients the chosen value and stops retrying.
    pub(super) fn answer(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(value) = self.chosen.clone() else {
            return;
        };
        for request in std::mem::take(&mut self.waiting) {
            ctx.reply(request, PaxosResponse::Chosen(value.to_string()));
        }
        if let Some(timer) = self.retry.take() {
            ctx.cancel_timer(timer);
        }
        self.phase = Phase::Idle;
    }

    /// Sends the chosen value to every learner that has not acknowledged it, and comes back to
    /// the rest later: a learner that missed the acceptances (down, cut off) still learns.
    pub(super) fn announce(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(value) = self.chosen.clone() else {
            return;
        };
        for &learner in &self.unacked {
            ctx.send(
                learner,
                PaxosMsg::Chosen {
                    value: value.clone(),
                },
            );
        }
        if !self.unacked.is_empty() {
            ctx.set_timer(self.roles.params.retry_us, PaxosTimer::Announce);
        }
    }

    pub(super) fn list(nodes: &[NodeId]) -> String {
        let names: Vec<String> = nodes.iter().map(NodeId::to_string).collect();
        names.join(", ")
    }
}
