//! Leaders: n1 begins a transaction and counts the fast path's acceptances; a leader taking over
//! runs phase 1 and 2 in a higher ballot for every instance; whoever sees every instance chosen
//! decides, writes the outcome and tells every node until each has it.

use super::{
    Ballot, Because, BreakIt, PaxosCommit, PaxosCommitMsg, PaxosCommitNote, PaxosCommitTimer,
    Round, Tx, Value, Values,
};
use crate::engine::ids::{NodeId, RequestId};
use crate::engine::sim::Ctx;
use std::collections::BTreeMap;

impl PaxosCommit {
    /// n1 begins a transaction: it asks every participant to vote, and waits a timeout for the
    /// votes to be chosen before it takes over their instances itself.
    pub(super) fn begin(&mut self, ctx: &mut Ctx<'_, Self>, request: RequestId, name: &str) {
        let tx = ctx.stable().begun + 1;
        ctx.persist("begun", |s| s.begun = tx);
        ctx.note(PaxosCommitNote::Begins {
            tx,
            name: name.to_string(),
        });
        self.requests.insert(tx, request);
        for participant in self.participants() {
            ctx.send(participant, PaxosCommitMsg::Prepare { tx });
        }
        self.watch(ctx, tx, 1);
    }

    /// The wait ran out: lead a ballot above every one this node has promised or heard of, for
    /// every instance of `tx`. Phase 1 first (unless `skip_phase_one`); if the round stalls, the
    /// node tries again after one more timeout than its turn.
    pub(super) fn take_over(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        let highest = [
            self.seen.get(&tx).copied(),
            self.promised.get(&tx).copied(),
            self.leading.get(&tx).map(|r| r.ballot),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(Ballot::ZERO);
        let ballot = Ballot {
            round: highest.round + 1,
            leader: self.id,
        };
        ctx.note(PaxosCommitNote::TakesOver { tx, ballot });
        self.watch(ctx, tx, 2);
        self.leading.insert(
            tx,
            Round {
                ballot,
                promises: BTreeMap::new(),
                proposed: None,
            },
        );
        if self.params.break_it == BreakIt::SkipPhaseOne {
            // Broken: no promises asked for, so nothing accepted is learned: abort everything.
            let values = self.participants().map(|p| (p, Value::Aborted)).collect();
            self.propose(ctx, tx, ballot, values);
            return;
        }
        for acceptor in self.acceptors().filter(|&a| a != self.id) {
            ctx.send(acceptor, PaxosCommitMsg::Phase1a { tx, ballot });
        }
        self.on_phase1a(ctx, self.id, tx, ballot);
    }

    /// A promise for this node's round: with a majority, propose per instance the value accepted
    /// in the highest ballot reported, or `aborted` where none was.
    pub(super) fn on_phase1b(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        ballot: Ballot,
        accepted: &[(NodeId, Ballot, Value)],
    ) {
        let majority = self.majority();
        let Some(round) = self.leading.get_mut(&tx) else {
            return;
        };
        if round.ballot != ballot || round.proposed.is_some() {
            return;
        }
        round.promises.insert(from, accepted.to_vec());
        if round.promises.len() < majority {
            return;
        }
        let mut highest: BTreeMap<NodeId, (Ballot, Value)> = BTreeMap::new();
        for &(p, b, v) in round.promises.values().flatten() {
            if highest.get(&p).is_none_or(|&(hb, _)| b > hb) {
                highest.insert(p, (b, v));
            }
        }
        let values = self
            .participants()
            .map(|p| (p, highest.get(&p).map_or(Value::Aborted, |&(_, v)| v)))
            .collect();
        self.propose(ctx, tx, ballot, values);
    }

    /// Phase 2a of this node's round, to every acceptor (itself first).
    fn propose(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, ballot: Ballot, values: Values) {
        if let Some(round) = self.leading.get_mut(&tx) {
            round.proposed = Some(values.clone());
        }
        self.on_phase2a(ctx, self.id, tx, ballot, &values);
        for acceptor in self.acceptors().filter(|&a| a != self.id) {
            ctx.send(
                acceptor,
                PaxosCommitMsg::Phase2a {
                    tx,
                    ballot,
                    values: values.clone(),
                },
            );
        }
    }

    /// A leader counts acceptances. A value is chosen in an instance once a majority of the
    /// acceptors accepted it in one ballot; with `aborted` chosen anywhere the transaction aborts,
    /// with `prepared` chosen everywhere it commits.
    pub(super) fn on_phase2b(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        ballot: Ballot,
        values: &Values,
    ) {
        if self.outcomes.contains_key(&tx) {
            return;
        }
        let majority = self.majority();
        let participants: Vec<NodeId> = self.participants().collect();
        let tally = self.tallies.entry(tx).or_default();
        for &(p, v) in values {
            let (value, by) = tally
                .votes
                .entry((p, ballot))
                .or_insert((v, Default::default()));
            by.insert(from);
            if by.len() >= majority {
                tally.chosen.insert(p, *value);
            }
        }
        let aborted = tally.chosen.values().any(|&v| v == Value::Aborted);
        let prepared = participants
            .iter()
            .all(|p| tally.chosen.get(p) == Some(&Value::Prepared));
        if aborted {
            self.lead(ctx, tx, false, Because::AbortedChosen);
        } else if prepared {
            self.lead(ctx, tx, true, Because::AllPrepared);
        }
    }

    /// A refusal: remember the higher ballot, and give up a round it overtook (the wait to take
    /// over again is still running).
    pub(super) fn on_nack(&mut self, tx: Tx, promised: Ballot) {
        let seen = self.seen.entry(tx).or_insert(promised);
        *seen = (*seen).max(promised);
        if self.leading.get(&tx).is_some_and(|r| r.ballot < promised) {
            self.leading.remove(&tx);
        }
    }

    /// Decides `tx` from the chosen values: writes the outcome, tells every node until each has
    /// it.
    fn lead(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, commit: bool, because: Because) {
        self.record_outcome(ctx, tx, commit, because);
        self.finish(ctx, tx);
    }

    /// Takes on telling every node the outcome of `tx`, after a restart too.
    pub(super) fn finish(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        ctx.persist("led", |s| {
            s.led.insert(tx);
        });
        self.announce(ctx, tx);
    }

    /// Sends the outcome of `tx` to every other node, and resends it until each has it.
    pub(super) fn announce(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        let commit = self.outcomes[&tx];
        ctx.broadcast(PaxosCommitMsg::Outcome { tx, commit });
        self.unacked.insert(tx, self.others().collect());
        if !self.resending {
            self.resending = true;
            ctx.set_timer(2 * self.params.timeout_us, PaxosCommitTimer::Resend);
        }
    }

    pub(super) fn resend(&mut self, ctx: &mut Ctx<'_, Self>) {
        let resend: Vec<(NodeId, Tx, bool)> = self
            .unacked
            .iter()
            .flat_map(|(&tx, waiting)| {
                let commit = self.outcomes[&tx];
                waiting.iter().map(move |&n| (n, tx, commit))
            })
            .collect();
        for (node, tx, commit) in resend {
            ctx.send(node, PaxosCommitMsg::Outcome { tx, commit });
        }
        self.resending = !self.unacked.is_empty();
        if self.resending {
            ctx.set_timer(2 * self.params.timeout_us, PaxosCommitTimer::Resend);
        }
    }
}
