//! The Byzantine generals (Lamport, Shostak and Pease, 1982). n1 is the commander; every other node
//! is a lieutenant. At `order_at_us` the commander sends its order (attack or retreat), and the
//! lieutenants relay what they heard for `m` rounds; at the end of round m + 1 (rounds are
//! `round_us` long: the system is synchronous) each lieutenant decides.
//!
//! - Oral messages, OM(m) (`oral.rs`): a lieutenant relays every value it receives, with the path
//!   it came by, to every lieutenant not on the path, and decides by majority votes up the tree of
//!   paths (retreat on a tie or a missing value). It tolerates m traitors only when n > 3m.
//! - Signed messages, SM(m) (`signed.rs`): the commander signs its order and each lieutenant adds
//!   its own signature as it relays a value it has not seen before. A traitor cannot forge a
//!   signature (`engine::byzantine::Signature`), so a lieutenant that saw two signed orders knows
//!   the commander lied; each decides the one order it saw, else retreat. Agreement holds with any
//!   number of traitors.
//!
//! Nodes turn traitor by `Action::Traitor`; what a traitor sends instead of the truth is
//! [`Protocol::lie`] here.

mod oral;
mod signed;
mod view;

use crate::checks::byzantine::{loyal_agreement, loyal_validity};
use crate::engine::byzantine::{Lie, Signature, Strategy};
use crate::engine::fact::Fact;
use crate::engine::ids::NodeId;
use crate::engine::model::Assumption;
use crate::engine::property::{assuming, sometimes};
use crate::engine::protocol::{NodeView, Property, Protocol};
use crate::engine::sim::Ctx;
use crate::engine::time::HOUR_US;
use crate::engine::trace::Kinds;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The commander.
pub const COMMANDER: NodeId = NodeId(0);
/// The most generals a scenario may have.
pub const MAX_GENERALS: u32 = 10;
/// The most messages OM(m) may send in one scenario.
pub const MAX_MESSAGES: u64 = 20_000;

/// An order.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Attack,
    Retreat,
}

impl Order {
    pub fn opposite(self) -> Order {
        match self {
            Order::Attack => Order::Retreat,
            Order::Retreat => Order::Attack,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Order::Attack => "attack",
            Order::Retreat => "retreat",
        }
    }

    /// What a signature over this order signs.
    fn content(self) -> u64 {
        match self {
            Order::Attack => 1,
            Order::Retreat => 2,
        }
    }
}

/// Oral or signed messages.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    #[default]
    Oral,
    Signed,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByzantineParams {
    #[serde(default)]
    pub algorithm: Algorithm,
    /// Rounds of relaying: OM(m) or SM(m).
    #[serde(default = "default_m")]
    pub m: u32,
    /// The order a loyal commander gives.
    #[serde(default = "default_order")]
    pub order: Order,
    /// When the commander gives it, on its own clock.
    #[serde(default = "default_order_at")]
    pub order_at_us: u64,
    /// How long a round lasts: the known bound on delivery that the synchronous model promises.
    #[serde(default = "default_round")]
    pub round_us: u64,
}

fn default_m() -> u32 {
    1
}

fn default_order() -> Order {
    Order::Attack
}

fn default_order_at() -> u64 {
    10_000
}

fn default_round() -> u64 {
    100_000
}

impl Default for ByzantineParams {
    fn default() -> Self {
        ByzantineParams {
            algorithm: Algorithm::Oral,
            m: default_m(),
            order: default_order(),
            order_at_us: default_order_at(),
            round_us: default_round(),
        }
    }
}

impl ByzantineParams {
    /// The algorithm's name with its rounds: `OM(1)`.
    pub fn title(&self) -> String {
        match self.algorithm {
            Algorithm::Oral => format!("OM({})", self.m),
            Algorithm::Signed => format!("SM({})", self.m),
        }
    }
}

