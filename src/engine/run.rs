//! `Run`: a simulation of any protocol behind one object-safe interface, so the CLI and the UI
//! handle every protocol alike. Also the trace's JSON Lines form and its hash.

use crate::engine::action::{Action, Scheduled};
use crate::engine::causality::Causality;
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, MsgId, NodeId, OpId, RequestId};
use crate::engine::model::SystemModel;
use crate::engine::protocol::{LogWords, Outcome, OwnStamp, Protocol};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::sim::{InputError, Memory, Moves, PropertyReport, Sim, Snapshot, Stats};
use crate::engine::time::SimTime;
use crate::engine::trace::{EventKind, TraceEvent};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::cell::Ref;
use std::collections::BTreeSet;

/// A running simulation, whatever its protocol.
pub trait Run {
    fn protocol(&self) -> &'static str;
    fn node_count(&self) -> u32;
    fn horizon(&self) -> SimTime;
    fn now(&self) -> SimTime;
    fn finished(&self) -> bool;
    /// See [`Sim::at_event_limit`].
    fn at_event_limit(&self) -> bool;
    fn step(&mut self) -> bool;
    fn run_until(&mut self, t: SimTime);
    fn run_slice(&mut self, t: SimTime, max_steps: u32) -> bool;
    fn seek(&mut self, t: SimTime);
    fn seek_event(&mut self, e: EventId) -> Result<(), InputError>;
    fn apply(&mut self, action: Action) -> Result<Vec<Scheduled>, InputError>;
    fn interventions(&self) -> Vec<Scheduled>;
    fn events(&self) -> &[TraceEvent];
    fn causality(&self) -> Ref<'_, Causality>;
    fn snapshot(&self) -> Snapshot;
    fn properties(&self) -> Vec<PropertyReport>;
    fn stats(&self) -> Stats;
    fn memory(&self) -> Memory;
    /// See [`Sim::check_every_step`].
    fn check_every_step(&mut self);
    /// The label drawn on a message's arrow.
    fn message_label(&self, msg: MsgId) -> String;
    /// The message's full payload as JSON.
    fn message_json(&self, msg: MsgId) -> Value;
    /// Request `id`'s target node and operation.
    fn request_json(&self, id: RequestId) -> Option<(NodeId, Value)>;
    /// The client the scenario names for operation `op`, if it names one.
    fn client(&self, op: OpId) -> Option<&str>;
    /// The reply recorded by response event `event`.
    fn response_json(&self, event: EventId) -> Option<Value>;
    /// Request `id` as a register operation: its key and what it does (`Protocol::register_op`).
    fn register_op(&self, id: RequestId) -> Option<(String, RegisterInput)>;
    /// What response event `event` answers, if it completes a register operation.
    fn register_answer(&self, event: EventId) -> Option<RegisterOutput>;
    /// Whether response event `event` completes its operation (it is not a redirect).
    fn completes(&self, event: EventId) -> bool;
    /// Whether response event `event` refuses its operation (`Protocol::refused`).
    fn refused(&self, event: EventId) -> bool;
    /// Every fact stated so far, by the event of the note that stated it (in event order).
    fn facts(&self) -> &[(EventId, Fact)];
    /// The words for the protocol's replicated log, if its nodes keep one (`Protocol::LOG`).
    fn log_words(&self) -> Option<LogWords>;
    /// A valid client request for this protocol, as JSON; `None` if it takes none.
    fn example_request(&self) -> Option<Value>;
    /// The typed note shown by annotate event `event`, as JSON (`{"note": "suspects", …}`).
    fn note_json(&self, event: EventId) -> Option<Value>;
    /// The logical clock the protocol keeps itself, in words (`Protocol::own_clock`).
    fn own_clock(&self) -> Option<&'static str>;
    /// The protocol's own timestamp on a note or a send event (`Protocol::note_stamp`,
    /// `Protocol::msg_stamp`).
    fn own_stamp(&self, event: EventId) -> Option<OwnStamp>;
    /// Whether nodes can turn traitor (`Protocol::BYZANTINE`).
    fn byzantine(&self) -> bool;
    /// The declared system model, if any.
    fn model(&self) -> Option<SystemModel>;
    /// Why the declared model forbids `action` now, if it does (see `SystemModel::forbids`).
    fn forbids(&self, action: &Action) -> Option<String>;
}

