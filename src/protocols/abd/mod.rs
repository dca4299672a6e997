//! ABD (Attiya, Bar-Noy and Dolev), a linearizable register over quorums, without a leader or a
//! log. Every node is a replica, keeping per key a value and its tag (a timestamp and the writer
//! that chose it, ordered by timestamp then writer), and every node coordinates the client
//! operations sent to it, in two phases each:
//!
//! - a write asks a quorum for their tags (phase one), picks a timestamp above the highest (and
//!   above any it picked before), and stores the value with that tag at a quorum (phase two)
//!   before answering;
//! - a read asks a quorum for their tagged values (phase one), takes the newest, and writes it
//!   back to a quorum (phase two) before answering, unless every reply already held that tag.
//!
//! The default quorum is a majority, so any two quorums share a replica: a read's phase one meets
//! the quorum of every completed write, and of every read that returned. A replica adopts a value
//! only with a newer tag, and keeps its registers in stable storage. The coordinator resends a
//! phase's messages every `resend_us` to the replicas that have not answered. Clients do not
//! retry: a write retried at another node could take effect twice.
//!
//! Break it: `skip_write_back` lets a read return after phase one, so a read can return a value
//! that only a minority holds and a later read the older one (a new-old inversion); a `quorum`
//! of half the nodes or fewer lets a read miss a completed write.

mod properties;
mod view;

use crate::engine::ids::{NodeId, OpId, RequestId};
use crate::engine::protocol::{NodeView, Property, Protocol, RequestInfo};
use crate::engine::register::{RegisterInput, RegisterOutput};
use crate::engine::rng::SimRng;
use crate::engine::sim::Ctx;
use crate::protocols::kv::shown;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbdParams {
    /// Replies each phase waits for; a majority of the nodes when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u32>,
    /// How long a coordinator waits before resending a phase's messages to the replicas that
    /// have not answered.
    #[serde(default = "default_resend")]
    pub resend_us: u64,
    /// Requests made once faults have healed must complete within this bound.
    #[serde(default = "default_liveness_bound")]
    pub liveness_bound_us: u64,
    #[serde(default, skip_serializing_if = "BreakIt::is_none")]
    pub break_it: BreakIt,
}

fn default_resend() -> u64 {
    100_000
}

fn default_liveness_bound() -> u64 {
    2_000_000
}

impl Default for AbdParams {
    fn default() -> Self {
        AbdParams {
            quorum: None,
            resend_us: default_resend(),
            liveness_bound_us: default_liveness_bound(),
            break_it: BreakIt::None,
        }
    }
}

impl AbdParams {
    /// The quorum for `nodes` nodes.
    pub fn quorum(&self, nodes: u32) -> u32 {
        self.quorum.unwrap_or(nodes / 2 + 1)
    }
}

/// A rule of ABD a student can remove.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakIt {
    #[default]
    None,
    /// A read returns the newest value of its phase one without writing it back.
    SkipWriteBack,
}

impl BreakIt {
    fn is_none(&self) -> bool {
        *self == BreakIt::None
    }
}

/// A value's version: a timestamp, and the writer that chose it to break ties.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Tag {
    pub ts: u64,
    pub writer: NodeId,
}

impl Default for Tag {
    /// The tag of a register never written.
    fn default() -> Self {
        Tag {
            ts: 0,
            writer: NodeId(0),
        }
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ts == 0 {
            write!(f, "(0)")
        } else {
            write!(f, "({},{})", self.ts, self.writer)
        }
    }
}

