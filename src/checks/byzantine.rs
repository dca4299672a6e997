//! The Byzantine generals' interactive consistency conditions (Lamport, Shostak and Pease), over
//! `Fact::Proposed` (the commander's order) and `Fact::Decided` (each lieutenant's), judged among
//! the loyal nodes only: a node that has turned traitor (`Action::Traitor`) or crashed is faulty,
//! and what it decided does not count. So is a node a link corrupted a message to: a faulty link
//! counts as a fault of one of its ends (Lamport, Shostak and Pease, section 6), here the node
//! that was lied to, as the system model's budget of faulty nodes counts it.
//!
//! - IC1: all loyal lieutenants obey the same order;
//! - IC2: if the commander is loyal, every loyal lieutenant obeys the order it sent.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::always;
use crate::engine::protocol::{CheckCx, Property, Protocol, Verdict};
use crate::engine::trace::{EventKind, Kinds};
use std::rc::Rc;

/// The facts they read, and traitors turning, nodes crashing and links corrupting messages (which
/// change who is loyal).
const WATCHES: Kinds = Kinds::PROPOSED
    .or(Kinds::DECIDED)
    .or(Kinds::TRAITOR)
    .or(Kinds::CRASH)
    .or(Kinds::CORRUPT);

/// The order and each lieutenant's decision, with the events that stated them.
#[derive(Clone, Debug, Default)]
struct Orders {
    /// The commander, its order and the event that gave it.
    order: Option<(NodeId, Rc<str>, EventId)>,
    /// Per node, its latest decision.
    decided: Vec<Option<(Rc<str>, EventId)>>,
    /// Per node, whether it has crashed or been sent a corrupted message: faults too.
    faulty: Vec<bool>,
}

impl Orders {
    fn read<P: Protocol>(&mut self, cx: &CheckCx<'_, P>) {
        self.decided.resize(cx.nodes.len(), None);
        self.faulty.resize(cx.nodes.len(), false);
        for (_, e) in cx.new_events() {
            match (&e.kind, e.node) {
                (EventKind::Crash, Some(node)) | (&EventKind::Corrupt { to: node, .. }, _) => {
                    self.faulty[node.index()] = true;
                }
                _ => {}
            }
        }
        for (event, node, fact) in cx.new_facts() {
            match fact {
                Fact::Proposed { value, .. } => self.order = Some((node, value.clone(), event)),
                Fact::Decided { value, .. } => {
                    self.decided[node.index()] = Some((value.clone(), event));
                }
                _ => {}
            }
        }
    }

    /// Whether `node` has never crashed, turned traitor, nor been lied to by a link.
    fn loyal_node<P: Protocol>(&self, cx: &CheckCx<'_, P>, node: NodeId) -> bool {
        cx.nodes[node.index()].traitor().is_none() && !self.faulty[node.index()]
    }

    /// Every loyal node's decision, in node order.
    fn loyal<'a, P: Protocol>(
        &'a self,
        cx: &'a CheckCx<'_, P>,
    ) -> impl Iterator<Item = (NodeId, &'a Rc<str>, EventId)> + 'a {
        self.decided.iter().enumerate().filter_map(|(i, d)| {
            let (value, event) = d.as_ref()?;
            self.loyal_node(cx, NodeId(i as u32))
                .then_some((NodeId(i as u32), value, *event))
        })
    }
}

/// Always: every loyal lieutenant that has decided decided the same order.
pub fn loyal_agreement<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "IC1: loyal agreement",
        "All loyal lieutenants obey the same order.",
        WATCHES,
        Orders::default(),
        |orders, cx| {
            orders.read(cx);
            let mut loyal = orders.loyal(cx);
            let Some((first, value, at)) = loyal.next() else {
                return Verdict::Holds;
            };
            match loyal.find(|(_, v, _)| *v != value) {
                Some((other, other_value, other_at)) => Verdict::Violated {
                    message: format!(
                        "loyal {first} obeys {value:?} but loyal {other} obeys {other_value:?}"
                    ),
                    involved: vec![at, other_at],
                },
                None => Verdict::Holds,
            }
        },
    )
}

/// Always: if the commander is loyal, every loyal lieutenant that has decided obeys its order.
pub fn loyal_validity<P: Protocol>() -> Box<dyn Property<P>> {
    always(
        "IC2: loyal commander obeyed",
        "If the commander is loyal, every loyal lieutenant obeys the order it sent.",
        WATCHES,
        Orders::default(),
        |orders, cx| {
            orders.read(cx);
            let Some((commander, order, given)) = orders.order.clone() else {
                return Verdict::Holds;
            };
            if !orders.loyal_node(cx, commander) {
                return Verdict::Holds;
            }
            match orders.loyal(cx).find(|(_, v, _)| **v != order) {
                Some((node, value, at)) => Verdict::Violated {
                    message: format!(
                        "the commander {commander} is loyal and ordered {order:?}, but loyal \
                         {node} obeys {value:?}"
                    ),
                    involved: vec![given, at],
                },
                None => Verdict::Holds,
            }
        },
    )
}
