//! Copying a world into another's buffers. The explorer tries every move from a state on a copy
//! of the world and keeps the copy's buffers for the next move (`Sim::trial`), so `clone_from`
//! reuses every vector in place rather than allocating a fresh world per move, as the derived
//! `Clone` would (its `clone_from` clones the whole value and drops the old one).

use super::{NodeSlot, World};
use crate::engine::protocol::Protocol;

impl<P: Protocol> Clone for World<P> {
    fn clone(&self) -> World<P> {
        World {
            now: self.now,
            seq: self.seq,
            queue: self.queue.clone(),
            entries: self.entries.clone(),
            free: self.free.clone(),
            held: self.held.clone(),
            nodes: self.nodes.clone(),
            network: self.network.clone(),
            retry: self.retry,
            ops: self.ops.clone(),
            stats: self.stats,
        }
    }

    fn clone_from(&mut self, source: &World<P>) {
        // Every field, by name: a field added to `World` and not copied here does not compile.
        let World {
            now,
            seq,
            queue,
            entries,
            free,
            held,
            nodes,
            network,
            retry,
            ops,
            stats,
        } = self;
        *now = source.now;
        *seq = source.seq;
        queue.clone_from(&source.queue);
        entries.clone_from(&source.entries);
        free.clone_from(&source.free);
        held.clone_from(&source.held);
        // Vec's `clone_from` copies element by element with `NodeSlot::clone_from`.
        nodes.clone_from(&source.nodes);
        network.clone_from(&source.network);
        *retry = source.retry;
        ops.clone_from(&source.ops);
        *stats = source.stats;
    }
}

impl<P: Protocol> Clone for NodeSlot<P> {
    fn clone(&self) -> NodeSlot<P> {
        NodeSlot {
            id: self.id,
            state: self.state.clone(),
            stable: self.stable.clone(),
            rng: self.rng.clone(),
            status: self.status,
            incarnation: self.incarnation,
            clock: self.clock.clone(),
            lamport: self.lamport,
            last: self.last,
            inbox: self.inbox.clone(),
            watched: self.watched,
            traitor: self.traitor,
        }
    }

    fn clone_from(&mut self, source: &NodeSlot<P>) {
        let NodeSlot {
            id,
            state,
            stable,
            rng,
            status,
            incarnation,
            clock,
            lamport,
            last,
            inbox,
            watched,
            traitor,
        } = self;
        *id = source.id;
        state.clone_from(&source.state);
        stable.clone_from(&source.stable);
        rng.clone_from(&source.rng);
        *status = source.status;
        *incarnation = source.incarnation;
        clock.clone_from(&source.clock);
        *lamport = source.lamport;
        *last = source.last;
        inbox.clone_from(&source.inbox);
        *watched = source.watched;
        *traitor = source.traitor;
    }
}