/// A run the explorer can branch. Apart from `Run` so that only what builds one
/// (`Scenario::explorable`: the search worker and `sim explore`) carries this code for every
/// protocol; the page, which never explores, leaves it out.
pub trait Explorable: Run {
    /// A copy to go on from separately (see [`Sim::fork`]).
    fn fork(&self) -> Box<dyn Explorable>;
    /// The state's fingerprint (see [`Sim::fingerprint`]).
    fn fingerprint(&mut self) -> u64;
    /// The moves open now (see [`Sim::moves`]).
    fn moves(&self) -> Moves;
    /// Whether deliveries to different nodes commute (see [`Sim::deliveries_commute`]).
    fn deliveries_commute(&self) -> bool;
    /// Runs `attempt` on the run, then puts the run back as it was (see [`Sim::trial`]).
    fn trial(&mut self, attempt: &mut dyn FnMut(&mut dyn Explorable));
    /// Keeps a mark of the run as it stands (see [`Sim::keep`]).
    fn keep(&mut self);
    /// Puts the run back as it was at mark `depth` (see [`Sim::back_to_kept`]).
    fn back_to_kept(&mut self, depth: usize);
    /// Readies the run for the explorer, which judges only the properties named in `judged`
    /// (see [`Sim::explore_only`]).
    fn explore_only(&mut self, judged: &BTreeSet<String>);
}

impl<P: Protocol> Explorable for Sim<P> {
    fn fork(&self) -> Box<dyn Explorable> {
        Box::new(Sim::fork(self))
    }

    fn fingerprint(&mut self) -> u64 {
        Sim::fingerprint(self)
    }

    fn moves(&self) -> Moves {
        Sim::moves(self)
    }

    fn deliveries_commute(&self) -> bool {
        Sim::deliveries_commute(self)
    }

    fn trial(&mut self, attempt: &mut dyn FnMut(&mut dyn Explorable)) {
        Sim::trial(self, |run| attempt(run));
    }

    fn keep(&mut self) {
        Sim::keep(self);
    }

    fn back_to_kept(&mut self, depth: usize) {
        Sim::back_to_kept(self, depth);
    }

    fn explore_only(&mut self, judged: &BTreeSet<String>) {
        Sim::explore_only(self, judged);
    }
}

impl<P: Protocol> Run for Sim<P> {
    fn byzantine(&self) -> bool {
        P::BYZANTINE
    }

    fn model(&self) -> Option<SystemModel> {
        Sim::model(self)
    }

    fn forbids(&self, action: &Action) -> Option<String> {
        Sim::forbids(self, action)
    }

