//! The models a Jepsen history is judged against, and the verdict in words.
//!
//! - `register`: one register, initially `nil`. `:read` (its `:ok` value is what it saw),
//!   `:write v`, `:cas [old new]` (`:ok` when it swapped; a `:fail`ed one is dropped like any
//!   other). Values are any EDN values compared for equality (Jepsen writes integers).
//! - `kv`: keys independent, each a register of text: `:get`/`:read`, `:put`/`:write`, `:append`
//!   (adds text at the end). The key is the map's `:key`, or else the value is a `[key value]`
//!   tuple (as `jepsen.independent` writes it, and the only form in log lines). Values are strings
//!   or integers (taken as their decimal text); a get of a key never written reads `nil`.

use super::super::{
    KeyedOperation, KvOutcome, Model, Operation, Outcome, RegisterInput, RegisterOutput,
    check as search, check_kv,
};
use super::{History, ParseError, Value, error};
use std::collections::BTreeMap;

/// Which model to judge a history against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    Register,
    Kv,
}

/// The verdict. Indices are into [`History::ops`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    NotLinearizable {
        /// The key, for the kv model.
        key: Option<String>,
        /// The longest order of operations found, in linearization order.
        prefix: Vec<usize>,
        /// The completed operation that cannot follow it.
        stuck: usize,
    },
    Unknown {
        key: Option<String>,
        steps: u64,
    },
}

/// A register over interned values (0 is `nil`), so states are cheap to copy and compare.
struct IdRegister;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RegIn {
    Read,
    Write(u32),
    Cas(u32, u32),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RegOut {
    Done,
    Saw(u32),
    CasFailed,
}

impl Model for IdRegister {
    type State = u32;
    type Input = RegIn;
    type Output = RegOut;

    fn init(&self) -> u32 {
        0
    }

    fn apply(&self, state: &u32, input: &RegIn) -> (u32, RegOut) {
        match *input {
            RegIn::Read => (*state, RegOut::Saw(*state)),
            RegIn::Write(v) => (v, RegOut::Done),
            RegIn::Cas(old, new) if old == *state => (new, RegOut::Done),
            RegIn::Cas(..) => (*state, RegOut::CasFailed),
        }
    }

    fn read_only(&self, input: &RegIn) -> bool {
        *input == RegIn::Read
    }
}

/// Judges `history` against `model`, with at most `budget` placements (per key for kv).
pub fn check(history: &History, model: ModelKind, budget: u64) -> Result<Verdict, ParseError> {
    match model {
        ModelKind::Register => check_register(history, budget),
        ModelKind::Kv => check_keys(history, budget),
    }
}

fn check_register<'a>(history: &'a History, budget: u64) -> Result<Verdict, ParseError> {
    let nil = Value::Nil;
    let mut ids: BTreeMap<&Value, u32> = BTreeMap::from([(&nil, 0)]);
    let mut intern = |v: &'a Value| -> u32 {
        let next = ids.len() as u32;
        *ids.entry(v).or_insert(next)
    };
    let mut kept = Vec::new();
    let mut ops = Vec::new();
    for (index, op) in history.ops.iter().enumerate() {
        let line = op.invoke_line;
        let input = match op.f.as_str() {
            "read" => RegIn::Read,
            "write" => RegIn::Write(intern(&op.value)),
            "cas" => match &op.value {
                Value::Vector(pair) if pair.len() == 2 => {
                    RegIn::Cas(intern(&pair[0]), intern(&pair[1]))
                }
                other => {
                    return error(line, format!("a cas value `[old new]`, not `{other}`"));
                }
            },
            other => {
                return error(
                    line,
                    format!("a register operation :read, :write or :cas, not :{other}"),
                );
            }
        };
        let completed = match &op.ok {
            None if input == RegIn::Read => continue, // a read that may not have happened says nothing
            None => None,
            Some((value, _, at)) => Some((
                match input {
                    RegIn::Read => RegOut::Saw(intern(value)),
                    _ => RegOut::Done,
                },
                *at,
            )),
        };
        kept.push(index);
        ops.push(Operation {
            input,
            invoked: op.invoked,
            completed,
        });
    }
    Ok(match search(&IdRegister, &ops, budget) {
        Outcome::Linearizable => Verdict::Linearizable,
        Outcome::NotLinearizable { prefix, stuck } => Verdict::NotLinearizable {
            key: None,
            prefix: prefix.into_iter().map(|i| kept[i]).collect(),
            stuck: kept[stuck],
        },
        Outcome::Unknown { steps } => Verdict::Unknown { key: None, steps },
    })
}

