//! Heartbeats: every node pings every other node periodically and answers pings with pongs. A node
//! that hears nothing from a peer for `timeout_us` (on its own clock) suspects it has crashed, and
//! trusts it again when it hears from it. The simplest failure detector, and the engine's exercise
//! protocol: it uses timers, broadcast, replies, stable storage, client requests and properties.
//!
//! With `adaptive: true` the detector is *eventually perfect*: each time a suspected peer turns out
//! to be alive, the node doubles its timeout for that peer, so after finitely many mistakes a peer
//! that is slow but alive is never suspected again.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::model::Assumption;
use crate::engine::property::sometimes;
use crate::engine::protocol::{
    CheckCx, NodeStatus, NodeView, Property, PropertyKind, Protocol, RequestInfo, Verdict,
    ViewTable,
};
use crate::engine::sim::Ctx;
use crate::engine::time::format_us;
use crate::engine::trace::{EventKind, Kinds};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatParams {
    /// Time between pings, on the node's own clock.
    #[serde(default = "default_interval")]
    pub interval_us: u64,
    /// Silence after which a peer is suspected.
    #[serde(default = "default_timeout")]
    pub timeout_us: u64,
    /// Double a peer's timeout each time suspecting it proves false. Left out of the JSON when
    /// false, so scenarios written before it existed keep their exact form.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adaptive: bool,
    /// Ping and watch only this many successors around the ring (n1 watches n2, n3, …), as a ring
    /// failure detector does, so each node's work stays the same however many nodes there are.
    /// Every peer when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successors: Option<u32>,
}

fn default_interval() -> u64 {
    100_000
}

fn default_timeout() -> u64 {
    350_000
}

impl Default for HeartbeatParams {
    fn default() -> Self {
        HeartbeatParams {
            interval_us: default_interval(),
            timeout_us: default_timeout(),
            adaptive: false,
            successors: None,
        }
    }
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HeartbeatMsg {
    Ping { incarnation: u32, seq: u32 },
    Pong { incarnation: u32, seq: u32 },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum HeartbeatTimer {
    Tick,
}

/// A client asks a node to echo some text back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum EchoRequest {
    Echo(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EchoResponse {
    Echo { text: String, from: NodeId },
}

/// What a node notes: a change in whom its failure detector suspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum HeartbeatNote {
    Suspects {
        peer: NodeId,
    },
    /// Heard from a suspected peer; an adaptive detector also raised that peer's timeout.
    Trusts {
        peer: NodeId,
        raised_timeout_us: Option<u64>,
    },
}

impl std::fmt::Display for HeartbeatNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeartbeatNote::Suspects { peer } => write!(f, "suspects {peer}"),
            HeartbeatNote::Trusts {
                peer,
                raised_timeout_us: Some(timeout),
            } => write!(
                f,
                "trusts {peer} again and raises its timeout to {}",
                format_us(i128::from(*timeout))
            ),
            HeartbeatNote::Trusts {
                peer,
                raised_timeout_us: None,
            } => write!(f, "trusts {peer} again"),
        }
    }
}

/// Survives crashes: how many times this node has started.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq)]
pub struct HeartbeatStable {
    pub incarnation: u32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Heartbeat {
    id: NodeId,
    params: HeartbeatParams,
    incarnation: u32,
    next_seq: u32,
    /// Per peer: monotonic time we last heard from it (`None`: not yet).
    last_heard: Vec<Option<i64>>,
    suspected: Vec<bool>,
    /// Per peer: how long a silence must last before it is suspected.
    timeouts: Vec<u64>,
    started_at: i64,
}

impl Heartbeat {
    /// Peers this node currently suspects.
    pub fn suspects(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.suspected
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| NodeId(i as u32))
    }

    /// How many pings this incarnation has sent.
    pub fn pings_sent(&self) -> u32 {
        self.next_seq
    }

    pub fn incarnation(&self) -> u32 {
        self.incarnation
    }

    /// The peers this node pings and may suspect, in ascending order: its successors around the
    /// ring, or everyone else.
    pub fn watched(&self) -> impl Iterator<Item = NodeId> + use<> {
        let nodes = self.last_heard.len() as u32;
        let me = self.id.0;
        let count = self
            .params
            .successors
            .map_or(nodes - 1, |k| k.min(nodes - 1));
        let wrapped = (me + count + 1).saturating_sub(nodes);
        (0..wrapped)
            .chain(me + 1..=me + count - wrapped)
            .map(NodeId)
    }