    fn protocol(&self) -> &'static str {
        P::NAME
    }
    fn node_count(&self) -> u32 {
        Sim::node_count(self)
    }
    fn horizon(&self) -> SimTime {
        Sim::horizon(self)
    }
    fn now(&self) -> SimTime {
        Sim::now(self)
    }
    fn finished(&self) -> bool {
        Sim::finished(self)
    }
    fn at_event_limit(&self) -> bool {
        Sim::at_event_limit(self)
    }
    fn step(&mut self) -> bool {
        Sim::step(self)
    }
    fn run_until(&mut self, t: SimTime) {
        Sim::run_until(self, t)
    }
    fn run_slice(&mut self, t: SimTime, max_steps: u32) -> bool {
        Sim::run_slice(self, t, max_steps)
    }
    fn seek(&mut self, t: SimTime) {
        Sim::seek(self, t)
    }
    fn seek_event(&mut self, e: EventId) -> Result<(), InputError> {
        Sim::seek_event(self, e)
    }
    fn apply(&mut self, action: Action) -> Result<Vec<Scheduled>, InputError> {
        Sim::apply(self, action)
    }
    fn interventions(&self) -> Vec<Scheduled> {
        Sim::interventions(self)
    }
    fn events(&self) -> &[TraceEvent] {
        Sim::events(self)
    }
    fn causality(&self) -> Ref<'_, Causality> {
        Sim::causality(self)
    }
    fn snapshot(&self) -> Snapshot {
        Sim::snapshot(self)
    }
    fn properties(&self) -> Vec<PropertyReport> {
        Sim::properties(self)
    }
    fn stats(&self) -> Stats {
        Sim::stats(self)
    }
    fn memory(&self) -> Memory {
        Sim::memory(self)
    }
    fn check_every_step(&mut self) {
        Sim::check_every_step(self)
    }
    fn message_label(&self, msg: MsgId) -> String {
        P::msg_label(self.message(msg))
    }
    fn message_json(&self, msg: MsgId) -> Value {
        serde_json::to_value(self.message(msg)).unwrap_or(Value::Null)
    }
    fn request_json(&self, id: RequestId) -> Option<(NodeId, Value)> {
        self.request(id)
            .map(|(node, op)| (node, serde_json::to_value(op).unwrap_or(Value::Null)))
    }
    fn client(&self, op: OpId) -> Option<&str> {
        Sim::client(self, op)
    }
    fn response_json(&self, event: EventId) -> Option<Value> {
        self.response(event)
            .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
    }
    fn register_op(&self, id: RequestId) -> Option<(String, RegisterInput)> {
        let (_, request) = self.request(id)?;
        P::register_op(request).map(|(key, input)| (key.to_string(), input))
    }
    fn register_answer(&self, event: EventId) -> Option<RegisterOutput> {
        self.response(event).and_then(P::register_answer)
    }
    fn refused(&self, event: EventId) -> bool {
        self.response(event).is_some_and(P::refused)
    }
    fn completes(&self, event: EventId) -> bool {
        self.response(event)
            .is_some_and(|r| P::outcome(r) == Outcome::Done)
    }
    fn facts(&self) -> &[(EventId, Fact)] {
        Sim::facts(self)
    }
    fn log_words(&self) -> Option<LogWords> {
        P::LOG
    }
    fn example_request(&self) -> Option<Value> {
        P::example_request().and_then(|r| serde_json::to_value(r).ok())
    }
    fn note_json(&self, event: EventId) -> Option<Value> {
        self.note(event)
            .map(|n| serde_json::to_value(n).unwrap_or(Value::Null))
    }
    fn own_clock(&self) -> Option<&'static str> {
        P::own_clock(self.params())
    }
    fn own_stamp(&self, event: EventId) -> Option<OwnStamp> {
        match self.events().get(event.index())?.kind {
            EventKind::Annotate { .. } => P::note_stamp(self.note(event)?),
            EventKind::Send { msg, .. } => P::msg_stamp(self.message(msg)),
            _ => None,
        }
    }
}

/// One trace event as a JSON object: the event's fields, its id, its vector timestamp (as a map from
/// node name to count, ShiViz-style, zero entries omitted) and the payloads it refers to.
pub fn event_json(run: &dyn Run, id: EventId) -> Value {
    let vector = run.causality().vector_clock(id);
    let event = &run.events()[id.index()];
    let mut object = match serde_json::to_value(event) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    object.insert("id".into(), json!(id.0));
    if let Some(vector) = vector {
        let clock: Map<String, Value> = vector
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .map(|(i, v)| (NodeId(i as u32).to_string(), json!(v)))
            .collect();
        object.insert("vc".into(), Value::Object(clock));
    }
    let kind = event.kind.clone();
    match kind {
        EventKind::Send { msg, .. }
        | EventKind::Deliver { msg, .. }
        | EventKind::Drop { msg, .. } => {
            object.insert("label".into(), json!(run.message_label(msg)));
            if matches!(kind, EventKind::Send { .. }) {
                object.insert("payload".into(), run.message_json(msg));
            }
        }
        EventKind::Corrupt { forged, .. } => {
            object.insert("label".into(), json!(run.message_label(forged)));
            object.insert("payload".into(), run.message_json(forged));
        }
        EventKind::Request { id: request, .. } | EventKind::RequestDrop { id: request, .. } => {
            if let Some((_, op)) = run.request_json(request) {
                object.insert("op".into(), op);
            }
        }
        EventKind::Response { .. } => {
            if let Some(response) = run.response_json(id) {
                object.insert("response".into(), response);
            }
        }
        _ => {}
    }
    Value::Object(object)
}

/// Writes the trace as JSON Lines, one event per line.
pub fn write_jsonl(run: &dyn Run, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for i in 0..run.events().len() {
        let line = event_json(run, EventId(i as u32));
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// SHA-256 of the JSON Lines trace, in hex: the golden fingerprint of a run.
pub fn trace_hash(run: &dyn Run) -> String {
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut writer = HashWriter(Sha256::new());
    write_jsonl(run, &mut writer).expect("hashing never fails to write");
    writer
        .0
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