/// How many messages round `round` (from 1) of OM(m) sends with `nodes` generals, all loyal:
/// (n − 1)(n − 2)…(n − round).
pub fn oral_round_messages(nodes: u32, round: u32) -> u64 {
    (1..=round)
        .map(|k| u64::from(nodes.saturating_sub(k)))
        .product()
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ByzantineMsg {
    /// An oral message: `value` as heard along `path` (the commander first, the sender last).
    Oral { value: Order, path: Vec<NodeId> },
    /// A signed message: `value` with its chain of signatures (the commander's first).
    Signed {
        value: Order,
        signatures: Vec<Signature>,
    },
}

impl ByzantineMsg {
    /// Who the message says it passed through, the commander first.
    fn chain(&self) -> Vec<NodeId> {
        match self {
            ByzantineMsg::Oral { path, .. } => path.clone(),
            ByzantineMsg::Signed { signatures, .. } => {
                signatures.iter().map(Signature::signer).collect()
            }
        }
    }

    fn value(&self) -> Order {
        match self {
            ByzantineMsg::Oral { value, .. } | ByzantineMsg::Signed { value, .. } => *value,
        }
    }
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ByzantineTimer {
    /// The commander gives its order.
    Order,
    /// The last round is over: a lieutenant decides.
    Decide,
}

/// What a general notes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum ByzantineNote {
    /// The commander gives its order (a traitor's lieutenants may hear otherwise).
    Orders { value: Order },
    /// A lieutenant refuses a signed message whose signatures do not hold.
    Rejects { from: NodeId, reason: String },
    /// A message of round `round` arrived after the round ended, and is taken as missing.
    Late { from: NodeId, round: u64 },
    /// A lieutenant decides: by majority over `votes` (oral), or the one order in `seen` (signed).
    Decides {
        value: Order,
        algorithm: Algorithm,
        votes: Vec<Order>,
    },
}

impl fmt::Display for ByzantineNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |orders: &[Order]| -> String {
            let words: Vec<&str> = orders.iter().map(|o| o.word()).collect();
            words.join(", ")
        };
        match self {
            ByzantineNote::Orders { value } => write!(f, "orders: {}", value.word()),
            ByzantineNote::Rejects { from, reason } => {
                write!(f, "rejects the order from {from}: {reason}")
            }
            ByzantineNote::Late { from, round } => {
                write!(f, "ignores {from}'s message: round {round} is over")
            }
            ByzantineNote::Decides {
                value,
                algorithm: Algorithm::Oral,
                votes,
            } => write!(f, "decides {} (majority of {})", value.word(), list(votes)),
            ByzantineNote::Decides { value, votes, .. } if votes.len() == 1 => {
                write!(f, "decides {} (the one order signed)", value.word())
            }
            ByzantineNote::Decides { value, votes, .. } => {
                let seen = if votes.is_empty() {
                    "no signed order".to_string()
                } else {
                    format!("signed orders {}", list(votes))
                };
                write!(f, "decides {} ({seen}: the commander lied)", value.word())
            }
        }
    }
}

/// A general: the commander, or a lieutenant with what it heard.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Byzantine {
    id: NodeId,
    nodes: u32,
    params: ByzantineParams,
    /// Oral: the value heard along each path.
    heard: BTreeMap<Vec<NodeId>, Order>,
    /// Signed: each order seen with a valid chain, and the chain it first came with.
    seen: BTreeMap<Order, Vec<NodeId>>,
    /// Messages received in each round (index 0 is round 1), counted by the chain's length.
    per_round: Vec<u32>,
    /// Signed messages refused for bad signatures.
    rejected: u32,
    decision: Option<Order>,
}

impl Byzantine {
    fn lieutenants(&self) -> impl Iterator<Item = NodeId> + use<> {
        (1..self.nodes).map(NodeId)
    }

    /// Sends `msg` to every lieutenant not on its chain, unless its chain is longer than m + 1
    /// (the commander and m relays).
    fn relay(&self, ctx: &mut Ctx<'_, Self>, msg: ByzantineMsg) {
        let chain = msg.chain();
        if chain.len() > self.params.m as usize + 1 {
            return;
        }
        for to in self.lieutenants() {
            if !chain.contains(&to) {
                ctx.send(to, msg.clone());
            }
        }
    }

