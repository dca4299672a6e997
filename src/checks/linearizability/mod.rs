//! Linearizability of client histories: is there one order of the operations, each taking effect
//! at an instant between its invocation and its completion, that a sequential object (the model)
//! would have answered exactly as the system did?
//!
//! The search is Wing and Gong's, with Lowe's memo of (operations placed, model state) pairs, run on
//! each key on its own (a key-value store is linearizable when each key is, so keys never multiply
//! each other's search). An operation that never completed may have taken effect or not: the
//! search may place it anywhere after its invocation, or leave it out. The search is bounded by a
//! step budget: past it the answer is `Unknown`, never a frozen tab. A history that is not
//! linearizable comes with an explanation: the longest prefix that could be ordered, and the
//! operation that cannot be placed after it.
//!
//! `online` screens a key-value store's reads for staleness one completion at a time, for checkers
//! that run after every step of a simulation; they explain what it flags with this search.

mod online;

pub use online::{StaleRead, StaleReads};

use std::collections::BTreeSet;
use std::fmt::Debug;

/// A sequential object the history is judged against. Deterministic: an operation's answer and the
/// state after it follow from the state before it.
pub trait Model {
    /// The object's state; ordered so the search can remember states it has seen.
    type State: Clone + Debug + Ord;
    type Input: Clone + Debug;
    type Output: Clone + Debug + Ord;

    fn init(&self) -> Self::State;

    /// The state after `input` and the answer the object gives to it.
    fn apply(&self, state: &Self::State, input: &Self::Input) -> (Self::State, Self::Output);

    /// Whether `input` gets `answer` in `state`, without building the state after it.
    fn answers(&self, state: &Self::State, input: &Self::Input, answer: &Self::Output) -> bool {
        self.apply(state, input).1 == *answer
    }

    /// Whether `input` never changes the state, whatever the state (a read). The searches place
    /// such an operation as soon as it fits, rather than trying it at every later point.
    fn read_only(&self, _input: &Self::Input) -> bool {
        false
    }
}

/// One operation of a history. Times are any increasing measure (event ids serve well); an
/// operation's effect lies between `invoked` and `completed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<I, O> {
    pub input: I,
    pub invoked: u64,
    /// The answer and when it arrived; `None` if the operation never completed.
    pub completed: Option<(O, u64)>,
}

/// What the search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Linearizable,
    /// No order works. `prefix` is the longest sequence of operations (indices into the history)
    /// the search could order; `stuck` is a completed operation that cannot follow it.
    NotLinearizable {
        prefix: Vec<usize>,
        stuck: usize,
    },
    /// The search gave up after `steps` steps without an answer.
    Unknown {
        steps: u64,
    },
}

/// Which operations a search has placed, one bit each.
type Mask = Vec<u64>;

fn is_placed(mask: &Mask, i: usize) -> bool {
    mask[i / 64] & (1 << (i % 64)) != 0
}

/// The operations that may take effect next after those in `mask`, each with the state it leads
/// to, in invocation order. An operation may go next only if it was invoked before every unplaced
/// operation completed (otherwise that one had to take effect first), and if the model answers it
/// as the system did. A read-only operation that may go next is the only successor: placing it
/// now loses nothing (it changes no state, and every order that places it later stays valid with
/// it moved here). Counts each try in `steps`; `None` once they pass `budget`.
fn successors<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    order: &[usize],
    mask: &Mask,
    state: &M::State,
    steps: &mut u64,
    budget: u64,
) -> Option<Vec<(usize, M::State)>> {
    let completes = |i: usize| {
        history[i]
            .completed
            .as_ref()
            .map_or(u64::MAX, |(_, at)| *at)
    };
    let deadline = order
        .iter()
        .filter(|&&i| !is_placed(mask, i))
        .map(|&i| completes(i))
        .min()
        .unwrap_or(u64::MAX);
    let mut next = Vec::new();
    for &i in order.iter().filter(|&&i| !is_placed(mask, i)) {
        if history[i].invoked > deadline {
            break;
        }
        *steps += 1;
        if *steps > budget {
            return None;
        }
        let (after, answer) = model.apply(state, &history[i].input);
        if history[i]
            .completed
            .as_ref()
            .is_none_or(|(output, _)| *output == answer)
        {
            if model.read_only(&history[i].input) {
                return Some(vec![(i, after)]);
            }
            next.push((i, after));
        }
    }
    Some(next)
}

/// The operations of `history` by invocation.
fn invocation_order<I, O>(history: &[Operation<I, O>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..history.len()).collect();
    order.sort_by_key(|&i| (history[i].invoked, i));
    order
}

