//! A history read from a Jepsen file ("Open history…"): its operations on client columns, the
//! nemesis's faults across them, and the verdict `sim check` gives the same file, with the
//! explanation in the file's own terms (processes, functions, values and line numbers).
//!
//! Its time is the position of each line among the file's events (the first at 1), as the checker
//! orders them, in thousandths (`POSITION`), so the view can scroll by less than a line.

use std::rc::Rc;

use super::{Answer, Fault, HistoryIndex, HistoryVerdict, OpInput, verdict};
use crate::checks::linearizability::jepsen::{self, ModelKind, Op, ParseError, Value, Verdict};
use crate::engine::ids::{EventId, OpId};

/// One position of the file in the view's units of time.
pub const POSITION: u64 = 1000;

/// The view's time of the file's event at (0-based) position `at`.
fn time(at: u64) -> u64 {
    (at + 1) * POSITION
}

/// The page's search budget (model applications); `sim check --budget` goes further.
pub const PAGE_BUDGET: u64 = 5_000_000;

/// What the file's history says in words, where a run's says times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWords {
    /// Per operation, the lines of its invocation and of its completion (`:ok` or `:info`).
    pub lines: Vec<(usize, Option<usize>)>,
    pub summary: String,
    pub explanation: Vec<String>,
}

/// A history opened from a file, judged against `model`.
#[derive(Clone, Debug)]
pub struct FileHistory {
    pub name: String,
    /// The file's text, to judge again against another model.
    pub text: Rc<str>,
    pub model: ModelKind,
    pub index: HistoryIndex,
    pub verdict: Rc<HistoryVerdict>,
    /// The time after the file's last event.
    pub end: u64,
    /// Operations the file reports as `:fail`ed (they did not happen, so they are not drawn).
    pub failed: usize,
}

/// The model a history most likely uses: key-value when an operation names a key or is a get, put
/// or append; a single register otherwise.
pub fn guess(history: &jepsen::History) -> ModelKind {
    let kv = history
        .ops
        .iter()
        .any(|op| op.key.is_some() || matches!(op.f.as_str(), "get" | "put" | "append"));
    if kv {
        ModelKind::Kv
    } else {
        ModelKind::Register
    }
}

/// Reads `text` (either of Jepsen's formats) and judges it against `model`, or the model the file
/// looks like when `None`; a malformed file gives the line and what was expected there, as
/// `sim check` does.
pub fn open(
    name: &str,
    text: &str,
    model: Option<ModelKind>,
    budget: u64,
) -> Result<FileHistory, ParseError> {
    let history = jepsen::parse(text)?;
    let model = model.unwrap_or_else(|| guess(&history));
    let verdict = jepsen::check(&history, model, budget)?;
    let mut index = HistoryIndex::default();
    for (i, op) in history.ops.iter().enumerate() {
        index.file_op(i, op, model);
    }
    // A nemesis's faults take effect when it reports them done, so its invocations are not drawn:
    // those typed `:invoke`, and (as Jepsen logs them) an `:info` without a value followed by the
    // report of the same function.
    let reports = history.nemesis.iter().enumerate().filter(|&(i, n)| {
        let invocation =
            n.value == Value::Nil && history.nemesis.get(i + 1).is_some_and(|next| next.f == n.f);
        n.kind != jepsen::Type::Invoke && !invocation
    });
    for (_, nemesis) in reports {
        let said = nemesis.value.to_string();
        let value = match &nemesis.value {
            Value::Nil => String::new(),
            _ if said.chars().count() > 40 => {
                format!(" {}…", said.chars().take(39).collect::<String>())
            }
            _ => format!(" {said}"),
        };
        let f = nemesis.f.as_str();
        index.faults.push(Fault {
            event: EventId(nemesis.at as u32),
            at_us: time(nemesis.at),
            label: format!("nemesis :{f}{value}"),
            splits: partition(f, &nemesis.value),
        });
    }
    let judged = history.ops.len();
    let ops = index.ops();
    let (verdict, summary, explanation) = match verdict {
        Verdict::Linearizable => (
            HistoryVerdict::Linearizable { judged, other: 0 },
            format!(
                "Linearizable as a {}: {} operation{}{}",
                model_name(model),
                judged,
                plural(judged),
                failed_note(history.failed)
            ),
            vec![],
        ),
        Verdict::Unknown { key, steps } => {
            let key = key.unwrap_or_else(|| "the register".to_string());
            (
                HistoryVerdict::Unknown {
                    key: key.clone(),
                    steps,
                    judged,
                    other: 0,
                },
                format!(
                    "Unknown: the search gave up on {key} after {} steps; not a pass \
                     (sim check with a larger --budget searches further)",
                    crate::view::format::count(steps)
                ),
                vec![],
            )
        }
        Verdict::NotLinearizable { key, prefix, stuck } => {
            let order = verdict::points(ops, &prefix);
            let key = key.unwrap_or_else(|| "the register".to_string());
            let explanation = explain(&history, &key, &prefix, stuck);
            (
                HistoryVerdict::NotLinearizable {
                    key: key.clone(),
                    order,
                    stuck,
                    judged,
                    other: 0,
                },
                format!("Not linearizable on {key} as a {}", model_name(model)),
                explanation,
            )
        }
    };
    index.file = Some(Rc::new(FileWords {
        lines: history
            .ops
            .iter()
            .map(|op| {
                let done = op.ok.as_ref().map(|(_, line, _)| *line);
                (op.invoke_line, done.or(op.info.map(|(line, _)| line)))
            })
            .collect(),
        summary,
        explanation,
    }));
    Ok(FileHistory {
        name: name.to_string(),
        text: Rc::from(text),
        model,
        index,
        verdict: Rc::new(verdict),
        end: time(history.end),
        failed: history.failed,
    })
}

