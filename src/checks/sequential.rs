//! Sequential consistency of client histories (Lamport 1979): is there one order of all the
//! operations that keeps each client's operations in the order the client issued them, and that a
//! sequential object would have answered exactly as the system did? Unlike linearizability, real
//! time between clients does not count: a client may read a value another client overwrote long
//! ago, as long as every client sees the writes in one order.
//!
//! Sequential consistency is not compositional: a store can be sequentially consistent on each key
//! and not as a whole, so the search runs over the whole store ([`Store`]) at once. It places one
//! operation at a time, always one whose client's earlier operations are placed, with a memo of
//! (operations placed, state) pairs, and a step budget past which the answer is `Unknown`. A read
//! whose answer fits the current state is placed at once (doing so never rules out an order that
//! works), so only writes branch, tried in the order they completed. An operation that never
//! completed may have taken effect or not: a write of it may be placed anywhere after its client's
//! earlier operations, or left out; a read of it is left out.

use crate::checks::linearizability::{Model, Register, RegisterInput, RegisterOutput};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// One client's operation: its input, when it was invoked, and, if it completed, the answer and
/// when. A client's operations are ordered as it issued them: one that completed before another
/// was invoked comes first; two that overlap (a client that does not wait) may go either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOp<I, O> {
    pub input: I,
    pub invoked: u64,
    pub completed: Option<(O, u64)>,
}

/// What the search found. Operations are named `(client, index in that client's list)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeqOutcome {
    /// One order that works, every completed operation in it.
    SequentiallyConsistent { order: Vec<(usize, usize)> },
    /// No order works: `prefix` is the longest order the search found, and `stuck` a completed
    /// operation that cannot follow it (the earliest-completing one left out).
    NotSequentiallyConsistent {
        prefix: Vec<(usize, usize)>,
        stuck: (usize, usize),
    },
    /// The search gave up after `steps` steps without an answer.
    Unknown { steps: u64 },
}

/// What the search needs to know of a model beyond applying operations, to give up early on an
/// order that can no longer work: which part of the state (an object, a key) an operation
/// touches, and whether a read's answer could still come.
pub trait Objects: Model {
    fn object<'a>(&self, input: &'a Self::Input) -> &'a str;

    /// Whether a read could still answer `answer`, given `state` and the writes to the read's
    /// object not yet placed. Saying yes when unsure is safe; saying no wrongly is not.
    fn could_answer(
        &self,
        state: &Self::State,
        read: &Self::Input,
        answer: &Self::Output,
        writes: &[&Self::Input],
    ) -> bool;

    /// Whether a read could still answer `answer` once the object reads as in `state`, by the
    /// writes to come. A write that never completed is placed only where some read could see
    /// what it wrote: elsewhere, leaving it out changes no answer.
    fn could_lead_to(&self, state: &Self::State, read: &Self::Input, answer: &Self::Output)
    -> bool;
}

/// Which operations a search frame has placed, one bit each (operations numbered client by
/// client), and how far each client's placed operations reach without a gap.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Placed {
    bits: Vec<u64>,
    frontier: Vec<usize>,
}

/// A frame of the search: what it placed, the state it leads to, and the steps that led there
/// (an index into the search's list of steps, each a placed operation and the step before it).
struct Frame<S> {
    placed: Placed,
    state: S,
    last: Option<usize>,
    /// How many operations it placed, and how many of those completed.
    count: usize,
    done: usize,
}

/// An object's completed reads and its writes, as (client, index) pairs.
type ReadsAndWrites = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// The fixed facts of one search: the clients' operations, numbered.
struct Search<'a, M: Objects> {
    model: &'a M,
    clients: &'a [Vec<ClientOp<M::Input, M::Output>>],
    /// The number of the first operation of each client.
    base: Vec<usize>,
    /// Each object's completed reads and its writes.
    objects: BTreeMap<&'a str, ReadsAndWrites>,
    /// The steps taken so far: an operation placed and the step before it.
    steps: Vec<((usize, usize), Option<usize>)>,
}

