//! CRDTs, conflict-free replicated data types. Every node holds a replica of one data type
//! (`crdt`: a G-Counter, a PN-Counter, an LWW-register, an OR-Set or RGA text, in `types`). A
//! client asks any replica to update it (`{"inc": 2}`, `{"add": "x"}`,
//! `{"insert": {"at": 0, "text": "hi"}}`) or to read it (`"read"`), and that replica answers at
//! once, without waiting for any other: replicas are always available and may differ for a while.
//! They are kept in step one of two ways (`sync`):
//!
//! - `state`: every `sync_every_us` each node sends its whole state to every other, and a receiver
//!   merges it into its own (the join of the two). Lost, duplicated and reordered messages only
//!   delay the merge.
//! - `op`: each update is sent as an operation to every other node over causal broadcast: tagged
//!   with its origin's sequence number and the vector clock of what its origin had delivered, held
//!   back by a receiver until it has delivered all of that, and delivered once. Every
//!   `sync_every_us` each node sends its vector clock to the others, which send it the operations it
//!   lacks, so lost messages and partitions only delay delivery.
//!
//! The "break it" variant `best_effort` (op-based only) sends each operation once and applies it
//! on receipt: in any order, and again when the network duplicates it. The convergence checkers
//! catch the replicas that disagree.

mod properties;
mod types;

pub use types::{Kind, Op, Replica, Stamp, Update};

use crate::engine::ids::NodeId;
use crate::engine::protocol::{NodeView, Property, Protocol, RequestInfo, ViewTable};
use crate::engine::sim::Ctx;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// How replicas keep in step.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Send the whole state; merge on receipt.
    #[default]
    State,
    /// Send each operation, over causal broadcast.
    Op,
}

/// A rule a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// Op-based without causal broadcast: each operation sent once and applied on receipt.
    BestEffort,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrdtParams {
    /// The data type every node replicates.
    #[serde(default)]
    pub crdt: Kind,
    #[serde(default)]
    pub sync: Mode,
    /// How often a node sends its state (state-based) or its vector clock (op-based).
    #[serde(default = "default_sync_every")]
    pub sync_every_us: u64,
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

fn default_sync_every() -> u64 {
    200_000
}

impl Default for CrdtParams {
    fn default() -> Self {
        CrdtParams {
            crdt: Kind::default(),
            sync: Mode::default(),
            sync_every_us: default_sync_every(),
            break_it: BreakIt::None,
        }
    }
}

/// An update's name: its origin and its number there (from 1).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UpdateId {
    pub origin: NodeId,
    pub seq: u32,
}

impl fmt::Display for UpdateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.origin, self.seq)
    }
}

/// An operation as causal broadcast carries it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub id: UpdateId,
    /// Per origin, how many of its operations the sender had delivered: what must come first.
    pub deps: Vec<u32>,
    pub op: Op,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrdtMsg {
    /// State-based: the sender's whole state, and the updates it includes.
    State {
        replica: Box<Replica>,
        includes: BTreeSet<UpdateId>,
    },
    /// Op-based: one operation.
    Op(Box<Sent>),
    /// Op-based: the sender's vector clock, so the receiver sends what it lacks.
    Digest { clock: Vec<u32> },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum CrdtTimer {
    Sync,
}

/// What a client asks a replica.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CrdtRequest {
    Read,
    Inc(u64),
    Dec(u64),
    Set(String),
    Add(String),
    Remove(String),
    Insert { at: usize, text: String },
    Delete { at: usize, len: usize },
}