    /// Whether a message's chain can be genuine: from the commander, through distinct generals,
    /// ending with its sender, not through this node, and no longer than the rounds.
    fn well_formed(&self, from: NodeId, chain: &[NodeId]) -> bool {
        let distinct = chain.iter().collect::<BTreeSet<_>>().len() == chain.len();
        chain.first() == Some(&COMMANDER)
            && chain.last() == Some(&from)
            && distinct
            && !chain.contains(&self.id)
            && chain.len() <= self.params.m as usize + 1
    }

    fn count(&mut self, chain: &[NodeId]) {
        let round = chain.len().max(1);
        if self.per_round.len() < round {
            self.per_round.resize(round, 0);
        }
        self.per_round[round - 1] += 1;
    }
}

impl Protocol for Byzantine {
    type Msg = ByzantineMsg;
    type Timer = ByzantineTimer;
    type Request = ();
    type Response = ();
    type Stable = ();
    type Params = ByzantineParams;
    type Note = ByzantineNote;

    const NAME: &'static str = "byzantine_generals";
    const BYZANTINE: bool = true;

    fn new(id: NodeId, nodes: u32, params: &ByzantineParams) -> Self {
        Byzantine {
            id,
            nodes,
            params: *params,
            heard: BTreeMap::new(),
            seen: BTreeMap::new(),
            per_round: Vec::new(),
            rejected: 0,
            decision: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if self.id == COMMANDER {
            ctx.set_timer(self.params.order_at_us, ByzantineTimer::Order);
        } else {
            let rounds = u64::from(self.params.m) + 1;
            let at = self.params.order_at_us + rounds * self.params.round_us;
            ctx.set_timer(at, ByzantineTimer::Decide);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &ByzantineMsg) {
        if self.id == COMMANDER || self.decision.is_some() {
            return;
        }
        let chain = msg.chain();
        if !self.well_formed(from, &chain) {
            return;
        }
        // A value relayed k − 1 times belongs to round k, which ends at order_at + k rounds: what
        // arrives later is taken as missing, as the synchronous algorithms require.
        let round = chain.len() as u64;
        let ends = self.params.order_at_us + round * self.params.round_us;
        if ctx.monotonic() > ends as i64 {
            ctx.note(ByzantineNote::Late { from, round });
            return;
        }
        self.count(&chain);
        match msg {
            ByzantineMsg::Oral { value, path } => {
                if self.heard.contains_key(path) {
                    return;
                }
                self.heard.insert(path.clone(), *value);
                let mut onward = path.clone();
                onward.push(self.id);
                self.relay(
                    ctx,
                    ByzantineMsg::Oral {
                        value: *value,
                        path: onward,
                    },
                );
            }
            ByzantineMsg::Signed { value, signatures } => {
                if let Some(reason) = signed::forged(*value, signatures) {
                    self.rejected += 1;
                    ctx.note(ByzantineNote::Rejects { from, reason });
                    return;
                }
                if self.seen.contains_key(value) {
                    return;
                }
                self.seen.insert(*value, chain);
                let mut onward = signatures.clone();
                onward.push(ctx.sign(value.content()));
                self.relay(
                    ctx,
                    ByzantineMsg::Signed {
                        value: *value,
                        signatures: onward,
                    },
                );
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: ByzantineTimer) {
        match timer {
            ByzantineTimer::Order => {
                let value = self.params.order;
                ctx.note(ByzantineNote::Orders { value });
                let msg = match self.params.algorithm {
                    Algorithm::Oral => ByzantineMsg::Oral {
                        value,
                        path: vec![self.id],
                    },
                    Algorithm::Signed => ByzantineMsg::Signed {
                        value,
                        signatures: vec![ctx.sign(value.content())],
                    },
                };
                self.relay(ctx, msg);
            }
            ByzantineTimer::Decide => {
                let (value, votes) = match self.params.algorithm {
                    Algorithm::Oral => oral::decide(self),
                    Algorithm::Signed => signed::decide(&self.seen),
                };
                self.decision = Some(value);
                ctx.note(ByzantineNote::Decides {
                    value,
                    algorithm: self.params.algorithm,
                    votes,
                });
            }
        }
    }

    fn lie(msg: &ByzantineMsg, lie: &mut Lie<'_>) -> Option<ByzantineMsg> {
        let truth = msg.value();
        let told = match lie.strategy {
            Strategy::TwoFaced if lie.flips() => truth.opposite(),
            Strategy::TwoFaced => truth,
            Strategy::Random => [Order::Attack, Order::Retreat][lie.rng().index(2)],
            Strategy::Collude if lie.flips() => Order::Retreat,
            Strategy::Collude => Order::Attack,
            Strategy::Silent => return None,
        };
        Some(match msg {
            ByzantineMsg::Oral { path, .. } => ByzantineMsg::Oral {
                value: told,
                path: path.clone(),
            },
            ByzantineMsg::Signed { signatures, .. } => signed::lie(told, truth, signatures, lie),
        })
    }

    fn validate(p: &ByzantineParams, nodes: u32) -> Result<(), String> {
        if !(3..=MAX_GENERALS).contains(&nodes) {
            return Err(format!(
                "the Byzantine generals need a commander and at least 2 lieutenants: `nodes` is \
                 {nodes}, but must be from 3 to {MAX_GENERALS}"
            ));
        }
        if p.m > nodes - 2 {
            return Err(format!(
                "`protocol.m` is {}, but with {nodes} generals a message can be relayed at most \
                 {} times (m ≤ n − 2: each relay adds a lieutenant the message has not passed)",
                p.m,
                nodes - 2
            ));
        }
        let messages: u64 = (1..=p.m + 1)
            .map(|round| oral_round_messages(nodes, round))
            .sum();
        if messages > MAX_MESSAGES {
            return Err(format!(
                "OM({}) with {nodes} generals sends {messages} messages, more than the \
                 {MAX_MESSAGES} a scenario may: lower `protocol.m` or `nodes`",
                p.m
            ));
        }
        if p.order_at_us > HOUR_US {
            return Err("`protocol.order_at_us` must be at most one hour".into());
        }
        if !(1_000..=60_000_000).contains(&p.round_us) {
            return Err(format!(
                "`protocol.round_us` is {}, but must be from 1ms to 1 minute",
                p.round_us
            ));
        }
        Ok(())
    }

    fn fact(note: &ByzantineNote) -> Option<Fact> {
        match note {
            ByzantineNote::Orders { value } => Some(Fact::Proposed {
                instance: 0,
                value: value.word().into(),
            }),
            ByzantineNote::Decides { value, .. } => Some(Fact::Decided {
                instance: 0,
                value: value.word().into(),
            }),
            ByzantineNote::Rejects { .. } | ByzantineNote::Late { .. } => None,
        }
    }

    fn msg_label(msg: &ByzantineMsg) -> String {
        let chain: Vec<String> = msg.chain().iter().map(NodeId::to_string).collect();
        match msg {
            ByzantineMsg::Oral { value, .. } => format!("{} via {}", value.word(), chain.join("→")),
            ByzantineMsg::Signed { value, .. } => {
                format!("{}:{}", value.word(), chain.join(":"))
            }
        }
    }

    fn timer_name(timer: &ByzantineTimer) -> &'static str {
        match timer {
            ByzantineTimer::Order => "order",
            ByzantineTimer::Decide => "decide",
        }
    }

    fn view(&self) -> NodeView {
        view::view(self)
    }

    /// IC1 and IC2 rest on the paper's assumptions A1 to A3: every message sent arrives intact,
    /// and a missing one is noticed (synchrony). Under arbitrary links they are not promised:
    /// a lost message, or a forged one that signatures unmask, leaves a lieutenant without it.
    fn properties(_params: &ByzantineParams) -> Vec<Box<dyn Property<Self>>> {
        const ASSUMES: &[Assumption] = &[Assumption::ReliableLinks, Assumption::Synchrony];
        vec![
            assuming(ASSUMES, loyal_agreement()),
            assuming(ASSUMES, loyal_validity()),
            sometimes(
                "A decision",
                "A loyal lieutenant decides, so IC1 and IC2 have a decision to judge.",
                Kinds::ANNOTATE,
                |cx| {
                    cx.new_facts().any(|(_, node, fact)| {
                        matches!(fact, Fact::Decided { .. })
                            && cx.nodes[node.index()].traitor().is_none()
                    })
                },
            ),
        ]
    }
}
