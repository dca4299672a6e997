//! Broadcast guarantees over `Fact::Delivered`: no duplication, agreement, and the FIFO, causal and
//! total orders. A node that restarts has lost its volatile state, so as far as delivery goes it is
//! a new process: every checker forgets what it delivered before.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::{always, eventually};
use crate::engine::protocol::{CheckCx, NodeStatus, Property, Protocol, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use std::collections::BTreeMap;
use std::fmt;

/// A broadcast message's identity: who broadcast it and its number among that node's broadcasts
/// (from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Message {
    pub origin: NodeId,
    pub seq: u32,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.origin, self.seq)
    }
}

/// What every broadcast checker reads: deliveries (facts) and restarts.
const WATCHES: Kinds = Kinds::DELIVERED.or(Kinds::RESTART);

/// What a step did that the checkers care about.
enum Happened {
    /// A node delivered a message (at this annotate event).
    Delivered(EventId, NodeId, Message),
    /// A node restarted with empty volatile state.
    Restarted(NodeId),
}

/// The step's deliveries and restarts, in event order.
fn happenings<P: Protocol>(cx: &CheckCx<'_, P>) -> Vec<Happened> {
    let mut out = Vec::new();
    for (event, e) in cx.new_events() {
        let Some(node) = e.node else {
            continue;
        };
        match &e.kind {
            EventKind::Restart => out.push(Happened::Restarted(node)),
            EventKind::Annotate { .. } => {
                if let Some(&Fact::Delivered { origin, seq, .. }) = cx.fact(event) {
                    out.push(Happened::Delivered(event, node, Message { origin, seq }));
                }
            }
            _ => {}
        }
    }
    out
}

/// Per node, what it delivered (since it last started) and at which event.
type DeliveredAt = Vec<BTreeMap<Message, EventId>>;

fn fit(delivered: &mut DeliveredAt, nodes: usize) {
    if delivered.len() != nodes {
        delivered.resize(nodes, BTreeMap::new());
    }
}

/// Walks the step's deliveries in event order, forgetting what a node delivered when it restarts,
/// and hands each to `judge` with what its node delivered before. The first violation ends it.
fn each_delivery<P: Protocol>(
    delivered: &mut DeliveredAt,
    cx: &CheckCx<'_, P>,
    judge: impl Fn(&mut BTreeMap<Message, EventId>, EventId, NodeId, Message) -> Option<Verdict>,
) -> Verdict {
    fit(delivered, cx.nodes.len());
    for happened in happenings(cx) {
        match happened {
            Happened::Restarted(node) => delivered[node.index()].clear(),
            Happened::Delivered(event, node, id) => {
                if let Some(verdict) = judge(&mut delivered[node.index()], event, node, id) {
                    return verdict;
                }
            }
        }
    }
    Verdict::Holds
}

/// Always: no node delivers the same message twice.
pub fn no_duplication<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "No duplication",
        "No node delivers the same message twice, even when the network duplicates it.",
        WATCHES,
        DeliveredAt::new(),
        |delivered, cx| {
            each_delivery(delivered, cx, |mine, event, node, id| {
                let first = mine.insert(id, event)?;
                Some(Verdict::Violated {
                    message: format!("{node} delivered {id} twice"),
                    involved: vec![first, event],
                })
            })
        },
    )
}

/// Eventually: every message delivered by a node that is up at the end is delivered by every node
/// that is up at the end. Reliable broadcast promises it; best-effort does not.
pub fn agreement<P: Protocol>() -> Box<dyn Property<P>> {
    eventually(
        "Agreement",
        "By the end of the run, every node that is up has delivered every message any of them delivered.",
        WATCHES,
        DeliveredAt::new(),
        |delivered, cx| {
            each_delivery(delivered, cx, |mine, event, _, id| {
                mine.entry(id).or_insert(event);
                None
            })
        },
        |delivered, cx| {
            fit(delivered, cx.nodes.len());
            let up: Vec<usize> = (0..cx.nodes.len())
                .filter(|&i| cx.nodes[i].status() != NodeStatus::Crashed)
                .collect();
            for &has in &up {
                for (id, event) in &delivered[has] {
                    if let Some(&lacks) = up.iter().find(|&&i| !delivered[i].contains_key(id)) {
                        return Verdict::Violated {
                            message: format!(
                                "{} never delivered {id}, which {} delivered",
                                NodeId(lacks as u32),
                                NodeId(has as u32)
                            ),
                            involved: vec![*event],
                        };
                    }
                }
            }
            Verdict::Satisfied
        },
    )
}

