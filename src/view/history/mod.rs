//! The clients' history of a run: every client operation from its first request to its first
//! answer, on rows of clients, with the faults of the run and the linearizability checker's
//! verdict on it. Kept up to date incrementally as the trace grows (rebuilt when a seek shortens
//! it); `layout` draws the part of it in the diagram's time window.
//!
//! Scenarios send requests, not clients: the history gives each operation to the first client that
//! is idle when it is invoked (a client whose last operation has answered or been given up), so
//! every client's operations follow one another, as a Jepsen process's do.

mod file;
mod layout;
mod models;
mod verdict;

pub use file::{FileHistory, FileWords, PAGE_BUDGET, POSITION, guess, open};
pub use layout::{
    BATCH_BARS, Bar, BarState, FaultLine, HistoryInput, HistoryLayout, Point, layout,
};
pub use models::{LINEARIZABILITY, ModelRow, Standing};
pub use verdict::{HistoryVerdict, Placed};

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::run::Run;
use crate::engine::trace::EventKind;
use crate::protocols::kv::shown;
use serde_json::Value;

/// What an operation asks, as the history and its checker read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpInput {
    /// A read or write of a named register, which the checker judges.
    Register { key: String, input: RegisterInput },
    /// Anything else, in words (a sync, an RPC); drawn but not judged.
    Other(String),
    /// An operation of a history read from a file, in the file's words: judged by the file's
    /// model, on `key`.
    Named { key: String, text: String },
}

/// One client operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOp {
    pub op: OpId,
    /// The row it is drawn on (see the module comment).
    pub client: u32,
    /// The node its first request went to.
    pub node: Option<NodeId>,
    pub input: OpInput,
    /// Its first request.
    pub invoked: EventId,
    /// When it was invoked, and when it was answered or given up: true times for a run, positions
    /// in the file for a history read from one.
    pub invoked_us: u64,
    pub finished_us: Option<u64>,
    /// Its first answer that completes it (not a redirect).
    pub completed: Option<EventId>,
    /// What that answer said: the register answer, or the reply in words.
    pub answer: Option<Answer>,
    /// When its client stopped retrying it without an answer.
    pub gave_up: Option<EventId>,
    /// Whether its answer refused it (`Protocol::refused`): the system was not available to it.
    pub refused: bool,
    /// Its requests, dropped requests and answers, in trace order.
    pub events: Vec<EventId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Register(RegisterOutput),
    Other(String),
}

impl ClientOp {
    /// The operation in words: `write x=2`, `read x`, `append x+=a`, or the request's own words.
    pub fn describe(&self) -> String {
        match &self.input {
            OpInput::Register { key, input } => match input {
                RegisterInput::Write(value) => format!("write {key}={value}"),
                RegisterInput::Append(value) => format!("append {key}+={value}"),
                RegisterInput::Read => format!("read {key}"),
            },
            OpInput::Other(text) | OpInput::Named { text, .. } => text.clone(),
        }
    }

    /// Its answer in words: `ok`, `"2"`, `nothing`, the reply's words; `None` while it has none.
    pub fn answer_text(&self) -> Option<String> {
        Some(match self.answer.as_ref()? {
            Answer::Register(RegisterOutput::Written) => "ok".to_string(),
            Answer::Register(RegisterOutput::Value(value)) => shown(value.as_deref()),
            Answer::Other(text) => text.clone(),
        })
    }

    /// Whether its outcome is unknown for good: its client gave up without an answer.
    pub fn indeterminate(&self) -> bool {
        self.completed.is_none() && self.gave_up.is_some()
    }
}

/// A fault of the run, drawn across the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub event: EventId,
    pub at_us: u64,
    pub label: String,
    /// Whether it splits the network (a partition) or mends it (a heal), which bound the
    /// partitioned spans the history shades.
    pub splits: Option<bool>,
}

/// A verdict remembered: the history's size it was judged at (operations, and the ones settled),
/// the verdict, and the true time.
#[derive(Clone, Debug)]
struct Judged {
    size: (usize, usize),
    verdict: Rc<HistoryVerdict>,
    at_us: u64,
}

/// Past this many operations, a playing page keeps the consistency models' last rows: judging a
/// hundred takes a few milliseconds, two thousand a few hundred.
pub const LIVE_MODEL_OPS: usize = 100;

/// The consistency models' rows, by the history's size they were judged at.
type Rows = ((usize, usize), Rc<Vec<ModelRow>>);

/// Past this many operations, a playing page keeps the history's last verdict (see
/// [`HistoryIndex::verdict`]): judging a few hundred takes a few milliseconds.
pub const LIVE_OPS: usize = 400;

