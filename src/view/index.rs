//! Facts about a trace that the diagram needs for every frame but that would cost a scan of the
//! whole trace to find: the rare events that change node status or the network, and the longest
//! time any message spent in transit. Kept up to date incrementally as the trace grows, and cut back
//! when a seek shortens it.

use crate::engine::ids::EventId;
use crate::engine::trace::{EventKind, TraceEvent};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceIndex {
    scanned: usize,
    changes: Vec<EventId>,
    violations: Vec<EventId>,
    max_transit_us: u64,
}

impl TraceIndex {
    pub fn new() -> TraceIndex {
        TraceIndex::default()
    }

    /// Indexes events appended since the last call; forgets events a seek removed.
    pub fn update(&mut self, events: &[TraceEvent]) {
        if events.len() < self.scanned {
            let len = events.len();
            self.changes.retain(|e| e.index() < len);
            self.violations.retain(|e| e.index() < len);
            self.scanned = len;
            // The longest transit is kept: it is only an upper bound for how far back to look.
        }
        for (i, event) in events.iter().enumerate().skip(self.scanned) {
            let id = EventId(i as u32);
            match &event.kind {
                EventKind::Deliver { send, .. } | EventKind::Drop { send, .. } => {
                    if let Some(sent) = events.get(send.index()) {
                        let transit = event.time.0.saturating_sub(sent.time.0);
                        self.max_transit_us = self.max_transit_us.max(transit);
                    }
                }
                EventKind::Crash
                | EventKind::Restart
                | EventKind::Pause
                | EventKind::Resume
                | EventKind::Partition { .. }
                | EventKind::PartitionOneWay { .. }
                | EventKind::Heal
                | EventKind::Hold { .. }
                | EventKind::Release { .. } => self.changes.push(id),
                EventKind::Violation(_) => self.violations.push(id),
                _ => {}
            }
        }
        self.scanned = events.len();
    }

    /// Crash, restart, pause, resume, partition, heal, hold and release events, in trace order.
    pub fn changes(&self) -> &[EventId] {
        &self.changes
    }

    /// Violation events, in trace order.
    pub fn violations(&self) -> &[EventId] {
        &self.violations
    }

    /// The longest time between a send and its delivery or drop seen so far.
    pub fn max_transit_us(&self) -> u64 {
        self.max_transit_us
    }
}
