//! Remote procedure calls and their semantics. The last node is a bank server holding account
//! balances on stable storage; every other node is a client that turns each client request into a
//! call to the server, with the retry logic the `semantics` parameter picks:
//!
//! - `at_most_once`: send once; if no reply comes within `timeout_us`, give up without knowing
//!   whether the call took effect.
//! - `at_least_once`: resend the call until a reply comes (at most `max_attempts` times); the server
//!   executes every copy it receives, so a lost *reply* makes a transfer happen twice.
//! - `exactly_once`: resend as above, with the same call id every time; the server keeps a table
//!   of answered call ids and resends the saved reply for a duplicate. With `durable_dedup: false`
//!   (the "break it" variant) that table lives in memory and a crash erases it.
//!
//! Clients are nodes rather than the engine's workload retries because the lesson is the client's
//! own retry logic: every attempt and every reply is an arrow on the diagram that can be dropped.

use crate::engine::ids::{EventId, NodeId, RequestId, TimerId};
use crate::engine::property::sometimes;
use crate::engine::protocol::{
    CheckCx, NodeView, Property, PropertyKind, Protocol, RequestInfo, Verdict, ViewTable,
};
use crate::engine::sim::Ctx;
use crate::engine::trace::{EventKind, Kinds};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Every account starts with this balance the first time it is named.
pub const OPENING_BALANCE: i64 = 100;

#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Semantics {
    AtMostOnce,
    #[default]
    AtLeastOnce,
    ExactlyOnce,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpcParams {
    #[serde(default)]
    pub semantics: Semantics,
    /// How long a client waits for a reply (on its own clock) before resending or giving up.
    #[serde(default = "default_timeout")]
    pub timeout_us: u64,
    /// Attempts per call, the first included (at-most-once always makes one).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Exactly-once: keep the table of answered calls on stable storage. `false` keeps it in
    /// memory, so a server crash forgets which calls it already executed.
    #[serde(default = "default_durable_dedup")]
    pub durable_dedup: bool,
}

fn default_timeout() -> u64 {
    100_000
}

fn default_max_attempts() -> u32 {
    4
}

fn default_durable_dedup() -> bool {
    true
}

impl Default for RpcParams {
    fn default() -> Self {
        RpcParams {
            semantics: Semantics::default(),
            timeout_us: default_timeout(),
            max_attempts: default_max_attempts(),
            durable_dedup: default_durable_dedup(),
        }
    }
}

/// What a node notes: on the server, a call executed or a duplicate answered from the saved reply;
/// on the client, a late reply, a call left in doubt, a call given up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum RpcNote {
    Executes {
        call: CallId,
        attempt: u32,
        from: String,
        from_balance: i64,
        to: String,
        to_balance: i64,
    },
    Duplicate {
        call: CallId,
        attempt: u32,
    },
    IgnoresLateReply {
        call: CallId,
    },
    NoReply {
        call: CallId,
    },
    GivesUp {
        call: CallId,
        attempts: u32,
    },
}

impl fmt::Display for RpcNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcNote::Executes {
                call,
                attempt,
                from,
                from_balance,
                to,
                to_balance,
            } => write!(
                f,
                "executes {call} (attempt {attempt}): {from} {from_balance}, {to} {to_balance}"
            ),
            RpcNote::Duplicate { call, attempt } => write!(
                f,
                "duplicate {call} (attempt {attempt}): resends the saved reply"
            ),
            RpcNote::IgnoresLateReply { call } => write!(f, "ignores a late reply to {call}"),
            RpcNote::NoReply { call } => {
                write!(f, "no reply to {call}: did it happen? Nobody knows")
            }
            RpcNote::GivesUp { call, attempts } => {
                write!(f, "gives up on {call} after {attempts} attempts")
            }
        }
    }
}

/// A call's identity, the same for every attempt: the client, its incarnation, and a number.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CallId {
    pub client: NodeId,
    pub incarnation: u32,
    pub seq: u32,
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.incarnation <= 1 {
            write!(f, "{}#{}", self.client, self.seq)
        } else {
            write!(f, "{}#{}.{}", self.client, self.incarnation, self.seq)
        }
    }
}

/// A client operation: move money (not idempotent) or read a balance (idempotent).
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RpcRequest {
    Transfer {
        from: String,
        to: String,
        amount: i64,
    },
    Balance(String),
}

impl fmt::Display for RpcRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RpcRequest::Transfer { from, to, amount } => write!(f, "{from} → {to} {amount}"),
            RpcRequest::Balance(account) => write!(f, "balance of {account}"),
        }
    }
}

