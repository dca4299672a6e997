//! Interventions: performing a scheduled action (a fault or a hand-made change), and applying one
//! at the current instant, which starts a new branch.

use super::{InputError, Origin, Planned, Sim};
use crate::engine::action::{Action, Scheduled};
use crate::engine::protocol::{NodeStatus, Protocol};
use crate::engine::trace::{DropReason, EventKind};
use crate::engine::world::Item;
use std::rc::Rc;

impl<P: Protocol> Sim<P> {
    /// The recorded interventions (not the fault script), in the order they apply.
    pub fn interventions(&self) -> Vec<Scheduled> {
        self.planned(Origin::User)
    }

    fn planned(&self, origin: Origin) -> Vec<Scheduled> {
        self.schedule
            .iter()
            .filter(|p| p.origin == origin)
            .map(|p| Scheduled {
                at_us: p.at,
                action: p.action.clone(),
            })
            .collect()
    }

    /// Applies an intervention at the current instant. If the run had recorded interventions later
    /// than now (because it was rewound), they are cut off: this starts a new branch. Returns the
    /// interventions that were cut off.
    pub fn apply(&mut self, action: Action) -> Result<Vec<Scheduled>, InputError> {
        for node in action.nodes() {
            if node.0 >= self.nodes {
                return Err(InputError(format!(
                    "{} names {node}, but the scenario has only {} nodes",
                    action.describe(),
                    self.nodes
                )));
            }
        }
        if !P::BYZANTINE && matches!(action, Action::Traitor { .. }) {
            return Err(InputError(super::no_traitors::<P>(&action.describe())));
        }
        if !P::BYZANTINE && super::corrupts(&action) {
            return Err(InputError(super::no_forgeries::<P>(&action.describe())));
        }
        if let Some(reason) = self.forbids(&action) {
            return Err(InputError(format!("{}: {reason}", action.describe())));
        }
        let op = match &action {
            Action::ClientRequest { op, .. } => Some(Rc::new(
                serde_json::from_value::<P::Request>(op.clone())
                    .map_err(|e| InputError(format!("`{op}` is not a valid request: {e}")))?,
            )),
            _ => None,
        };
        let now = self.world.now;
        let mut cut = Vec::new();
        let mut index = 0;
        let schedule = Rc::make_mut(&mut self.schedule);
        while index < schedule.len() {
            let planned = &schedule[index];
            if planned.origin == Origin::User && planned.at > now {
                let removed = schedule.remove(index);
                cut.push(Scheduled {
                    at_us: removed.at,
                    action: removed.action,
                });
            } else {
                index += 1;
            }
        }
        let position = schedule.partition_point(|p| p.at <= now);
        schedule.insert(
            position,
            Planned {
                at: now,
                origin: Origin::User,
                action,
                op,
            },
        );
        self.drop_checkpoints_after(now, position);
        self.state.ended = false;
        self.run_until(now);
        Ok(cut)
    }

