//! The coordinator's three phases, and the pre-commit round a recovery coordinator runs too.

use super::{
    Acking, Because, COORDINATOR, Epoch, ThreePhaseCommit, ThreePhaseMsg, ThreePhaseNote,
    ThreePhaseTimer, Tx, Voting,
};
use crate::engine::ids::{NodeId, RequestId};
use crate::engine::sim::Ctx;
use std::collections::BTreeMap;

impl ThreePhaseCommit {
    /// Phase one: the coordinator begins a transaction and asks every participant to vote.
    pub(super) fn begin(&mut self, ctx: &mut Ctx<'_, Self>, request: RequestId, name: &str) {
        let tx = ctx.stable().begun + 1;
        ctx.persist("begun", |s| s.begun = tx);
        ctx.note(ThreePhaseNote::Begins {
            tx,
            name: name.to_string(),
        });
        self.voting.insert(
            tx,
            Voting {
                request: Some(request),
                votes: BTreeMap::new(),
            },
        );
        for participant in self.participants() {
            ctx.send(participant, ThreePhaseMsg::CanCommit { tx });
        }
        ctx.set_timer(self.params.timeout_us, ThreePhaseTimer::Votes(tx));
    }

    /// A participant votes once per transaction (and repeats its vote if asked again); a yes
    /// voter follows the coordinator from then on.
    pub(super) fn on_can_commit(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, tx: Tx) {
        if let Some(&yes) = self.votes.get(&tx) {
            ctx.send(from, ThreePhaseMsg::Vote { tx, yes });
            return;
        }
        let yes = self.draw_vote(ctx);
        self.cast(ctx, tx, yes);
        if yes {
            self.follow(ctx, tx, 0);
        }
        ctx.send(from, ThreePhaseMsg::Vote { tx, yes });
    }

    /// A participant's vote on `tx`: no if it is listed in `vote_no`, else no with probability
    /// `vote_no_percent` (drawn only when that is set).
    fn draw_vote(&self, ctx: &mut Ctx<'_, Self>) -> bool {
        if self.params.vote_no.contains(&self.id) {
            return false;
        }
        let percent = u64::from(self.params.vote_no_percent);
        percent == 0 || ctx.rng().range_u64(0, 100) >= percent
    }

    /// The coordinator aborts on a no; with every vote yes, phase two begins.
    pub(super) fn on_vote(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, tx: Tx, yes: bool) {
        let Some(voting) = self.voting.get_mut(&tx) else {
            return;
        };
        voting.votes.insert(from, yes);
        if !yes {
            self.lead(ctx, tx, false, Because::NoVote);
        } else if voting.votes.len() as u32 == self.nodes - 1 {
            let request = self.voting.remove(&tx).and_then(|v| v.request);
            let everyone = self.participants().collect();
            self.precommit_round(ctx, tx, 0, everyone, request);
        }
    }

    /// Phase two, run by the coordinator of `epoch`: pre-commit here first (written before anyone
    /// hears of it), then at `nodes`, and commit once each acknowledged or the timeout passed.
    pub(super) fn precommit_round(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        tx: Tx,
        epoch: Epoch,
        nodes: Vec<NodeId>,
        request: Option<RequestId>,
    ) {
        self.enter_precommit(ctx, tx);
        for &node in &nodes {
            ctx.send(node, ThreePhaseMsg::PreCommit { tx, epoch });
        }
        self.acking.insert(
            tx,
            Acking {
                epoch,
                waiting: nodes,
                request,
            },
        );
        ctx.set_timer(self.params.timeout_us, ThreePhaseTimer::Acks(tx, epoch));
    }

    /// A node pre-commits when its coordinator (of this epoch or a later one) says so, and
    /// acknowledges. A participant only pre-commits what it voted yes on.
    pub(super) fn on_precommit(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        epoch: Epoch,
    ) {
        let voted_yes = self.id == COORDINATOR || self.votes.get(&tx) == Some(&true);
        let stale = self.following.get(&tx).is_some_and(|f| epoch < f.epoch);
        if self.outcomes.contains_key(&tx) || !voted_yes || stale {
            return;
        }
        self.enter_precommit(ctx, tx);
        if self.following.contains_key(&tx) {
            self.follow(ctx, tx, epoch);
        }
        ctx.send(from, ThreePhaseMsg::Ack { tx, epoch });
    }

    /// Phase three: with every acknowledgement in, commit.
    pub(super) fn on_ack(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, tx: Tx, epoch: Epoch) {
        let Some(acking) = self.acking.get_mut(&tx) else {
            return;
        };
        if acking.epoch != epoch {
            return;
        }
        acking.waiting.retain(|&n| n != from);
        if acking.waiting.is_empty() {
            self.lead(ctx, tx, true, Because::Acks);
        }
    }
}
