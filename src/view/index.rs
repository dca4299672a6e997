//! Facts about a trace that the diagram needs for every frame but that would cost a scan of the
//! whole trace to find: the rare events that change node status or the network, and the longest
//! time any message spent in transit. Kept up to date incrementally as the trace grows, and cut back
//! when a seek shortens it.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::trace::{EventKind, TraceEvent};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceIndex {
    scanned: usize,
    changes: Vec<EventId>,
    violations: Vec<EventId>,
    max_transit_us: u64,
    /// How many facts have been read.
    facts_read: usize,
    /// Each stretch a node spent in doubt (`Fact::InDoubt`): its node, instance, the fact's event
    /// and the event of the decision that ended it, if one has.
    doubts: Vec<Doubt>,
}

/// A stretch a node spent blocked, waiting for a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Doubt {
    pub node: NodeId,
    pub instance: u64,
    pub from: EventId,
    pub until: Option<EventId>,
}

impl TraceIndex {
    pub fn new() -> TraceIndex {
        TraceIndex::default()
    }

    /// Indexes events and facts appended since the last call; forgets those a seek removed.
    pub fn update(&mut self, events: &[TraceEvent], facts: &[(EventId, Fact)]) {
        if events.len() < self.scanned {
            let len = events.len();
            self.changes.retain(|e| e.index() < len);
            self.violations.retain(|e| e.index() < len);
            self.doubts.retain(|d| d.from.index() < len);
            for doubt in &mut self.doubts {
                doubt.until = doubt.until.filter(|e| e.index() < len);
            }
            self.scanned = len;
            // The longest transit is kept: it is only an upper bound for how far back to look.
        }
        if facts.len() < self.facts_read {
            self.facts_read = facts.len();
        }
        for (event, fact) in &facts[self.facts_read..] {
            let Some(node) = events.get(event.index()).and_then(|e| e.node) else {
                continue;
            };
            match fact {
                Fact::InDoubt { instance } => self.doubts.push(Doubt {
                    node,
                    instance: *instance,
                    from: *event,
                    until: None,
                }),
                Fact::Decided { instance, .. } => {
                    for doubt in self
                        .doubts
                        .iter_mut()
                        .filter(|d| d.until.is_none() && d.node == node && d.instance == *instance)
                    {
                        doubt.until = Some(*event);
                    }
                }
                _ => {}
            }
        }
        self.facts_read = facts.len();
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

    /// Every stretch a node spent in doubt, in the order they began.
    pub fn doubts(&self) -> &[Doubt] {
        &self.doubts
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