impl<M: Objects> Search<'_, M> {
    fn is_placed(&self, placed: &Placed, (c, i): (usize, usize)) -> bool {
        let n = self.base[c] + i;
        placed.bits[n / 64] & (1 << (n % 64)) != 0
    }

    fn place(&self, placed: &mut Placed, (c, i): (usize, usize)) {
        let n = self.base[c] + i;
        placed.bits[n / 64] |= 1 << (n % 64);
        let ops = &self.clients[c];
        while placed.frontier[c] < ops.len() && self.is_placed(placed, (c, placed.frontier[c])) {
            placed.frontier[c] += 1;
        }
    }

    /// Whether the search may leave this operation out: a read that never completed.
    fn skippable(&self, op: &ClientOp<M::Input, M::Output>) -> bool {
        op.completed.is_none() && self.model.read_only(&op.input)
    }

    /// Client `c`'s operations that may be placed next: unplaced, every operation of the client
    /// that completed before it was invoked placed.
    fn ready(&self, placed: &Placed, c: usize, ready: &mut Vec<usize>) {
        let ops = &self.clients[c];
        let mut earliest_unplaced_end = u64::MAX;
        ready.clear();
        for (i, op) in ops.iter().enumerate().skip(placed.frontier[c]) {
            if op.invoked > earliest_unplaced_end {
                break;
            }
            if self.is_placed(placed, (c, i)) || self.skippable(op) {
                continue;
            }
            ready.push(i);
            if let Some((_, at)) = op.completed {
                earliest_unplaced_end = earliest_unplaced_end.min(at);
            }
        }
    }

    /// Places every ready read whose answer fits `state`, until none is left.
    fn place_reads(&mut self, frame: &mut Frame<M::State>) {
        let mut ready = Vec::new();
        loop {
            let mut more = false;
            for c in 0..self.clients.len() {
                self.ready(&frame.placed, c, &mut ready);
                for &i in &ready {
                    let op = &self.clients[c][i];
                    let fits = self.model.read_only(&op.input)
                        && op.completed.as_ref().is_some_and(|(answer, _)| {
                            self.model.answers(&frame.state, &op.input, answer)
                        });
                    if fits {
                        self.place(&mut frame.placed, (c, i));
                        self.steps.push(((c, i), frame.last));
                        frame.last = Some(self.steps.len() - 1);
                        frame.count += 1;
                        frame.done += 1;
                        more = true;
                    }
                }
            }
            if !more {
                return;
            }
        }
    }

    /// Whether a write that never completed, just placed with `state` after it, could matter: some
    /// completed read of its object not yet placed could still see what it wrote.
    fn seen(&self, frame: &Frame<M::State>, object: &str) -> bool {
        let Some((reads, _)) = self.objects.get(object) else {
            return false;
        };
        reads
            .iter()
            .filter(|&&at| !self.is_placed(&frame.placed, at))
            .any(|&(c, i)| {
                let op = &self.clients[c][i];
                op.completed.as_ref().is_some_and(|(answer, _)| {
                    self.model.could_lead_to(&frame.state, &op.input, answer)
                })
            })
    }

    /// Whether every completed read of `object` not yet placed could still get its answer.
    fn alive(&self, frame: &Frame<M::State>, object: &str) -> bool {
        let Some((reads, writes)) = self.objects.get(object) else {
            return true;
        };
        let unplaced: Vec<&M::Input> = writes
            .iter()
            .filter(|&&at| !self.is_placed(&frame.placed, at))
            .map(|&(c, i)| &self.clients[c][i].input)
            .collect();
        // Each client's next read of the object (its later ones get their turn).
        let mut checked = None;
        reads
            .iter()
            .filter(|&&at| !self.is_placed(&frame.placed, at))
            .filter(|&&(c, _)| checked.replace(c) != Some(c))
            .all(|&(c, i)| {
                let op = &self.clients[c][i];
                op.completed.as_ref().is_none_or(|(answer, _)| {
                    self.model
                        .could_answer(&frame.state, &op.input, answer, &unplaced)
                })
            })
    }

    fn order(&self, mut last: Option<usize>) -> Vec<(usize, usize)> {
        let mut order = Vec::new();
        while let Some(step) = last {
            order.push(self.steps[step].0);
            last = self.steps[step].1;
        }
        order.reverse();
        order
    }
}

