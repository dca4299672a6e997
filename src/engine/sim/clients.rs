//! Clients: a request's attempt arriving at a node, a client giving up on an attempt after its
//! timeout, and the workload generator issuing requests.

use super::{MAX_EVENTS, Sim};
use crate::engine::ids::{NodeId, OpId, RequestId};
use crate::engine::protocol::{NodeStatus, Protocol, RequestInfo};
use crate::engine::rng::{Purpose, SimRng};
use crate::engine::trace::EventKind;
use crate::engine::workload::{Generator, Target};
use crate::engine::world::{Item, RequestRecord};
use std::rc::Rc;

/// The workload generator: its configuration, how many requests it has issued, and its own random
/// stream.
#[derive(Clone, Debug)]
pub(super) struct GeneratorState {
    config: Generator,
    issued: u64,
    rng: SimRng,
}

impl GeneratorState {
    pub(super) fn new(config: Generator, seed: u64) -> GeneratorState {
        GeneratorState {
            config,
            issued: 0,
            rng: SimRng::derive(seed, Purpose::Workload),
        }
    }
}

impl<P: Protocol> Sim<P> {
    pub(super) fn arrive_request(&mut self, slot: u32, op: OpId) {
        let node = self.world.ops[op.index()].target;
        match self.world.nodes[node.index()].status {
            NodeStatus::Paused => {
                self.world.park_in_inbox(node, slot);
                return;
            }
            NodeStatus::Crashed | NodeStatus::NotStarted | NodeStatus::Up => self.world.free(slot),
        }
        let id = RequestId(self.log.requests.len() as u32);
        self.world.stats.requests += 1;
        let state = &mut self.world.ops[op.index()];
        state.attempt += 1;
        let attempt = state.attempt;
        let payload = Rc::clone(&state.payload);
        if let Some(retry) = self.world.retry {
            let at = self.world.now.saturating_add_us(retry.timeout_us);
            self.world.schedule(at, Item::ClientTimeout { op, attempt });
        }
        if self.world.nodes[node.index()].status == NodeStatus::Crashed {
            self.log.requests.push(RequestRecord {
                node,
                op,
                attempt,
                event: None,
            });
            self.world.record(
                &mut self.log,
                None,
                None,
                EventKind::RequestDrop { id, op, node },
            );
            return;
        }
        let event = self.world.record(
            &mut self.log,
            Some(node),
            None,
            EventKind::Request { id, op, attempt },
        );
        self.log.requests.push(RequestRecord {
            node,
            op,
            attempt,
            event: Some(event),
        });
        self.dispatch(node, |p, ctx, _| {
            p.on_request(ctx, RequestInfo { id, op, attempt }, &payload)
        });
    }

    /// An attempt went unanswered for the retry timeout: try the next node.
    pub(super) fn client_timeout(&mut self, op: OpId, attempt: u32) {
        let state = &self.world.ops[op.index()];
        if state.done || state.attempt != attempt {
            return;
        }
        let next = NodeId((state.target.0 + 1) % self.nodes);
        self.world.retry_op(&mut self.log, op, next, self.world.now);
    }

    pub(super) fn generate(&mut self) {
        let Some(mut generator) = self.state.generator.take() else {
            return;
        };
        let seq = generator.issued;
        generator.issued += 1;
        let node = match generator.config.target {
            Target::RoundRobin => NodeId((seq % u64::from(self.nodes)) as u32),
            Target::Random => NodeId(generator.rng.range_u64(0, u64::from(self.nodes)) as u32),
            Target::Node(node) => node,
        };
        if let Some(payload) = P::generate_request(seq, &mut generator.rng) {
            self.world.new_op(self.world.now, node, Rc::new(payload));
        }
        // Every request needs at least one event to be recorded, so a run never issues more than
        // the event limit (requests waiting at a node paused for an hour would otherwise fill
        // memory without recording anything).
        let more = generator
            .config
            .count
            .is_none_or(|count| generator.issued < u64::from(count))
            && self.world.ops.len() < MAX_EVENTS;
        if more {
            let next = self.world.now.saturating_add_us(generator.config.every_us);
            self.world.schedule(next, Item::Generate);
        }
        self.state.generator = Some(generator);
    }
}
