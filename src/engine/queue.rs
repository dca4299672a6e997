//! The event queue: pending 128-bit keys, smallest first.
//!
//! A small queue is a binary heap: a handful of comparisons per key, and the next key is always at
//! hand. A large one (hundreds of thousands of messages in flight) is a radix heap, a monotone
//! priority queue: a simulation only ever takes its smallest pending key and almost never schedules
//! below it, which is what a radix heap exploits. A key lives in the bucket named by the highest
//! bit in which it differs from the last key taken, so pushing is an append and taking the next key
//! moves each key a few times, to ever lower buckets, by sequential copies. A binary heap instead
//! walks log(n) levels of a large array at random, which made the cost of an event grow with the
//! number of messages in flight; but on a small queue those few moves cost more than the heap's
//! comparisons. A bitmask of occupied buckets finds the next one in one instruction.
//!
//! Unlike a textbook radix heap, this one accepts a key below the last one taken (an intervention
//! applied at the current instant may schedule before the next pending event), by rebuilding the
//! buckets around the new minimum, which costs one pass over the queue and happens once per such
//! intervention, not per event.
//!
//! Both give the same order, so which one holds the keys never shows in a trace.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A heap that grows past this many keys becomes a radix heap…
const RADIX_ABOVE: usize = 2_048;
/// …and a radix heap that shrinks below this many becomes a heap again.
const HEAP_BELOW: usize = 512;

/// Pending keys, smallest first. Keys must be unique for the order to be total.
#[derive(Debug)]
pub enum EventQueue {
    Heap(BinaryHeap<Reverse<u128>>),
    Radix { keys: RadixQueue, len: usize },
}

/// By hand for `clone_from`, which copies a heap into the one already there (see
/// `World::clone_from`).
impl Clone for EventQueue {
    fn clone(&self) -> EventQueue {
        match self {
            EventQueue::Heap(heap) => EventQueue::Heap(heap.clone()),
            EventQueue::Radix { keys, len } => EventQueue::Radix {
                keys: keys.clone(),
                len: *len,
            },
        }
    }

    fn clone_from(&mut self, source: &EventQueue) {
        match (self, source) {
            (EventQueue::Heap(heap), EventQueue::Heap(from)) => heap.clone_from(from),
            (this, source) => *this = source.clone(),
        }
    }
}

impl Default for EventQueue {
    fn default() -> EventQueue {
        EventQueue::Heap(BinaryHeap::new())
    }
}

impl EventQueue {
    pub fn push(&mut self, key: u128) {
        match self {
            EventQueue::Heap(heap) => {
                heap.push(Reverse(key));
                if heap.len() > RADIX_ABOVE {
                    let mut keys = RadixQueue::new();
                    let len = heap.len();
                    for Reverse(key) in std::mem::take(heap) {
                        keys.push(key);
                    }
                    *self = EventQueue::Radix { keys, len };
                }
            }
            EventQueue::Radix { keys, len } => {
                keys.push(key);
                *len += 1;
            }
        }
    }

    /// The smallest key, without removing it.
    pub fn peek(&mut self) -> Option<u128> {
        match self {
            EventQueue::Heap(heap) => heap.peek().map(|k| k.0),
            EventQueue::Radix { keys, .. } => keys.peek(),
        }
    }

    /// Removes and returns the smallest key.
    pub fn pop(&mut self) -> Option<u128> {
        match self {
            EventQueue::Heap(heap) => heap.pop().map(|k| k.0),
            EventQueue::Radix { keys, len } => {
                let key = keys.pop()?;
                *len -= 1;
                if *len < HEAP_BELOW {
                    *self = EventQueue::Heap(keys.iter().map(Reverse).collect());
                }
                Some(key)
            }
        }
    }
}

/// One bucket per bit of the key, plus bucket 0 for keys equal to `last`.
const BUCKETS: usize = 129;

/// The radix heap behind a large queue. Keys must be unique for the order to be total.
#[derive(Clone, Debug)]
pub struct RadixQueue {
    /// No key in the queue is smaller.
    last: u128,
    buckets: Vec<Vec<u128>>,
    /// Bit `i` is set when bucket `i` holds a key.
    occupied: [u64; 3],
}

impl Default for RadixQueue {
    fn default() -> RadixQueue {
        RadixQueue::new()
    }
}

impl RadixQueue {
    pub fn new() -> RadixQueue {
        RadixQueue {
            last: 0,
            buckets: vec![Vec::new(); BUCKETS],
            occupied: [0; 3],
        }
    }

    pub fn push(&mut self, key: u128) {
        if key < self.last {
            self.rebuild(key);
        }
        self.insert(key);
    }

    /// The smallest key, without removing it.
    pub fn peek(&mut self) -> Option<u128> {
        if self.buckets[0].is_empty() {
            self.refill()?;
        }
        self.buckets[0].last().copied()
    }

    /// Removes and returns the smallest key.
    pub fn pop(&mut self) -> Option<u128> {
        self.peek()?;
        let key = self.buckets[0].pop();
        if self.buckets[0].is_empty() {
            self.occupied[0] &= !1;
        }
        key
    }