/// The history of a run so far. See the module comment.
#[derive(Clone, Debug, Default)]
pub struct HistoryIndex {
    scanned: usize,
    ops: Vec<ClientOp>,
    by_op: BTreeMap<OpId, usize>,
    /// Per client, the operation it is busy with, if any.
    busy: Vec<Option<usize>>,
    /// Per client, the name the scenario gave it, if it named one.
    names: Vec<Option<String>>,
    faults: Vec<Fault>,
    /// The verdict on the history as it was when last asked, by the number of operations and of
    /// the ones settled (answered or given up) then, with the true time it was judged at.
    verdict: RefCell<Option<Judged>>,
    settled: usize,
    /// The consistency models' rows as they were when last asked, by the same size.
    models: RefCell<Option<Rows>>,
    /// For a history read from a file: its words (see `file`).
    file: Option<Rc<FileWords>>,
}

/// A JSON value in a few words: a string as itself, `{"get": {"key": "x"}}` as `get x`.
pub fn words(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Object(map) if map.len() == 1 => {
            let (name, inner) = map
                .iter()
                .next()
                .map_or(("", &Value::Null), |(k, v)| (k, v));
            match inner {
                Value::Null => name.to_string(),
                Value::Object(fields) => {
                    let parts: Vec<String> = fields.values().map(words).collect();
                    format!("{name} {}", parts.join(" "))
                }
                other => format!("{name} {}", words(other)),
            }
        }
        other => other.to_string(),
    };
    if text.chars().count() > 28 {
        format!("{}…", text.chars().take(27).collect::<String>())
    } else {
        text
    }
}

impl HistoryIndex {
    pub fn new() -> HistoryIndex {
        HistoryIndex::default()
    }

    /// Takes in the events appended since the last call; starts over when a seek shortened the
    /// trace.
    pub fn update(&mut self, run: &dyn Run) {
        let events = run.events();
        if events.len() < self.scanned {
            *self = HistoryIndex::default();
        }
        for (i, event) in events.iter().enumerate().skip(self.scanned) {
            let id = EventId(i as u32);
            match &event.kind {
                EventKind::Request {
                    id: request, op, ..
                } => {
                    if let Some(&index) = self.by_op.get(op) {
                        self.ops[index].events.push(id);
                        continue;
                    }
                    let input = match run.register_op(*request) {
                        Some((key, input)) => OpInput::Register { key, input },
                        None => OpInput::Other(
                            run.request_json(*request)
                                .map_or_else(|| "request".to_string(), |(_, v)| words(&v)),
                        ),
                    };
                    self.invoke(*op, id, event.time.0, event.node, input, run.client(*op));
                }
                EventKind::RequestDrop { op, .. } => {
                    if let Some(&index) = self.by_op.get(op) {
                        self.ops[index].events.push(id);
                    }
                }
                EventKind::Response { op, .. } => self.answer(run, *op, id),
                EventKind::GiveUp { op } => {
                    if let Some(&index) = self.by_op.get(op) {
                        let client_op = &mut self.ops[index];
                        if client_op.completed.is_none() && client_op.gave_up.is_none() {
                            client_op.gave_up = Some(id);
                            client_op.finished_us = Some(event.time.0);
                            self.free(index);
                        }
                    }
                }
                kind => {
                    if let Some(label) = fault_label(kind, event.node) {
                        let splits = match kind {
                            EventKind::Partition { .. } | EventKind::PartitionOneWay { .. } => {
                                Some(true)
                            }
                            EventKind::Heal => Some(false),
                            _ => None,
                        };
                        self.faults.push(Fault {
                            event: id,
                            at_us: event.time.0,
                            label,
                            splits,
                        });
                    }
                }
            }
        }
        self.scanned = events.len();
    }

    /// Starts operation `op` on the client the scenario named, or else on the first free client
    /// it did not name.
    fn invoke(
        &mut self,
        op: OpId,
        id: EventId,
        at_us: u64,
        node: Option<NodeId>,
        input: OpInput,
        name: Option<&str>,
    ) {
        let index = self.ops.len();
        let row = match name {
            Some(name) => self.names.iter().position(|n| n.as_deref() == Some(name)),
            None => {
                (0..self.busy.len()).find(|&c| self.busy[c].is_none() && self.names[c].is_none())
            }
        };
        let client = row.unwrap_or_else(|| {
            self.busy.push(None);
            self.names.push(name.map(str::to_string));
            self.busy.len() - 1
        });
        self.busy[client] = Some(index);
        self.by_op.insert(op, index);
        self.ops.push(ClientOp {
            op,
            client: client as u32,
            node,
            input,
            invoked: id,
            invoked_us: at_us,
            finished_us: None,
            completed: None,
            answer: None,
            gave_up: None,
            refused: false,
            events: vec![id],
        });
    }

