//! When the coordinator goes silent: participants move through epochs, each with its recovery
//! coordinator, which collects states and applies Skeen's termination rule; and recovery after a
//! restart.

use super::{
    Because, COORDINATOR, Epoch, Following, Gathering, Phase, Report, ThreePhaseCommit,
    ThreePhaseMsg, ThreePhaseNote, ThreePhaseTimer, Tx,
};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;
use std::collections::BTreeMap;

impl ThreePhaseCommit {
    /// This participant follows the coordinator of `epoch` for `tx`, and gives up on it if it hears
    /// nothing for twice the timeout.
    pub(super) fn follow(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx, epoch: Epoch) {
        if let Some(old) = self.following.get(&tx).and_then(|f| f.timer) {
            ctx.cancel_timer(old);
        }
        let timer = ctx.set_timer(self.patience(), ThreePhaseTimer::Wait(tx));
        self.following.insert(
            tx,
            Following {
                epoch,
                timer: Some(timer),
            },
        );
    }

    /// The recovery coordinator of `epoch`: the participants take turns, n2 first.
    fn candidate(&self, epoch: Epoch) -> NodeId {
        NodeId(1 + ((epoch - 1) % u64::from(self.nodes - 1)) as u32)
    }

    /// Nothing from the coordinator for too long: on to the next epoch, taking over if it is this
    /// participant's turn.
    pub(super) fn on_wait(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        let Some(following) = self.following.get(&tx) else {
            return;
        };
        let epoch = following.epoch + 1;
        if self.candidate(epoch) != self.id {
            self.follow(ctx, tx, epoch);
            return;
        }
        self.following.insert(tx, Following { epoch, timer: None });
        ctx.note(ThreePhaseNote::TakesOver { tx, epoch });
        self.gathering.insert(
            tx,
            Gathering {
                epoch,
                reports: BTreeMap::new(),
            },
        );
        for node in self.others() {
            ctx.send(node, ThreePhaseMsg::StateReq { tx, epoch });
        }
        ctx.set_timer(self.params.timeout_us, ThreePhaseTimer::Collect(tx, epoch));
    }

    /// Any node answers a recovery coordinator with its state; an active participant follows it
    /// (unless it already follows a later one), giving up its own rounds of earlier epochs.
    pub(super) fn on_state_req(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        epoch: Epoch,
    ) {
        let report = self.report(ctx, tx);
        if self.following.get(&tx).is_some_and(|f| epoch >= f.epoch) {
            if self.gathering.get(&tx).is_some_and(|g| g.epoch < epoch) {
                self.gathering.remove(&tx);
            }
            if self.acking.get(&tx).is_some_and(|a| a.epoch < epoch) {
                self.acking.remove(&tx);
            }
            self.follow(ctx, tx, epoch);
        }
        let epoch = Some(epoch);
        ctx.send(from, ThreePhaseMsg::State { tx, epoch, report });
    }

    /// A state arrives: at a recovery coordinator collecting for that epoch, or at a recovering
    /// node that asked.
    pub(super) fn on_state(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        tx: Tx,
        epoch: Option<Epoch>,
        report: Report,
    ) {
        let everyone = self.nodes as usize - 1;
        match epoch {
            Some(epoch) => {
                let Some(gathering) = self.gathering.get_mut(&tx) else {
                    return;
                };
                if gathering.epoch != epoch {
                    return;
                }
                gathering.reports.insert(from, report);
                if gathering.reports.len() == everyone {
                    self.conclude(ctx, tx);
                }
            }
            None => {
                if !self.recovering.contains_key(&tx) {
                    return;
                }
                if let Some(commit) = decided(report) {
                    self.record_outcome(ctx, tx, commit, Because::Reported);
                    return;
                }
                let reports = self.recovering.entry(tx).or_default();
                reports.insert(from, report);
                // After a total failure: with every other node's state, and none of them still
                // taking part, this node knows everything anyone could act on.
                if reports.len() == everyone && reports.values().all(|r| !r.active) {
                    let commit = self.precommitted.contains(&tx)
                        || reports.values().any(|r| r.phase == Phase::PreCommitted);
                    self.lead(ctx, tx, commit, Because::Everyone);
                }
            }
        }
    }

    /// Skeen's termination rule, at the recovery coordinator once the states are in (or the
    /// timeout passed: the silent nodes are taken for crashed).
    pub(super) fn conclude(&mut self, ctx: &mut Ctx<'_, Self>, tx: Tx) {
        let Some(gathering) = self.gathering.remove(&tx) else {
            return;
        };
        if let Some(commit) = gathering.reports.values().find_map(|&r| decided(r)) {
            self.lead(ctx, tx, commit, Because::Reported);
        } else if self.precommitted.contains(&tx)
            || gathering
                .reports
                .values()
                .any(|r| r.phase == Phase::PreCommitted)
        {
            let nodes = gathering.reports.keys().copied().collect();
            self.precommit_round(ctx, tx, gathering.epoch, nodes, None);
        } else {
            self.lead(ctx, tx, false, Because::AllUncertain);
        }
    }

    /// A recovering node asks every other node for its state on each transaction it is in doubt
    /// about, and again every twice the timeout while any is left.
    pub(super) fn poll(&mut self, ctx: &mut Ctx<'_, Self>) {
        let in_doubt: Vec<Tx> = self.recovering.keys().copied().collect();
        for &tx in &in_doubt {
            self.recovering.insert(tx, BTreeMap::new());
            for node in self.others() {
                ctx.send(node, ThreePhaseMsg::Ask { tx });
            }
        }
        if !in_doubt.is_empty() {
            ctx.set_timer(self.patience(), ThreePhaseTimer::Poll);
        }
    }

    /// On (re)start: read stable storage, resend every outcome this node decided, abort what the
    /// coordinator began but never pre-committed (presumed abort), and recover whatever this node
    /// was in doubt about.
    pub(super) fn restart(&mut self, ctx: &mut Ctx<'_, Self>) {
        let stable = ctx.stable().clone();
        self.votes = stable.votes;
        self.precommitted = stable.precommitted;
        self.outcomes = stable.outcomes;
        for &tx in &stable.led {
            self.announce(ctx, tx);
        }
        if self.id == COORDINATOR {
            for tx in 1..=stable.begun {
                if self.outcomes.contains_key(&tx) {
                    continue;
                }
                if self.precommitted.contains(&tx) {
                    self.recovering.insert(tx, BTreeMap::new());
                } else {
                    self.lead(ctx, tx, false, Because::PresumedAbort);
                }
            }
        } else {
            for (&tx, &yes) in &self.votes {
                if yes && !self.outcomes.contains_key(&tx) {
                    self.recovering.insert(tx, BTreeMap::new());
                }
            }
        }
        if !self.recovering.is_empty() {
            self.poll(ctx);
        }
    }
}

/// The decision a report states, if any.
fn decided(report: Report) -> Option<bool> {
    match report.phase {
        Phase::Committed => Some(true),
        Phase::Aborted => Some(false),
        Phase::Uncertain | Phase::PreCommitted => None,
    }
}
