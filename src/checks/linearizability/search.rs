//! The search behind [`check`](super::check), after Porcupine (Athalye's Go checker, itself
//! Lowe's refinement of Wing and Gong): the history becomes one doubly-linked list of call and
//! return entries in time order; placing an operation lifts its two entries out of the list, and
//! backtracking puts them back, so the candidates at any point are the calls before the first
//! return still in the list. The search is iterative (an explicit stack of placed operations with
//! the state before each), and a memo of (operations placed, model state) pairs never explores
//! the same configuration twice.
//!
//! Two additions to Porcupine's loop. A read-only operation that fits is placed and never
//! swapped for a later candidate (placing it now loses nothing: it changes no state, and every
//! order that places it later stays valid with it moved here). And the memo keeps each placed set
//! compactly: the operations are numbered by invocation, every operation before the earliest
//! unplaced one is placed, so a set is that number plus the few words of bits after it, found in
//! a table keyed by a Zobrist hash kept up to date in O(1) per placement.

use super::{Model, Operation, Outcome};

const NONE: u32 = u32::MAX;
const HEAD: usize = 0;

/// The linked list of call and return entries. Node 0 is the head; an operation of rank `r` (its
/// place in invocation order) has its call at `1 + 2r` and its return at `2 + 2r`.
struct Entries {
    next: Vec<u32>,
    prev: Vec<u32>,
}

impl Entries {
    fn lift(&mut self, rank: usize) {
        for node in [1 + 2 * rank, 2 + 2 * rank] {
            let (p, n) = (self.prev[node], self.next[node]);
            self.next[p as usize] = n;
            if n != NONE {
                self.prev[n as usize] = p;
            }
        }
    }

    fn unlift(&mut self, rank: usize) {
        for node in [2 + 2 * rank, 1 + 2 * rank] {
            let (p, n) = (self.prev[node], self.next[node]);
            self.next[p as usize] = node as u32;
            if n != NONE {
                self.prev[n as usize] = node as u32;
            }
        }
    }
}

/// The model state's hash, mixed into the memo's key.
fn state_hash<S: std::hash::Hash>(state: &S) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(state)
}