/// Always: messages from one sender are delivered in the order it broadcast them.
pub fn fifo_order<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "FIFO order",
        "Every node delivers each sender's messages in the order that sender broadcast them.",
        WATCHES,
        DeliveredAt::new(),
        |delivered, cx| {
            each_delivery(delivered, cx, |mine, event, node, id| {
                let before = Message {
                    origin: id.origin,
                    seq: id.seq.saturating_sub(1),
                };
                if id.seq > 1 && !mine.contains_key(&before) {
                    return Some(Verdict::Violated {
                        message: format!(
                            "{node} delivered {id} before {before}, which {} broadcast first",
                            id.origin
                        ),
                        involved: vec![event],
                    });
                }
                mine.entry(id).or_insert(event);
                None
            })
        },
    )
}

/// What the causal-order checker remembers.
#[derive(Clone, Debug, Default)]
struct Causal {
    delivered: DeliveredAt,
    /// Per node: the causal past of everything it has delivered.
    knows: Vec<Vec<u32>>,
    /// Per message: its causal past, and the event where its sender broadcast it.
    past: BTreeMap<Message, (Vec<u32>, EventId)>,
}

/// Always: if a message's sender had delivered another before broadcasting it, every node delivers
/// that other message first. Each message's causal past is a vector (per origin, how many of its
/// messages came before), which is exact because one origin's messages are causally ordered among
/// themselves. A sender delivers its own message as it broadcasts it, which is how the checker
/// learns the message's causal past.
pub fn causal_order<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "Causal order",
        "If the sender of a message had delivered another before broadcasting it, every node delivers \
         that other one first.",
        WATCHES,
        Causal::default(),
        |causal, cx| {
            let nodes = cx.nodes.len();
            fit(&mut causal.delivered, nodes);
            if causal.knows.len() != nodes {
                causal.knows = vec![vec![0; nodes]; nodes];
            }
            for happened in happenings(cx) {
                let (event, node, id) = match happened {
                    Happened::Restarted(node) => {
                        causal.delivered[node.index()].clear();
                        causal.knows[node.index()] = vec![0; nodes];
                        continue;
                    }
                    Happened::Delivered(event, node, id) => (event, node, id),
                };
                if id.origin == node {
                    let mut past = causal.knows[node.index()].clone();
                    past[node.index()] = past[node.index()].max(id.seq - 1);
                    causal.past.entry(id).or_insert((past, event));
                }
                let Some((past, sent)) = causal.past.get(&id) else {
                    continue;
                };
                let mine = &causal.delivered[node.index()];
                for (o, &count) in past.iter().enumerate() {
                    let origin = NodeId(o as u32);
                    if let Some(seq) =
                        (1..=count).find(|&seq| !mine.contains_key(&Message { origin, seq }))
                    {
                        let missing = Message { origin, seq };
                        let mut involved = vec![event, *sent];
                        if let Some((_, missing_sent)) = causal.past.get(&missing) {
                            involved.push(*missing_sent);
                        }
                        return Verdict::Violated {
                            message: format!(
                                "{node} delivered {id} before {missing}, but {} had delivered \
                                 {missing} before broadcasting {id}",
                                id.origin
                            ),
                            involved,
                        };
                    }
                }
                let knows = &mut causal.knows[node.index()];
                for (k, &p) in knows.iter_mut().zip(past) {
                    *k = (*k).max(p);
                }
                knows[id.origin.index()] = knows[id.origin.index()].max(id.seq);
                causal.delivered[node.index()].entry(id).or_insert(event);
            }
            Verdict::Holds
        },
    )
}

/// What the total-order checker remembers.
#[derive(Clone, Debug, Default)]
struct Total {
    /// Each message's place in the order, and the event that placed it there.
    place: BTreeMap<Message, (usize, EventId)>,
    /// Per node: the highest place it has delivered, and where.
    reached: Vec<Option<(usize, Message, EventId)>>,
}

/// Always: all nodes deliver messages in one order. The checker builds that order from first
/// deliveries and requires each node's deliveries to climb it.
pub fn total_order<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "Total order",
        "If any node delivers one message before another, every node delivers them in that order.",
        WATCHES,
        Total::default(),
        |total, cx| {
            total.reached.resize(cx.nodes.len(), None);
            for happened in happenings(cx) {
                let (event, node, id) = match happened {
                    Happened::Restarted(node) => {
                        total.reached[node.index()] = None;
                        continue;
                    }
                    Happened::Delivered(event, node, id) => (event, node, id),
                };
                let next = total.place.len();
                let (place, first) = *total.place.entry(id).or_insert((next, event));
                if let Some((top, other, at)) = total.reached[node.index()]
                    && top > place
                {
                    return Verdict::Violated {
                        message: format!(
                            "{node} delivered {other} before {id}, but {id} was delivered \
                             elsewhere before anyone delivered {other}"
                        ),
                        involved: vec![at, event, first],
                    };
                }
                total.reached[node.index()] = Some((place, id, event));
            }
            Verdict::Holds
        },
    )
}
