//! The run's history judged against every consistency model of the lectures at once, strongest
//! first: linearizability (the history's verdict), sequential consistency, causal consistency,
//! the four session guarantees and eventual consistency. Each row says what the model promises
//! and, when the run breaks it, which operations do and how, in words that name them as the
//! history's bars do. A session is a client row: the client the scenario named, or the first free
//! one.

use super::{Answer, ClientOp, HistoryIndex, HistoryVerdict, OpInput};
use crate::checks::causal::{self, Kind, Model, Violation};
use crate::checks::sequential::{self, SeqOutcome, Store};
use crate::engine::ids::OpId;
use crate::engine::register::{RegisterInput, RegisterOutput};

/// Placements the sequential-consistency search may try before answering "unknown".
const SEQUENTIAL_BUDGET: u64 = 200_000;

/// The name of the first row, which the page gives the history's explanation.
pub const LINEARIZABILITY: &str = "Linearizability";

/// Where a run stands with one model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Holds,
    Violated,
    /// The search gave up: neither a pass nor a failure.
    Unknown,
    /// The history cannot be judged against it (see the row's finding).
    NotJudged,
}

impl Standing {
    /// For `data-standing` and the row's colours.
    pub fn name(self) -> &'static str {
        match self {
            Standing::Holds => "holds",
            Standing::Violated => "violated",
            Standing::Unknown => "unknown",
            Standing::NotJudged => "not-judged",
        }
    }
}

/// One model's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRow {
    pub name: &'static str,
    /// What it promises, in a sentence.
    pub promise: &'static str,
    pub standing: Standing,
    /// Why it does not hold or was not judged, naming the operations; empty when it holds.
    pub finding: String,
    /// The operations the finding names.
    pub ops: Vec<OpId>,
}

fn promise(model: Model) -> &'static str {
    match model {
        Model::Causal => {
            "No read misses a write that comes before it causally: through its session's order \
             and the writes that operations before it read."
        }
        Model::ReadYourWrites => "A read sees the writes its own session made before it.",
        Model::MonotonicReads => "A read sees every write its session has already read.",
        Model::MonotonicWrites => {
            "Whoever sees a session's write also sees the writes it made before."
        }
        Model::WritesFollowReads => {
            "Whoever sees a write also sees what its session had read before writing it."
        }
        Model::Eventual => {
            "Once writes stop and the network is whole, the last reads of a key agree, on a \
             written value."
        }
    }
}

/// Judges the history: `linearizable` is its verdict, judged already.
pub fn judge(history: &HistoryIndex, linearizable: &HistoryVerdict) -> Vec<ModelRow> {
    let ops = history.ops();
    let what = |i: usize| {
        let op = &ops[i];
        let answer = match (&op.input, op.answer_text()) {
            (
                OpInput::Register {
                    input: RegisterInput::Read,
                    ..
                },
                Some(answer),
            ) => format!(" → {answer}"),
            _ => String::new(),
        };
        format!(
            "{}'s {}{answer} ({})",
            history.client_name(op.client),
            op.describe(),
            op.op
        )
    };
    let mut rows = vec![
        linearizability(ops, linearizable, &what),
        sequential(history, &what),
    ];
    let judged: Vec<usize> = (0..ops.len())
        .filter(|&i| matches!(ops[i].input, OpInput::Register { .. }))
        .collect();
    let appends = judged.iter().any(|&i| {
        matches!(
            ops[i].input,
            OpInput::Register {
                input: RegisterInput::Append(_),
                ..
            }
        )
    });
    let unjudged = if judged.is_empty() {
        Some("no reads or writes")
    } else if appends {
        Some("appends: a read of several appended values does not name one write")
    } else {
        None
    };
    let verdicts = if let Some(reason) = unjudged {
        Model::ALL
            .map(|m| (m, causal::Verdict::NotJudged(reason.to_string())))
            .to_vec()
    } else {
        let (index, causal_ops): (Vec<usize>, Vec<causal::Op>) = judged
            .iter()
            .filter_map(|&i| Some((i, as_causal(&ops[i])?)))
            .unzip();
        let quiet = history.faults().last().map_or(0, |f| f.at_us);
        causal::judge(&causal_ops, quiet)
            .into_iter()
            .map(|(m, v)| (m, renumber(v, &index)))
            .collect()
    };
    for (model, verdict) in verdicts {
        let (standing, finding, named) = match verdict {
            causal::Verdict::Holds => (Standing::Holds, String::new(), vec![]),
            causal::Verdict::NotJudged(reason) => (
                Standing::NotJudged,
                format!("Not judged: {reason}."),
                vec![],
            ),
            causal::Verdict::Violated(violation) => (
                Standing::Violated,
                explain(&violation, ops, &what),
                violation.ops(),
            ),
        };
        rows.push(ModelRow {
            name: model.name(),
            promise: promise(model),
            standing,
            finding,
            ops: named.into_iter().map(|i| ops[i].op).collect(),
        });
    }
    rows
}

/// An operation as the causal checkers take it; `None` for a read that never returned.
fn as_causal(op: &ClientOp) -> Option<causal::Op> {
    let OpInput::Register { key, input } = &op.input else {
        return None;
    };
    let kind = match (input, &op.answer) {
        (RegisterInput::Read, Some(Answer::Register(RegisterOutput::Value(v)))) => {
            Kind::Read(v.clone())
        }
        (RegisterInput::Read, _) => return None,
        (RegisterInput::Write(v) | RegisterInput::Append(v), _) => Kind::Write(v.clone()),
    };
    Some(causal::Op {
        session: op.client as usize,
        key: key.clone(),
        kind,
        invoked: op.invoked_us,
        finished: op.finished_us,
        completed: op.completed.is_some(),
    })
}

