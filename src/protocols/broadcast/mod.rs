//! Broadcast: a client asks a node to send a message to every node, and each node *delivers* the
//! messages it receives to its application in some order. The `order` parameter picks the algorithm:
//!
//! - `best_effort`: send once to everyone; a lost message is never delivered there.
//! - `reliable`: eager reliable broadcast; the first time a node receives a message it sends it on
//!   to everyone, so one surviving path is enough.
//! - `gossip`: the first time a node receives a message it forwards it to `fanout` random peers,
//!   for at most `rounds` hops.
//! - `fifo`: messages from one sender are delivered in the order it sent them.
//! - `causal`: a message is delivered only after everything its sender had delivered when it sent
//!   it (vector clocks).
//! - `total_sequencer` and `total_lamport`: every node delivers every message in the same order,
//!   fixed by a sequencer (n1) or by Lamport timestamps with acknowledgements.
//!
//! With `retransmit_us`, reliable broadcast also works over fair-loss links: each node keeps
//! resending a message to every peer it has not heard the message from (or had no `got` from),
//! every `retransmit_us`, so a copy sent again and again gets through.
//!
//! The ordered variants hold messages back until their predecessors arrive; `holdback: false` is the
//! "break it" variant that delivers on receipt, which the order checkers catch.

use crate::checks::broadcast as checks;
use crate::engine::fact::Fact;
use crate::engine::ids::{MAX_NODES, NodeId};
use crate::engine::property::sometimes;
use crate::engine::protocol::{NodeView, OwnStamp, Property, Protocol, RequestInfo};
use crate::engine::sim::Ctx;
use crate::engine::trace::Kinds;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

mod view;

/// The node that orders messages in `total_sequencer`.
pub const SEQUENCER: NodeId = NodeId(0);

/// Which broadcast algorithm every node runs.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    #[default]
    BestEffort,
    Reliable,
    Gossip,
    Fifo,
    Causal,
    TotalSequencer,
    TotalLamport,
}

impl Order {
    pub fn describe(self) -> &'static str {
        match self {
            Order::BestEffort => "best-effort",
            Order::Reliable => "reliable (eager)",
            Order::Gossip => "gossip",
            Order::Fifo => "FIFO",
            Order::Causal => "causal",
            Order::TotalSequencer => "total order (sequencer)",
            Order::TotalLamport => "total order (Lamport timestamps)",
        }
    }
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastParams {
    #[serde(default)]
    pub order: Order,
    /// Hold messages back until their predecessors are delivered. `false` breaks the FIFO, causal
    /// and total orders on purpose.
    #[serde(default = "default_holdback")]
    pub holdback: bool,
    /// Gossip: how many random peers each node forwards a new message to.
    #[serde(default = "default_fanout")]
    pub fanout: u32,
    /// Gossip: how many hops a message travels at most.
    #[serde(default = "default_rounds")]
    pub rounds: u32,
    /// Reliable order over fair-loss links: resend each message to the peers not yet known to
    /// have it, this often (µs). 0: send each copy once.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retransmit_us: u64,
}

fn is_zero(us: &u64) -> bool {
    *us == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The longest retransmission period.
const MAX_RETRANSMIT_US: u64 = 10_000_000;

fn default_holdback() -> bool {
    true
}

fn default_fanout() -> u32 {
    3
}

fn default_rounds() -> u32 {
    4
}

impl Default for BroadcastParams {
    fn default() -> Self {
        BroadcastParams {
            order: Order::default(),
            holdback: default_holdback(),
            fanout: default_fanout(),
            rounds: default_rounds(),
            retransmit_us: 0,
        }
    }
}

/// A broadcast message's identity: who broadcast it and its number among that node's broadcasts
/// (from 1).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MsgRef {
    pub origin: NodeId,
    pub seq: u32,
}

impl fmt::Display for MsgRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.origin, self.seq)
    }
}