    /// Every key, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = u128> + '_ {
        self.buckets.iter().flatten().copied()
    }

    fn bucket_of(&self, key: u128) -> usize {
        (128 - (key ^ self.last).leading_zeros()) as usize
    }

    fn insert(&mut self, key: u128) {
        let bucket = self.bucket_of(key);
        self.buckets[bucket].push(key);
        self.occupied[bucket / 64] |= 1 << (bucket % 64);
    }

    /// The first occupied bucket after bucket 0.
    fn first_occupied(&self) -> Option<usize> {
        let low = self.occupied[0] & !1;
        if low != 0 {
            return Some(low.trailing_zeros() as usize);
        }
        if self.occupied[1] != 0 {
            return Some(64 + self.occupied[1].trailing_zeros() as usize);
        }
        (self.occupied[2] != 0).then(|| 128 + self.occupied[2].trailing_zeros() as usize)
    }

    /// Makes the smallest key the new `last` and spreads its bucket over the lower buckets; bucket 0
    /// then holds exactly the smallest key. `None` when the queue is empty.
    fn refill(&mut self) -> Option<()> {
        let bucket = self.first_occupied()?;
        let mut keys = std::mem::take(&mut self.buckets[bucket]);
        self.occupied[bucket / 64] &= !(1 << (bucket % 64));
        self.last = keys.iter().copied().min()?;
        for &key in &keys {
            self.insert(key);
        }
        keys.clear();
        self.buckets[bucket] = keys;
        Some(())
    }

    /// Re-buckets every key around a new, smaller `last`.
    fn rebuild(&mut self, last: u128) {
        let keys: Vec<u128> = self.iter().collect();
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.occupied = [0; 3];
        self.last = last;
        for key in keys {
            self.insert(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{EventQueue, HEAP_BELOW, RADIX_ABOVE, RadixQueue};
    use rand_chacha::ChaCha8Rng;
    use rand_core::{Rng, SeedableRng};

    fn below(rng: &mut ChaCha8Rng, bound: u64) -> u128 {
        u128::from(rng.next_u64() % bound)
    }

    /// The two queues, driven alike.
    trait Queue {
        fn push(&mut self, key: u128);
        fn peek(&mut self) -> Option<u128>;
        fn pop(&mut self) -> Option<u128>;
    }

    impl Queue for RadixQueue {
        fn push(&mut self, key: u128) {
            RadixQueue::push(self, key)
        }
        fn peek(&mut self) -> Option<u128> {
            RadixQueue::peek(self)
        }
        fn pop(&mut self) -> Option<u128> {
            RadixQueue::pop(self)
        }
    }

    impl Queue for EventQueue {
        fn push(&mut self, key: u128) {
            EventQueue::push(self, key)
        }
        fn peek(&mut self) -> Option<u128> {
            EventQueue::peek(self)
        }
        fn pop(&mut self) -> Option<u128> {
            EventQueue::pop(self)
        }
    }

    /// Drives `queue` against a sorted list: per phase, a number of operations and the percentage
    /// of them that push, with pushes at, above and (rarely) below the last key taken.
    /// `after_phase` sees the queue after each phase.
    fn agrees_with_a_sorted_list<Q: Queue>(
        seed: u64,
        queue: &mut Q,
        phases: &[(usize, u64)],
        mut after_phase: impl FnMut(&Q),
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut model: Vec<u128> = Vec::new();
        let mut next_unique = 0u128;
        let mut floor = 0u128;
        for &(operations, push_percent) in phases {
            for _ in 0..operations {
                if below(&mut rng, 100) < u128::from(push_percent) {
                    next_unique += 1;
                    let time = if below(&mut rng, 100) < 2 {
                        floor.saturating_sub(below(&mut rng, 1_000))
                    } else {
                        floor + below(&mut rng, 5_000)
                    };
                    let key = (time << 64) | next_unique;
                    queue.push(key);
                    model.push(key);
                } else {
                    model.sort_unstable_by(|a, b| b.cmp(a));
                    let expected = model.pop();
                    assert_eq!(queue.peek(), expected, "seed {seed}");
                    assert_eq!(queue.pop(), expected, "seed {seed}");
                    if let Some(key) = expected {
                        floor = key >> 64;
                    }
                }
            }
            after_phase(queue);
        }
        model.sort_unstable_by(|a, b| b.cmp(a));
        while let Some(expected) = model.pop() {
            assert_eq!(queue.pop(), Some(expected), "seed {seed}");
        }
        assert_eq!(queue.pop(), None, "seed {seed}");
    }

    #[test]
    fn the_radix_heap_pops_in_order_like_a_sorted_list() {
        for seed in 0..200 {
            agrees_with_a_sorted_list(seed, &mut RadixQueue::new(), &[(2_000, 55)], |_| {});
        }
    }

    /// Growing past `RADIX_ABOVE` and shrinking below `HEAP_BELOW` (and growing again) switches
    /// between the heap and the radix heap without changing the order.
    #[test]
    fn the_queue_pops_in_order_as_it_grows_and_shrinks() {
        let grow = RADIX_ABOVE * 3;
        let shrink = grow * 2;
        for seed in 0..20 {
            let mut radix = Vec::new();
            agrees_with_a_sorted_list(
                seed,
                &mut EventQueue::default(),
                &[(grow, 80), (shrink, 30), (grow, 80), (HEAP_BELOW, 50)],
                |q| radix.push(matches!(q, EventQueue::Radix { .. })),
            );
            assert_eq!(radix, [true, false, true, true], "seed {seed}");
        }
    }

    #[test]
    fn an_empty_queue_has_nothing() {
        let mut queue = RadixQueue::new();
        assert_eq!(queue.peek(), None);
        assert_eq!(queue.pop(), None);
        queue.push(u128::MAX);
        queue.push(0);
        assert_eq!(queue.pop(), Some(0));
        assert_eq!(queue.pop(), Some(u128::MAX));
        assert_eq!(queue.pop(), None);
        let mut queue = EventQueue::default();
        assert_eq!(queue.peek(), None);
        assert_eq!(queue.pop(), None);
    }
}