/// Judges `clients` (each one's operations in the order it invoked them) against `model`, trying
/// at most `budget` placements. Writes are tried in the order of the midpoints of their
/// invocations and answers (a write that never completed, by its invocation).
pub fn check_sequential<M: Objects>(
    model: &M,
    clients: &[Vec<ClientOp<M::Input, M::Output>>],
    budget: u64,
) -> SeqOutcome {
    let midpoint = |(c, i): (usize, usize)| {
        let op: &ClientOp<M::Input, M::Output> = &clients[c][i];
        op.completed
            .as_ref()
            .map_or(op.invoked, |(_, at)| op.invoked.midpoint(*at))
    };
    check_sequential_from(model, model.init(), clients, budget, midpoint)
}

/// [`check_sequential`] from state `start` (the state after operations already ordered), trying
/// writes in the order of `priority`, lowest first: a checker that runs again as a history grows
/// passes the order that worked last time, so the search follows it and departs from it only
/// where new answers force it to.
pub fn check_sequential_from<M: Objects>(
    model: &M,
    start: M::State,
    clients: &[Vec<ClientOp<M::Input, M::Output>>],
    budget: u64,
    priority: impl Fn((usize, usize)) -> u64,
) -> SeqOutcome {
    let mut base = Vec::with_capacity(clients.len());
    let mut total_ops = 0;
    for ops in clients {
        base.push(total_ops);
        total_ops += ops.len();
    }
    let completed = clients
        .iter()
        .flatten()
        .filter(|op| op.completed.is_some())
        .count();
    let mut objects: BTreeMap<&str, ReadsAndWrites> = BTreeMap::new();
    for (c, ops) in clients.iter().enumerate() {
        for (i, op) in ops.iter().enumerate() {
            let (reads, writes) = objects.entry(model.object(&op.input)).or_default();
            if !model.read_only(&op.input) {
                writes.push((c, i));
            } else if op.completed.is_some() {
                reads.push((c, i));
            }
        }
    }
    let mut search = Search {
        model,
        clients,
        base,
        objects,
        steps: Vec::new(),
    };
    let mut root = Frame {
        placed: Placed {
            bits: vec![0; total_ops.div_ceil(64)],
            frontier: vec![0; clients.len()],
        },
        state: start,
        last: None,
        count: 0,
        done: 0,
    };
    search.place_reads(&mut root);
    let objects: Vec<&str> = search.objects.keys().copied().collect();
    let alive = objects.iter().all(|object| search.alive(&root, object));
    let mut seen: BTreeSet<(Placed, M::State)> = BTreeSet::new();
    let mut best: (usize, Option<usize>, Placed) = (root.count, root.last, root.placed.clone());
    let mut stack = if alive { vec![root] } else { Vec::new() };
    let mut tried = 0u64;
    while let Some(frame) = stack.pop() {
        if frame.done == completed {
            return SeqOutcome::SequentiallyConsistent {
                order: search.order(frame.last),
            };
        }
        // The writes that may go next, first in priority first.
        let mut next: Vec<(u64, (usize, usize))> = Vec::new();
        let mut ready = Vec::new();
        for (c, ops) in clients.iter().enumerate() {
            search.ready(&frame.placed, c, &mut ready);
            for &i in &ready {
                let op = &ops[i];
                if !model.read_only(&op.input) {
                    next.push((priority((c, i)), (c, i)));
                }
            }
        }
        next.sort();
        let mut frames = Vec::new();
        for (_, (c, i)) in next {
            tried += 1;
            if tried > budget {
                return SeqOutcome::Unknown { steps: budget };
            }
            let op = &clients[c][i];
            let (state, answer) = model.apply(&frame.state, &op.input);
            if op.completed.as_ref().is_some_and(|(o, _)| *o != answer) {
                continue;
            }
            let mut placed = frame.placed.clone();
            search.place(&mut placed, (c, i));
            search.steps.push(((c, i), frame.last));
            let mut after = Frame {
                placed,
                state,
                last: Some(search.steps.len() - 1),
                count: frame.count + 1,
                done: frame.done + usize::from(op.completed.is_some()),
            };
            let object = model.object(&op.input);
            if op.completed.is_none() && !search.seen(&after, object) {
                continue;
            }
            search.place_reads(&mut after);
            if after.count > best.0 {
                best = (after.count, after.last, after.placed.clone());
            }
            if search.alive(&after, object)
                && seen.insert((after.placed.clone(), after.state.clone()))
            {
                frames.push(after);
            }
        }
        // Pushed in reverse, so the first in priority is tried first.
        stack.extend(frames.into_iter().rev());
    }
    let (_, last, placed) = best;
    let stuck = clients
        .iter()
        .enumerate()
        .flat_map(|(c, ops)| ops.iter().enumerate().map(move |(i, op)| ((c, i), op)))
        .filter(|&(at, op)| !search.is_placed(&placed, at) && op.completed.is_some())
        .min_by_key(|(at, op)| (op.completed.as_ref().map(|(_, t)| *t), *at))
        .map_or((0, 0), |(at, _)| at);
    SeqOutcome::NotSequentiallyConsistent {
        prefix: search.order(last),
        stuck,
    }
}

