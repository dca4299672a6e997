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

use std::collections::BTreeSet;
use std::fmt::Debug;

/// A sequential object the history is judged against.
pub trait Model {
    /// The object's state; ordered so the search can remember states it has seen.
    type State: Clone + Debug + Ord;
    type Input: Clone + Debug;
    type Output: Clone + Debug;

    fn init(&self) -> Self::State;

    /// The state after `input` if the object could have answered `output`; `None` if not.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: &Self::Output,
    ) -> Option<Self::State>;

    /// The state after `input` when its answer was never seen (the operation did not complete).
    fn step_unanswered(&self, state: &Self::State, input: &Self::Input) -> Self::State;
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

/// Judges `history` against `model`, trying at most `budget` placements.
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    budget: u64,
) -> Outcome {
    let completes = |i: usize| {
        history[i]
            .completed
            .as_ref()
            .map_or(u64::MAX, |(_, at)| *at)
    };
    let completed = history.iter().filter(|op| op.completed.is_some()).count();
    // Search frames: the sequence placed so far and the state it leads to. Depth-first, with the
    // candidates of each frame tried in invocation order.
    let mut order: Vec<usize> = (0..history.len()).collect();
    order.sort_by_key(|&i| (history[i].invoked, i));
    let mut seen: BTreeSet<(Vec<u64>, M::State)> = BTreeSet::new();
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
        let mut mask = vec![0u64; history.len().div_ceil(64)];
        for &i in &placed {
            mask[i / 64] |= 1 << (i % 64);
        }
        let is_placed = |i: usize| mask[i / 64] & (1 << (i % 64)) != 0;
        // An operation may go next only if it was invoked before every unplaced operation
        // completed: otherwise that one had to take effect first.
        let deadline = order
            .iter()
            .filter(|&&i| !is_placed(i))
            .map(|&i| completes(i))
            .min()
            .unwrap_or(u64::MAX);
        let mut next = Vec::new();
        for &i in order.iter().filter(|&&i| !is_placed(i)) {
            if history[i].invoked > deadline {
                break;
            }
            steps += 1;
            if steps > budget {
                return Outcome::Unknown { steps: budget };
            }
            let after = match &history[i].completed {
                Some((output, _)) => model.step(&state, &history[i].input, output),
                None => Some(model.step_unanswered(&state, &history[i].input)),
            };
            let Some(after) = after else {
                continue;
            };
            let mut key = mask.clone();
            key[i / 64] |= 1 << (i % 64);
            if seen.insert((key, after.clone())) {
                let mut longer = placed.clone();
                longer.push(i);
                next.push((longer, after));
            }
        }
        // Pushed in reverse, so the earliest-invoked candidate is tried first.
        stack.extend(next.into_iter().rev());
    }
    let placed: BTreeSet<usize> = best.iter().copied().collect();
    let stuck = order
        .iter()
        .copied()
        .filter(|i| !placed.contains(i) && history[*i].completed.is_some())
        .min_by_key(|&i| (completes(i), i))
        .unwrap_or(0);
    Outcome::NotLinearizable {
        prefix: best,
        stuck,
    }
}

/// A read-write register holding a string (absent until written).
#[derive(Clone, Copy, Debug, Default)]
pub struct Register;

/// A register operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegisterInput {
    Write(String),
    Read,
    /// Add text to the end of the value (a key-value store's append).
    Append(String),
}

/// What a register answers: nothing for a write or an append, the value for a read.
#[derive(Clone, Debug, PartialEq, Eq)]
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

    fn step(
        &self,
        state: &Option<String>,
        input: &RegisterInput,
        output: &RegisterOutput,
    ) -> Option<Option<String>> {
        match (input, output) {
            (RegisterInput::Read, RegisterOutput::Value(value)) => {
                (value == state).then(|| state.clone())
            }
            (RegisterInput::Read, RegisterOutput::Written) => None,
            (_, RegisterOutput::Written) => Some(self.step_unanswered(state, input)),
            (_, RegisterOutput::Value(_)) => None,
        }
    }

    fn step_unanswered(&self, state: &Option<String>, input: &RegisterInput) -> Option<String> {
        match input {
            RegisterInput::Write(value) => Some(value.clone()),
            RegisterInput::Append(value) => {
                Some(format!("{}{value}", state.as_deref().unwrap_or("")))
            }
            RegisterInput::Read => state.clone(),
        }
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
