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

pub mod jepsen;
mod online;
mod search;

pub use crate::engine::register::{RegisterInput, RegisterOutput};
pub use online::{StaleRead, StaleReads};

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::hash::Hash;

/// A sequential object the history is judged against. Deterministic: an operation's answer and the
/// state after it follow from the state before it.
pub trait Model {
    /// The object's state; ordered so the search can remember states it has seen.
    type State: Clone + Debug + Ord + Hash;
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

/// Judges `history` against `model`, trying at most `budget` placements (model applications):
/// past it the answer is `Unknown`. See [`search`] for how.
pub fn check<M: Model>(
    model: &M,
    history: &[Operation<M::Input, M::Output>],
    budget: u64,
) -> Outcome {
    search::search(model, history, budget)
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
