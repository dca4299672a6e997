//! What every node does as an acceptor and a learner: promises, votes, learning chosen commands
//! and applying them; and the clients' requests, which only the leader proposes.

use super::{Chosen, MpMsg, MultiPaxos, Role, Slot, Vote};
use crate::engine::ids::NodeId;
use crate::engine::protocol::RequestInfo;
use crate::engine::shared::SharedVec;
use crate::engine::sim::Ctx;
use crate::protocols::kv::{Command, KvRequest, KvResponse};
use crate::protocols::paxos::Ballot;
use std::rc::Rc;

impl MultiPaxos {
    /// Promises `ballot` unless a higher one was promised (then answers with a refusal and
    /// returns false). A leader or candidate with a lower ballot steps down.
    fn promise(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, ballot: Ballot) -> bool {
        self.seen_round = self.seen_round.max(ballot.round);
        if let Some(promised) = self.promised.filter(|p| *p > ballot) {
            ctx.send(from, MpMsg::Nack { ballot, promised });
            return false;
        }
        if self.promised != Some(ballot) {
            self.promised = Some(ballot);
            ctx.persist("promise", |s| s.promised = Some(ballot));
        }
        if self.ballot.is_some_and(|b| b < ballot) {
            self.step_down(ctx, ballot);
        }
        true
    }

    pub(super) fn on_prepare(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        slot: Slot,
    ) {
        if !self.promise(ctx, from, ballot) {
            return;
        }
        self.leader = None;
        self.reset_election_timer(ctx);
        let accepted = self.report(slot);
        ctx.send(from, MpMsg::Promise { ballot, accepted });
    }

    pub(super) fn on_accept(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        slot: Slot,
        command: &Rc<Command>,
        chosen: &Chosen,
    ) {
        if !self.promise(ctx, from, ballot) {
            return;
        }
        self.vote(ctx, slot, ballot, command);
        self.follow(ctx, ballot, chosen);
        let learned = self.learned();
        ctx.send(
            from,
            MpMsg::Accepted {
                ballot,
                slot,
                learned,
            },
        );
    }

    pub(super) fn on_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        ballot: Ballot,
        chosen: &Chosen,
    ) {
        if !self.promise(ctx, from, ballot) {
            return;
        }
        self.follow(ctx, ballot, chosen);
        let learned = self.learned();
        ctx.send(from, MpMsg::HeartbeatOk { ballot, learned });
    }

    /// Word from the leader of `ballot`: remember it, learn what it says is chosen, and send it
    /// the requests held while no leader was known.
    fn follow(&mut self, ctx: &mut Ctx<'_, Self>, ballot: Ballot, chosen: &Chosen) {
        self.leader = Some(ballot.proposer);
        self.reset_election_timer(ctx);
        let learned = self.learned();
        if chosen.from <= learned + 1 {
            let skip = (learned + 1 - chosen.from) as usize;
            for command in chosen.commands.iter().skip(skip) {
                self.learn(ctx, command.clone());
            }
        }
        self.unpark(ctx);
    }

    /// Accepts `command` for `slot` in `ballot`, on stable storage.
    pub(super) fn vote(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        slot: Slot,
        ballot: Ballot,
        command: &Rc<Command>,
    ) {
        let vote = Vote {
            ballot,
            command: command.clone(),
        };
        // The mirror and stable storage are written alike, never copied from one another, so
        // neither shares chunks the other then has to copy.
        ctx.persist("accepted", |s| record(&mut s.accepted, slot, vote.clone()));
        record(&mut self.accepted, slot, vote);
    }

    /// The next slot is chosen with `command`: apply it, and answer the clients waiting for it.
    pub(super) fn learn(&mut self, ctx: &mut Ctx<'_, Self>, command: Rc<Command>) {
        let result = self.kv.apply(&command);
        if let (Some(op), Some(result)) = (command.op(), result) {
            for request in self.pending.remove(&op).unwrap_or_default() {
                ctx.reply(request, result.clone());
            }
        }
        self.log.push(command);
    }

    /// Handles the requests held while no leader was known, now that one is.
    pub(super) fn unpark(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.leader.is_none() {
            return;
        }
        for (req, op) in std::mem::take(&mut self.parked) {
            self.on_client(ctx, req, &op);
        }
    }

    pub(super) fn on_client(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &KvRequest) {
        if self.role != Role::Leader {
            match self.leader {
                Some(leader) if leader != self.id => {
                    ctx.reply(req.id, KvResponse::Redirect(leader));
                }
                _ => self.parked.push((req, op.clone())),
            }
            return;
        }
        if let Some(result) = self.kv.result(req.op) {
            ctx.reply(req.id, result.clone());
            return;
        }
        self.pending.entry(req.op).or_default().push(req.id);
        // A retry of an operation already proposed waits for that slot.
        let proposed = self
            .proposals
            .values()
            .map(|p| &p.command)
            .chain(self.ahead.values())
            .any(|c| c.op() == Some(req.op));
        if proposed {
            return;
        }
        let command = Command::from_request(req.op, op);
        let slot = self.next_slot;
        self.next_slot += 1;
        self.propose(ctx, slot, Rc::new(command));
    }
}

/// Sets the vote of `slot` in `votes` (slot `s` at `s - 1`).
fn record(votes: &mut SharedVec<Option<Vote>>, slot: Slot, vote: Vote) {
    while votes.len() < slot as usize {
        votes.push(None);
    }
    if let Some(entry) = votes.get_mut(slot as usize - 1) {
        *entry = Some(vote);
    }
}