/// What a node notes: it delivered a message to its application, `hops` network hops from the
/// origin (shown for gossip, where it is the point).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum BroadcastNote {
    Delivers {
        id: MsgRef,
        text: String,
        hops: u32,
        gossip: bool,
        /// Causal order: the node's vector clock after this delivery.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        clock: Vec<u32>,
    },
}

impl fmt::Display for BroadcastNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let BroadcastNote::Delivers {
            id,
            text,
            hops,
            gossip,
            ..
        } = self;
        if *gossip {
            write!(f, "delivers {id} \"{text}\" after {hops} hops")
        } else {
            write!(f, "delivers {id} \"{text}\"")
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastMsg {
    /// The message itself. `deps` is the causal variant's vector clock (per origin, how many of its
    /// messages the sender had delivered); `ts` the Lamport variant's timestamp; `hops` how far a
    /// gossiped copy has travelled.
    Data {
        id: MsgRef,
        text: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        deps: Vec<u32>,
        ts: u64,
        hops: u32,
        /// A retransmission: the sender has not heard that this node has the message.
        #[serde(default, skip_serializing_if = "is_false")]
        again: bool,
    },
    /// "I have this message": the answer to a retransmitted copy.
    Got { id: MsgRef },
    /// Asks the sequencer to order a message.
    ToSequencer { id: MsgRef, text: String },
    /// The sequencer's copy, with its place in the total order (from 1).
    Sequenced {
        position: u32,
        id: MsgRef,
        text: String,
    },
    /// Lamport total order: "my clock has passed `ts`", so older messages may be delivered.
    Ack { ts: u64 },
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum BroadcastTimer {
    /// Resend the messages some peers have not confirmed.
    Retransmit,
}

/// A client asks a node to broadcast some text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BroadcastRequest {
    Broadcast(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastResponse {
    /// The broadcast has started under this identity.
    Broadcasting { id: MsgRef },
}

/// Survives crashes: how many messages this node has broadcast, so identities are never reused.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq)]
pub struct BroadcastStable {
    pub broadcasts: u32,
}

/// A message received but not yet delivered; `key` is its Lamport timestamp or sequencer position.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct Held {
    id: MsgRef,
    text: String,
    deps: Vec<u32>,
    key: u64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Broadcast {
    id: NodeId,
    params: BroadcastParams,
    /// Every message this node has received or sent, to ignore copies.
    seen: BTreeSet<MsgRef>,
    /// What this node delivered, in delivery order.
    delivered: Vec<(MsgRef, String)>,
    /// Per origin, how many of its messages this node has delivered: the causal vector clock.
    delivered_from: Vec<u32>,
    held: Vec<Held>,
    /// Sequencer: the last position assigned. Others: the last position delivered.
    position: u32,
    lamport: u64,
    /// Lamport order: per node, the highest timestamp heard from it.
    latest: Vec<u64>,
    /// With retransmission: per message, its text and the peers not yet known to have it.
    unconfirmed: BTreeMap<MsgRef, (String, BTreeSet<NodeId>)>,
    /// Whether the retransmission timer is set.
    retransmitting: bool,
}

impl Broadcast {
    fn deliver(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgRef, text: String, hops: u32) {
        if let Some(count) = self.delivered_from.get_mut(id.origin.index()) {
            *count += 1;
        }
        let clock = match self.params.order {
            Order::Causal => self.delivered_from.clone(),
            _ => Vec::new(),
        };
        ctx.note(BroadcastNote::Delivers {
            id,
            text: text.as_str().into(),
            hops,
            gossip: self.params.order == Order::Gossip,
            clock,
        });
        self.delivered.push((id, text));
    }

    fn gossip(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgRef, text: &str, hops: u32) {
        let mut peers: Vec<NodeId> = ctx.peers().collect();
        let fanout = (self.params.fanout as usize).min(peers.len());
        for i in 0..fanout {
            let pick = i + ctx.rng().index(peers.len() - i);
            peers.swap(i, pick);
            ctx.send(
                peers[i],
                BroadcastMsg::Data {
                    id,
                    text: text.to_string(),
                    deps: Vec::new(),
                    ts: 0,
                    hops,
                    again: false,
                },
            );
        }
    }

    /// The sequencer gives a message the next position, sends it to everyone and delivers it.
    fn sequence(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgRef, text: String) {
        self.position += 1;
        ctx.broadcast(BroadcastMsg::Sequenced {
            position: self.position,
            id,
            text: text.as_str().into(),
        });
        self.deliver(ctx, id, text, 0);
    }

    /// Whether this node resends unconfirmed messages (reliable order over fair-loss links).
    fn retransmits(&self) -> bool {
        self.params.order == Order::Reliable && self.params.retransmit_us > 0
    }

    /// Starts waiting for every peer but `except` to confirm it has message `id`.
    fn await_copies(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgRef, text: &str, except: &[NodeId]) {
        let peers: BTreeSet<NodeId> = ctx.peers().filter(|p| !except.contains(p)).collect();
        if peers.is_empty() {
            return;
        }
        self.unconfirmed.insert(id, (text.to_string(), peers));
        if !self.retransmitting {
            self.retransmitting = true;
            ctx.set_timer(self.params.retransmit_us, BroadcastTimer::Retransmit);
        }
    }

    /// `peer` has message `id`: stop resending it there.
    fn confirmed(&mut self, id: MsgRef, peer: NodeId) {
        if let Some((_, peers)) = self.unconfirmed.get_mut(&id) {
            peers.remove(&peer);
            if peers.is_empty() {
                self.unconfirmed.remove(&id);
            }
        }
    }

    /// Why a held message cannot be delivered yet, or `None` if it can.
    fn blocked_by(&self, held: &Held) -> Option<String> {
        let have = |origin: NodeId| self.delivered_from[origin.index()];
        match self.params.order {
            Order::Fifo | Order::Causal => {
                let origin = held.id.origin;
                if have(origin) + 1 < held.id.seq {
                    return Some(format!(
                        "{}",
                        MsgRef {
                            origin,
                            seq: have(origin) + 1
                        }
                    ));
                }
                let missing: Vec<String> = held
                    .deps
                    .iter()
                    .enumerate()
                    .filter(|&(o, &need)| o != origin.index() && need > have(NodeId(o as u32)))
                    .map(|(o, &need)| {
                        let origin = NodeId(o as u32);
                        let seq = have(origin) + 1;
                        if seq == need {
                            format!("{}", MsgRef { origin, seq })
                        } else {
                            format!("{origin}#{seq}…{need}")
                        }
                    })
                    .collect();
                (!missing.is_empty()).then(|| missing.join(", "))
            }
            Order::TotalSequencer => (held.key != u64::from(self.position) + 1)
                .then(|| format!("position {}", self.position + 1)),
            Order::TotalLamport => {
                let waiting: Vec<String> = (0..self.latest.len() as u32)
                    .map(NodeId)
                    .filter(|&q| q != self.id && q != held.id.origin)
                    .filter(|&q| (self.latest[q.index()], q) <= (held.key, held.id.origin))
                    .map(|q| q.to_string())
                    .collect();
                (!waiting.is_empty())
                    .then(|| format!("a later timestamp from {}", waiting.join(", ")))
            }
            Order::BestEffort | Order::Reliable | Order::Gossip => None,
        }
    }

    /// Delivers every held message whose predecessors have been delivered.
    fn release(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !self.params.holdback {
            for held in std::mem::take(&mut self.held) {
                self.deliver(ctx, held.id, held.text, 0);
            }
            return;
        }
        loop {
            let next = if self.params.order == Order::TotalLamport {
                // Only the smallest timestamp can be next; ties are broken by the origin.
                let smallest = (0..self.held.len())
                    .min_by_key(|&i| (self.held[i].key, self.held[i].id.origin));
                smallest.filter(|&i| self.blocked_by(&self.held[i]).is_none())
            } else {
                (0..self.held.len()).find(|&i| self.blocked_by(&self.held[i]).is_none())
            };
            let Some(i) = next else {
                return;
            };
            let held = self.held.remove(i);
            if self.params.order == Order::TotalSequencer {
                self.position += 1;
            }
            self.deliver(ctx, held.id, held.text, 0);
        }
    }

    fn hold(&mut self, ctx: &mut Ctx<'_, Self>, id: MsgRef, text: &str, deps: &[u32], key: u64) {
        self.held.push(Held {
            id,
            text: text.to_string(),
            deps: deps.to_vec(),
            key,
        });
        self.release(ctx);
    }
}

impl Protocol for Broadcast {
    type Msg = BroadcastMsg;
    type Timer = BroadcastTimer;
    type Request = BroadcastRequest;
    type Response = BroadcastResponse;
    type Stable = BroadcastStable;
    type Params = BroadcastParams;
    type Note = BroadcastNote;

    const NAME: &'static str = "broadcast";

    fn new(id: NodeId, nodes: u32, params: &BroadcastParams) -> Self {
        Broadcast {
            id,
            params: *params,
            seen: BTreeSet::new(),
            delivered: Vec::new(),
            delivered_from: vec![0; nodes as usize],
            held: Vec::new(),
            position: 0,
            lamport: 0,
            latest: vec![0; nodes as usize],
            unconfirmed: BTreeMap::new(),
            retransmitting: false,
        }
    }

    fn on_start(&mut self, _ctx: &mut Ctx<'_, Self>) {}

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &BroadcastMsg) {
        match msg {
            BroadcastMsg::Data {
                id,
                text,
                deps,
                ts,
                hops,
                again,
            } => {
                if self.retransmits() {
                    self.confirmed(*id, from);
                    if *again && self.seen.contains(id) {
                        ctx.send(from, BroadcastMsg::Got { id: *id });
                    }
                }
                if self.params.order == Order::TotalLamport {
                    self.lamport = self.lamport.max(*ts) + 1;
                    self.latest[from.index()] = self.latest[from.index()].max(*ts);
                }
                if !self.seen.insert(*id) {
                    return;
                }
                match self.params.order {
                    Order::BestEffort => self.deliver(ctx, *id, text.clone(), 0),
                    Order::Reliable => {
                        if self.retransmits() {
                            ctx.broadcast(BroadcastMsg::Data {
                                id: *id,
                                text: text.as_str().into(),
                                deps: Vec::new(),
                                ts: 0,
                                hops: *hops,
                                again: false,
                            });
                            self.await_copies(ctx, *id, text, &[from, id.origin]);
                        } else {
                            ctx.broadcast(msg.clone());
                        }
                        self.deliver(ctx, *id, text.clone(), 0);
                    }
                    Order::Gossip => {
                        if *hops < self.params.rounds {
                            self.gossip(ctx, *id, text, hops + 1);
                        }
                        self.deliver(ctx, *id, text.clone(), *hops);
                    }
                    Order::Fifo | Order::Causal => self.hold(ctx, *id, text, deps, 0),
                    Order::TotalLamport => {
                        ctx.broadcast(BroadcastMsg::Ack { ts: self.lamport });
                        self.hold(ctx, *id, text, &[], *ts);
                    }
                    Order::TotalSequencer => {}
                }
            }
            BroadcastMsg::ToSequencer { id, text } => {
                if self.id == SEQUENCER && self.seen.insert(*id) {
                    self.sequence(ctx, *id, text.clone());
                }
            }
            BroadcastMsg::Sequenced { position, id, text } => {
                let key = u64::from(*position);
                let fresh = *position > self.position && self.held.iter().all(|h| h.key != key);
                if fresh {
                    self.hold(ctx, *id, text, &[], key);
                }
            }
            BroadcastMsg::Got { id } => self.confirmed(*id, from),
            BroadcastMsg::Ack { ts } => {
                self.lamport = self.lamport.max(*ts);
                self.latest[from.index()] = self.latest[from.index()].max(*ts);
                self.release(ctx);
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: BroadcastTimer) {
        let BroadcastTimer::Retransmit = timer;
        self.retransmitting = false;
        for (&id, (text, peers)) in &self.unconfirmed {
            for &peer in peers {
                ctx.send(
                    peer,
                    BroadcastMsg::Data {
                        id,
                        text: text.as_str().into(),
                        deps: Vec::new(),
                        ts: 0,
                        hops: 1,
                        again: true,
                    },
                );
            }
        }
        if !self.unconfirmed.is_empty() {
            self.retransmitting = true;
            ctx.set_timer(self.params.retransmit_us, BroadcastTimer::Retransmit);
        }
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &BroadcastRequest) {
        let BroadcastRequest::Broadcast(text) = op;
        ctx.persist("broadcasts", |s| s.broadcasts += 1);
        let id = MsgRef {
            origin: self.id,
            seq: ctx.stable().broadcasts,
        };
        ctx.reply(req.id, BroadcastResponse::Broadcasting { id });
        self.seen.insert(id);
        let data = |deps: Vec<u32>, ts: u64| BroadcastMsg::Data {
            id,
            text: text.as_str().into(),
            deps,
            ts,
            hops: 1,
            again: false,
        };
        match self.params.order {
            Order::BestEffort | Order::Reliable | Order::Fifo => {
                ctx.broadcast(data(Vec::new(), 0));
                if self.retransmits() {
                    self.await_copies(ctx, id, text, &[]);
                }
                self.deliver(ctx, id, text.clone(), 0);
            }
            Order::Gossip => {
                self.gossip(ctx, id, text, 1);
                self.deliver(ctx, id, text.clone(), 0);
            }
            Order::Causal => {
                let mut deps = self.delivered_from.clone();
                deps[self.id.index()] = id.seq - 1;
                ctx.broadcast(data(deps, 0));
                self.deliver(ctx, id, text.clone(), 0);
            }
            Order::TotalSequencer => {
                if self.id == SEQUENCER {
                    self.sequence(ctx, id, text.clone());
                } else {
                    ctx.send(
                        SEQUENCER,
                        BroadcastMsg::ToSequencer {
                            id,
                            text: text.as_str().into(),
                        },
                    );
                }
            }
            Order::TotalLamport => {
                self.lamport += 1;
                let ts = self.lamport;
                ctx.broadcast(data(Vec::new(), ts));
                self.hold(ctx, id, text, &[], ts);
            }
        }
    }

    fn validate(p: &BroadcastParams, _nodes: u32) -> Result<(), String> {
        if !p.holdback && matches!(p.order, Order::BestEffort | Order::Reliable | Order::Gossip) {
            return Err(format!(
                "`protocol.holdback` only applies to the fifo, causal and total orders, not to {}",
                p.order.describe()
            ));
        }
        if p.retransmit_us > 0 && p.order != Order::Reliable {
            return Err(format!(
                "`protocol.retransmit_us` only applies to the reliable order, not to {}",
                p.order.describe()
            ));
        }
        if p.retransmit_us > MAX_RETRANSMIT_US {
            return Err(format!(
                "`protocol.retransmit_us` is {}, but must be at most {MAX_RETRANSMIT_US} (10 s)",
                p.retransmit_us
            ));
        }
        if p.fanout == 0 || p.fanout > MAX_NODES {
            return Err(format!(
                "`protocol.fanout` is {}, but must be from 1 to {MAX_NODES}",
                p.fanout
            ));
        }
        if p.rounds == 0 || p.rounds > 100 {
            return Err(format!(
                "`protocol.rounds` is {}, but must be from 1 to 100",
                p.rounds
            ));
        }
        Ok(())
    }

    fn example_request() -> Option<BroadcastRequest> {
        Some(BroadcastRequest::Broadcast("hello".into()))
    }

    fn fact(note: &BroadcastNote) -> Option<Fact> {
        let BroadcastNote::Delivers { id, text, hops, .. } = note;
        Some(Fact::Delivered {
            origin: id.origin,
            seq: id.seq,
            text: text.as_str().into(),
            hops: *hops,
        })
    }

    fn own_clock(params: &BroadcastParams) -> Option<&'static str> {
        match params.order {
            Order::Causal => Some(
                "causal broadcast's vector clock: on a delivery, how many messages of each origin the node has delivered; on a send, the ones the message depends on",
            ),
            Order::TotalLamport => Some("each node's Lamport clock, carried by its messages"),
            _ => None,
        }
    }

    fn note_stamp(note: &BroadcastNote) -> Option<OwnStamp> {
        let BroadcastNote::Delivers { id, clock, .. } = note;
        (!clock.is_empty()).then(|| OwnStamp {
            name: format!("dlv {id}"),
            lamport: None,
            vector: Some(clock.iter().map(|&c| u64::from(c)).collect()),
        })
    }

    fn msg_stamp(msg: &BroadcastMsg) -> Option<OwnStamp> {
        let (name, lamport, vector) = match msg {
            BroadcastMsg::Data { id, deps, .. } if !deps.is_empty() => (
                id.to_string(),
                None,
                Some(deps.iter().map(|&c| u64::from(c)).collect()),
            ),
            BroadcastMsg::Data { id, ts, .. } if *ts > 0 => (id.to_string(), Some(*ts), None),
            BroadcastMsg::Ack { ts } => ("ack".to_string(), Some(*ts), None),
            _ => return None,
        };
        Some(OwnStamp {
            name,
            lamport,
            vector,
        })
    }

    fn msg_label(msg: &BroadcastMsg) -> String {
        match msg {
            BroadcastMsg::Data { id, deps, ts, .. } if !deps.is_empty() => {
                let deps: Vec<String> = deps.iter().map(u32::to_string).collect();
                format!("{id} [{}]", deps.join(","))
            }
            BroadcastMsg::Data { id, ts, .. } if *ts > 0 => format!("{id} @{ts}"),
            BroadcastMsg::Data {
                id, again: true, ..
            } => format!("{id} again"),
            BroadcastMsg::Data { id, .. } => id.to_string(),
            BroadcastMsg::Got { id } => format!("got {id}"),
            BroadcastMsg::ToSequencer { id, .. } => format!("order {id}"),
            BroadcastMsg::Sequenced { position, id, .. } => format!("{position}: {id}"),
            BroadcastMsg::Ack { ts } => format!("ack @{ts}"),
        }
    }

    fn timer_name(timer: &BroadcastTimer) -> &'static str {
        match timer {
            BroadcastTimer::Retransmit => "retransmit",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    fn properties(params: &BroadcastParams) -> Vec<Box<dyn Property<Self>>> {
        let mut properties = vec![checks::no_duplication(), checks::agreement()];
        if matches!(params.order, Order::Fifo | Order::Causal) {
            properties.push(checks::fifo_order());
        }
        if params.order == Order::Causal {
            properties.push(checks::causal_order());
        }
        if matches!(params.order, Order::TotalSequencer | Order::TotalLamport) {
            properties.push(checks::total_order());
        }
        properties.push(sometimes(
            "A delivery",
            "Some node delivers a broadcast message, so the order checkers have deliveries to judge.",
            Kinds::ANNOTATE,
            |cx| {
                cx.new_facts()
                    .any(|(_, _, fact)| matches!(fact, Fact::Delivered { .. }))
            },
        ));
        properties
    }

    fn generate_request(
        seq: u64,
        _rng: &mut crate::engine::rng::SimRng,
    ) -> Option<BroadcastRequest> {
        Some(BroadcastRequest::Broadcast(format!("m{seq}")))
    }
}
