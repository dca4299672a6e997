//! OM(m)'s decision: majority votes up the tree of paths a value was relayed along (the
//! "exponential information gathering" tree). A missing value counts as retreat, and so does a tie.

use super::{Byzantine, COMMANDER, Order};
use crate::engine::ids::NodeId;

/// The lieutenant's decision, and the votes its top-level majority was over: the commander's value
/// as heard directly, then each other lieutenant's, as OM(m − 1) resolved it.
pub(super) fn decide(general: &Byzantine) -> (Order, Vec<Order>) {
    let mut path = vec![COMMANDER];
    let votes = votes(general, &mut path);
    (majority(&votes), votes)
}

/// What the lieutenant makes of the value relayed along `path`: the value itself at the last round,
/// else the majority of it and of what each lieutenant not on the path relayed of it.
fn resolve(general: &Byzantine, path: &mut Vec<NodeId>) -> Order {
    if path.len() > general.params.m as usize {
        return heard(general, path);
    }
    majority(&votes(general, path))
}

fn votes(general: &Byzantine, path: &mut Vec<NodeId>) -> Vec<Order> {
    let mut votes = vec![heard(general, path)];
    if path.len() > general.params.m as usize {
        return votes;
    }
    for other in general.lieutenants() {
        if other == general.id || path.contains(&other) {
            continue;
        }
        path.push(other);
        votes.push(resolve(general, path));
        path.pop();
    }
    votes
}

/// The value heard along `path`; retreat if none arrived.
fn heard(general: &Byzantine, path: &[NodeId]) -> Order {
    general.heard.get(path).copied().unwrap_or(Order::Retreat)
}

/// Attack only if a strict majority says attack.
pub(super) fn majority(votes: &[Order]) -> Order {
    let attack = votes.iter().filter(|&&v| v == Order::Attack).count();
    if 2 * attack > votes.len() {
        Order::Attack
    } else {
        Order::Retreat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tie_or_a_minority_retreats() {
        use Order::*;
        assert_eq!(majority(&[Attack, Attack, Retreat]), Attack);
        assert_eq!(majority(&[Attack, Retreat]), Retreat);
        assert_eq!(majority(&[]), Retreat);
    }
}