/// Judges `history` against `model`, trying at most `budget` placements.
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    budget: u64,
) -> Outcome {
    let completed = history.iter().filter(|op| op.completed.is_some()).count();
    let order = invocation_order(history);
    let empty: Mask = vec![0; history.len().div_ceil(64)];
    // Search frames: the sequence placed so far and the state it leads to. Depth-first, with the
    // candidates of each frame tried in invocation order.
    let mut seen: BTreeSet<(Mask, M::State)> = BTreeSet::new();
    let mut stack: Vec<(Vec<usize>, M::State)> = vec![(Vec::new(), model.init())];
    let mut best: Vec<usize> = Vec::new();
    let mut steps = 0u64;
    while let Some((placed, state)) = stack.pop() {
        let done = placed
            .iter()
            .filter(|&&i| history[i].completed.is_some())
            .count();
        if done == completed {
            return Outcome::Linearizable;
        }
        if placed.len() > best.len() {
            best = placed.clone();
        }
        let mut mask = empty.clone();
        for &i in &placed {
            mask[i / 64] |= 1 << (i % 64);
        }
        let Some(next) = successors(model, history, &order, &mask, &state, &mut steps, budget)
        else {
            return Outcome::Unknown { steps: budget };
        };
        let mut frames = Vec::new();
        for (i, after) in next {
            let mut key = mask.clone();
            key[i / 64] |= 1 << (i % 64);
            if seen.insert((key, after.clone())) {
                let mut longer = placed.clone();
                longer.push(i);
                frames.push((longer, after));
            }
        }
        // Pushed in reverse, so the earliest-invoked candidate is tried first.
        stack.extend(frames.into_iter().rev());
    }
    let placed: BTreeSet<usize> = best.iter().copied().collect();
    let stuck = order
        .iter()
        .copied()
        .filter(|i| !placed.contains(i) && history[*i].completed.is_some())
        .min_by_key(|&i| {
            let completes = history[i]
                .completed
                .as_ref()
                .map_or(u64::MAX, |(_, at)| *at);
            (completes, i)
        })
        .unwrap_or(0);
    Outcome::NotLinearizable {
        prefix: best,
        stuck,
    }
}

/// The state the operations of `history` at `order` leave `model` in, taken in that order.
pub fn state_after<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    order: &[usize],
) -> M::State {
    order.iter().fold(model.init(), |state, &i| {
        model.apply(&state, &history[i].input).0
    })
}

/// A read-write register holding a string (absent until written).
#[derive(Clone, Copy, Debug, Default)]
pub struct Register;

/// A register operation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegisterInput {
    Write(String),
    Read,
    /// Add text to the end of the value (a key-value store's append).
    Append(String),
}

/// What a register answers: nothing for a write or an append, the value for a read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegisterOutput {
    Written,
    Value(Option<String>),
}

impl Model for Register {
    type State = Option<String>;
    type Input = RegisterInput;
    type Output = RegisterOutput;

    fn init(&self) -> Option<String> {
        None
    }

    fn apply(
        &self,
        state: &Option<String>,
        input: &RegisterInput,
    ) -> (Option<String>, RegisterOutput) {
        match input {
            RegisterInput::Write(value) => (Some(value.clone()), RegisterOutput::Written),
            RegisterInput::Append(value) => (
                Some(format!("{}{value}", state.as_deref().unwrap_or(""))),
                RegisterOutput::Written,
            ),
            RegisterInput::Read => (state.clone(), RegisterOutput::Value(state.clone())),
        }
    }

    fn read_only(&self, input: &RegisterInput) -> bool {
        *input == RegisterInput::Read
    }
}

/// A key-value operation on one key: a register operation, named by its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyedOperation {
    pub key: String,
    pub op: Operation<RegisterInput, RegisterOutput>,
}

/// Why a key-value history is not linearizable, in words a student can follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub key: String,
    /// Indices into the whole history: the longest linearizable prefix on that key.
    pub prefix: Vec<usize>,
    /// Index into the whole history of the operation that cannot be placed.
    pub stuck: usize,
}

/// The verdict on a key-value history, each key checked on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvOutcome {
    Linearizable,
    NotLinearizable(Explanation),
    /// Some key's search ran out of budget (and no other key was found wrong).
    Unknown {
        key: String,
        steps: u64,
    },
}

/// Judges a key-value store's history: each key is a [`Register`], checked independently, each
/// with at most `budget_per_key` placements.
pub fn check_kv(history: &[KeyedOperation], budget_per_key: u64) -> KvOutcome {
    let keys: BTreeSet<&str> = history.iter().map(|o| o.key.as_str()).collect();
    let mut unknown = None;
    for key in keys {
        let indices: Vec<usize> = (0..history.len())
            .filter(|&i| history[i].key == key)
            .collect();
        let ops: Vec<_> = indices.iter().map(|&i| history[i].op.clone()).collect();
        match check(&Register, &ops, budget_per_key) {
            Outcome::Linearizable => {}
            Outcome::NotLinearizable { prefix, stuck } => {
                return KvOutcome::NotLinearizable(Explanation {
                    key: key.to_string(),
                    prefix: prefix.into_iter().map(|i| indices[i]).collect(),
                    stuck: indices[stuck],
                });
            }
            Outcome::Unknown { steps } => {
                unknown.get_or_insert((key.to_string(), steps));
            }
        }
    }
    match unknown {
        Some((key, steps)) => KvOutcome::Unknown { key, steps },
        None => KvOutcome::Linearizable,
    }
}
