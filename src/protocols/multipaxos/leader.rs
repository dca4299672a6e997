//! Leadership: running phase 1 for every open slot, taking office (re-proposing what phase 1
//! reported, filling gaps with no-ops), proposing commands with phase 2 alone, counting votes,
//! learning what is chosen, heartbeats, and stepping down before a higher ballot.

use super::{BreakIt, Chosen, MpMsg, MpNote, MpTimer, MultiPaxos, Proposal, Role, Slot, Vote};
use crate::engine::ids::NodeId;
use crate::engine::sim::Ctx;
use crate::protocols::kv::Command;
use crate::protocols::paxos::Ballot;
use std::collections::BTreeMap;
use std::rc::Rc;

impl MultiPaxos {
    pub(super) fn reset_election_timer(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(timer) = self.election_timer.take() {
            ctx.cancel_timer(timer);
        }
        let p = &self.params;
        let after = ctx
            .rng()
            .range_u64(p.election_timeout_min_us, p.election_timeout_max_us);
        self.election_timer = Some(ctx.set_timer(after, MpTimer::Election));
    }

    /// What this node accepted in the slots from `from` on.
    pub(super) fn report(&self, from: Slot) -> Vec<(Slot, Vote)> {
        let accepted = &self.accepted;
        let first = (from as usize).saturating_sub(1).min(accepted.len());
        accepted
            .range(first..accepted.len())
            .enumerate()
            .filter_map(|(i, vote)| Some(((first + i) as Slot + 1, vote.clone()?)))
            .collect()
    }

    /// Phase 1 with a ballot higher than any seen, for every slot this node has not learned.
    pub(super) fn run_for_leader(&mut self, ctx: &mut Ctx<'_, Self>) {
        let promised = self.promised.map_or(0, |b| b.round);
        let ballot = Ballot {
            round: self.seen_round.max(promised) + 1,
            proposer: self.id,
        };
        self.seen_round = ballot.round;
        self.role = Role::Candidate;
        self.ballot = Some(ballot);
        self.leader = None;
        self.proposals.clear();
        self.ahead.clear();
        let from = self.learned() + 1;
        self.prepare_from = from;
        ctx.note(MpNote::Prepares { ballot, from });
        self.promised = Some(ballot);
        ctx.persist("promise", |s| s.promised = Some(ballot));
        self.promises = vec![None; self.nodes as usize];
        self.promises[self.id.index()] = Some(self.report(from));
        for peer in ctx.peers() {
            ctx.send(peer, MpMsg::Prepare { ballot, from });
        }
        self.reset_election_timer(ctx);
        self.try_take_office(ctx);
    }

    pub(super) fn on_promise(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        accepted: &[(Slot, Vote)],
    ) {
        if self.role != Role::Candidate || self.ballot != Some(ballot) {
            return;
        }
        if let Some(slot) = self.promises.get_mut(from.index()) {
            slot.get_or_insert_with(|| accepted.to_vec());
        }
        self.try_take_office(ctx);
    }

    fn try_take_office(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.promises.iter().flatten().count() < self.majority() {
            return;
        }
        let Some(ballot) = self.ballot else {
            return;
        };
        // Per slot, the command accepted in the highest ballot any promise reported.
        let mut highest: BTreeMap<Slot, Vote> = BTreeMap::new();
        for (slot, vote) in self.promises.iter().flatten().flatten() {
            let newer = highest.get(slot).is_none_or(|v| v.ballot < vote.ballot);
            if newer {
                highest.insert(*slot, vote.clone());
            }
        }
        self.promises.clear();
        self.role = Role::Leader;
        self.leader = Some(self.id);
        self.learned = vec![0; self.nodes as usize];
        self.sent = vec![0; self.nodes as usize];
        self.busy = vec![false; self.nodes as usize];
        if let Some(timer) = self.election_timer.take() {
            ctx.cancel_timer(timer);
        }
        let from = self.prepare_from;
        let mut recovered = 0;
        let mut gaps = 0;
        let mut slots = Vec::new();
        if self.params.break_it == BreakIt::IgnoreAccepted {
            self.next_slot = from;
        } else {
            let top = highest.keys().next_back().copied().unwrap_or(from - 1);
            for slot in from..=top {
                let command = match highest.remove(&slot) {
                    Some(vote) => {
                        recovered += 1;
                        vote.command
                    }
                    None => {
                        gaps += 1;
                        Rc::new(Command::Noop)
                    }
                };
                slots.push((slot, command));
            }
            self.next_slot = top + 1;
        }
        ctx.note(MpNote::Leads {
            ballot,
            recovered,
            gaps,
        });
        for (slot, command) in slots {
            self.propose(ctx, slot, command);
        }
        self.heartbeat(ctx);
        self.unpark(ctx);
    }