/// A verdict on the judged operations, with indices into the whole history.
fn renumber(verdict: causal::Verdict, index: &[usize]) -> causal::Verdict {
    let map = |i: usize| index[i];
    let violation = match verdict {
        causal::Verdict::Violated(v) => v,
        other => return other,
    };
    causal::Verdict::Violated(match violation {
        Violation::ThinAir { read } => Violation::ThinAir { read: map(read) },
        Violation::Cycle { ops } => Violation::Cycle {
            ops: ops.into_iter().map(map).collect(),
        },
        Violation::Missed {
            read,
            saw,
            write,
            chain,
        } => Violation::Missed {
            read: map(read),
            saw: saw.map(map),
            write: map(write),
            chain: chain.into_iter().map(map).collect(),
        },
        Violation::Diverged { key, reads, write } => Violation::Diverged {
            key,
            reads: reads.into_iter().map(map).collect(),
            write: write.map(map),
        },
    })
}

/// A violation in a sentence or two.
fn explain(violation: &Violation, ops: &[ClientOp], what: &dyn Fn(usize) -> String) -> String {
    match violation {
        Violation::ThinAir { read } => format!("{} returned a value no write wrote.", what(*read)),
        Violation::Cycle { ops } => format!(
            "These operations each come causally before the next, in a circle: {}.",
            ops.iter()
                .map(|&i| what(i))
                .collect::<Vec<_>>()
                .join(", then ")
        ),
        Violation::Missed {
            read,
            saw,
            write,
            chain,
        } => {
            let returned = match saw {
                Some(saw) => format!(
                    "the value of {}, which {} had overwritten, and the write",
                    what(*saw),
                    what(*write)
                ),
                None => format!("nothing, though {}", what(*write)),
            };
            let steps: Vec<String> = [*write]
                .iter()
                .chain(chain)
                .map(|&i| ops[i].op.to_string())
                .collect();
            format!(
                "{} returned {returned} comes before it: {}.",
                what(*read),
                steps.join(" → ")
            )
        }
        Violation::Diverged { key, reads, write } => match (reads.as_slice(), write) {
            ([read], Some(write)) => format!(
                "{}, a last read of {key} after the writes and the faults, returned nothing \
                 though {} was acknowledged.",
                what(*read),
                what(*write)
            ),
            _ => format!(
                "The last reads of {key}, after the writes and the faults, disagree: {}.",
                reads
                    .iter()
                    .map(|&i| what(i))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        },
    }
}

fn linearizability(
    ops: &[ClientOp],
    verdict: &HistoryVerdict,
    what: &dyn Fn(usize) -> String,
) -> ModelRow {
    let (standing, finding, named) = match verdict {
        HistoryVerdict::NotJudged { .. } => (
            Standing::NotJudged,
            "Not judged: no reads or writes.".to_string(),
            vec![],
        ),
        HistoryVerdict::Linearizable { .. } => (Standing::Holds, String::new(), vec![]),
        HistoryVerdict::Unknown { key, .. } => (
            Standing::Unknown,
            format!("The search gave up on key {key}: not a pass."),
            vec![],
        ),
        HistoryVerdict::NotLinearizable { stuck, .. } => (
            Standing::Violated,
            format!("{} fits no order that respects real time.", what(*stuck)),
            vec![ops[*stuck].op],
        ),
    };
    ModelRow {
        name: LINEARIZABILITY,
        promise: "One order of all operations, each taking effect between its call and its answer.",
        standing,
        finding,
        ops: named,
    }
}

fn sequential(history: &HistoryIndex, what: &dyn Fn(usize) -> String) -> ModelRow {
    let ops = history.ops();
    let mut clients: Vec<Vec<sequential::ClientOp<(String, RegisterInput), RegisterOutput>>> =
        vec![Vec::new(); history.clients() as usize];
    let mut index: Vec<Vec<usize>> = vec![Vec::new(); clients.len()];
    for (i, op) in ops.iter().enumerate() {
        let OpInput::Register { key, input } = &op.input else {
            continue;
        };
        let completed = match (&op.answer, op.finished_us) {
            (Some(Answer::Register(answer)), Some(at)) => Some((answer.clone(), at)),
            _ => None,
        };
        let client = op.client as usize;
        clients[client].push(sequential::ClientOp {
            input: (key.clone(), input.clone()),
            invoked: op.invoked_us,
            completed,
        });
        index[client].push(i);
    }
    let (standing, finding, named) = if index.iter().all(Vec::is_empty) {
        (
            Standing::NotJudged,
            "Not judged: no reads or writes.".to_string(),
            vec![],
        )
    } else {
        match sequential::check_sequential(&Store, &clients, SEQUENTIAL_BUDGET) {
            SeqOutcome::SequentiallyConsistent { .. } => (Standing::Holds, String::new(), vec![]),
            SeqOutcome::Unknown { steps } => (
                Standing::Unknown,
                format!("The search gave up after {steps} placements: not a pass."),
                vec![],
            ),
            SeqOutcome::NotSequentiallyConsistent { stuck, .. } => {
                let stuck = index[stuck.0][stuck.1];
                (
                    Standing::Violated,
                    format!(
                        "{} fits no single order that keeps every session's own order.",
                        what(stuck)
                    ),
                    vec![ops[stuck].op],
                )
            }
        }
    };
    ModelRow {
        name: "Sequential consistency",
        promise: "One order of all operations that keeps each session's order; real time between \
                  sessions does not count.",
        standing,
        finding,
        ops: named,
    }
}