impl CrdtRequest {
    /// The update it asks for, unless it is a read.
    fn update(&self) -> Option<Update> {
        Some(match self.clone() {
            CrdtRequest::Read => return None,
            CrdtRequest::Inc(n) => Update::Inc(n),
            CrdtRequest::Dec(n) => Update::Dec(n),
            CrdtRequest::Set(v) => Update::Set(v),
            CrdtRequest::Add(e) => Update::Add(e),
            CrdtRequest::Remove(e) => Update::Remove(e),
            CrdtRequest::Insert { at, text } => Update::Insert { at, text },
            CrdtRequest::Delete { at, len } => Update::Delete { at, len },
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrdtResponse {
    /// The replica's value (after the update, for an update).
    Value(String),
    /// The data type does not take that update.
    Rejected(String),
}

/// What survives a crash: the replica and everything it has delivered.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct CrdtStable {
    pub saved: Option<Box<Saved>>,
}

/// A replica's durable state.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Saved {
    replica: Replica,
    includes: BTreeSet<UpdateId>,
    clock: Vec<u32>,
    log: Vec<Sent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum CrdtNote {
    /// The node performed a client's update `id`; its value is now `value`.
    Updates { id: UpdateId, value: String },
    /// The node applied another replica's operation `id` (op-based).
    Applies { id: UpdateId, value: String },
    /// The node merged another replica's state, which brought in `new` updates (state-based).
    Merges { new: u32, value: String },
    /// The node could not apply operation `id` and dropped it (best-effort delivery only).
    Drops { id: UpdateId, reason: String },
}

impl fmt::Display for CrdtNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrdtNote::Updates { id, value } => write!(f, "updates {id}: {value}"),
            CrdtNote::Applies { id, value } => write!(f, "applies {id}: {value}"),
            CrdtNote::Merges { new, value } => write!(f, "merges {new} new: {value}"),
            CrdtNote::Drops { id, reason } => write!(f, "drops {id}: {reason}"),
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Crdt {
    id: NodeId,
    nodes: u32,
    params: CrdtParams,
    replica: Replica,
    /// Every update the replica includes, its own and others'.
    includes: BTreeSet<UpdateId>,
    /// Op-based: per origin, how many of its operations this node has delivered (its own too).
    clock: Vec<u32>,
    /// Op-based: every operation delivered here, in delivery order, to send to a replica lacking it.
    log: Vec<Sent>,
    /// Op-based: operations received before what they depend on.
    held: Vec<Sent>,
    /// State-based: how many updates this node has made.
    made: u32,
}

impl Crdt {
    /// The replica, for checkers and tests.
    pub fn replica(&self) -> &Replica {
        &self.replica
    }

    /// The updates the replica includes.
    pub fn includes(&self) -> &BTreeSet<UpdateId> {
        &self.includes
    }

    fn op_based(&self) -> bool {
        self.params.sync == Mode::Op
    }

    fn save(&self, ctx: &mut Ctx<'_, Self>) {
        let saved = Saved {
            replica: self.replica.clone(),
            includes: self.includes.clone(),
            clock: self.clock.clone(),
            log: self.log.clone(),
        };
        ctx.persist("replica", |s| s.saved = Some(Box::new(saved)));
    }

    /// Applies another replica's operation, noting it (or why it cannot be applied).
    fn apply(&mut self, ctx: &mut Ctx<'_, Self>, sent: &Sent) {
        self.includes.insert(sent.id);
        match self.replica.apply(&sent.op) {
            Ok(()) => ctx.note(CrdtNote::Applies {
                id: sent.id,
                value: self.replica.value(),
            }),
            Err(reason) => ctx.note(CrdtNote::Drops {
                id: sent.id,
                reason,
            }),
        }
    }

    /// Causal delivery: delivers every held operation whose predecessors have been delivered.
    fn release(&mut self, ctx: &mut Ctx<'_, Self>) {
        while let Some(i) = self.held.iter().position(|sent| self.ready(sent)) {
            let sent = self.held.remove(i);
            self.apply(ctx, &sent);
            self.clock[sent.id.origin.index()] += 1;
            self.log.push(sent);
        }
    }

    /// Whether `sent` is the next operation of its origin and everything it depends on is here.
    fn ready(&self, sent: &Sent) -> bool {
        let origin = sent.id.origin.index();
        self.clock[origin] + 1 == sent.id.seq
            && sent
                .deps
                .iter()
                .enumerate()
                .all(|(o, &need)| o == origin || self.clock[o] >= need)
    }

    fn receive(&mut self, ctx: &mut Ctx<'_, Self>, sent: &Sent) {
        if self.params.break_it == BreakIt::BestEffort {
            self.apply(ctx, sent);
            self.save(ctx);
            return;
        }
        let origin = sent.id.origin.index();
        let known = self.clock[origin] >= sent.id.seq || self.held.iter().any(|h| h.id == sent.id);
        if known {
            return;
        }
        self.held.push(sent.clone());
        let before = self.log.len();
        self.release(ctx);
        if self.log.len() > before {
            self.save(ctx);
        }
    }
}

impl Protocol for Crdt {
    type Msg = CrdtMsg;
    type Timer = CrdtTimer;
    type Request = CrdtRequest;
    type Response = CrdtResponse;
    type Stable = CrdtStable;
    type Params = CrdtParams;
    type Note = CrdtNote;
    const NAME: &'static str = "crdt";

    fn new(id: NodeId, nodes: u32, params: &CrdtParams) -> Self {
        Crdt {
            id,
            nodes,
            params: params.clone(),
            replica: Replica::new(params.crdt, id.0, nodes),
            includes: BTreeSet::new(),
            clock: vec![0; nodes as usize],
            log: Vec::new(),
            held: Vec::new(),
            made: 0,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Some(saved) = &ctx.stable().saved {
            self.replica = saved.replica.clone();
            self.includes = saved.includes.clone();
            self.clock = saved.clock.clone();
            self.log = saved.log.clone();
        }
        self.made = self.includes.iter().filter(|u| u.origin == self.id).count() as u32;
        if self.params.break_it == BreakIt::None {
            ctx.set_timer(self.params.sync_every_us, CrdtTimer::Sync);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &CrdtMsg) {
        match msg {
            CrdtMsg::State { replica, includes } => {
                let new = includes.difference(&self.includes).count() as u32;
                if new == 0 {
                    return;
                }
                self.replica.merge(replica);
                self.includes.extend(includes.iter().copied());
                ctx.note(CrdtNote::Merges {
                    new,
                    value: self.replica.value(),
                });
                self.save(ctx);
            }
            CrdtMsg::Op(sent) => self.receive(ctx, sent),
            CrdtMsg::Digest { clock } => {
                let lacking: Vec<Sent> = self
                    .log
                    .iter()
                    .filter(|s| {
                        clock
                            .get(s.id.origin.index())
                            .is_some_and(|&c| c < s.id.seq)
                    })
                    .cloned()
                    .collect();
                for sent in lacking {
                    ctx.send(from, CrdtMsg::Op(Box::new(sent)));
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: CrdtTimer) {
        let CrdtTimer::Sync = timer;
        let msg = if self.op_based() {
            CrdtMsg::Digest {
                clock: self.clock.clone(),
            }
        } else {
            CrdtMsg::State {
                replica: Box::new(self.replica.clone()),
                includes: self.includes.clone(),
            }
        };
        ctx.broadcast(msg);
        ctx.set_timer(self.params.sync_every_us, CrdtTimer::Sync);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, request: &CrdtRequest) {
        let Some(update) = request.update() else {
            ctx.reply(req.id, CrdtResponse::Value(self.replica.value()));
            return;
        };
        let op = match self.replica.prepare(&update) {
            Ok(op) => op,
            Err(reason) => {
                ctx.reply(req.id, CrdtResponse::Rejected(reason));
                return;
            }
        };
        let seq = if self.op_based() {
            self.clock[self.id.index()] + 1
        } else {
            self.made + 1
        };
        self.made = seq;
        let id = UpdateId {
            origin: self.id,
            seq,
        };
        self.includes.insert(id);
        ctx.note(CrdtNote::Updates {
            id,
            value: self.replica.value(),
        });
        if self.op_based() {
            let sent = Sent {
                id,
                deps: self.clock.clone(),
                op,
            };
            self.clock[self.id.index()] = seq;
            ctx.broadcast(CrdtMsg::Op(Box::new(sent.clone())));
            self.log.push(sent);
        }
        self.save(ctx);
        ctx.reply(req.id, CrdtResponse::Value(self.replica.value()));
    }

    fn validate(p: &CrdtParams, _nodes: u32) -> Result<(), String> {
        if p.sync_every_us < 1_000 || p.sync_every_us > 600_000_000 {
            return Err(format!(
                "`protocol.sync_every_us` is {}, but must be from 1ms to 10 minutes",
                p.sync_every_us
            ));
        }
        if p.break_it == BreakIt::BestEffort && p.sync != Mode::Op {
            return Err(
                "`protocol.break_it` \"best_effort\" breaks op-based CRDTs: set `protocol.sync` to \"op\""
                    .to_string(),
            );
        }
        Ok(())
    }

    fn example_request() -> Option<CrdtRequest> {
        Some(CrdtRequest::Read)
    }

    fn msg_label(msg: &CrdtMsg) -> String {
        match msg {
            CrdtMsg::State { replica, .. } => format!("state {}", replica.value()),
            CrdtMsg::Op(sent) => format!("{} {}", sent.id, describe(&sent.op)),
            CrdtMsg::Digest { clock } => format!("have {clock:?}"),
        }
    }

    fn timer_name(_timer: &CrdtTimer) -> &'static str {
        "sync"
    }

    fn view(&self) -> NodeView {
        let mut fields = vec![
            ("type".to_string(), self.params.crdt.describe().to_string()),
            ("sync".to_string(), self.params.sync.to_string()),
            ("value".to_string(), self.replica.value()),
            (
                "updates included".to_string(),
                self.includes.len().to_string(),
            ),
        ];
        if self.op_based() {
            fields.push(("vector clock".to_string(), format!("{:?}", self.clock)));
        }
        let mut tables = vec![ViewTable {
            title: "Replica state".into(),
            columns: vec!["part".into(), "holds".into()],
            rows: self
                .replica
                .rows()
                .into_iter()
                .map(|(name, value)| vec![name, value])
                .collect(),
        }];
        if !self.held.is_empty() {
            tables.push(ViewTable {
                title: "Held back until their causes arrive".into(),
                columns: vec!["operation".into(), "needs".into()],
                rows: self
                    .held
                    .iter()
                    .map(|s| {
                        vec![
                            format!("{} {}", s.id, describe(&s.op)),
                            format!("{:?}", s.deps),
                        ]
                    })
                    .collect(),
            });
        }
        NodeView {
            role: Some("replica".into()),
            fields,
            tables,
            log: Vec::new(),
        }
    }

    fn editable_text(&self) -> Option<String> {
        self.replica.text()
    }

    fn properties(params: &CrdtParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all(params)
    }

    fn generate_request(seq: u64, rng: &mut crate::engine::rng::SimRng) -> Option<CrdtRequest> {
        // Reads and updates of every type; a replica rejects the ones its type does not take, so
        // the generator need not know the type. A third are reads.
        let pick = rng.index(9);
        let word = ["a", "b", "c"][rng.index(3)].to_string();
        Some(match pick {
            0..=2 => CrdtRequest::Read,
            3 => CrdtRequest::Inc(1 + seq % 3),
            4 => CrdtRequest::Dec(1),
            5 => CrdtRequest::Set(format!("v{seq}")),
            6 if rng.index(2) == 0 => CrdtRequest::Remove(word),
            6 => CrdtRequest::Add(word),
            7 => CrdtRequest::Insert {
                at: rng.index(6),
                text: word,
            },
            _ => CrdtRequest::Delete {
                at: rng.index(6),
                len: 1,
            },
        })
    }
}

/// An operation in a few words, for its message and the held-back table.
fn describe(op: &Op) -> String {
    match op {
        Op::Inc { by, .. } => format!("inc {by}"),
        Op::Dec { by, .. } => format!("dec {by}"),
        Op::Set { value, .. } => format!("set {value:?}"),
        Op::Add { elem, .. } => format!("add {elem}"),
        Op::Remove { elem, tags } => format!(
            "remove {elem} ({} tag{})",
            tags.len(),
            if tags.len() == 1 { "" } else { "s" }
        ),
        Op::Insert { chars, .. } => {
            format!(
                "insert {:?}",
                chars.iter().map(|(_, c)| *c).collect::<String>()
            )
        }
        Op::Delete { ids } => format!("delete {} chars", ids.len()),
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::State => "state-based",
            Mode::Op => "op-based",
        })
    }
}