/// A kv value as text: strings as they are, integers in decimal, nil as none.
fn text(value: &Value, line: usize) -> Result<Option<String>, ParseError> {
    match value {
        Value::Nil => Ok(None),
        Value::Str(s) => Ok(Some(s.clone())),
        Value::Int(i) => Ok(Some(i.to_string())),
        other => error(line, format!("a string, an integer or nil, not `{other}`")),
    }
}

fn check_keys(history: &History, budget: u64) -> Result<Verdict, ParseError> {
    let mut keyed = Vec::new();
    for op in &history.ops {
        let line = op.invoke_line;
        // The key and the value the invocation carries; completions' values likewise.
        let split = |value: &Value, line: usize| -> Result<(Option<Value>, Value), ParseError> {
            if op.key.is_some() {
                return Ok((None, value.clone()));
            }
            match value {
                Value::Vector(pair) if pair.len() == 2 => {
                    Ok((Some(pair[0].clone()), pair[1].clone()))
                }
                other => error(
                    line,
                    format!("a `:key`, or a value `[key value]`, not `{other}`"),
                ),
            }
        };
        let (tuple_key, value) = split(&op.value, line)?;
        let key = op.key.clone().or(tuple_key).unwrap_or(Value::Nil);
        let key = match key {
            Value::Str(s) => s,
            other => other.to_string(),
        };
        let input = match op.f.as_str() {
            "get" | "read" => RegisterInput::Read,
            "put" | "write" => RegisterInput::Write(text(&value, line)?.unwrap_or_default()),
            "append" => RegisterInput::Append(text(&value, line)?.unwrap_or_default()),
            other => {
                return error(
                    line,
                    format!("a key-value operation :get, :put or :append, not :{other}"),
                );
            }
        };
        let completed = match &op.ok {
            None => None,
            Some((value, at_line, at)) => Some((
                match input {
                    RegisterInput::Read => {
                        RegisterOutput::Value(text(&split(value, *at_line)?.1, *at_line)?)
                    }
                    _ => RegisterOutput::Written,
                },
                *at,
            )),
        };
        keyed.push(KeyedOperation {
            key,
            op: Operation {
                input,
                invoked: op.invoked,
                completed,
            },
        });
    }
    Ok(match check_kv(&keyed, budget) {
        KvOutcome::Linearizable => Verdict::Linearizable,
        KvOutcome::NotLinearizable(e) => Verdict::NotLinearizable {
            key: Some(e.key),
            prefix: e.prefix,
            stuck: e.stuck,
        },
        KvOutcome::Unknown { key, steps } => Verdict::Unknown {
            key: Some(key),
            steps,
        },
    })
}

fn describe(op: &super::Op) -> String {
    let result = match &op.ok {
        Some((value, line, _)) if op.f == "read" || op.f == "get" => {
            format!("read {value} (lines {}–{line})", op.invoke_line)
        }
        Some((_, line, _)) => format!("ok (lines {}–{line})", op.invoke_line),
        None => format!("outcome unknown (invoked at line {})", op.invoke_line),
    };
    let value = if op.f == "read" || op.f == "get" {
        String::new()
    } else {
        format!(" {}", op.value)
    };
    let key = op
        .key
        .as_ref()
        .map(|k| format!(" key {k}"))
        .unwrap_or_default();
    format!("process {} :{}{key}{value}: {result}", op.process, op.f)
}

/// The verdict in words, for people: for a history that is not linearizable, the longest order
/// found (each operation's process, function, value and lines) and the operation that cannot
/// follow it.
pub fn explain(history: &History, verdict: &Verdict) -> String {
    match verdict {
        Verdict::Linearizable => format!(
            "linearizable ({} operations, {} failed and dropped)\n",
            history.ops.len(),
            history.failed
        ),
        Verdict::Unknown { key, steps } => format!(
            "unknown: the search gave up after {steps} steps{} (raise --budget)\n",
            key.as_ref()
                .map(|k| format!(" on key {k}"))
                .unwrap_or_default()
        ),
        Verdict::NotLinearizable { key, prefix, stuck } => {
            let mut out = String::from("not linearizable");
            if let Some(key) = key {
                out += &format!(" on key {key}");
            }
            out += &format!(
                "\nthe longest linearizable prefix found has {} operation{}, in this order:\n",
                prefix.len(),
                if prefix.len() == 1 { "" } else { "s" }
            );
            for (n, &i) in prefix.iter().enumerate() {
                out += &format!("  {:>4}. {}\n", n + 1, describe(&history.ops[i]));
            }
            let op = &history.ops[*stuck];
            out += &format!(
                "no operation order lets this one come next: line {}: {}\n",
                op.ok.as_ref().map_or(op.invoke_line, |(_, line, _)| *line),
                describe(op)
            );
            out
        }
    }
}