/// A well-mixed 64-bit number for each rank (SplitMix64), for Zobrist hashing of placed sets.
fn zobrist(rank: usize) -> u64 {
    let mut z = (rank as u64)
        .wrapping_add(1)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct MemoEntry<S> {
    hash: u64,
    /// Index of the first word stored: every rank below `64 * low` is placed.
    low: u32,
    words: Box<[u64]>,
    state: S,
    /// The next entry with the same hash, or `NONE`.
    chain: u32,
}

/// The (placed set, state) pairs seen, in an open-addressing table over their hashes.
struct Memo<S> {
    slots: Vec<u32>,
    entries: Vec<MemoEntry<S>>,
}

impl<S: Clone + Eq> Memo<S> {
    fn new() -> Self {
        Memo {
            slots: vec![NONE; 1024],
            entries: Vec::new(),
        }
    }

    fn slot_of(&self, hash: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = (hash as usize) & mask;
        loop {
            let entry = self.slots[at];
            if entry == NONE || self.entries[entry as usize].hash == hash {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Records the pair; false if it was already there.
    fn insert(&mut self, hash: u64, low: usize, words: &[u64], state: &S) -> bool {
        let slot = self.slot_of(hash);
        let mut at = self.slots[slot];
        while at != NONE {
            let e = &self.entries[at as usize];
            if e.low as usize == low && *e.words == *words && e.state == *state {
                return false;
            }
            at = e.chain;
        }
        self.entries.push(MemoEntry {
            hash,
            low: low as u32,
            words: words.into(),
            state: state.clone(),
            chain: self.slots[slot],
        });
        self.slots[slot] = (self.entries.len() - 1) as u32;
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        }
        true
    }

    fn grow(&mut self) {
        self.slots = vec![NONE; self.slots.len() * 2];
        for i in 0..self.entries.len() {
            self.entries[i].chain = NONE;
        }
        // Re-thread the chains in insertion order, newest first as before.
        for i in 0..self.entries.len() {
            let slot = self.slot_of(self.entries[i].hash);
            self.entries[i].chain = self.slots[slot];
            self.slots[slot] = i as u32;
        }
    }
}

/// Judges `history` against `model`, trying at most `budget` placements; see [`super::check`].
pub(super) fn search<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    budget: u64,
) -> Outcome {
    let n = history.len();
    let total_completed = history.iter().filter(|op| op.completed.is_some()).count();
    if total_completed == 0 {
        return Outcome::Linearizable;
    }
    // Ranks: operations by invocation (ties by index), as the explanation has always numbered them.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (history[i].invoked, i));
    let completes = |i: usize| history[i].completed.as_ref().map(|(_, at)| *at);
    // Entries in time order; at equal times calls come before returns (they overlap). Operations
    // that never completed return after everything.
    let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(2 * n);
    for (rank, &i) in order.iter().enumerate() {
        events.push((history[i].invoked, 0, rank));
        let (at, kind) = match completes(i) {
            Some(at) => (at, 1),
            None => (u64::MAX, 2),
        };
        events.push((at.max(history[i].invoked), kind, rank));
    }
    events.sort_unstable();
    let node_of = |&(_, kind, rank): &(u64, u8, usize)| {
        if kind == 0 {
            1 + 2 * rank
        } else {
            2 + 2 * rank
        }
    };
    let mut list = Entries {
        next: vec![NONE; 2 * n + 1],
        prev: vec![NONE; 2 * n + 1],
    };
    let mut last = HEAD;
    for event in &events {
        let node = node_of(event);
        list.next[last] = node as u32;
        list.prev[node] = last as u32;
        last = node;
    }

    let words = n.div_ceil(64);
    let mut placed = vec![0u64; words];
    let mut hash = 0u64;
    let mut high_word = 0usize;
    let mut memo: Memo<M::State> = Memo::new();
    let mut state = model.init();
    // The candidates of every open frame, one segment each, stacked.
    let mut candidates: Vec<u32> = Vec::new();
    // The placed operations: rank, the state before it, and where its parent frame resumes (its
    // segment's start and the next candidate to try there).
    let mut stack: Vec<(usize, M::State, usize, usize)> = Vec::new();
    let mut done = 0usize;
    let mut best: Vec<usize> = Vec::new();
    let mut steps = 0u64;
    let mut segment = push_candidates(&list, &mut candidates);
    let mut next = segment;
    loop {
        if done == total_completed {
            return Outcome::Linearizable;
        }
        let mut descended = false;
        while next < candidates.len() {
            let rank = candidates[next] as usize;
            next += 1;
            let i = order[rank];
            steps += 1;
            if steps > budget {
                return Outcome::Unknown { steps: budget };
            }
            let (after, answer) = model.apply(&state, &history[i].input);
            let fits = history[i]
                .completed
                .as_ref()
                .is_none_or(|(output, _)| *output == answer);
            if !fits {
                continue;
            }
            let read_only = model.read_only(&history[i].input);
            placed[rank / 64] |= 1 << (rank % 64);
            high_word = high_word.max(rank / 64);
            let low = lowest_unplaced(&list, 1 + 2 * rank).min(n) / 64;
            let mut end = high_word + 1;
            while end > low && placed[end - 1] == 0 {
                end -= 1;
            }
            let key = &placed[low.min(end)..end];
            // The memo's key hashes the placed set and the state: many states of one set (a key's
            // concurrent appends, say) would otherwise share one long chain.
            if memo.insert(hash ^ zobrist(rank) ^ state_hash(&after), low, key, &after) {
                hash ^= zobrist(rank);
                list.lift(rank);
                if history[i].completed.is_some() {
                    done += 1;
                }
                // A read that fits is never swapped for a later candidate.
                let resume = if read_only { candidates.len() } else { next };
                stack.push((rank, std::mem::replace(&mut state, after), segment, resume));
                segment = push_candidates(&list, &mut candidates);
                next = segment;
                descended = true;
                break;
            }
            placed[rank / 64] &= !(1 << (rank % 64));
            if read_only {
                // A read that fits but was seen here before: this configuration is a dead end.
                break;
            }
        }
        if descended {
            continue;
        }
        if stack.len() > best.len() {
            best = stack.iter().map(|&(rank, ..)| order[rank]).collect();
        }
        let Some((rank, before, parent, resume)) = stack.pop() else {
            return not_linearizable(history, &order, best);
        };
        let i = order[rank];
        state = before;
        list.unlift(rank);
        placed[rank / 64] &= !(1 << (rank % 64));
        hash ^= zobrist(rank);
        if history[i].completed.is_some() {
            done -= 1;
        }
        candidates.truncate(segment);
        segment = parent;
        next = resume.min(candidates.len());
    }
}

/// Pushes the operations that may be placed next (those invoked before the first return still in
/// the list), in invocation order as Porcupine tries them, and returns where they start. (Trying
/// the earliest return first was measured too: three times slower on the benchmark.)
fn push_candidates(list: &Entries, candidates: &mut Vec<u32>) -> usize {
    let start = candidates.len();
    let mut at = list.next[HEAD];
    while at != NONE && at % 2 == 1 {
        candidates.push((at - 1) / 2);
        at = list.next[at as usize];
    }
    start
}

/// The lowest rank unplaced once the operation whose call is `node` is placed: the first call
/// left in the list (every unplaced operation's call is there, in rank order, and a return never
/// comes before its own call), skipping that operation's own entries.
fn lowest_unplaced(list: &Entries, node: usize) -> usize {
    let mut at = list.next[HEAD];
    while at != NONE && (at as usize == node || at as usize == node + 1) {
        at = list.next[at as usize];
    }
    if at == NONE {
        usize::MAX
    } else {
        (at as usize - 1) / 2
    }
}

/// The explanation: the longest order found, and the first-completing operation it leaves out.
fn not_linearizable<I, O>(
    history: &[Operation<I, O>],
    order: &[usize],
    best: Vec<usize>,
) -> Outcome {
    let mut in_best = vec![false; history.len()];
    for &i in &best {
        in_best[i] = true;
    }
    let stuck = order
        .iter()
        .copied()
        .filter(|&i| !in_best[i])
        .filter_map(|i| history[i].completed.as_ref().map(|(_, at)| (*at, i)))
        .min()
        .map_or(0, |(_, i)| i);
    Outcome::NotLinearizable {
        prefix: best,
        stuck,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Register, RegisterInput as In, RegisterOutput as Out};
    use super::*;

    /// Every order, no memo: whether some order of a subset holding every completed operation
    /// respects real time and the model's answers.
    fn brute(history: &[Operation<In, Out>]) -> bool {
        fn go(h: &[Operation<In, Out>], placed: &mut Vec<bool>, state: Option<String>) -> bool {
            if (0..h.len()).all(|i| placed[i] || h[i].completed.is_none()) {
                return true;
            }
            let deadline = (0..h.len())
                .filter(|&i| !placed[i])
                .filter_map(|i| h[i].completed.as_ref().map(|(_, at)| *at))
                .min()
                .unwrap_or(u64::MAX);
            for i in 0..h.len() {
                if placed[i] || h[i].invoked > deadline {
                    continue;
                }
                let (after, answer) = Register.apply(&state, &h[i].input);
                if h[i].completed.as_ref().is_none_or(|(o, _)| *o == answer) {
                    placed[i] = true;
                    let found = go(h, placed, after);
                    placed[i] = false;
                    if found {
                        return true;
                    }
                }
            }
            false
        }
        go(history, &mut vec![false; history.len()], None)
    }

    fn random_history(seed: u64) -> Vec<Operation<In, Out>> {
        let mut x = seed;
        let mut next = move |n: u64| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            (zobrist(x as usize)) % n
        };
        let len = 1 + next(7) as usize;
        (0..len)
            .map(|_| {
                let invoked = next(12);
                let completed = invoked + next(6);
                let value = next(3).to_string();
                let (input, output) = match next(3) {
                    0 => (In::Write(value), Out::Written),
                    1 => (In::Append(value), Out::Written),
                    _ => {
                        let seen = match next(4) {
                            0 => None,
                            _ => Some(next(3).to_string()),
                        };
                        (In::Read, Out::Value(seen))
                    }
                };
                Operation {
                    input,
                    invoked,
                    completed: (next(6) != 0).then_some((output, completed)),
                }
            })
            .collect()
    }

    #[test]
    fn agrees_with_brute_force_on_small_random_histories() {
        for seed in 0..20_000 {
            let history = random_history(seed);
            let expected = brute(&history);
            let outcome = search(&Register, &history, 1_000_000);
            assert_eq!(
                outcome == Outcome::Linearizable,
                expected,
                "seed {seed}: {history:?} gave {outcome:?}"
            );
            if let Outcome::NotLinearizable { prefix, stuck } = outcome {
                assert!(!prefix.contains(&stuck), "seed {seed}");
                assert!(history[stuck].completed.is_some(), "seed {seed}");
            }
        }
    }
}
