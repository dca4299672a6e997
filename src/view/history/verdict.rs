//! The checker library's linearizability verdict on a run's history (`check_kv`: each key a
//! register, checked on its own), with linearization points for the explanation of a history that
//! is not linearizable.

use super::{Answer, ClientOp, OpInput};
use crate::checks::linearizability::{KeyedOperation, KvOutcome, Operation, check_kv};

/// Search steps per key; past them the verdict is `Unknown`, never a frozen page.
pub const BUDGET_PER_KEY: u64 = 300_000;

/// An operation of the longest linearizable order, and the instant it takes effect in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Index into the history's operations.
    pub index: usize,
    /// Its linearization point, in true time: between its invocation and its answer, and no
    /// earlier than the point of the operation before it.
    pub at_us: u64,
}

/// What the checker says of the history. `judged` counts the register operations checked;
/// `other` the operations that are not register operations (syncs, RPCs), drawn but not judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HistoryVerdict {
    /// Nothing to judge: no register operations yet, or a protocol whose clients do not read and
    /// write registers.
    NotJudged {
        other: usize,
    },
    Linearizable {
        judged: usize,
        other: usize,
    },
    NotLinearizable {
        key: String,
        /// The longest order the search found on that key, in linearization order.
        order: Vec<Placed>,
        /// Index into the history's operations of the one that cannot follow it.
        stuck: usize,
        judged: usize,
        other: usize,
    },
    /// The search ran out of budget on `key`: neither a pass nor a failure.
    Unknown {
        key: String,
        steps: u64,
        judged: usize,
        other: usize,
    },
}

/// Judges `ops` (the times are event ids, so no two are equal).
pub fn judge(ops: &[ClientOp]) -> HistoryVerdict {
    let mut indices = Vec::new();
    let mut keyed = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let OpInput::Register { key, input } = &op.input else {
            continue;
        };
        let completed = match (&op.answer, op.completed) {
            (Some(Answer::Register(answer)), Some(at)) => Some((answer.clone(), u64::from(at.0))),
            _ => None,
        };
        indices.push(index);
        keyed.push(KeyedOperation {
            key: key.clone(),
            op: Operation {
                input: input.clone(),
                invoked: u64::from(op.invoked.0),
                completed,
            },
        });
    }
    let judged = keyed.len();
    let other = ops.len() - judged;
    if judged == 0 {
        return HistoryVerdict::NotJudged { other };
    }
    match check_kv(&keyed, BUDGET_PER_KEY) {
        KvOutcome::Linearizable => HistoryVerdict::Linearizable { judged, other },
        KvOutcome::Unknown { key, steps } => HistoryVerdict::Unknown {
            key,
            steps,
            judged,
            other,
        },
        KvOutcome::NotLinearizable(explanation) => {
            let order: Vec<usize> = explanation.prefix.iter().map(|&i| indices[i]).collect();
            HistoryVerdict::NotLinearizable {
                key: explanation.key,
                order: points(ops, &order),
                stuck: indices[explanation.stuck],
                judged,
                other,
            }
        }
    }
}

/// Linearization points for operations taken in `order`: each the middle of the window it can
/// take effect in, given that it follows the one before and precedes the one after; an operation
/// that never answered (and every one after it) goes as early as it can.
pub(super) fn points(ops: &[ClientOp], order: &[usize]) -> Vec<Placed> {
    let mut earliest = Vec::with_capacity(order.len());
    let mut floor = 0;
    for &i in order {
        floor = floor.max(ops[i].invoked_us);
        earliest.push(floor);
    }
    let mut latest = vec![u64::MAX; order.len()];
    let mut ceiling = u64::MAX;
    for (n, &i) in order.iter().enumerate().rev() {
        if let (Some(_), Some(at)) = (&ops[i].completed, ops[i].finished_us) {
            ceiling = ceiling.min(at);
        }
        latest[n] = ceiling;
    }
    let mut last = 0;
    order
        .iter()
        .enumerate()
        .map(|(n, &index)| {
            let (lo, hi) = (earliest[n], latest[n]);
            let middle = if hi == u64::MAX {
                lo
            } else {
                lo + (hi.saturating_sub(lo)) / 2
            };
            last = last.max(middle);
            Placed { index, at_us: last }
        })
        .collect()
}
