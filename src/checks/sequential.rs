//! Sequential consistency of client histories (Lamport 1979): is there one order of all the
//! operations that keeps each client's operations in the order the client issued them, and that a
//! sequential object would have answered exactly as the system did? Unlike linearizability, real
//! time between clients does not count: a client may read a value another client overwrote long
//! ago, as long as every client sees the writes in one order.
//!
//! Sequential consistency is not compositional: a store can be sequentially consistent on each key
//! and not as a whole, so the search runs over the whole store ([`Store`]) at once. It places one
//! operation at a time, always the next of some client, with a memo of (how far each client got,
//! state) pairs, and a step budget past which the answer is `Unknown`. An operation that never
//! completed may have taken effect or not: it may be placed with any answer, or left out.

use crate::checks::linearizability::{Model, Register, RegisterInput, RegisterOutput};
use std::collections::{BTreeMap, BTreeSet};

/// One client's operation: its input and, if it completed, the answer it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOp<I, O> {
    pub input: I,
    pub output: Option<O>,
}

/// What the search found. Operations are named `(client, index in that client's sequence)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeqOutcome {
    /// One order that works, every completed operation in it.
    SequentiallyConsistent { order: Vec<(usize, usize)> },
    /// No order works: `prefix` is the longest order the search found, and `stuck` the first
    /// completed operation of some client that cannot follow it (the earliest client's).
    NotSequentiallyConsistent {
        prefix: Vec<(usize, usize)>,
        stuck: (usize, usize),
    },
    /// The search gave up after `steps` steps without an answer.
    Unknown { steps: u64 },
}

/// A search frame: the order so far, how far each client got, and the state it leads to.
type Frame<S> = (Vec<(usize, usize)>, Vec<usize>, S);

/// Judges `clients` (each one's operations in the order it issued them) against `model`, trying
/// at most `budget` placements.
pub fn check_sequential<M: Model>(
    model: &M,
    clients: &[Vec<ClientOp<M::Input, M::Output>>],
    budget: u64,
) -> SeqOutcome {
    // How many operations of each client must be placed: up to its last completed one.
    let needed: Vec<usize> = clients
        .iter()
        .map(|ops| {
            ops.iter()
                .rposition(|o| o.output.is_some())
                .map_or(0, |i| i + 1)
        })
        .collect();
    let mut seen: BTreeSet<(Vec<usize>, M::State)> = BTreeSet::new();
    let mut stack: Vec<Frame<M::State>> = vec![(Vec::new(), vec![0; clients.len()], model.init())];
    let mut best: Vec<(usize, usize)> = Vec::new();
    let mut best_at: Vec<usize> = vec![0; clients.len()];
    let mut steps = 0u64;
    while let Some((placed, at, state)) = stack.pop() {
        if at.iter().zip(&needed).all(|(a, n)| a >= n) {
            return SeqOutcome::SequentiallyConsistent { order: placed };
        }
        if placed.len() > best.len() {
            best = placed.clone();
            best_at = at.clone();
        }
        let mut frames = Vec::new();
        for (client, ops) in clients.iter().enumerate() {
            let Some(op) = ops.get(at[client]) else {
                continue;
            };
            steps += 1;
            if steps > budget {
                return SeqOutcome::Unknown { steps: budget };
            }
            let (after, answer) = model.apply(&state, &op.input);
            if op.output.as_ref().is_some_and(|o| *o != answer) {
                continue;
            }
            let mut next = at.clone();
            next[client] += 1;
            if seen.insert((next.clone(), after.clone())) {
                let mut longer = placed.clone();
                longer.push((client, at[client]));
                frames.push((longer, next, after));
            }
        }
        // Pushed in reverse, so the lowest-numbered client is tried first.
        stack.extend(frames.into_iter().rev());
    }
    let stuck = (0..clients.len())
        .find(|&c| best_at[c] < needed[c])
        .map_or((0, 0), |c| (c, best_at[c]));
    SeqOutcome::NotSequentiallyConsistent {
        prefix: best,
        stuck,
    }
}

/// A key-value store of string registers, as one sequential object: the model for sequential
/// consistency, which must be judged over every key at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct Store;

impl Model for Store {
    type State = BTreeMap<String, String>;
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
        let (value, answer) = Register.apply(&state.get(key).cloned(), input);
        let mut after = state.clone();
        if let Some(value) = value {
            after.insert(key.clone(), value);
        }
        (after, answer)
    }

    fn read_only(&self, (_, input): &Self::Input) -> bool {
        Register.read_only(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(key: &str, value: &str) -> ClientOp<(String, RegisterInput), RegisterOutput> {
        ClientOp {
            input: (key.into(), RegisterInput::Write(value.into())),
            output: Some(RegisterOutput::Written),
        }
    }

    fn read(key: &str, value: Option<&str>) -> ClientOp<(String, RegisterInput), RegisterOutput> {
        ClientOp {
            input: (key.into(), RegisterInput::Read),
            output: Some(RegisterOutput::Value(value.map(str::to_string))),
        }
    }

    #[test]
    fn a_stale_read_is_sequentially_consistent_when_program_order_allows_it() {
        // Client 0 writes x=1; client 1 reads x as nothing, whenever that happened in real time:
        // placing the read first is a valid order.
        let clients = vec![
            vec![write("x", "1")],
            vec![read("x", None), read("x", Some("1"))],
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
            vec![write("x", "1")],
            vec![read("x", Some("1")), read("x", None)],
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
    fn the_whole_store_is_judged_at_once() {
        // Each key on its own is fine, but client 0 sees x's write before y's, and client 1 sees
        // y's before x's: no single order of the two writes explains both (the classic example of
        // why sequential consistency does not compose).
        let clients = vec![
            vec![write("x", "1"), read("y", None)],
            vec![write("y", "1"), read("x", None)],
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
            output: None,
        };
        let clients = vec![vec![write("x", "1"), pending], vec![read("x", Some("2"))]];
        assert!(matches!(
            check_sequential(&Store, &clients, 1_000),
            SeqOutcome::SequentiallyConsistent { .. }
        ));
        let clients = vec![vec![write("x", "1")], vec![read("x", Some("1"))]];
        assert_eq!(
            check_sequential(&Store, &clients, 1),
            SeqOutcome::Unknown { steps: 1 }
        );
    }
}
