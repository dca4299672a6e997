//! Dynamo's data: vector clocks, versions, and how versions merge (kept as siblings, or the last
//! writer wins).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::engine::ids::NodeId;

/// How concurrent versions of a key are resolved.
#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolve {
    /// Keep them all, for the client to reconcile.
    #[default]
    Siblings,
    /// Keep the one written last by its coordinator's clock: the others are lost.
    Lww,
}

impl Resolve {
    pub(super) fn is_siblings(&self) -> bool {
        *self == Resolve::Siblings
    }
}

/// A vector clock: per node, how many of its writes a version counts.
#[derive(Clone, Debug, Hash, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Clock(pub Vec<u64>);

impl Clock {
    /// Whether this version descends from (or equals) `other`: it counts every write `other` does.
    pub fn descends(&self, other: &Clock) -> bool {
        other
            .0
            .iter()
            .enumerate()
            .all(|(i, &n)| self.0.get(i).copied().unwrap_or(0) >= n)
    }

    pub(super) fn join(&mut self, other: &Clock) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine = (*mine).max(*theirs);
        }
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| format!("{}:{n}", NodeId(i as u32)))
            .collect();
        write!(f, "[{}]", parts.join(" "))
    }
}

/// A value and the vector clock of the put that wrote it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Version {
    pub clock: Clock,
    pub value: String,
    /// Last-writer-wins: the coordinator's clock when it wrote the version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_us: Option<i64>,
}

/// Adds `new` versions to `held`, keeping only those no other descends from. Whether it changed.
pub(super) fn merge(held: &mut Vec<Version>, new: &[Version]) -> bool {
    let mut changed = false;
    for version in new {
        if held.iter().any(|h| h.clock.descends(&version.clock)) {
            continue;
        }
        held.retain(|h| !version.clock.descends(&h.clock));
        held.push(version.clone());
        changed = true;
    }
    held.sort();
    changed
}

/// `merge`, then with last-writer-wins only the version written last. Whether `held` changed.
pub(super) fn resolve(lww: bool, held: &mut Vec<Version>, new: &[Version]) -> bool {
    let before = held.clone();
    merge(held, new);
    if lww && held.len() > 1 {
        let last = held
            .iter()
            .max_by_key(|v| (v.written_us, v.clock.clone()))
            .cloned();
        *held = last.into_iter().collect();
    }
    *held != before
}