    /// Phase 2 for `slot`: accept `command` here, then ask every other acceptor.
    pub(super) fn propose(&mut self, ctx: &mut Ctx<'_, Self>, slot: Slot, command: Rc<Command>) {
        let Some(ballot) = self.ballot else {
            return;
        };
        self.vote(ctx, slot, ballot, &command);
        let mut votes = vec![false; self.nodes as usize];
        votes[self.id.index()] = true;
        self.proposals.insert(
            slot,
            Proposal {
                command: command.clone(),
                votes,
                tick: self.tick,
            },
        );
        for peer in ctx.peers() {
            self.busy[peer.index()] = true;
            let chosen = self.chosen_for(peer, false);
            ctx.send(peer, accept(ballot, slot, &command, chosen));
        }
        self.check_chosen(ctx, slot);
    }

    /// The chosen commands `peer` has not been sent (or, with `again`, has not acknowledged).
    fn chosen_for(&mut self, peer: NodeId, again: bool) -> Chosen {
        let p = peer.index();
        let known = if again {
            self.learned[p]
        } else {
            self.learned[p].max(self.sent[p])
        };
        let end = self
            .log
            .len()
            .min(known as usize + self.params.max_commands_per_message as usize);
        let commands: Vec<Rc<Command>> = self
            .log
            .range((known as usize).min(end)..end)
            .cloned()
            .collect();
        self.sent[p] = self.sent[p].max(end as Slot);
        Chosen {
            from: known + 1,
            commands,
        }
    }

    /// Tells every replica that has had no `accept` since the last heartbeat that this node still
    /// leads and what is chosen; asks again for the votes of slots proposed a heartbeat ago and
    /// not yet chosen. The next `accept` to a replica resends what it has not acknowledged.
    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(ballot) = self.ballot else {
            return;
        };
        self.tick += 1;
        let tick = self.tick;
        let open: Vec<(Slot, Proposal)> = self
            .proposals
            .iter()
            .filter(|(_, p)| p.tick + 1 < tick)
            .map(|(s, p)| (*s, p.clone()))
            .collect();
        for peer in ctx.peers() {
            let p = peer.index();
            self.sent[p] = self.learned[p];
            if !std::mem::take(&mut self.busy[p]) {
                let chosen = self.chosen_for(peer, true);
                ctx.send(peer, MpMsg::Heartbeat { ballot, chosen });
            }
            for (slot, proposal) in open.iter().filter(|(_, p)| !p.votes[peer.index()]) {
                ctx.send(
                    peer,
                    accept(ballot, *slot, &proposal.command, Chosen::default()),
                );
            }
        }
        if let Some(timer) = self.heartbeat_timer.take() {
            ctx.cancel_timer(timer);
        }
        self.heartbeat_timer = Some(ctx.set_timer(self.params.heartbeat_us, MpTimer::Heartbeat));
    }

    /// An acceptor's `accepted` (with `slot`) or a heartbeat's answer (without).
    pub(super) fn on_accepted(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        slot: Option<Slot>,
        learned: Slot,
    ) {
        if self.role != Role::Leader || self.ballot != Some(ballot) {
            return;
        }
        let p = from.index();
        self.learned[p] = self.learned[p].max(learned);
        self.sent[p] = self.sent[p].max(learned);
        if let Some(slot) = slot {
            if let Some(proposal) = self.proposals.get_mut(&slot) {
                proposal.votes[p] = true;
            }
            self.check_chosen(ctx, slot);
        }
    }

    /// Once a majority accepted `slot`'s proposal, it is chosen: learn it, and every slot after it
    /// already chosen, in order.
    fn check_chosen(&mut self, ctx: &mut Ctx<'_, Self>, slot: Slot) {
        let majority = self.majority();
        let Some(proposal) = self.proposals.get(&slot) else {
            return;
        };
        if proposal.votes.iter().filter(|v| **v).count() < majority {
            return;
        }
        if let Some(proposal) = self.proposals.remove(&slot) {
            self.ahead.insert(slot, proposal.command);
        }
        while let Some(command) = self.ahead.remove(&(self.learned() + 1)) {
            self.learn(ctx, command);
        }
    }

    pub(super) fn on_nack(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot, promised: Ballot) {
        if self.ballot == Some(ballot) && promised > ballot {
            self.step_down(ctx, promised);
        }
    }

    /// Gives up this node's ballot, now that some acceptor promised the higher `by`.
    pub(super) fn step_down(&mut self, ctx: &mut Ctx<'_, Self>, by: Ballot) {
        let Some(ballot) = self.ballot.take() else {
            return;
        };
        self.seen_round = self.seen_round.max(by.round);
        self.role = Role::Follower;
        self.leader = None;
        self.proposals.clear();
        self.ahead.clear();
        self.promises.clear();
        ctx.note(MpNote::StepsDown { ballot, by });
        if let Some(timer) = self.heartbeat_timer.take() {
            ctx.cancel_timer(timer);
        }
        self.reset_election_timer(ctx);
    }
}

/// Phase 2 for `slot`, with the chosen commands the acceptor lacks.
fn accept(ballot: Ballot, slot: Slot, command: &Rc<Command>, chosen: Chosen) -> MpMsg {
    MpMsg::Accept {
        ballot,
        slot,
        command: command.clone(),
        chosen,
    }
}
