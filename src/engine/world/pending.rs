//! The pending events: a slab of entries (queued, held on a link, or waiting in a paused node's
//! inbox), reused through a free list, and the queue of keys that orders the queued ones. A key
//! whose entry has moved or gone stays queued until it comes up, and is skipped then.

use super::World;
use crate::engine::ids::{EventId, MsgId, NodeId, OpId, TimerId};
use crate::engine::protocol::Protocol;
use crate::engine::time::SimTime;
use crate::engine::trace::DropReason;

/// A queue position: ordered by time, then by sequence number. The slot rides along in the low
/// bits but never decides the order (sequence numbers are unique), so a key is one `u128`: time in
/// the high half, then the sequence number, then the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key(pub(super) u128);

const SLOT_BITS: u32 = 24;

/// At most this many events may be pending at once (messages in flight, timers, arrivals).
pub(crate) const MAX_PENDING: usize = 1 << SLOT_BITS;

impl Key {
    pub(super) fn new(time: SimTime, seq: u64, slot: u32) -> Key {
        Key((u128::from(time.0) << 64) | u128::from((seq << SLOT_BITS) | u64::from(slot)))
    }

    pub(crate) fn time(self) -> SimTime {
        SimTime((self.0 >> 64) as u64)
    }

    fn seq(self) -> u64 {
        (self.0 as u64) >> SLOT_BITS
    }

    pub(crate) fn slot(self) -> u32 {
        (self.0 as u32) & ((1 << SLOT_BITS) - 1)
    }
}

/// What a pending entry will do when its time comes. Plain data (`Copy`), so copying a world's
/// entries is one `memcpy` (`Vec::clone_from` of `Copy` elements).
#[derive(Debug)]
pub(crate) enum Item<P: Protocol> {
    Start {
        node: NodeId,
    },
    Deliver {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        send: EventId,
        /// The send's Lamport timestamp, carried so delivery need not read the trace back.
        lamport: u64,
        doomed: Option<DropReason>,
        /// Delivered now by hand (`deliver_message`): a held link does not stop it.
        released: bool,
    },
    Timer {
        node: NodeId,
        timer: TimerId,
        kind: P::Timer,
        incarnation: u32,
        set: EventId,
        mono_deadline: i64,
    },
    Request {
        op: OpId,
    },
    ClientTimeout {
        op: OpId,
        attempt: u32,
    },
    Generate,
}

/// Where a pending entry waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Queue,
    Held,
    Inbox,
}

/// A slot of the slab: its latest key's sequence number, how often it was freed (so a stale
/// `TimerId` is recognised), when it is due, where it waits, its item (none while free), and the
/// explorer's digest of what it is.
#[derive(Debug)]
pub(crate) struct Entry<P: Protocol> {
    pub(super) seq: u64,
    pub(crate) generation: u32,
    pub(crate) at: SimTime,
    pub(crate) place: Place,
    pub(crate) item: Option<Item<P>>,
    /// What the item is, whatever its numbers, as `Sim::fingerprint` hashes it; 0 until that
    /// computes it. Anything that changes `at` or `item` sets it back to 0. Kept here, so a copy
    /// of the world carries it and a move's fingerprint hashes only the entries the move added.
    pub(crate) digest: u64,
}

// By hand: a derive would ask `P: Copy` of the protocol, where only its timers are stored.
impl<P: Protocol> Clone for Item<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Protocol> Copy for Item<P> {}

impl<P: Protocol> Clone for Entry<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Protocol> Copy for Entry<P> {}

impl<P: Protocol> World<P> {
    /// The key of the next queued entry, left in the queue; keys of cancelled timers and moved
    /// entries stay queued until they come up, so they are dropped here.
    pub(crate) fn next_queued(&mut self) -> Option<Key> {
        loop {
            let key = Key(self.queue.peek()?);
            let entry = &self.entries[key.slot() as usize];
            if entry.seq == key.seq() && entry.item.is_some() && entry.place == Place::Queue {
                return Some(key);
            }
            self.queue.pop();
        }
    }