/// A key-value store of string registers, as one sequential object: the model for sequential
/// consistency, which must be judged over every key at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct Store;

impl Model for Store {
    /// Shared strings: the search copies states often.
    type State = BTreeMap<Rc<str>, Rc<str>>;
    type Input = (String, RegisterInput);
    type Output = RegisterOutput;

    fn init(&self) -> Self::State {
        BTreeMap::new()
    }

    fn apply(
        &self,
        state: &Self::State,
        (key, input): &Self::Input,
    ) -> (Self::State, RegisterOutput) {
        let now = state.get_key_value(key.as_str());
        let value: Rc<str> = match input {
            RegisterInput::Read => {
                let value = now.map(|(_, v)| v.to_string());
                return (state.clone(), RegisterOutput::Value(value));
            }
            RegisterInput::Write(value) => value.as_str().into(),
            RegisterInput::Append(value) => format!("{}{value}", now.map_or("", |(_, v)| v)).into(),
        };
        let name = now.map_or_else(|| key.as_str().into(), |(k, _)| k.clone());
        let mut after = state.clone();
        after.insert(name, value);
        (after, RegisterOutput::Written)
    }

    fn answers(&self, state: &Self::State, input: &Self::Input, answer: &RegisterOutput) -> bool {
        let now = state.get(input.0.as_str());
        match (&input.1, answer) {
            (RegisterInput::Read, RegisterOutput::Value(value)) => {
                value.as_deref() == now.map(|v| &**v)
            }
            (RegisterInput::Read, RegisterOutput::Written) => false,
            (_, answer) => *answer == RegisterOutput::Written,
        }
    }

    fn read_only(&self, (_, input): &Self::Input) -> bool {
        Register.read_only(input)
    }
}

