//! Histories written by Jepsen, read for [`check`](super::check).
//!
//! Two formats, told apart by a file's first non-blank character (`{` or `[` for EDN):
//!
//! - **Log lines**, as `jepsen.util` logs each operation:
//!   `INFO  jepsen.util - 3<TAB>:invoke<TAB>:write<TAB>4`: a process, a type (`:invoke`, `:ok`, `:fail`,
//!   `:info`), a function and a value (one EDN value), separated by tabs; a fifth field (an error)
//!   is ignored. Other lines Jepsen writes are skipped: blank lines, and lines that begin with a
//!   log level (`INFO`, `WARN`, …) or a date and do not come from `jepsen.util`, as do
//!   `jepsen.util` lines without a tab (messages, not operations). Any other line is an error, and
//!   so is a `jepsen.util` line with tabs that is not a well-formed operation.
//! - **EDN operation maps**, as in Jepsen's `history.edn`: `{:process 0, :type :invoke, :f :read,
//!   :value nil}`, one after another (or inside one vector), with `:key` for a key-value store.
//!
//! Operations of the `:nemesis` process (the faults Jepsen injects) are kept apart, as
//! [`History::nemesis`], for a view to draw; the checker ignores them. Invocations pair with completions by process:
//! a process has at most one operation outstanding; `:ok` completes it, `:fail` means it did not
//! happen (it is dropped), and `:info` means its outcome is unknown (it may have taken effect, at
//! any time after its invocation): that process never completes anything again (Jepsen gives the
//! client a new process number), and an invocation still open at the end of the file counts as
//! `:info` too.

pub mod edn;
mod models;

pub use edn::Value;
pub use models::{ModelKind, Verdict, check, explain};

use std::collections::BTreeMap;
use std::fmt;

/// A malformed file: the 1-based line and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub expected: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: expected {}", self.line, self.expected)
    }
}

impl std::error::Error for ParseError {}

fn error<T>(line: usize, expected: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        expected: expected.into(),
    })
}

/// Which of the two formats a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Log,
    Edn,
}

/// What an operation's completion said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Invoke,
    Ok,
    Fail,
    Info,
}

/// One line (or map) of the file: an event of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub line: usize,
    /// The client process; `None` for the nemesis.
    pub process: Option<i64>,
    pub kind: Type,
    pub f: String,
    pub value: Value,
    /// The map's `:key`, if any (EDN only).
    pub key: Option<Value>,
}

/// An operation: an invocation and, unless it is indeterminate, its `:ok` completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub process: i64,
    pub f: String,
    pub key: Option<Value>,
    /// The value the invocation carried.
    pub value: Value,
    pub invoke_line: usize,
    /// The position of the invocation among the file's events (a time).
    pub invoked: u64,
    /// The `:ok` completion's value, line and position; `None` when the outcome is unknown.
    pub ok: Option<(Value, usize, u64)>,
    /// The `:info` completion's line and position, when it had one.
    pub info: Option<(usize, u64)>,
}

/// A line of the nemesis (a fault Jepsen injected or healed), at a position among the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nemesis {
    pub line: usize,
    pub at: u64,
    pub kind: Type,
    pub f: String,
    pub value: Value,
}

/// A parsed history: its operations, in invocation order, `:fail`ed ones left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    pub ops: Vec<Op>,
    /// How many operations failed (and were dropped).
    pub failed: usize,
    /// The nemesis's lines, in order.
    pub nemesis: Vec<Nemesis>,
    /// The position after the last event.
    pub end: u64,
}

/// Which format `text` is in.
pub fn detect(text: &str) -> Format {
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => Format::Edn,
        _ => Format::Log,
    }
}

/// Reads a history in either format.
pub fn parse(text: &str) -> Result<History, ParseError> {
    let events = match detect(text) {
        Format::Log => log_events(text)?,
        Format::Edn => edn_events(text)?,
    };
    pair(events)
}

const LEVELS: [&str; 6] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
const MARKER: &str = "jepsen.util";

