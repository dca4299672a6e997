//! Identity newtypes. Node ids serialise as `"n1"`, `"n2"`, … (1-based, as people count), while the
//! engine indexes them from zero.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The most nodes a scenario may have.
pub const MAX_NODES: u32 = 1_000;

/// A node of the simulated system, indexed from zero; shown and serialised as `n1`, `n2`, ….
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// Parses `n1`-style names (case-insensitive); `None` for anything else.
    pub fn parse(text: &str) -> Option<NodeId> {
        let digits = text.strip_prefix('n').or_else(|| text.strip_prefix('N'))?;
        if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let one_based: u32 = digits.parse().ok()?;
        one_based.checked_sub(1).map(NodeId)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", u64::from(self.0) + 1)
    }
}

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NodeId::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a node name (nodes are named n1, n2, …)"
            ))
        })
    }
}

/// Node names joined by `separator`, e.g. `n1,n2,n3`.
pub fn join_nodes(nodes: &[NodeId], separator: &str) -> String {
    nodes
        .iter()
        .map(NodeId::to_string)
        .collect::<Vec<_>>()
        .join(separator)
}

/// The position of an event in the trace. Stable for a given scenario, so links and interventions
/// can name events (an in-flight message is named by its send event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub u32);

impl EventId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "e{}", self.0)
    }
}

/// A message payload, stored once in the run's message table; every copy in flight points at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MsgId(pub u32);

impl MsgId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A pending timer, as returned by `set_timer` so the protocol can cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimerId(pub u64);

thread_local! {
    /// While the explorer hashes nodes' states (`hashing_timers_as`): what each pending timer is,
    /// as (id, identity) sorted by id.
    static TIMER_IDENTITIES: RefCell<Option<Vec<(u64, u64)>>> = const { RefCell::new(None) };
}

/// A timer's number is a pending-event slot, which depends on the order in which timers were set;
/// so while the explorer fingerprints a state (`Sim::fingerprint`), a `TimerId` hashes as the
/// timer it names (its node, kind and instant), or as 0 once that timer has fired or been
/// cancelled. Anywhere else it hashes as its number.
impl Hash for TimerId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let identity = TIMER_IDENTITIES.with_borrow(|table| {
            table.as_ref().map(|table| {
                table
                    .binary_search_by_key(&self.0, |&(id, _)| id)
                    .map_or(0, |i| table[i].1)
            })
        });
        identity.unwrap_or(self.0).hash(state);
    }
}

/// Runs `hash` with every `TimerId` hashing as its entry in `identities` ((id, identity) pairs),
/// which it sorts and hands back afterwards, so the caller can reuse its buffer.
pub(crate) fn hashing_timers_as<R>(
    identities: &mut Vec<(u64, u64)>,
    hash: impl FnOnce() -> R,
) -> R {
    identities.sort_unstable();
    TIMER_IDENTITIES.set(Some(std::mem::take(identities)));
    let result = hash();
    *identities = TIMER_IDENTITIES.take().unwrap_or_default();
    result
}

/// A client's logical operation; every attempt (retry) of it shares the id, so a protocol can
/// deduplicate retries and a checker can judge the operation as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OpId(pub u32);

impl OpId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "op{}", self.0)
    }
}

/// One attempt of a client operation, numbered in the order attempts reach a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u32);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// The entry recorded for `event` in a list kept in event order (replies, notes, facts), if any.
pub fn by_event<T>(list: &[(EventId, T)], event: EventId) -> Option<&T> {
    list.binary_search_by_key(&event, |(e, _)| *e)
        .ok()
        .map(|i| &list[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_round_trip() {
        assert_eq!(NodeId(0).to_string(), "n1");
        assert_eq!(NodeId::parse("n1"), Some(NodeId(0)));
        assert_eq!(NodeId::parse("N12"), Some(NodeId(11)));
        for bad in ["n0", "n", "x1", "n-1", "n1a", "n99999999"] {
            assert_eq!(NodeId::parse(bad), None, "{bad}");
        }
        let json = serde_json::to_string(&NodeId(4)).unwrap();
        assert_eq!(json, "\"n5\"");
        assert_eq!(serde_json::from_str::<NodeId>(&json).unwrap(), NodeId(4));
    }
}
