//! Logical clocks. Every node is a process doing three kinds of events: local events, sends and
//! receives, and stamps each with a Lamport timestamp and a vector timestamp. Events come from
//! client requests (`{"local": "a"}`, `{"send": {"to": "n2", "label": "m1"}}`) and, when
//! `auto_every_us` is set, from each node's own random schedule.
//!
//! The rules: before each event a node increments its own entry; a message carries the sender's
//! timestamps; on receipt a node first takes the maximum of its clock and the message's, then
//! increments. `forget_max: true` is the "break it" variant that skips the maximum, which the clock
//! condition checkers catch.

use crate::engine::ids::NodeId;
use crate::engine::property::sometimes;
use crate::engine::protocol::{
    CheckCx, NodeView, OwnStamp, Property, PropertyKind, Protocol, RequestInfo, Verdict, ViewTable,
};
use crate::engine::sim::Ctx;
use crate::engine::trace::{EventKind, Kinds};
use serde::{Deserialize, Serialize};

/// The most events a node keeps for the inspector.
const VIEW_EVENTS: usize = 50;

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogicalParams {
    /// Skip the maximum on receive ("break it").
    #[serde(default)]
    pub forget_max: bool,
    /// Mean time between a node's own random events; 0 means only requested events happen.
    #[serde(default)]
    pub auto_every_us: u64,
    /// How many random events each node makes at most.
    #[serde(default = "default_auto_events")]
    pub auto_events: u32,
    /// The share of random events that are sends (the rest are local).
    #[serde(default = "default_send_ppm")]
    pub send_ppm: u32,
}

fn default_auto_events() -> u32 {
    6
}

fn default_send_ppm() -> u32 {
    600_000
}

impl Default for LogicalParams {
    fn default() -> Self {
        LogicalParams {
            forget_max: false,
            auto_every_us: 0,
            auto_events: default_auto_events(),
            send_ppm: default_send_ppm(),
        }
    }
}

/// Both timestamps of one event.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq, Serialize)]
pub struct Stamp {
    pub lamport: u64,
    pub vector: Vec<u64>,
}

impl Stamp {
    /// This stamp on the event named `name`, for the diagram.
    fn own(&self, name: String) -> OwnStamp {
        OwnStamp {
            name,
            lamport: Some(self.lamport),
            vector: Some(self.vector.clone()),
        }
    }

    pub fn describe(&self) -> String {
        let v: Vec<String> = self.vector.iter().map(u64::to_string).collect();
        format!("L={} V=[{}]", self.lamport, v.join(","))
    }
}

/// What a node notes: a local event or a receive, with the timestamps it took.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum LogicalNote {
    Local {
        label: String,
        stamp: Stamp,
    },
    Receive {
        label: String,
        from: NodeId,
        stamp: Stamp,
    },
}