impl HistoryIndex {
    /// Takes in the file's operation `i`, on the first client idle when it was invoked.
    fn file_op(&mut self, i: usize, op: &Op, model: ModelKind) {
        let id = OpId(i as u32 + 1);
        let key = match (model, &op.key, &op.value) {
            (ModelKind::Register, ..) => "the register".to_string(),
            (ModelKind::Kv, Some(key), _) => bare(key),
            (ModelKind::Kv, None, Value::Vector(pair)) if pair.len() == 2 => bare(&pair[0]),
            (ModelKind::Kv, None, _) => "nil".to_string(),
        };
        let value = |v: &Value| match (model, &op.key, v) {
            (ModelKind::Kv, None, Value::Vector(pair)) if pair.len() == 2 => pair[1].clone(),
            _ => v.clone(),
        };
        let reads = matches!(op.f.as_str(), "read" | "get");
        let text = if reads {
            format!("p{} :{}", op.process, op.f)
        } else {
            format!(
                "p{} :{} {}",
                op.process,
                op.f,
                clip(&value(&op.value).to_string())
            )
        };
        // The settled operations free their client before this one takes one.
        let invoked = time(op.invoked);
        let done: Vec<usize> = self
            .busy
            .iter()
            .flatten()
            .copied()
            .filter(|&index| self.ops[index].finished_us.is_some_and(|at| at < invoked))
            .collect();
        for index in done {
            self.free(index);
        }
        self.invoke(
            id,
            EventId(op.invoked as u32),
            invoked,
            None,
            OpInput::Named { key, text },
            None,
        );
        let client_op = self.ops.last_mut().expect("just invoked");
        if let Some((answer, _, at)) = &op.ok {
            client_op.completed = Some(EventId(*at as u32));
            client_op.finished_us = Some(time(*at));
            client_op.answer = Some(Answer::Other(if reads {
                bare(&value(answer))
            } else {
                "ok".to_string()
            }));
        } else if let Some((_, at)) = op.info {
            // It may take effect at any time after its invocation: open to the end.
            client_op.gave_up = Some(EventId(at as u32));
        }
    }
}

/// The explanation of a history that is not linearizable, in sentences naming the file's lines.
fn explain(history: &jepsen::History, key: &str, prefix: &[usize], stuck: usize) -> Vec<String> {
    let what = |i: usize| {
        let op = &history.ops[i];
        let value = if matches!(op.f.as_str(), "read" | "get") {
            op.ok
                .as_ref()
                .map(|(v, _, _)| format!(" → {}", clip(&v.to_string())))
                .unwrap_or_default()
        } else {
            format!(" {}", clip(&op.value.to_string()))
        };
        let lines = match (&op.ok, op.info) {
            (Some((_, done, _)), _) => format!("lines {}–{done}", op.invoke_line),
            (None, Some((line, _))) => format!("lines {}–{line}, outcome unknown", op.invoke_line),
            (None, None) => format!("line {}, never completed", op.invoke_line),
        };
        format!(
            "op{} (process {} :{}{value}, {lines})",
            i + 1,
            op.process,
            op.f
        )
    };
    let mut lines = vec![format!(
        "The longest order of {key}'s operations that respects real time has {} operation{}, \
         numbered on the bars at the position each takes effect.",
        prefix.len(),
        plural(prefix.len())
    )];
    let mut line = format!(
        "{} cannot come next, nor anywhere else: no order explains its result",
        what(stuck)
    );
    let begun = history.ops[stuck].invoked;
    let before = prefix
        .iter()
        .filter_map(|&i| Some((i, history.ops[i].ok.as_ref()?.2)))
        .filter(|&(_, done)| done < begun)
        .max_by_key(|&(_, done)| done);
    if let Some((earlier, _)) = before {
        line += &format!("; {} completed before it began", what(earlier));
    }
    lines.push(line + ".");
    lines
}

/// Whether a nemesis's report splits the network (a partition starts) or mends it: Jepsen's
/// partition nemeses report `:start` with whom they cut off, and `:stop` when healed.
fn partition(f: &str, value: &Value) -> Option<bool> {
    let said = value.to_string();
    let cut = ["partition", "Cut off", "isolated"]
        .iter()
        .any(|word| said.contains(word));
    match f {
        "start-partition" => Some(true),
        "start" if cut => Some(true),
        "stop" | "stop-partition" | "heal" => Some(false),
        _ => None,
    }
}

fn model_name(model: ModelKind) -> &'static str {
    match model {
        ModelKind::Register => "register",
        ModelKind::Kv => "key-value store",
    }
}

fn failed_note(failed: usize) -> String {
    if failed == 0 {
        String::new()
    } else {
        format!(" ({failed} failed and left out)")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A value as bare text: a string without its quotes.
fn bare(value: &Value) -> String {
    match value {
        Value::Str(s) => clip(s),
        other => clip(&other.to_string()),
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() > 24 {
        format!("{}…", text.chars().take(23).collect::<String>())
    } else {
        text.to_string()
    }
}