impl Objects for Store {
    fn object<'a>(&self, (key, _): &'a Self::Input) -> &'a str {
        key
    }

    /// A value can come only from the current one, or from a put still to come, followed by
    /// appends still to come; nothing comes back once the key holds a value.
    fn could_answer(
        &self,
        state: &Self::State,
        (key, _): &Self::Input,
        answer: &RegisterOutput,
        writes: &[&Self::Input],
    ) -> bool {
        let RegisterOutput::Value(wanted) = answer else {
            return true;
        };
        let now = state.get(key.as_str());
        let Some(wanted) = wanted else {
            return now.is_none();
        };
        let appends: Vec<&str> = writes
            .iter()
            .filter_map(|(_, w)| match w {
                RegisterInput::Append(v) if !v.is_empty() => Some(v.as_str()),
                _ => None,
            })
            .collect();
        // Which lengths of `wanted` appends can reach from a base (each append used any number
        // of times: a little generous, never too strict).
        let extends = |base: &str| {
            if !wanted.starts_with(base) {
                return false;
            }
            let mut reach = vec![false; wanted.len() + 1];
            reach[base.len()] = true;
            for at in base.len()..wanted.len() {
                if reach[at] {
                    for append in &appends {
                        if wanted[at..].starts_with(append) {
                            reach[at + append.len()] = true;
                        }
                    }
                }
            }
            reach[wanted.len()]
        };
        extends(now.map_or("", |v| v))
            || writes
                .iter()
                .any(|(_, w)| matches!(w, RegisterInput::Write(v) if extends(v)))
    }

    fn could_lead_to(
        &self,
        state: &Self::State,
        (key, _): &Self::Input,
        answer: &RegisterOutput,
    ) -> bool {
        match (state.get(key.as_str()), answer) {
            (Some(now), RegisterOutput::Value(Some(wanted))) => wanted.starts_with(&**now),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Op = ClientOp<(String, RegisterInput), RegisterOutput>;

    /// A write invoked at `t` and completed at `t + 1`.
    fn write(t: u64, key: &str, value: &str) -> Op {
        ClientOp {
            input: (key.into(), RegisterInput::Write(value.into())),
            invoked: t,
            completed: Some((RegisterOutput::Written, t + 1)),
        }
    }

    fn read(t: u64, key: &str, value: Option<&str>) -> Op {
        ClientOp {
            input: (key.into(), RegisterInput::Read),
            invoked: t,
            completed: Some((RegisterOutput::Value(value.map(str::to_string)), t + 1)),
        }
    }

    #[test]
    fn a_stale_read_is_sequentially_consistent_when_program_order_allows_it() {
        // Client 0 writes x=1; client 1 reads x as nothing, whenever that happened in real time:
        // placing the read first is a valid order.
        let clients = vec![
            vec![write(0, "x", "1")],
            vec![read(5, "x", None), read(7, "x", Some("1"))],
        ];
        let outcome = check_sequential(&Store, &clients, 1_000);
        assert_eq!(
            outcome,
            SeqOutcome::SequentiallyConsistent {
                order: vec![(1, 0), (0, 0), (1, 1)]
            }
        );
    }

    #[test]
    fn going_back_in_time_within_a_client_is_not() {
        let clients = vec![
            vec![write(0, "x", "1")],
            vec![read(5, "x", Some("1")), read(7, "x", None)],
        ];
        let outcome = check_sequential(&Store, &clients, 1_000);
        assert!(
            matches!(
                outcome,
                SeqOutcome::NotSequentiallyConsistent { stuck: (1, 1), .. }
            ),
            "{outcome:?}"
        );
    }

    #[test]
    fn overlapping_operations_of_one_client_may_go_either_way() {
        // The client's read overlaps its own write, so it may come first.
        let clients = vec![vec![write(0, "x", "1"), read(0, "x", None)]];
        assert!(matches!(
            check_sequential(&Store, &clients, 1_000),
            SeqOutcome::SequentiallyConsistent { .. }
        ));
    }

    #[test]
    fn the_whole_store_is_judged_at_once() {
        // Each key on its own is fine, but client 0 sees x's write before y's, and client 1 sees
        // y's before x's: no single order of the two writes explains both (the classic example of
        // why sequential consistency does not compose).
        let clients = vec![
            vec![write(0, "x", "1"), read(2, "y", None)],
            vec![write(0, "y", "1"), read(2, "x", None)],
        ];
        let outcome = check_sequential(&Store, &clients, 1_000);
        assert!(
            matches!(outcome, SeqOutcome::NotSequentiallyConsistent { .. }),
            "{outcome:?}"
        );
    }

    #[test]
    fn an_operation_that_never_completed_may_count_or_not_and_the_budget_bounds_the_search() {
        let pending = ClientOp {
            input: ("x".to_string(), RegisterInput::Write("2".into())),
            invoked: 3,
            completed: None,
        };
        let clients = vec![
            vec![write(0, "x", "1"), pending],
            vec![read(9, "x", Some("2"))],
        ];
        assert!(matches!(
            check_sequential(&Store, &clients, 1_000),
            SeqOutcome::SequentiallyConsistent { .. }
        ));
        let clients = vec![
            vec![write(0, "x", "1")],
            vec![write(0, "x", "2")],
            vec![read(0, "x", Some("1"))],
        ];
        assert_eq!(
            check_sequential(&Store, &clients, 1),
            SeqOutcome::Unknown { steps: 1 }
        );
    }

    /// Every order the client order allows, tried one by one: the search's judge on small
    /// histories.
    fn brute_force(clients: &[Vec<Op>]) -> bool {
        fn go(
            clients: &[Vec<Op>],
            placed: &mut Vec<Vec<bool>>,
            state: &BTreeMap<Rc<str>, Rc<str>>,
        ) -> bool {
            let all_done = clients.iter().zip(placed.iter()).all(|(ops, placed)| {
                ops.iter()
                    .zip(placed)
                    .all(|(op, &p)| p || op.completed.is_none())
            });
            if all_done {
                return true;
            }
            for c in 0..clients.len() {
                for i in 0..clients[c].len() {
                    let op = &clients[c][i];
                    let waits = clients[c].iter().enumerate().any(|(j, earlier)| {
                        !placed[c][j]
                            && earlier
                                .completed
                                .as_ref()
                                .is_some_and(|(_, at)| *at < op.invoked)
                    });
                    let pending_read = op.completed.is_none() && op.input.1 == RegisterInput::Read;
                    if placed[c][i] || waits || pending_read {
                        continue;
                    }
                    let (after, answer) = Store.apply(state, &op.input);
                    if op.completed.as_ref().is_some_and(|(o, _)| *o != answer) {
                        continue;
                    }
                    placed[c][i] = true;
                    if go(clients, placed, &after) {
                        return true;
                    }
                    placed[c][i] = false;
                }
            }
            false
        }
        let mut placed = clients.iter().map(|ops| vec![false; ops.len()]).collect();
        go(clients, &mut placed, &Store.init())
    }

    #[test]
    fn the_search_agrees_with_trying_every_order_on_small_histories() {
        let mut seed = 12_345u64;
        let mut draw = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut consistent, mut not) = (0, 0);
        for round in 0..3_000 {
            let mut written = 0;
            let clients: Vec<Vec<Op>> = (0..1 + draw(3))
                .map(|_| {
                    let mut t = draw(5);
                    let mut ops: Vec<Op> = (0..1 + draw(3))
                        .map(|_| {
                            let key = if draw(2) == 0 { "x" } else { "y" };
                            let (input, output) = match draw(3) {
                                0 => {
                                    let value = (draw(3) > 0)
                                        .then(|| (1 + draw(written.max(1))).to_string());
                                    (RegisterInput::Read, RegisterOutput::Value(value))
                                }
                                1 => {
                                    written += 1;
                                    (
                                        RegisterInput::Write(written.to_string()),
                                        RegisterOutput::Written,
                                    )
                                }
                                _ => {
                                    written += 1;
                                    (
                                        RegisterInput::Append(format!("+{written}")),
                                        RegisterOutput::Written,
                                    )
                                }
                            };
                            let op = ClientOp {
                                input: (key.to_string(), input),
                                invoked: t,
                                completed: (draw(8) > 0).then(|| (output, t + draw(6))),
                            };
                            t += draw(6);
                            op
                        })
                        .collect();
                    ops.sort_by_key(|op| op.invoked);
                    ops
                })
                .collect();
            let expected = brute_force(&clients);
            let found = check_sequential(&Store, &clients, 1_000_000);
            assert_eq!(
                matches!(found, SeqOutcome::SequentiallyConsistent { .. }),
                expected,
                "round {round}: {found:?} for {clients:#?}"
            );
            if expected { consistent += 1 } else { not += 1 }
        }
        // Both verdicts are exercised.
        assert!(
            consistent > 300 && not > 300,
            "{consistent} consistent, {not} not"
        );
    }
}