    pub(super) fn alloc(&mut self, at: SimTime, item: Item<P>) -> u32 {
        self.seq += 1;
        let seq = self.seq;
        match self.free.pop() {
            Some(slot) => {
                let entry = &mut self.entries[slot as usize];
                entry.seq = seq;
                entry.at = at;
                entry.place = Place::Queue;
                entry.item = Some(item);
                entry.digest = 0;
                slot
            }
            None => {
                assert!(
                    self.entries.len() < MAX_PENDING,
                    "more than {MAX_PENDING} events pending at once"
                );
                self.entries.push(Entry {
                    seq,
                    generation: 0,
                    at,
                    place: Place::Queue,
                    item: Some(item),
                    digest: 0,
                });
                (self.entries.len() - 1) as u32
            }
        }
    }

    pub(crate) fn schedule(&mut self, at: SimTime, item: Item<P>) -> u32 {
        let slot = self.alloc(at, item);
        let seq = self.entries[slot as usize].seq;
        self.queue.push(Key::new(at, seq, slot).0);
        slot
    }

    pub(crate) fn rekey(&mut self, slot: u32, at: SimTime) {
        self.seq += 1;
        let entry = &mut self.entries[slot as usize];
        entry.seq = self.seq;
        entry.at = at;
        entry.place = Place::Queue;
        entry.digest = 0;
        self.queue.push(Key::new(at, self.seq, slot).0);
    }

    pub(crate) fn free(&mut self, slot: u32) {
        let entry = &mut self.entries[slot as usize];
        entry.item = None;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(slot);
    }

    pub(crate) fn park_in_inbox(&mut self, node: NodeId, slot: u32) {
        self.entries[slot as usize].place = Place::Inbox;
        self.nodes[node.index()].inbox.push(slot);
    }

    pub(crate) fn unhold(&mut self, slot: u32) {
        if self.entries[slot as usize].place == Place::Held {
            self.held.retain(|&s| s != slot);
        }
    }

    /// Delivers the message copy in `slot` at `now`, whatever held, delayed or doomed it (an
    /// intervention's `DeliverMessage`).
    pub(crate) fn deliver_now(&mut self, slot: u32, now: SimTime) {
        self.unhold(slot);
        if let Some(Item::Deliver {
            doomed, released, ..
        }) = &mut self.entries[slot as usize].item
        {
            *doomed = None;
            *released = true;
        }
        self.rekey(slot, now);
    }

    /// The copies of message `send` still in the network (queued or held), with their slots, in
    /// slot order.
    fn copies_in_network(&self, send: EventId) -> impl Iterator<Item = (u32, &Entry<P>)> {
        self.entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| {
                e.place != Place::Inbox
                    && matches!(&e.item, Some(Item::Deliver { send: s, .. }) if *s == send)
            })
            .map(|(slot, e)| (slot as u32, e))
    }

    /// Slots of the copies of message `send` still in the network, in slot order.
    pub(crate) fn in_network(&self, send: EventId) -> Vec<u32> {
        self.copies_in_network(send).map(|(slot, _)| slot).collect()
    }

    /// The slot of the copy of message `send` in the network that is due first (by instant, then
    /// by the order it was queued).
    pub(crate) fn first_due(&self, send: EventId) -> Option<u32> {
        self.copies_in_network(send)
            .min_by_key(|(_, e)| (e.at, e.seq))
            .map(|(slot, _)| slot)
    }

    /// Slots of the node's live timers waiting in the queue.
    pub(crate) fn queued_timers(&self, node: NodeId) -> Vec<u32> {
        let incarnation = self.nodes[node.index()].incarnation;
        let mut slots: Vec<(SimTime, u64, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.place == Place::Queue
                    && matches!(&e.item, Some(Item::Timer { node: n, incarnation: i, .. }) if *n == node && *i == incarnation)
            })
            .map(|(i, e)| (e.at, e.seq, i as u32))
            .collect();
        slots.sort_unstable();
        slots.into_iter().map(|(_, _, slot)| slot).collect()
    }
}