    pub(super) fn perform(&mut self, index: usize) {
        let planned = self.schedule[index].clone();
        let now = self.world.now;
        match planned.action {
            Action::Crash { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Crashed {
                    return;
                }
                let inbox = std::mem::take(&mut self.world.nodes[node.index()].inbox);
                self.world
                    .record(&mut self.log, Some(node), None, EventKind::Crash);
                // Client requests parked while the node was paused reach a crashed node instead:
                // dropped, and their clients' retry timers run as for any request it never saw.
                let mut parked_requests = Vec::new();
                for slot in inbox {
                    match self.world.entries[slot as usize].item {
                        Some(Item::Deliver {
                            msg,
                            from,
                            to,
                            send,
                            ..
                        }) => {
                            self.drop_message(
                                from,
                                to,
                                msg,
                                send,
                                DropReason::CrashedBeforeProcessing,
                            );
                        }
                        Some(Item::Request { op }) => {
                            parked_requests.push((slot, op));
                            continue;
                        }
                        _ => {}
                    }
                    self.world.free(slot);
                }
                let slot = &mut self.world.nodes[node.index()];
                slot.state = None;
                slot.status = NodeStatus::Crashed;
                slot.incarnation += 1;
                for (slot, op) in parked_requests {
                    self.arrive_request(slot, op);
                }
            }
            Action::Restart { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Crashed {
                    self.start(node, EventKind::Restart);
                }
            }
            Action::Pause { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Up {
                    self.world.nodes[node.index()].status = NodeStatus::Paused;
                    self.world
                        .record(&mut self.log, Some(node), None, EventKind::Pause);
                }
            }
            Action::Resume { node } => {
                if self.world.nodes[node.index()].status == NodeStatus::Paused {
                    self.world.nodes[node.index()].status = NodeStatus::Up;
                    self.world
                        .record(&mut self.log, Some(node), None, EventKind::Resume);
                    let inbox = std::mem::take(&mut self.world.nodes[node.index()].inbox);
                    for slot in inbox {
                        self.world.rekey(slot, now);
                    }
                }
            }
            Action::Partition { groups } => {
                self.world.network.partition(&groups);
                self.world.record(
                    &mut self.log,
                    None,
                    None,
                    EventKind::Partition {
                        groups: Box::new(groups),
                    },
                );
            }
            Action::PartitionOneWay { from, to } => {
                self.world.network.block(&from, &to);
                self.world.record(
                    &mut self.log,
                    None,
                    None,
                    EventKind::PartitionOneWay {
                        from: Box::new(from),
                        to: Box::new(to),
                    },
                );
            }
            Action::Heal => {
                self.world.network.heal();
                self.world
                    .record(&mut self.log, None, None, EventKind::Heal);
            }
            Action::Hold { from, to } => {
                self.world.network.set_held(from, to, true);
                self.world
                    .record(&mut self.log, None, None, EventKind::Hold { from, to });
            }
            Action::Release { from, to } => {
                self.world.network.set_held(from, to, false);
                self.world
                    .record(&mut self.log, None, None, EventKind::Release { from, to });
                let held = std::mem::take(&mut self.world.held);
                for slot in held {
                    let on_link = matches!(
                        &self.world.entries[slot as usize].item,
                        Some(Item::Deliver { from: f, to: t, .. }) if *f == from && *t == to
                    );
                    if on_link {
                        self.world.rekey(slot, now);
                    } else {
                        self.world.held.push(slot);
                    }
                }
            }
            Action::SetLink { from, to, link } => {
                self.world.network.set_config(from, to, link);
                self.world.record(
                    &mut self.log,
                    None,
                    None,
                    EventKind::LinkChange {
                        from,
                        to,
                        config: Box::new(link),
                    },
                );
            }
            Action::ClockJump { node, by_us } => {
                self.world.nodes[node.index()].clock.jump(by_us);
                self.world.record(
                    &mut self.log,
                    Some(node),
                    None,
                    EventKind::ClockJump { by_us },
                );
            }
            Action::Traitor { node, strategy } => {
                self.world.nodes[node.index()].traitor = Some(strategy);
                self.world.record(
                    &mut self.log,
                    Some(node),
                    None,
                    EventKind::Traitor { strategy },
                );
            }
            Action::ClockDrift { node, ppm } => {
                self.world.nodes[node.index()].clock.set_drift(now, ppm);
                self.world.record(
                    &mut self.log,
                    Some(node),
                    None,
                    EventKind::ClockDrift { ppm },
                );
                let clock = self.world.nodes[node.index()].clock.clone();
                for slot in self.world.queued_timers(node) {
                    if let Some(Item::Timer { mono_deadline, .. }) =
                        &self.world.entries[slot as usize].item
                    {
                        let at = clock.deadline(now, *mono_deadline);
                        self.world.rekey(slot, at);
                    }
                }
            }
            Action::DropMessage { send } => {
                for slot in self.world.in_network(send) {
                    if let Some(Item::Deliver {
                        msg,
                        from,
                        to,
                        send,
                        ..
                    }) = self.world.entries[slot as usize].item
                    {
                        self.world.unhold(slot);
                        self.world.free(slot);
                        self.drop_message(from, to, msg, send, DropReason::ByUser);
                    }
                }
            }
            Action::DuplicateMessage { send } => {
                if let Some(&slot) = self.world.in_network(send).first() {
                    let entry = &self.world.entries[slot as usize];
                    let at = entry.at.max(now);
                    if let Some(Item::Deliver {
                        msg,
                        from,
                        to,
                        send,
                        lamport,
                        doomed,
                        ..
                    }) = entry.item
                    {
                        self.world.stats.duplicated += 1;
                        self.world.record(
                            &mut self.log,
                            None,
                            Some(send),
                            EventKind::Duplicate {
                                from,
                                to,
                                msg,
                                send,
                            },
                        );
                        self.world.schedule(
                            at,
                            Item::Deliver {
                                msg,
                                from,
                                to,
                                send,
                                lamport,
                                doomed,
                                released: false,
                            },
                        );
                    }
                }
            }
            Action::DeliverMessage { send, one: true } => {
                if let Some(slot) = self.world.first_due(send) {
                    self.world.deliver_now(slot, now);
                }
            }
            Action::DeliverMessage { send, one: false } => {
                for slot in self.world.in_network(send) {
                    self.world.deliver_now(slot, now);
                }
            }
            Action::DelayMessage { send, by_us } => {
                for slot in self.world.in_network(send) {
                    let at = self.world.entries[slot as usize]
                        .at
                        .max(now)
                        .saturating_add_us(by_us);
                    self.world.unhold(slot);
                    self.world.rekey(slot, at);
                }
            }
            Action::CorruptMessage { send } => {
                for slot in self.world.in_network(send) {
                    self.corrupt(slot, send);
                }
            }
            Action::ExpireTimers { node } => {
                for slot in self.world.queued_timers(node) {
                    self.world.rekey(slot, now);
                }
            }
            Action::ClientRequest { node, .. } => {
                if let Some(payload) = planned.op {
                    self.world.new_op(now, node, payload);
                }
            }
        }
    }

    /// Replaces the message the in-flight copy in `slot` carries with what its link forges of
    /// it, recorded as a `Corrupt` event.
    fn corrupt(&mut self, slot: u32, send: crate::engine::ids::EventId) {
        let Some(Item::Deliver { msg, from, to, .. }) = self.world.entries[slot as usize].item
        else {
            return;
        };
        let Some(forgery) = self
            .world
            .forgery(&self.messages.sent[msg.0 as usize], from, to)
        else {
            return;
        };
        let forged = crate::engine::ids::MsgId(self.messages.sent.len() as u32);
        self.messages.sent.push(forgery);
        self.world
            .record_corruption(&mut self.log, (from, to), msg, forged, send);
        let entry = &mut self.world.entries[slot as usize];
        if let Some(Item::Deliver { msg, .. }) = &mut entry.item {
            *msg = forged;
            entry.digest = 0;
        }
    }
}