/// A replica's copy of one key: the value (none before the first write) and its tag.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq, Serialize)]
pub struct Register {
    pub tag: Tag,
    pub value: Option<String>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbdMsg {
    /// Phase one: what do you hold for `key`?
    Query { op: OpId, key: String },
    /// A replica's answer to a query.
    Current {
        op: OpId,
        key: String,
        register: Register,
    },
    /// Phase two: store this tagged value unless you hold a newer one.
    Store {
        op: OpId,
        key: String,
        register: Register,
    },
    /// A replica holds the stored tag or a newer one.
    Stored { op: OpId },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum AbdTimer {
    /// Resend each open phase's message to the replicas that have not answered.
    Resend,
}

/// A client operation on one register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AbdRequest {
    Write { key: String, value: String },
    Read { key: String },
}

impl AbdRequest {
    pub fn key(&self) -> &str {
        match self {
            AbdRequest::Write { key, .. } | AbdRequest::Read { key } => key,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbdResponse {
    Written,
    /// A read's result (`null` when the key was never written).
    Value(Option<String>),
}

/// What survives a crash: every register, and the highest timestamp this node has chosen for a
/// write, so that it never chooses the same one twice (two writes it coordinates at once, or one
/// before a crash and one after, would otherwise share a tag with different values).
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct AbdStable {
    pub registers: BTreeMap<String, Register>,
    pub chosen: u64,
}

/// What a node notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum AbdNote {
    /// A coordinator has a quorum of phase-one replies: the newest is `register`; `agreed` when
    /// every reply held its tag.
    Queried {
        op: OpId,
        key: String,
        register: Register,
        agreed: bool,
    },
    /// A coordinator starts phase two: a write's new value, or a read's write-back.
    Stores {
        op: OpId,
        key: String,
        register: Register,
        write_back: bool,
    },
    /// A replica adopts a newer value.
    Adopts { key: String, register: Register },
    /// Break it: a read returns without writing back.
    SkipsWriteBack { op: OpId, key: String },
}

impl fmt::Display for AbdNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbdNote::Queried {
                op,
                key,
                register,
                agreed,
            } => {
                write!(
                    f,
                    "{op}: newest {key} is {} {}",
                    shown(register.value.as_deref()),
                    register.tag
                )?;
                if !agreed {
                    write!(f, " (replies differ)")?;
                }
                Ok(())
            }
            AbdNote::Stores {
                op,
                key,
                register,
                write_back,
            } => {
                let verb = if *write_back { "writes back" } else { "writes" };
                write!(
                    f,
                    "{op}: {verb} {key}={} {}",
                    shown(register.value.as_deref()),
                    register.tag
                )
            }
            AbdNote::Adopts { key, register } => {
                write!(
                    f,
                    "{key} = {} {}",
                    shown(register.value.as_deref()),
                    register.tag
                )
            }
            AbdNote::SkipsWriteBack { op, key } => {
                write!(f, "{op}: returns {key} without writing back")
            }
        }
    }
}

/// What a coordinated operation wants.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Want {
    Write(String),
    Read,
}