impl std::fmt::Display for LogicalNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogicalNote::Local { label, stamp } => write!(f, "local {label} {}", stamp.describe()),
            LogicalNote::Receive { label, from, stamp } => {
                write!(f, "receive {label} from {from} {}", stamp.describe())
            }
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct LogicalMsg {
    pub label: String,
    /// The send event's timestamps.
    pub stamp: Stamp,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum LogicalTimer {
    /// Time for this node's next random event.
    Auto,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LogicalRequest {
    /// A local event with this label.
    Local(String),
    /// Send a message with this label.
    Send { to: NodeId, label: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogicalResponse {
    /// The event happened with these timestamps.
    Stamped(Stamp),
    /// A node cannot send to itself.
    NotAPeer,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Logical {
    id: NodeId,
    params: LogicalParams,
    stamp: Stamp,
    /// This node's events, newest last: what, and when in logical time.
    events: Vec<(String, Stamp)>,
    auto_done: u32,
}

impl Logical {
    /// The timestamps of this node's latest event.
    pub fn stamp(&self) -> &Stamp {
        &self.stamp
    }

    fn tick(&mut self) {
        self.stamp.lamport += 1;
        self.stamp.vector[self.id.index()] += 1;
    }

    fn record(&mut self, what: String) {
        if self.events.len() == VIEW_EVENTS {
            self.events.remove(0);
        }
        self.events.push((what, self.stamp.clone()));
    }

    fn local(&mut self, ctx: &mut Ctx<'_, Self>, label: &str) {
        self.tick();
        ctx.note(LogicalNote::Local {
            label: label.to_string(),
            stamp: self.stamp.clone(),
        });
        self.record(format!("local {label}"));
    }

    fn send(&mut self, ctx: &mut Ctx<'_, Self>, to: NodeId, label: &str) {
        self.tick();
        ctx.send(
            to,
            LogicalMsg {
                label: label.to_string(),
                stamp: self.stamp.clone(),
            },
        );
        self.record(format!("send {label} to {to}"));
    }

    fn schedule(&mut self, ctx: &mut Ctx<'_, Self>) {
        let every = self.params.auto_every_us;
        if every > 0 && self.auto_done < self.params.auto_events {
            let after = ctx.rng().range_u64(every / 2, every + every / 2);
            ctx.set_timer(after.max(1), LogicalTimer::Auto);
        }
    }
}

impl Protocol for Logical {
    type Msg = LogicalMsg;
    type Timer = LogicalTimer;
    type Request = LogicalRequest;
    type Response = LogicalResponse;
    type Stable = ();
    type Params = LogicalParams;
    type Note = LogicalNote;

    const NAME: &'static str = "logical";

    fn new(id: NodeId, nodes: u32, params: &LogicalParams) -> Self {
        Logical {
            id,
            params: *params,
            stamp: Stamp {
                lamport: 0,
                vector: vec![0; nodes as usize],
            },
            events: Vec::new(),
            auto_done: 0,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.schedule(ctx);
    }

    /// A receive is the whole step: the checkers read the node's clock after it as the receive's
    /// timestamp.
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &LogicalMsg) {
        if !self.params.forget_max {
            self.stamp.lamport = self.stamp.lamport.max(msg.stamp.lamport);
            for (mine, theirs) in self.stamp.vector.iter_mut().zip(&msg.stamp.vector) {
                *mine = (*mine).max(*theirs);
            }
        }
        self.tick();
        ctx.note(LogicalNote::Receive {
            label: msg.label.clone(),
            from,
            stamp: self.stamp.clone(),
        });
        self.record(format!("receive {} from {from}", msg.label));
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: LogicalTimer) {
        self.auto_done += 1;
        let label = format!("{}.{}", self.id, self.auto_done);
        let nodes = self.stamp.vector.len();
        if nodes > 1 && ctx.rng().chance_ppm(self.params.send_ppm) {
            let pick = ctx.rng().index(nodes - 1);
            let to = ctx.peers().nth(pick).unwrap_or(self.id);
            self.send(ctx, to, &label);
        } else {
            self.local(ctx, &label);
        }
        self.schedule(ctx);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &LogicalRequest) {
        match op {
            LogicalRequest::Local(label) => self.local(ctx, label),
            LogicalRequest::Send { to, label } => {
                if *to == self.id || to.index() >= self.stamp.vector.len() {
                    ctx.reply(req.id, LogicalResponse::NotAPeer);
                    return;
                }
                self.send(ctx, *to, label);
            }
        }
        ctx.reply(req.id, LogicalResponse::Stamped(self.stamp.clone()));
    }

    fn validate(p: &LogicalParams, _nodes: u32) -> Result<(), String> {
        if p.auto_every_us != 0 && !(1_000..=60_000_000).contains(&p.auto_every_us) {
            return Err(format!(
                "`protocol.auto_every_us` is {}, but must be 0 (no random events) or from 1ms to 60s",
                p.auto_every_us
            ));
        }
        if p.auto_events > 1_000 {
            return Err(format!(
                "`protocol.auto_events` is {}, but must be at most 1000",
                p.auto_events
            ));
        }
        if p.send_ppm > 1_000_000 {
            return Err(format!(
                "`protocol.send_ppm` is {}, but a ratio in parts per million is at most 1000000",
                p.send_ppm
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<LogicalRequest> {
        Some(LogicalRequest::Local("a".into()))
    }

    fn own_clock(_params: &LogicalParams) -> Option<&'static str> {
        Some(
            "each node's own Lamport clock L and vector clock V, which tick only at its local events, sends and receives",
        )
    }

    fn note_stamp(note: &LogicalNote) -> Option<OwnStamp> {
        Some(match note {
            LogicalNote::Local { label, stamp } => stamp.own(label.clone()),
            LogicalNote::Receive { label, stamp, .. } => stamp.own(format!("recv {label}")),
        })
    }

    fn msg_stamp(msg: &LogicalMsg) -> Option<OwnStamp> {
        Some(msg.stamp.own(format!("send {}", msg.label)))
    }

    fn msg_label(msg: &LogicalMsg) -> String {
        format!("{} {}", msg.label, msg.stamp.describe())
    }

    fn timer_name(_timer: &LogicalTimer) -> &'static str {
        "next event"
    }

    fn view(&self) -> NodeView {
        let v: Vec<String> = self.stamp.vector.iter().map(u64::to_string).collect();
        let mut fields = vec![
            ("Lamport clock".into(), self.stamp.lamport.to_string()),
            ("vector clock".into(), format!("[{}]", v.join(", "))),
        ];
        if self.params.forget_max {
            fields.push((
                "receive rule".into(),
                "increment only, no max (broken on purpose)".into(),
            ));
        }
        NodeView {
            role: None,
            fields,
            tables: vec![ViewTable {
                title: "Events".into(),
                columns: vec!["event".into(), "Lamport".into(), "vector".into()],
                rows: self
                    .events
                    .iter()
                    .map(|(what, stamp)| {
                        let v: Vec<String> = stamp.vector.iter().map(u64::to_string).collect();
                        vec![
                            what.clone(),
                            stamp.lamport.to_string(),
                            format!("[{}]", v.join(",")),
                        ]
                    })
                    .collect(),
            }],
            log: Vec::new(),
        }
    }

    fn properties(_params: &LogicalParams) -> Vec<Box<dyn Property<Self>>> {
        vec![
            Box::new(LamportCondition),
            Box::new(VectorCondition),
            sometimes(
                "A receive",
                "Some node receives a message, so the clock conditions have a send and a receive to compare.",
                Kinds::DELIVER,
                |cx| {
                    cx.new_events()
                        .any(|(_, e)| matches!(e.kind, EventKind::Deliver { .. }))
                },
            ),
        ]
    }

    fn generate_request(seq: u64, _rng: &mut crate::engine::rng::SimRng) -> Option<LogicalRequest> {
        Some(LogicalRequest::Local(format!("e{seq}")))
    }
}

/// Each receive, with the message's timestamps and the node's clock right after it.
fn receives<'a>(
    cx: &'a CheckCx<'_, Logical>,
) -> impl Iterator<
    Item = (
        crate::engine::ids::EventId,
        crate::engine::ids::EventId,
        NodeId,
        &'a LogicalMsg,
        &'a Stamp,
    ),
> {
    cx.new_events().filter_map(move |(event, e)| {
        let (Some(node), EventKind::Deliver { msg, send, .. }) = (e.node, &e.kind) else {
            return None;
        };
        let state = cx.nodes[node.index()].state()?;
        Some((event, *send, node, cx.message(*msg), state.stamp()))
    })
}

/// Always: if a happens before b then L(a) < L(b). Local ticks make it hold along a process, so it
/// is enough to check that every receive is stamped later than its send.
#[derive(Clone, Debug)]
struct LamportCondition;

impl Property<Logical> for LamportCondition {
    fn name(&self) -> &'static str {
        "Lamport clock condition"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "If event a happens before event b, a's Lamport timestamp is smaller than b's."
    }

    fn check(&mut self, cx: &CheckCx<'_, Logical>) -> Verdict {
        for (event, send, node, msg, stamp) in receives(cx) {
            if stamp.lamport <= msg.stamp.lamport {
                return Verdict::Violated {
                    message: format!(
                        "{node} stamped the receive of {} with L={}, but its send, which happened \
                         before it, has L={}",
                        msg.label, stamp.lamport, msg.stamp.lamport
                    ),
                    involved: vec![send, event],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Logical>> {
        Box::new(self.clone())
    }
}

/// Always: a happens before b exactly when V(a) ≤ V(b) and they differ. For a receive, its vector
/// must dominate the send's.
#[derive(Clone, Debug)]
struct VectorCondition;

impl Property<Logical> for VectorCondition {
    fn name(&self) -> &'static str {
        "Vector clock condition"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "If event a happens before event b, a's vector timestamp is below b's in every entry (and \
         they differ)."
    }

    fn check(&mut self, cx: &CheckCx<'_, Logical>) -> Verdict {
        for (event, send, node, msg, stamp) in receives(cx) {
            let below = msg
                .stamp
                .vector
                .iter()
                .zip(&stamp.vector)
                .all(|(s, r)| s <= r);
            if !below || msg.stamp.vector == stamp.vector {
                let describe = |v: &[u64]| {
                    let v: Vec<String> = v.iter().map(u64::to_string).collect();
                    format!("[{}]", v.join(","))
                };
                return Verdict::Violated {
                    message: format!(
                        "{node} stamped the receive of {} with V={}, which does not dominate its \
                         send's V={}: the vectors call them concurrent, though the send happened \
                         before",
                        msg.label,
                        describe(&stamp.vector),
                        describe(&msg.stamp.vector)
                    ),
                    involved: vec![send, event],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<Logical>> {
        Box::new(self.clone())
    }
}