    fn heard(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId) {
        self.last_heard[from.index()] = Some(ctx.monotonic());
        if self.suspected[from.index()] {
            self.suspected[from.index()] = false;
            let raised_timeout_us = self.params.adaptive.then(|| {
                let timeout = &mut self.timeouts[from.index()];
                *timeout = timeout.saturating_mul(2);
                *timeout
            });
            ctx.note(HeartbeatNote::Trusts {
                peer: from,
                raised_timeout_us,
            });
        }
    }
}

impl Protocol for Heartbeat {
    type Msg = HeartbeatMsg;
    type Timer = HeartbeatTimer;
    type Request = EchoRequest;
    type Response = EchoResponse;
    type Stable = HeartbeatStable;
    type Params = HeartbeatParams;
    type Note = HeartbeatNote;

    const NAME: &'static str = "heartbeat";

    fn new(id: NodeId, nodes: u32, params: &HeartbeatParams) -> Self {
        Heartbeat {
            id,
            params: *params,
            incarnation: 0,
            next_seq: 0,
            last_heard: vec![None; nodes as usize],
            suspected: vec![false; nodes as usize],
            timeouts: vec![params.timeout_us; nodes as usize],
            started_at: 0,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.persist("incarnation", |s| s.incarnation += 1);
        self.incarnation = ctx.stable().incarnation;
        self.started_at = ctx.monotonic();
        ctx.set_timer(self.params.interval_us, HeartbeatTimer::Tick);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &HeartbeatMsg) {
        self.heard(ctx, from);
        if let HeartbeatMsg::Ping { incarnation, seq } = *msg {
            ctx.send(from, HeartbeatMsg::Pong { incarnation, seq });
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: HeartbeatTimer) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let ping = HeartbeatMsg::Ping {
            incarnation: self.incarnation,
            seq,
        };
        if self.params.successors.is_some() {
            for peer in self.watched() {
                ctx.send(peer, ping);
            }
        } else {
            ctx.broadcast(ping);
        }
        let now = ctx.monotonic();
        for peer in self.watched() {
            let since = self.last_heard[peer.index()].unwrap_or(self.started_at);
            let timeout = self.timeouts[peer.index()] as i64;
            if !self.suspected[peer.index()] && now - since > timeout {
                self.suspected[peer.index()] = true;
                ctx.note(HeartbeatNote::Suspects { peer });
            }
        }
        ctx.set_timer(self.params.interval_us, HeartbeatTimer::Tick);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &EchoRequest) {
        let EchoRequest::Echo(text) = op;
        ctx.reply(
            req.id,
            EchoResponse::Echo {
                text: text.clone(),
                from: self.id,
            },
        );
    }

    fn validate(p: &HeartbeatParams, _nodes: u32) -> Result<(), String> {
        if p.interval_us < 1_000 || p.interval_us > 60_000_000 {
            return Err("`protocol.interval_us` must be from 1ms to 60s".into());
        }
        if p.timeout_us == 0 || p.timeout_us > 600_000_000 {
            return Err("`protocol.timeout_us` must be from 1µs to 10 minutes".into());
        }
        if p.successors == Some(0) {
            return Err(
                "`protocol.successors` must be at least 1 (leave it out to watch every peer)"
                    .into(),
            );
        }
        Ok(())
    }

    fn example_request() -> Option<EchoRequest> {
        Some(EchoRequest::Echo("hello".into()))
    }

    fn fact(note: &HeartbeatNote) -> Option<Fact> {
        Some(match *note {
            HeartbeatNote::Suspects { peer } => Fact::Suspects { peer },
            HeartbeatNote::Trusts { peer, .. } => Fact::Trusts { peer },
        })
    }

    fn msg_label(msg: &HeartbeatMsg) -> String {
        match msg {
            HeartbeatMsg::Ping { seq, .. } => format!("ping {seq}"),
            HeartbeatMsg::Pong { seq, .. } => format!("pong {seq}"),
        }
    }

    fn timer_name(_timer: &HeartbeatTimer) -> &'static str {
        "tick"
    }