/// The events of a log-line file.
pub fn log_events(text: &str) -> Result<Vec<Event>, ParseError> {
    let mut events = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some(at) = raw.find(MARKER) else {
            let logged = LEVELS.iter().any(|l| trimmed.starts_with(l))
                || trimmed.as_bytes()[0].is_ascii_digit();
            if logged {
                continue;
            }
            return error(
                line,
                "a Jepsen log line (`INFO  jepsen.util - PROCESS<tab>:TYPE<tab>:F<tab>VALUE`)",
            );
        };
        let rest = &raw[at + MARKER.len()..];
        if !rest.contains('\t') {
            continue;
        }
        let rest = rest.trim_start();
        let rest = match rest.as_bytes().first() {
            Some(b'-' | b':') => rest[1..].trim_start(),
            _ => return error(line, "`-` after `jepsen.util`"),
        };
        let fields: Vec<&str> = rest.split('\t').collect();
        if fields.len() < 4 {
            return error(
                line,
                "four tab-separated fields: process, :type, :f and value",
            );
        }
        let process = match edn::parse_one(fields[0], line) {
            Ok(Value::Int(p)) => Some(p),
            Ok(Value::Keyword(k)) if k == "nemesis" => None,
            _ => return error(line, format!("a process number, not `{}`", clip(fields[0]))),
        };
        let kind = match fields[1].trim() {
            ":invoke" => Type::Invoke,
            ":ok" => Type::Ok,
            ":fail" => Type::Fail,
            ":info" => Type::Info,
            other => {
                return error(
                    line,
                    format!("a type :invoke, :ok, :fail or :info, not `{}`", clip(other)),
                );
            }
        };
        let f = match edn::parse_one(fields[2], line) {
            Ok(Value::Keyword(f)) => f,
            _ => {
                return error(
                    line,
                    format!("a function keyword, not `{}`", clip(fields[2])),
                );
            }
        };
        let value = edn::parse_one(fields[3], line)
            .map_err(|(line, expected)| ParseError { line, expected })?;
        events.push(Event {
            line,
            process,
            kind,
            f,
            value,
            key: None,
        });
    }
    if events.is_empty() {
        return error(1, "at least one operation line from `jepsen.util`");
    }
    Ok(events)
}

fn clip(text: &str) -> String {
    let short: String = text.chars().take(30).collect();
    if short.len() < text.len() {
        format!("{short}…")
    } else {
        short
    }
}

/// The events of an EDN file: operation maps, one after another or in one vector.
pub fn edn_events(text: &str) -> Result<Vec<Event>, ParseError> {
    let mut reader = edn::Reader::new(text, 1);
    let mut maps = Vec::new();
    let fail = |(line, expected): edn::Failure| ParseError { line, expected };
    // A whole history may sit in one vector.
    let wrapped = reader.eat(b'[');
    loop {
        if wrapped && reader.eat(b']') {
            if reader.skip_blank() {
                return error(reader.line, "nothing after the history's vector");
            }
            break;
        }
        if !reader.skip_blank() {
            if wrapped {
                return error(reader.line, "`]` to close the history's vector");
            }
            break;
        }
        let line = reader.line;
        maps.push((line, reader.value().map_err(fail)?));
    }
    let mut events = Vec::new();
    for (line, map) in maps {
        if !matches!(map, Value::Map(_)) {
            return error(
                line,
                format!(
                    "an operation map `{{:process …}}`, not `{}`",
                    clip(&map.to_string())
                ),
            );
        }
        let field = |name: &str| {
            map.get(name).ok_or_else(|| ParseError {
                line,
                expected: format!("a `:{name}` in the operation map"),
            })
        };
        let process = match field("process")? {
            Value::Int(p) => Some(*p),
            Value::Keyword(k) if k == "nemesis" => None,
            other => {
                return error(
                    line,
                    format!("`:process` a number, not `{}`", clip(&other.to_string())),
                );
            }
        };
        let kind = match field("type")? {
            Value::Keyword(k) if k == "invoke" => Type::Invoke,
            Value::Keyword(k) if k == "ok" => Type::Ok,
            Value::Keyword(k) if k == "fail" => Type::Fail,
            Value::Keyword(k) if k == "info" => Type::Info,
            other => {
                return error(
                    line,
                    format!(
                        "`:type` :invoke, :ok, :fail or :info, not `{}`",
                        clip(&other.to_string())
                    ),
                );
            }
        };
        let f = match field("f")? {
            Value::Keyword(f) => f.clone(),
            other => {
                return error(
                    line,
                    format!("`:f` a keyword, not `{}`", clip(&other.to_string())),
                );
            }
        };
        events.push(Event {
            line,
            process,
            kind,
            f,
            value: map.get("value").cloned().unwrap_or(Value::Nil),
            key: map.get("key").cloned(),
        });
    }
    if events.is_empty() {
        return error(1, "at least one operation map");
    }
    Ok(events)
}

