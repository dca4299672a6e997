//! The replicated logs side by side: one row per node, one column per log index, each cell the
//! entry's term (coloured by term) and command, committed or not, for the newest indices. Built
//! from a snapshot, so it follows the scrubber.

use crate::engine::ids::NodeId;
use crate::engine::protocol::{LogCell, LogWords, NodeStatus};
use crate::engine::sim::Snapshot;

/// The most indices the matrix shows (the newest).
pub const MAX_COLUMNS: u64 = 24;

#[derive(Clone, Debug, PartialEq)]
pub struct LogMatrix {
    pub words: LogWords,
    /// The first and last index shown; `first > last` while every log is empty.
    pub first: u64,
    pub last: u64,
    pub rows: Vec<LogRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogRow {
    pub node: NodeId,
    pub status: NodeStatus,
    pub role: Option<String>,
    /// One cell per index from `first` to `last`: the entry, or `None` where the log ends (or, for
    /// a node that is down, where its log cannot be read).
    pub cells: Vec<Option<LogCell>>,
}

/// The matrix of every node's log now.
pub fn matrix(snapshot: &Snapshot, words: LogWords) -> LogMatrix {
    let last = snapshot
        .nodes
        .iter()
        .filter_map(|n| n.view.as_ref()?.log.last().map(|c| c.index))
        .max()
        .unwrap_or(0);
    let first = last.saturating_sub(MAX_COLUMNS - 1).max(1);
    let rows = snapshot
        .nodes
        .iter()
        .map(|n| {
            let log = n.view.as_ref().map_or(&[][..], |v| &v.log[..]);
            LogRow {
                node: n.id,
                status: n.status,
                role: n.view.as_ref().and_then(|v| v.role.clone()),
                cells: (first..=last)
                    .map(|index| log.iter().find(|c| c.index == index).cloned())
                    .collect(),
            }
        })
        .collect();
    LogMatrix {
        words,
        first,
        last,
        rows,
    }
}