    fn view(&self) -> NodeView {
        let suspects: Vec<String> = self.suspects().map(|n| n.to_string()).collect();
        let rows = self
            .watched()
            .map(|peer| {
                let i = peer.index();
                let mut row = vec![
                    peer.to_string(),
                    self.last_heard[i].map_or_else(
                        || "never".to_string(),
                        |t| format!("at {}", format_us(i128::from(t))),
                    ),
                    if self.suspected[i] {
                        "suspected"
                    } else {
                        "trusted"
                    }
                    .to_string(),
                ];
                if self.params.adaptive {
                    row.push(format_us(i128::from(self.timeouts[i])));
                }
                row
            })
            .collect();
        let mut columns = vec![
            "peer".into(),
            "last heard (own clock)".into(),
            "status".into(),
        ];
        if self.params.adaptive {
            columns.push("timeout".into());
        }
        NodeView {
            role: Some(
                if suspects.is_empty() {
                    "trusting"
                } else {
                    "suspecting"
                }
                .to_string(),
            ),
            fields: vec![
                ("incarnation".into(), self.incarnation.to_string()),
                ("pings sent".into(), self.next_seq.to_string()),
                (
                    "suspects".into(),
                    if suspects.is_empty() {
                        "nobody".into()
                    } else {
                        suspects.join(", ")
                    },
                ),
            ],
            tables: vec![ViewTable {
                title: "Peers".into(),
                columns,
                rows,
            }],
            log: Vec::new(),
        }
    }

    fn properties(params: &HeartbeatParams) -> Vec<Box<dyn Property<Self>>> {
        let mut properties: Vec<Box<dyn Property<Self>>> = vec![
            Box::new(EchoIntegrity),
            Box::new(Accuracy),
            Box::new(Completeness {
                detection_us: params.timeout_us + 2 * params.interval_us,
                crashed_since: Vec::new(),
            }),
        ];
        if params.adaptive {
            properties.push(Box::new(EventualAccuracy::default()));
        }
        properties.push(sometimes(
            "A suspicion",
            "Some node suspects a peer, so Accuracy and Completeness have a suspicion to judge.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts()
                    .any(|(_, _, fact)| matches!(fact, Fact::Suspects { .. }))
            },
        ));
        properties
    }

    fn generate_request(seq: u64, _rng: &mut crate::engine::rng::SimRng) -> Option<EchoRequest> {
        Some(EchoRequest::Echo(format!("hello {seq}")))
    }
}

/// Always: every pong a node receives answers a ping that node actually sent in that incarnation.
#[derive(Clone, Debug)]
struct EchoIntegrity;

