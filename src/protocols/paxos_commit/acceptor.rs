//! A participant's vote (phase 2a of ballot 0, straight to the acceptors) and its questions while
//! in doubt; an acceptor's promises and acceptances, written before it answers; and the wait after
//! which an acceptor takes over.

use super::{
    Ballot, Because, COORDINATOR, PaxosCommit, PaxosCommitMsg, PaxosCommitNote, PaxosCommitTimer,
    Tx, Value, Values,
};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;

impl PaxosCommit {
    /// A participant votes once per transaction, writing its vote first, and sends it as phase 2a
    /// of ballot 0 to every acceptor (again if asked again: the message may have been lost). A no
    /// voter aborts at once; a yes voter is in doubt, and asks for the outcome after a timeout.
    pub(super) fn on_prepare(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        if self.id == COORDINATOR {
            return;
        }
        let (yes, new) = match self.votes.get(&tx) {
            Some(&yes) => (yes, false),
            None => {
                let yes = self.draw_vote(ctx);
                ctx.persist("vote", |s| {
                    s.votes.insert(tx, yes);
                });
                self.votes.insert(tx, yes);
                ctx.note(PaxosCommitNote::Votes { tx, yes });
                if yes {
                    let timer = ctx.set_timer(self.params.timeout_us, PaxosCommitTimer::Ask(tx));
                    self.asking.insert(tx, timer);
                }
                (yes, true)
            }
        };
        let values = vec![(self.id, Value::from_vote(yes))];
        for acceptor in self.acceptors() {
            if acceptor == self.id {
                self.on_phase2a(ctx, self.id, tx, Ballot::ZERO, &values);
            } else {
                ctx.send(
                    acceptor,
                    PaxosCommitMsg::Phase2a {
                        tx,
                        ballot: Ballot::ZERO,
                        values: values.clone(),
                    },
                );
            }
        }
        if new && !yes {
            self.record_outcome(ctx, tx, false, Because::OwnNo);
        }
    }

    /// A participant in doubt asks every other acceptor for the outcome, and again every two
    /// timeouts while it has none.
    pub(super) fn ask(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        for acceptor in self.acceptors().filter(|&a| a != self.id) {
            ctx.send(acceptor, PaxosCommitMsg::Ask { tx });
        }
        let timer = ctx.set_timer(2 * self.params.timeout_us, PaxosCommitTimer::Ask(tx));
        if let Some(old) = self.asking.insert(tx, timer) {
            ctx.cancel_timer(old);
        }
    }

    /// Anyone who knows the outcome tells a node that asks; an acceptor that does not starts
    /// waiting for it, if it was not already.
    pub(super) fn on_ask(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, tx: Tx) {
        if let Some(&commit) = self.outcomes.get(&tx) {
            ctx.send(from, PaxosCommitMsg::Outcome { tx, commit });
        } else if self.is_acceptor() && !self.watching.contains_key(&tx) {
            self.watch(ctx, tx, 1);
        }
    }

    /// An acceptor (re)starts its wait for the outcome of `tx`: `extra` + its index timeouts (n1
    /// one, n2 two, … for `extra` 1), so the acceptors take over in turn.
    pub(super) fn watch(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, extra: u64) {
        let wait = (u64::from(self.id.0) + extra) * self.params.timeout_us;
        let timer = ctx.set_timer(wait, PaxosCommitTimer::TakeOver(tx));
        if let Some(old) = self.watching.insert(tx, timer) {
            ctx.cancel_timer(old);
        }
    }

    /// What an acceptor does with any message of a ballot for an undecided `tx`: it starts
    /// waiting if this is news, starts again if another leader is at work (so it does not
    /// interrupt it), and gives up its own round if the ballot is higher.
    fn heard(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, ballot: Ballot) {
        let other_leader = ballot.round > 0 && ballot.leader != self.id;
        if other_leader || !self.watching.contains_key(&tx) {
            self.watch(ctx, tx, 1);
        }
        if self.leading.get(&tx).is_some_and(|r| r.ballot < ballot) {
            self.leading.remove(&tx);
        }
    }

    /// Tells `to` the outcome of `tx` if this node knows it (and `to` is another node).
    fn tell(&self, ctx: &mut Ctx<'_, Self>, to: NodeId, tx: Tx) -> bool {
        let Some(&commit) = self.outcomes.get(&tx) else {
            return false;
        };
        if to != self.id {
            ctx.send(to, PaxosCommitMsg::Outcome { tx, commit });
        }
        true
    }

    /// Phase 1b: an acceptor promises a ballot above every one it promised, for every instance of
    /// the transaction, writing the promise first, and reports what it accepted; it refuses a
    /// lower one.
    pub(super) fn on_phase1a(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        ballot: Ballot,
    ) {
        if !self.is_acceptor() || self.tell(ctx, from, tx) {
            return;
        }
        self.heard(ctx, tx, ballot);
        let promised = self.promised.get(&tx).copied().unwrap_or(Ballot::ZERO);
        if ballot.round == 0 || ballot < promised {
            ctx.send(from, PaxosCommitMsg::Nack { tx, promised });
            return;
        }
        if ballot > promised {
            ctx.persist("promise", |s| {
                s.promised.insert(tx, ballot);
            });
            self.promised.insert(tx, ballot);
        }
        let accepted: Vec<(NodeId, Ballot, Value)> = self
            .accepted
            .range((tx, NodeId(0))..=(tx, NodeId(u32::MAX)))
            .map(|(&(_, p), &(b, v))| (p, b, v))
            .collect();
        if from == self.id {
            self.on_phase1b(ctx, from, tx, ballot, &accepted);
        } else {
            ctx.send(
                from,
                PaxosCommitMsg::Phase1b {
                    tx,
                    ballot,
                    accepted,
                },
            );
        }
    }

    /// Phase 2b: an acceptor accepts values in a ballot at least as high as its promise, writing
    /// them first, and tells the ballot's leader (n1 for ballot 0); it refuses a lower ballot.
    pub(super) fn on_phase2a(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        ballot: Ballot,
        values: &Values,
    ) {
        if !self.is_acceptor() || self.tell(ctx, from, tx) {
            return;
        }
        self.heard(ctx, tx, ballot);
        let promised = self.promised.get(&tx).copied().unwrap_or(Ballot::ZERO);
        if ballot < promised {
            // A participant's late vote needs no answer; a leader learns it was overtaken.
            if ballot.round > 0 {
                ctx.send(from, PaxosCommitMsg::Nack { tx, promised });
            }
            return;
        }
        ctx.persist("accepted", |s| {
            if ballot > promised {
                s.promised.insert(tx, ballot);
            }
            for &(p, v) in values {
                s.accepted.insert((tx, p), (ballot, v));
            }
        });
        if ballot > promised {
            self.promised.insert(tx, ballot);
        }
        for &(p, v) in values {
            self.accepted.insert((tx, p), (ballot, v));
        }
        ctx.note(PaxosCommitNote::Accepts {
            tx,
            ballot,
            values: values.clone(),
        });
        if ballot.leader == self.id {
            self.on_phase2b(ctx, self.id, tx, ballot, values);
        } else {
            ctx.send(
                ballot.leader,
                PaxosCommitMsg::Phase2b {
                    tx,
                    ballot,
                    values: values.clone(),
                },
            );
        }
    }
}