/// Pairs invocations with completions by process (see the module's documentation).
pub fn pair(events: Vec<Event>) -> Result<History, ParseError> {
    // Per process: the open operation's index in `ops`, or the line where it crashed.
    enum Open {
        Op(usize),
        Crashed(usize),
    }
    let mut open: BTreeMap<i64, Open> = BTreeMap::new();
    let mut ops: Vec<Option<Op>> = Vec::new();
    let mut failed = 0;
    let mut nemesis = Vec::new();
    let end = events.len() as u64;
    for (time, event) in events.into_iter().enumerate() {
        let time = time as u64;
        let Some(process) = event.process else {
            nemesis.push(Nemesis {
                line: event.line,
                at: time,
                kind: event.kind,
                f: event.f,
                value: event.value,
            });
            continue;
        };
        match (event.kind, open.get(&process)) {
            (_, Some(Open::Crashed(at))) => {
                return error(
                    event.line,
                    format!(
                        "no more operations from process {process}: its operation ended :info at \
                         line {at} (Jepsen gives the client a new process number)"
                    ),
                );
            }
            (Type::Invoke, Some(Open::Op(i))) => {
                let at = ops[*i].as_ref().map_or(0, |op| op.invoke_line);
                return error(
                    event.line,
                    format!(
                        "a completion for process {process}'s operation invoked at line {at} \
                         before it invokes another"
                    ),
                );
            }
            (Type::Invoke, None) => {
                open.insert(process, Open::Op(ops.len()));
                ops.push(Some(Op {
                    process,
                    f: event.f,
                    key: event.key,
                    value: event.value,
                    invoke_line: event.line,
                    invoked: time,
                    ok: None,
                    info: None,
                }));
            }
            (_, None) => {
                return error(
                    event.line,
                    format!("an :invoke from process {process} before its completion"),
                );
            }
            (kind, Some(Open::Op(i))) => {
                let i = *i;
                let Some(op) = ops[i].as_mut() else {
                    return error(event.line, "an open operation");
                };
                if op.f != event.f {
                    return error(
                        event.line,
                        format!(
                            "the completion of :{} (invoked at line {}), not :{}",
                            op.f, op.invoke_line, event.f
                        ),
                    );
                }
                if event.key.is_some() && event.key != op.key {
                    return error(
                        event.line,
                        format!(
                            "the same `:key` as the invocation at line {}",
                            op.invoke_line
                        ),
                    );
                }
                match kind {
                    Type::Ok => {
                        op.ok = Some((event.value, event.line, time));
                        open.remove(&process);
                    }
                    Type::Fail => {
                        ops[i] = None;
                        failed += 1;
                        open.remove(&process);
                    }
                    _ => {
                        op.info = Some((event.line, time));
                        open.insert(process, Open::Crashed(event.line));
                    }
                }
            }
        }
    }
    Ok(History {
        ops: ops.into_iter().flatten().collect(),
        failed,
        nemesis,
        end,
    })
}

#[cfg(test)]
mod tests;
