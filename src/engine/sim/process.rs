//! Processing one queued event: a node's start, a message's delivery (or drop), a timer firing; and
//! running a protocol's handler with its `Ctx`.

use super::Sim;
use crate::engine::ids::{EventId, MsgId, NodeId};
use crate::engine::protocol::{NodeStatus, Protocol};
use crate::engine::trace::{DropReason, EventKind};
use crate::engine::world::{Ctx, Item, Place};
use std::rc::Rc;

impl<P: Protocol> Sim<P> {
    pub(super) fn process(&mut self, slot: u32) {
        let item = self.world.entries[slot as usize]
            .item
            .expect("queued entries hold an item");
        match item {
            Item::Start { node } => {
                self.world.free(slot);
                self.start(node, EventKind::Start);
            }
            Item::Deliver {
                msg,
                from,
                to,
                send,
                lamport,
                doomed,
                released,
            } => self.deliver(slot, msg, from, to, (send, lamport), (doomed, released)),
            Item::Timer {
                node,
                timer,
                kind,
                incarnation,
                set,
                ..
            } => {
                let slot_node = &self.world.nodes[node.index()];
                if slot_node.incarnation != incarnation {
                    self.world.free(slot);
                } else if slot_node.status == NodeStatus::Paused {
                    self.world.park_in_inbox(node, slot);
                } else {
                    self.world.free(slot);
                    self.world.stats.timers_fired += 1;
                    let name = P::timer_name(&kind);
                    self.world.record(
                        &mut self.log,
                        Some(node),
                        Some(set),
                        EventKind::TimerFire { timer, name },
                    );
                    self.dispatch(node, |p, ctx, _| p.on_timer(ctx, kind));
                }
            }
            Item::Request { op } => self.arrive_request(slot, op),
            Item::ClientTimeout { op, attempt } => {
                self.world.free(slot);
                self.client_timeout(op, attempt);
            }
            Item::Generate => {
                self.world.free(slot);
                self.generate();
            }
        }
    }

    pub(super) fn start(&mut self, node: NodeId, kind: EventKind) {
        let slot = &mut self.world.nodes[node.index()];
        slot.state = Some(Rc::new(P::new(node, self.nodes, &self.params)));
        slot.status = NodeStatus::Up;
        self.world.record(&mut self.log, Some(node), None, kind);
        self.dispatch(node, |p, ctx, _| p.on_start(ctx));
    }

    fn deliver(
        &mut self,
        slot: u32,
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        (send, lamport): (EventId, u64),
        (doomed, released): (Option<DropReason>, bool),
    ) {
        let reason = doomed.or_else(|| {
            self.world
                .network
                .is_blocked(from, to)
                .then_some(DropReason::Partitioned)
        });
        if let Some(reason) = reason {
            self.world.free(slot);
            self.drop_message(from, to, msg, send, reason);
            return;
        }
        if !released && self.world.network.is_held(from, to) {
            let entry = &mut self.world.entries[slot as usize];
            entry.place = Place::Held;
            self.world.held.push(slot);
            return;
        }
        match self.world.nodes[to.index()].status {
            NodeStatus::Crashed | NodeStatus::NotStarted => {
                self.world.free(slot);
                self.drop_message(from, to, msg, send, DropReason::DestinationCrashed);
            }
            NodeStatus::Paused => self.world.park_in_inbox(to, slot),
            NodeStatus::Up => {
                self.world.free(slot);
                self.world.stats.delivered += 1;
                self.world.record_after(
                    &mut self.log,
                    Some(to),
                    Some(send),
                    lamport,
                    EventKind::Deliver { from, msg, send },
                );
                self.dispatch(to, |p, ctx, sent| {
                    p.on_message(ctx, from, &sent[msg.index()])
                });
            }
        }
    }

    pub(super) fn drop_message(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: MsgId,
        send: EventId,
        reason: DropReason,
    ) {
        self.world.stats.dropped += 1;
        self.world.record(
            &mut self.log,
            None,
            Some(send),
            EventKind::Drop {
                from,
                to,
                msg,
                send,
                reason,
            },
        );
    }

    /// Runs a handler on `node`, which gets the payloads sent before it (to read the one it handles).
    pub(super) fn dispatch(
        &mut self,
        node: NodeId,
        handler: impl FnOnce(&mut P, &mut Ctx<'_, P>, &[P::Msg]),
    ) {
        let Some(mut protocol) = self.world.nodes[node.index()].state.take() else {
            return;
        };
        {
            let mut ctx = Ctx::new(
                &mut self.world,
                &mut self.log,
                &mut self.messages.outbox,
                self.messages.sent.len() as u32,
                node,
            );
            handler(Rc::make_mut(&mut protocol), &mut ctx, &self.messages.sent);
        }
        self.messages.post();
        self.world.nodes[node.index()].state = Some(protocol);
    }
}