impl Property<Heartbeat> for EchoIntegrity {
    fn name(&self) -> &'static str {
        "Echo integrity"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "Every pong a node receives answers a ping it sent; the network never invents messages."
    }

    fn check(&mut self, cx: &CheckCx<'_, Heartbeat>) -> Verdict {
        for (id, event) in cx.new_events() {
            let (Some(node), EventKind::Deliver { msg, .. }) = (event.node, &event.kind) else {
                continue;
            };
            let HeartbeatMsg::Pong { incarnation, seq } = *cx.message(*msg) else {
                continue;
            };
            let Some(state) = cx.nodes[node.index()].state() else {
                continue;
            };
            if incarnation > state.incarnation
                || (incarnation == state.incarnation && seq >= state.next_seq)
            {
                return Verdict::Violated {
                    message: format!(
                        "{node} received pong {seq} of incarnation {incarnation}, which it never pinged"
                    ),
                    involved: vec![id],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Heartbeat>> {
        Box::new(self.clone())
    }
}

/// Always: a node only suspects peers that really are crashed. Delays, pauses and partitions break
/// it: that is the lesson of failure detectors in an asynchronous system.
#[derive(Clone, Debug)]
struct Accuracy;

impl Property<Heartbeat> for Accuracy {
    fn name(&self) -> &'static str {
        "Accuracy"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "No node suspects a peer that has not crashed (no false suspicion)."
    }

    /// A timeout detector is perfect only when heartbeats arrive, and arrive in time.
    fn assumes(&self) -> &'static [Assumption] {
        &[Assumption::Synchrony, Assumption::ReliableLinks]
    }

    fn check(&mut self, cx: &CheckCx<'_, Heartbeat>) -> Verdict {
        for (id, event) in cx.new_events() {
            let (Some(node), EventKind::Annotate { .. }) = (event.node, &event.kind) else {
                continue;
            };
            let Some(state) = cx.nodes[node.index()].state() else {
                continue;
            };
            if let Some(peer) = state
                .suspects()
                .find(|p| cx.nodes[p.index()].status() != NodeStatus::Crashed)
            {
                let status = cx.nodes[peer.index()].status();
                let how = if status == NodeStatus::Paused {
                    "only paused"
                } else {
                    "up"
                };
                return Verdict::Violated {
                    message: format!("{node} suspects {peer}, which is {how}: a false suspicion"),
                    involved: vec![id],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Heartbeat>> {
        Box::new(self.clone())
    }
}

/// Eventually: by the end of the run, every node that has been crashed for longer than the detection
/// bound is suspected by every node that is up.
#[derive(Clone, Debug)]
struct Completeness {
    detection_us: u64,
    /// Per node: when it crashed, if it is crashed now.
    crashed_since: Vec<Option<(crate::engine::time::SimTime, EventId)>>,
}

impl Property<Heartbeat> for Completeness {
    fn name(&self) -> &'static str {
        "Completeness"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }

    fn description(&self) -> &'static str {
        "By the end of the run, every crashed node is suspected by every node that is up and watches it."
    }

    fn check(&mut self, cx: &CheckCx<'_, Heartbeat>) -> Verdict {
        if self.crashed_since.len() != cx.nodes.len() {
            self.crashed_since = vec![None; cx.nodes.len()];
        }
        for (id, event) in cx.new_events() {
            match (event.node, &event.kind) {
                (Some(node), EventKind::Crash) => {
                    self.crashed_since[node.index()] = Some((event.time, id))
                }
                (Some(node), EventKind::Restart) => self.crashed_since[node.index()] = None,
                _ => {}
            }
        }
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, Heartbeat>) -> Verdict {
        for (crashed, since) in self.crashed_since.iter().enumerate() {
            let Some((at, event)) = since else {
                continue;
            };
            if cx.now.as_us().saturating_sub(at.as_us()) < self.detection_us {
                continue;
            }
            let peer = NodeId(crashed as u32);
            for node in cx.nodes.iter().filter(|n| n.status() == NodeStatus::Up) {
                if let Some(state) = node.state()
                    && state.watched().any(|w| w == peer)
                    && !state.suspects().any(|s| s == peer)
                {
                    return Verdict::Violated {
                        message: format!(
                            "{} never suspected {peer}, crashed since {at}",
                            node.id()
                        ),
                        involved: vec![*event],
                    };
                }
            }
        }
        Verdict::Satisfied
    }

    fn clone_box(&self) -> Box<dyn Property<Heartbeat>> {
        Box::new(self.clone())
    }
}

/// Eventually (adaptive detectors only): false suspicions stop. At the end of the run no node that is
/// up suspects a peer that has not crashed, and the last false suspicion began before the last
/// quarter of the run.
#[derive(Clone, Debug, Default)]
struct EventualAccuracy {
    last_false: Option<(crate::engine::time::SimTime, EventId)>,
}

impl Property<Heartbeat> for EventualAccuracy {
    fn name(&self) -> &'static str {
        "Eventual accuracy"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Eventually
    }

    fn description(&self) -> &'static str {
        "False suspicions stop: none in the last quarter of the run, and none standing at its end."
    }

    fn check(&mut self, cx: &CheckCx<'_, Heartbeat>) -> Verdict {
        for (id, node, fact) in cx.new_facts() {
            let Fact::Suspects { peer } = *fact else {
                continue;
            };
            if cx.nodes[node.index()].state().is_some()
                && cx.nodes[peer.index()].status() != NodeStatus::Crashed
            {
                self.last_false = Some((cx.events[id.index()].time, id));
            }
        }
        Verdict::Holds
    }

    fn at_end(&mut self, cx: &CheckCx<'_, Heartbeat>) -> Verdict {
        let quiet_from = cx.now.as_us() - cx.now.as_us() / 4;
        if let Some((at, event)) = self.last_false
            && at.as_us() >= quiet_from
        {
            return Verdict::Violated {
                message: format!("a false suspicion still began at {at}, late in the run"),
                involved: vec![event],
            };
        }
        for node in cx.nodes.iter().filter(|n| n.status() == NodeStatus::Up) {
            if let Some(peer) = node.state().and_then(|s| {
                s.suspects()
                    .find(|p| cx.nodes[p.index()].status() != NodeStatus::Crashed)
            }) {
                return Verdict::Violated {
                    message: format!("{} still suspects {peer}, which has not crashed", node.id()),
                    involved: node.last_event().into_iter().collect(),
                };
            }
        }
        Verdict::Satisfied
    }

    fn clone_box(&self) -> Box<dyn Property<Heartbeat>> {
        Box::new(self.clone())
    }
}