/// Where a coordinated operation is.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Phase {
    /// Phase one, with the replies so far.
    Query(BTreeMap<NodeId, Register>),
    /// Phase two: the tagged value being stored and the replicas that hold it.
    Store(Register, BTreeSet<NodeId>),
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Pending {
    request: RequestId,
    key: String,
    want: Want,
    phase: Phase,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Abd {
    id: NodeId,
    nodes: u32,
    params: AbdParams,
    /// A copy of stable storage's registers, for the inspector and the replies.
    registers: BTreeMap<String, Register>,
    /// The operations this node coordinates, by operation.
    pending: BTreeMap<OpId, Pending>,
    resending: bool,
}

impl Abd {
    fn quorum(&self) -> usize {
        self.params.quorum(self.nodes) as usize
    }

    fn register(&self, key: &str) -> Register {
        self.registers.get(key).cloned().unwrap_or_default()
    }

    /// The replica's side of a store: adopts `register` if it is newer than what it holds.
    fn adopt(&mut self, ctx: &mut Ctx<'_, Self>, key: &str, register: &Register) {
        if register.tag <= self.register(key).tag {
            return;
        }
        ctx.persist("register", |s| {
            s.registers.insert(key.to_string(), register.clone());
        });
        self.registers.insert(key.to_string(), register.clone());
        ctx.note(AbdNote::Adopts {
            key: key.to_string(),
            register: register.clone(),
        });
    }

    /// Starts phase one of `op`, with this node's own reply counted at once.
    fn query(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId) {
        let Some(pending) = self.pending.get_mut(&op) else {
            return;
        };
        let key = pending.key.clone();
        let own = self.registers.get(&key).cloned().unwrap_or_default();
        pending.phase = Phase::Query(BTreeMap::from([(self.id, own)]));
        ctx.broadcast(AbdMsg::Query { op, key });
        self.arm(ctx);
        self.advance(ctx, op);
    }

    /// Starts phase two of `op`: stores `register` here, then at the others.
    fn store(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId, register: Register, write_back: bool) {
        let Some(key) = self.pending.get(&op).map(|p| p.key.clone()) else {
            return;
        };
        ctx.note(AbdNote::Stores {
            op,
            key: key.clone(),
            register: register.clone(),
            write_back,
        });
        self.adopt(ctx, &key, &register);
        if let Some(pending) = self.pending.get_mut(&op) {
            pending.phase = Phase::Store(register.clone(), BTreeSet::from([self.id]));
        }
        ctx.broadcast(AbdMsg::Store { op, key, register });
        self.advance(ctx, op);
    }

    /// Moves `op` on once its phase has a quorum.
    fn advance(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId) {
        let quorum = self.quorum();
        let Some(pending) = self.pending.get(&op) else {
            return;
        };
        match &pending.phase {
            Phase::Query(replies) if replies.len() >= quorum => {
                let newest = replies
                    .values()
                    .max_by_key(|r| r.tag)
                    .cloned()
                    .unwrap_or_default();
                let agreed = replies.values().all(|r| r.tag == newest.tag);
                let key = pending.key.clone();
                let want = pending.want.clone();
                ctx.note(AbdNote::Queried {
                    op,
                    key: key.clone(),
                    register: newest.clone(),
                    agreed,
                });
                match want {
                    Want::Write(value) => {
                        let ts = newest.tag.ts.max(ctx.stable().chosen) + 1;
                        ctx.persist("timestamp", |s| s.chosen = ts);
                        let tag = Tag {
                            ts,
                            writer: self.id,
                        };
                        let register = Register {
                            tag,
                            value: Some(value),
                        };
                        self.store(ctx, op, register, false);
                    }
                    // Every reply of a quorum holds the newest tag: it is at a quorum already.
                    Want::Read if agreed => self.finish(ctx, op, newest.value),
                    Want::Read if self.params.break_it == BreakIt::SkipWriteBack => {
                        ctx.note(AbdNote::SkipsWriteBack { op, key });
                        self.finish(ctx, op, newest.value);
                    }
                    Want::Read => self.store(ctx, op, newest, true),
                }
            }
            Phase::Store(register, acks) if acks.len() >= quorum => {
                let value = register.value.clone();
                self.finish(ctx, op, value);
            }
            _ => {}
        }
    }

    /// Answers the client of `op`: a read with `value`.
    fn finish(&mut self, ctx: &mut Ctx<'_, Self>, op: OpId, value: Option<String>) {
        let Some(pending) = self.pending.remove(&op) else {
            return;
        };
        let response = match pending.want {
            Want::Write(_) => AbdResponse::Written,
            Want::Read => AbdResponse::Value(value),
        };
        ctx.reply(pending.request, response);
    }

    /// Keeps the resend timer running while some operation is open.
    fn arm(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !self.resending && !self.pending.is_empty() {
            self.resending = true;
            ctx.set_timer(self.params.resend_us, AbdTimer::Resend);
        }
    }
}

impl Protocol for Abd {
    type Msg = AbdMsg;
    type Timer = AbdTimer;
    type Request = AbdRequest;
    type Response = AbdResponse;
    type Stable = AbdStable;
    type Params = AbdParams;
    type Note = AbdNote;

    const NAME: &'static str = "abd";

    fn new(id: NodeId, nodes: u32, params: &AbdParams) -> Self {
        Abd {
            id,
            nodes,
            params: params.clone(),
            registers: BTreeMap::new(),
            pending: BTreeMap::new(),
            resending: false,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.registers = ctx.stable().registers.clone();
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &AbdMsg) {
        match msg {
            AbdMsg::Query { op, key } => {
                let register = self.register(key);
                ctx.send(
                    from,
                    AbdMsg::Current {
                        op: *op,
                        key: key.clone(),
                        register,
                    },
                );
            }
            AbdMsg::Current { op, register, .. } => {
                if let Some(Pending {
                    phase: Phase::Query(replies),
                    ..
                }) = self.pending.get_mut(op)
                {
                    replies.insert(from, register.clone());
                    self.advance(ctx, *op);
                }
            }
            AbdMsg::Store { op, key, register } => {
                self.adopt(ctx, key, register);
                ctx.send(from, AbdMsg::Stored { op: *op });
            }
            AbdMsg::Stored { op } => {
                if let Some(Pending {
                    phase: Phase::Store(_, acks),
                    ..
                }) = self.pending.get_mut(op)
                {
                    acks.insert(from);
                    self.advance(ctx, *op);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: AbdTimer) {
        let AbdTimer::Resend = timer;
        self.resending = false;
        let peers: Vec<NodeId> = ctx.peers().collect();
        for (&op, pending) in &self.pending {
            let (msg, answered) = match &pending.phase {
                Phase::Query(replies) => (
                    AbdMsg::Query {
                        op,
                        key: pending.key.clone(),
                    },
                    replies.keys().copied().collect::<BTreeSet<_>>(),
                ),
                Phase::Store(register, acks) => (
                    AbdMsg::Store {
                        op,
                        key: pending.key.clone(),
                        register: register.clone(),
                    },
                    acks.clone(),
                ),
            };
            for &peer in peers.iter().filter(|p| !answered.contains(p)) {
                ctx.send(peer, msg.clone());
            }
        }
        self.arm(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &AbdRequest) {
        let want = match op {
            AbdRequest::Write { value, .. } => Want::Write(value.clone()),
            AbdRequest::Read { .. } => Want::Read,
        };
        self.pending.insert(
            req.op,
            Pending {
                request: req.id,
                key: op.key().to_string(),
                want,
                phase: Phase::Query(BTreeMap::new()),
            },
        );
        self.query(ctx, req.op);
    }

    fn validate(p: &AbdParams, nodes: u32) -> Result<(), String> {
        if let Some(quorum) = p.quorum
            && (quorum == 0 || quorum > nodes)
        {
            return Err(format!(
                "`protocol.quorum` is {quorum}, but must be from 1 to the number of nodes ({nodes})"
            ));
        }
        if p.resend_us < 1_000 || p.resend_us > 600_000_000 {
            return Err(format!(
                "`protocol.resend_us` is {}, but must be from 1ms to 10 minutes",
                p.resend_us
            ));
        }
        if p.liveness_bound_us < 1_000 || p.liveness_bound_us > 3_600_000_000 {
            return Err(format!(
                "`protocol.liveness_bound_us` is {}, but must be from 1ms to 1 hour",
                p.liveness_bound_us
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<AbdRequest> {
        Some(AbdRequest::Write {
            key: "x".into(),
            value: "1".into(),
        })
    }

    fn msg_label(msg: &AbdMsg) -> String {
        match msg {
            AbdMsg::Query { key, .. } => format!("query {key}"),
            AbdMsg::Current { key, register, .. } => {
                format!(
                    "{key}={} {}",
                    shown(register.value.as_deref()),
                    register.tag
                )
            }
            AbdMsg::Store { key, register, .. } => {
                format!(
                    "store {key}={} {}",
                    shown(register.value.as_deref()),
                    register.tag
                )
            }
            AbdMsg::Stored { .. } => "stored".to_string(),
        }
    }

    fn timer_name(_timer: &AbdTimer) -> &'static str {
        "resend"
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &AbdParams) -> Vec<Box<dyn Property<Self>>> {
        properties::all(params)
    }

    fn generate_request(seq: u64, rng: &mut SimRng) -> Option<AbdRequest> {
        let key = ["x", "y"][rng.index(2)].to_string();
        Some(if rng.range_u64(0, 2) == 0 {
            AbdRequest::Write {
                key,
                value: seq.to_string(),
            }
        } else {
            AbdRequest::Read { key }
        })
    }

    fn register_op(request: &AbdRequest) -> Option<(&str, RegisterInput)> {
        Some(match request {
            AbdRequest::Write { key, value } => (key.as_str(), RegisterInput::Write(value.clone())),
            AbdRequest::Read { key } => (key.as_str(), RegisterInput::Read),
        })
    }

    fn register_answer(response: &AbdResponse) -> Option<RegisterOutput> {
        Some(match response {
            AbdResponse::Written => RegisterOutput::Written,
            AbdResponse::Value(value) => RegisterOutput::Value(value.clone()),
        })
    }
}