    fn answer(&mut self, run: &dyn Run, op: OpId, id: EventId) {
        let Some(&index) = self.by_op.get(&op) else {
            return;
        };
        self.ops[index].events.push(id);
        // An answer after the client gave up reaches no one.
        let op_now = &self.ops[index];
        if op_now.completed.is_some() || op_now.gave_up.is_some() || !run.completes(id) {
            return;
        }
        let answer = match (&self.ops[index].input, run.register_answer(id)) {
            (OpInput::Register { .. }, Some(answer)) => Answer::Register(answer),
            _ => Answer::Other(
                run.response_json(id)
                    .map_or_else(|| "answered".to_string(), |v| words(&v)),
            ),
        };
        let client_op = &mut self.ops[index];
        client_op.refused = run.refused(id);
        client_op.completed = Some(id);
        client_op.finished_us = run.events().get(id.index()).map(|e| e.time.0);
        client_op.answer = Some(answer);
        self.free(index);
    }

    fn free(&mut self, index: usize) {
        self.settled += 1;
        if let Some(slot) = self.busy.iter_mut().find(|b| **b == Some(index)) {
            *slot = None;
        }
    }

    /// Every operation so far, in the order they were invoked.
    pub fn ops(&self) -> &[ClientOp] {
        &self.ops
    }

    /// The operation `op`, if the history has it.
    pub fn op(&self, op: OpId) -> Option<&ClientOp> {
        self.by_op.get(&op).map(|&i| &self.ops[i])
    }

    /// The name of client `client` (a row), as the scenario gave it or `c1`, `c2`, ….
    pub fn client_name(&self, client: u32) -> String {
        match self.names.get(client as usize) {
            Some(Some(name)) => name.clone(),
            _ => format!("c{}", client + 1),
        }
    }

    /// How many operations were answered, refused (a reply that refuses it, or given up on) and
    /// are still waiting, in that order.
    pub fn availability(&self) -> (usize, usize, usize) {
        let mut counts = (0, 0, 0);
        for op in &self.ops {
            match (op.completed, op.gave_up) {
                (Some(_), _) if !op.refused => counts.0 += 1,
                (Some(_), _) | (None, Some(_)) => counts.1 += 1,
                (None, None) => counts.2 += 1,
            }
        }
        counts
    }

    /// How many client rows the history has used.
    pub fn clients(&self) -> u32 {
        self.busy.len() as u32
    }

    /// The words of a history read from a file, if it was.
    pub fn file(&self) -> Option<&FileWords> {
        self.file.as_deref()
    }

    /// The run's faults so far, in trace order.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// The linearizability checker's verdict on the history so far, judged again when the history
    /// changed since it was last asked; with the true time it was judged at when that is earlier
    /// than now. While the page is `live` (playing), a history longer than `LIVE_OPS` keeps its
    /// last verdict, so judging it never slows the animation; it is judged again once paused.
    pub fn verdict(&self, run: &dyn Run, live: bool) -> (Rc<HistoryVerdict>, Option<u64>) {
        let key = (self.ops.len(), self.settled);
        let now = run.now().0;
        if let Some(judged) = self.verdict.borrow().as_ref()
            && (judged.size == key || live && self.ops.len() > LIVE_OPS)
        {
            let stale = judged.size != key;
            return (judged.verdict.clone(), stale.then_some(judged.at_us));
        }
        let verdict = Rc::new(verdict::judge(&self.ops));
        *self.verdict.borrow_mut() = Some(Judged {
            size: key,
            verdict: verdict.clone(),
            at_us: now,
        });
        (verdict, None)
    }
}

impl HistoryIndex {
    /// The history judged against every consistency model (`models`), judged again when it
    /// changed since it was last asked; while `live`, a history longer than `LIVE_MODEL_OPS`
    /// keeps its last rows (sequential consistency's search costs more than linearizability's).
    pub fn models(&self, run: &dyn Run, live: bool) -> Rc<Vec<ModelRow>> {
        let key = (self.ops.len(), self.settled);
        if let Some((size, rows)) = self.models.borrow().as_ref()
            && (*size == key || live && self.ops.len() > LIVE_MODEL_OPS)
        {
            return rows.clone();
        }
        let (verdict, _) = self.verdict(run, live);
        let rows = Rc::new(models::judge(self, &verdict));
        *self.models.borrow_mut() = Some((key, rows.clone()));
        rows
    }
}

/// A fault in a few words, for the kinds of event the history marks.
fn fault_label(kind: &EventKind, node: Option<NodeId>) -> Option<String> {
    let node = || node.map_or_else(String::new, |n| n.to_string());
    Some(match kind {
        EventKind::Crash => format!("{} crashes", node()),
        EventKind::Restart => format!("{} restarts", node()),
        EventKind::Pause => format!("{} pauses", node()),
        EventKind::Resume => format!("{} resumes", node()),
        EventKind::Partition { .. } | EventKind::PartitionOneWay { .. } => "partition".to_string(),
        EventKind::Heal => "heal".to_string(),
        EventKind::ClockJump { by_us } => {
            format!("{} clock {}", node(), crate::view::format::offset(*by_us))
        }
        _ => return None,
    })
}
