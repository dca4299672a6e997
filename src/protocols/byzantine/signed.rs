//! SM(m)'s checks and decision: a signed order is accepted only when every signature on it signs
//! that order, the commander's first; a lieutenant decides the one order it accepted, else retreat
//! (none, or two: then the commander signed both and is a traitor).

use super::{ByzantineMsg, COMMANDER, Order};
use crate::engine::byzantine::{Lie, Signature};
use crate::engine::ids::NodeId;
use std::collections::BTreeMap;

/// Why a signed order is a forgery, if it is one.
pub(super) fn forged(value: Order, signatures: &[Signature]) -> Option<String> {
    let bad = signatures.iter().find(|s| !s.signs(value.content()))?;
    Some(format!(
        "{}'s signature does not sign {} (a forgery)",
        bad.signer(),
        value.word()
    ))
}

/// The one order accepted, else retreat; and the orders accepted.
pub(super) fn decide(seen: &BTreeMap<Order, Vec<NodeId>>) -> (Order, Vec<Order>) {
    let orders: Vec<Order> = seen.keys().copied().collect();
    let value = match orders.as_slice() {
        [one] => *one,
        _ => Order::Retreat,
    };
    (value, orders)
}

/// What a traitor can make of a signed order: the commander signs what it likes; a lieutenant
/// can only pass on the signatures it holds, so changing the order leaves them signing the old one.
/// A corrupting link is worse off than either: what it writes for the commander's signature is a
/// counterfeit.
pub(super) fn lie(
    told: Order,
    truth: Order,
    signatures: &[Signature],
    lie: &Lie<'_>,
) -> ByzantineMsg {
    let signatures = if told != truth && lie.from == COMMANDER {
        vec![lie.sign(told.content())]
    } else {
        signatures.to_vec()
    };
    ByzantineMsg::Signed {
        value: told,
        signatures,
    }
}