/// What the server answers.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RpcResult {
    Transferred { from_balance: i64, to_balance: i64 },
    InsufficientFunds { balance: i64 },
    Balance { balance: i64 },
}

/// What the client tells whoever asked it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RpcResponse {
    Done {
        call: CallId,
        attempts: u32,
        result: RpcResult,
    },
    /// At-most-once timed out: the call may or may not have taken effect.
    Unknown { call: CallId },
    /// Every attempt timed out.
    GaveUp { call: CallId, attempts: u32 },
    /// The server node makes no calls.
    NotAClient,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RpcMsg {
    Call {
        id: CallId,
        attempt: u32,
        op: RpcRequest,
    },
    Reply {
        id: CallId,
        result: RpcResult,
    },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum RpcTimer {
    /// No reply yet for this call number.
    Retry(u32),
}

/// Survives crashes. Clients keep their incarnation (so call ids are never reused); the server
/// keeps balances, the history of executed transfers and, when durable, the table of answered calls.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq)]
pub struct RpcStable {
    pub incarnation: u32,
    pub balances: BTreeMap<String, i64>,
    /// Every transfer executed, with the attempt that carried it, in order.
    pub executed: Vec<(CallId, u32)>,
    pub answered: BTreeMap<CallId, RpcResult>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Pending {
    request: RequestId,
    op: RpcRequest,
    attempt: u32,
    timer: TimerId,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Rpc {
    id: NodeId,
    server: NodeId,
    params: RpcParams,
    incarnation: u32,
    next_seq: u32,
    pending: BTreeMap<u32, Pending>,
    /// The server's table of answered calls when it is kept in memory only.
    answered: BTreeMap<CallId, RpcResult>,
    /// A copy of stable storage for the inspector (the view cannot read stable storage).
    balances: BTreeMap<String, i64>,
    executed: usize,
    duplicates: u32,
}

impl Rpc {
    fn is_server(&self) -> bool {
        self.id == self.server
    }

    fn call(&self, ctx: &mut Ctx<'_, Self>, seq: u32, attempt: u32, op: &RpcRequest) -> TimerId {
        let id = CallId {
            client: self.id,
            incarnation: self.incarnation,
            seq,
        };
        ctx.send(
            self.server,
            RpcMsg::Call {
                id,
                attempt,
                op: op.clone(),
            },
        );
        ctx.set_timer(self.params.timeout_us, RpcTimer::Retry(seq))
    }

    fn serve(
        &mut self,
        ctx: &mut Ctx<'_, Self>,
        from: NodeId,
        id: CallId,
        attempt: u32,
        op: &RpcRequest,
    ) {
        let dedup = self.params.semantics == Semantics::ExactlyOnce;
        let saved = if self.params.durable_dedup {
            ctx.stable().answered.get(&id).cloned()
        } else {
            self.answered.get(&id).cloned()
        };
        if let (true, Some(result)) = (dedup, saved) {
            self.duplicates += 1;
            ctx.note(RpcNote::Duplicate { call: id, attempt });
            ctx.send(from, RpcMsg::Reply { id, result });
            return;
        }
        let balance = |stable: &RpcStable, account: &str| {
            stable
                .balances
                .get(account)
                .copied()
                .unwrap_or(OPENING_BALANCE)
        };
        let result = match op {
            RpcRequest::Balance(account) => RpcResult::Balance {
                balance: balance(ctx.stable(), account),
            },
            RpcRequest::Transfer { from, to, amount } => {
                let have = balance(ctx.stable(), from);
                if have < *amount {
                    RpcResult::InsufficientFunds { balance: have }
                } else {
                    let from_balance = have - amount;
                    let to_balance = balance(ctx.stable(), to) + amount;
                    let durable = dedup && self.params.durable_dedup;
                    let result = RpcResult::Transferred {
                        from_balance,
                        to_balance,
                    };
                    let saved = result.clone();
                    ctx.persist("transfer", |s| {
                        s.balances.insert(from.clone(), from_balance);
                        s.balances.insert(to.clone(), to_balance);
                        s.executed.push((id, attempt));
                        if durable {
                            s.answered.insert(id, saved);
                        }
                    });
                    self.balances = ctx.stable().balances.clone();
                    self.executed = ctx.stable().executed.len();
                    ctx.note(RpcNote::Executes {
                        call: id,
                        attempt,
                        from: from.clone(),
                        from_balance,
                        to: to.clone(),
                        to_balance,
                    });
                    result
                }
            }
        };
        if dedup && !self.params.durable_dedup {
            self.answered.insert(id, result.clone());
        }
        ctx.send(from, RpcMsg::Reply { id, result });
    }
}

impl Protocol for Rpc {
    type Msg = RpcMsg;
    type Timer = RpcTimer;
    type Request = RpcRequest;
    type Response = RpcResponse;
    type Stable = RpcStable;
    type Params = RpcParams;
    type Note = RpcNote;

    const NAME: &'static str = "rpc";

    fn new(id: NodeId, nodes: u32, params: &RpcParams) -> Self {
        Rpc {
            id,
            server: NodeId(nodes.saturating_sub(1)),
            params: *params,
            incarnation: 0,
            next_seq: 0,
            pending: BTreeMap::new(),
            answered: BTreeMap::new(),
            balances: BTreeMap::new(),
            executed: 0,
            duplicates: 0,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.is_server() {
            self.balances = ctx.stable().balances.clone();
            self.executed = ctx.stable().executed.len();
        } else {
            ctx.persist("incarnation", |s| s.incarnation += 1);
            self.incarnation = ctx.stable().incarnation;
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &RpcMsg) {
        match msg {
            RpcMsg::Call { id, attempt, op } => {
                if self.is_server() {
                    self.serve(ctx, from, *id, *attempt, op);
                }
            }
            RpcMsg::Reply { id, result } => {
                let current = id.client == self.id && id.incarnation == self.incarnation;
                match self.pending.remove(&id.seq).filter(|_| current) {
                    Some(pending) => {
                        ctx.cancel_timer(pending.timer);
                        ctx.reply(
                            pending.request,
                            RpcResponse::Done {
                                call: *id,
                                attempts: pending.attempt,
                                result: result.clone(),
                            },
                        );
                    }
                    None => ctx.note(RpcNote::IgnoresLateReply { call: *id }),
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: RpcTimer) {
        let RpcTimer::Retry(seq) = timer;
        let Some(mut pending) = self.pending.remove(&seq) else {
            return;
        };
        let call = CallId {
            client: self.id,
            incarnation: self.incarnation,
            seq,
        };
        if self.params.semantics == Semantics::AtMostOnce {
            ctx.note(RpcNote::NoReply { call });
            ctx.reply(pending.request, RpcResponse::Unknown { call });
        } else if pending.attempt >= self.params.max_attempts {
            ctx.note(RpcNote::GivesUp {
                call,
                attempts: pending.attempt,
            });
            ctx.reply(
                pending.request,
                RpcResponse::GaveUp {
                    call,
                    attempts: pending.attempt,
                },
            );
        } else {
            pending.attempt += 1;
            pending.timer = self.call(ctx, seq, pending.attempt, &pending.op);
            self.pending.insert(seq, pending);
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &RpcRequest) {
        if self.is_server() {
            ctx.reply(req.id, RpcResponse::NotAClient);
            return;
        }
        self.next_seq += 1;
        let seq = self.next_seq;
        let timer = self.call(ctx, seq, 1, op);
        self.pending.insert(
            seq,
            Pending {
                request: req.id,
                op: op.clone(),
                attempt: 1,
                timer,
            },
        );
    }

    fn validate(p: &RpcParams, nodes: u32) -> Result<(), String> {
        if nodes < 2 {
            return Err(format!(
                "rpc needs at least 2 nodes (clients, then the server last), but `nodes` is {nodes}"
            ));
        }
        if p.timeout_us < 1_000 || p.timeout_us > 600_000_000 {
            return Err(format!(
                "`protocol.timeout_us` is {}, but must be from 1ms to 10 minutes",
                p.timeout_us
            ));
        }
        if p.max_attempts == 0 || p.max_attempts > 100 {
            return Err(format!(
                "`protocol.max_attempts` is {}, but must be from 1 to 100",
                p.max_attempts
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<RpcRequest> {
        Some(RpcRequest::Transfer {
            from: "alice".into(),
            to: "bob".into(),
            amount: 30,
        })
    }

    fn msg_label(msg: &RpcMsg) -> String {
        match msg {
            RpcMsg::Call { id, attempt: 1, op } => format!("{id} {op}"),
            RpcMsg::Call { id, attempt, op } => format!("{id} {op} (retry {})", attempt - 1),
            RpcMsg::Reply { id, result } => match result {
                RpcResult::Transferred { .. } => format!("{id} ok"),
                RpcResult::InsufficientFunds { .. } => format!("{id} insufficient funds"),
                RpcResult::Balance { balance } => format!("{id} = {balance}"),
            },
        }
    }

    fn timer_name(_timer: &RpcTimer) -> &'static str {
        "retry"
    }

    fn view(&self) -> NodeView {
        if self.is_server() {
            let semantics = match self.params.semantics {
                Semantics::ExactlyOnce if self.params.durable_dedup => {
                    "exactly-once (durable table)"
                }
                Semantics::ExactlyOnce => "exactly-once (table in memory: broken on purpose)",
                Semantics::AtLeastOnce => "at-least-once (no table)",
                Semantics::AtMostOnce => "at-most-once (no table)",
            };
            return NodeView {
                role: Some("server".into()),
                fields: vec![
                    ("semantics".into(), semantics.into()),
                    ("transfers executed".into(), self.executed.to_string()),
                    ("duplicates recognised".into(), self.duplicates.to_string()),
                    (
                        "calls in memory table".into(),
                        self.answered.len().to_string(),
                    ),
                ],
                tables: vec![ViewTable {
                    title: "Balances".into(),
                    columns: vec!["account".into(), "balance".into()],
                    rows: self
                        .balances
                        .iter()
                        .map(|(a, b)| vec![a.clone(), b.to_string()])
                        .collect(),
                }],
                log: Vec::new(),
            };
        }
        NodeView {
            role: Some(
                if self.pending.is_empty() {
                    "idle"
                } else {
                    "waiting"
                }
                .into(),
            ),
            fields: vec![
                ("incarnation".into(), self.incarnation.to_string()),
                ("calls made".into(), self.next_seq.to_string()),
            ],
            tables: vec![ViewTable {
                title: "Waiting for a reply".into(),
                columns: vec!["call".into(), "operation".into(), "attempt".into()],
                rows: self
                    .pending
                    .iter()
                    .map(|(seq, p)| {
                        let id = CallId {
                            client: self.id,
                            incarnation: self.incarnation,
                            seq: *seq,
                        };
                        vec![id.to_string(), p.op.to_string(), p.attempt.to_string()]
                    })
                    .collect(),
            }],
            log: Vec::new(),
        }
    }

    fn properties(_params: &RpcParams) -> Vec<Box<dyn Property<Self>>> {
        vec![
            Box::new(EffectAtMostOnce::default()),
            Box::new(OutcomeKnown),
            sometimes(
                "A transfer",
                "The server executes a transfer, so Effect at most once has an effect to count.",
                Kinds::ANNOTATE,
                |cx| {
                    cx.new_events()
                        .any(|(event, _)| matches!(cx.note(event), Some(RpcNote::Executes { .. })))
                },
            ),
        ]
    }

    fn generate_request(seq: u64, _rng: &mut crate::engine::rng::SimRng) -> Option<RpcRequest> {
        Some(RpcRequest::Transfer {
            from: "alice".into(),
            to: "bob".into(),
            amount: 1 + (seq % 10) as i64,
        })
    }
}

/// Always: the server executes each call at most once, however many copies of it arrive.
#[derive(Clone, Debug, Default)]
struct EffectAtMostOnce {
    executed: BTreeMap<CallId, EventId>,
}

impl Property<Rpc> for EffectAtMostOnce {
    fn name(&self) -> &'static str {
        "Effect at most once"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "Each call takes effect at most once: no transfer is executed twice because a copy was resent."
    }

    fn check(&mut self, cx: &CheckCx<'_, Rpc>) -> Verdict {
        for (event, e) in cx.new_events() {
            let (Some(node), EventKind::Annotate { .. }) = (e.node, &e.kind) else {
                continue;
            };
            let Some(&RpcNote::Executes {
                call: id, attempt, ..
            }) = cx.note(event)
            else {
                continue;
            };
            if let Some(first) = self.executed.insert(id, event) {
                return Verdict::Violated {
                    message: format!(
                        "call {id} took effect twice: {node} executed it again on attempt {attempt}"
                    ),
                    involved: vec![first, event],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Rpc>> {
        Box::new(self.clone())
    }
}

/// Always: every client learns the outcome of its call; an at-most-once timeout or a give-up
/// leaves it in doubt.
#[derive(Clone, Debug)]
struct OutcomeKnown;

impl Property<Rpc> for OutcomeKnown {
    fn name(&self) -> &'static str {
        "Outcome known"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "Every call ends with a reply from the server, so the client knows whether it took effect."
    }

    fn check(&mut self, cx: &CheckCx<'_, Rpc>) -> Verdict {
        for (event, e) in cx.new_events() {
            let (Some(node), EventKind::Response { .. }) = (e.node, &e.kind) else {
                continue;
            };
            let call = match cx.response(event) {
                Some(RpcResponse::Unknown { call } | RpcResponse::GaveUp { call, .. }) => call,
                _ => continue,
            };
            return Verdict::Violated {
                message: format!("{node} never learned whether call {call} took effect"),
                involved: vec![event],
            };
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Rpc>> {
        Box::new(self.clone())
    }
}
