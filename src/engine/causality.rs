//! Happens-before over a trace: vector timestamps, causal past and future, concurrency.
//!
//! Vector clocks are derived from the trace's causal parents rather than carried by every event:
//! each node event stores only the vector entries that changed since the previous event on its node
//! (its own entry, plus whatever a delivery learned), and every node keeps a full vector every
//! `snapshot_every` of its events. A timestamp is rebuilt from the nearest snapshot. Memory per event
//! therefore grows with how much an event *learns*, not with the number of nodes.

use crate::engine::ids::{EventId, NodeId};
use crate::engine::trace::TraceEvent;

#[derive(Clone, Debug)]
pub struct Causality {
    n: usize,
    snapshot_every: u32,
    /// Events indexed so far.
    built: usize,
    /// Per event: 1-based position on its node (0 for network events).
    seq: Vec<u32>,
    /// Per event: where its changed entries start in `diffs` (they end where the next event's start).
    diff_start: Vec<u32>,
    /// Changed vector entries: (node index, new value).
    diffs: Vec<(u32, u32)>,
    /// Per node: its events in order.
    node_events: Vec<Vec<EventId>>,
    /// Per node: full vectors after its events number `snapshot_every`, `2 × snapshot_every`, ….
    snapshots: Vec<Vec<u32>>,
    /// Per node: the vector after its latest indexed event.
    current: Vec<Vec<u32>>,
}

impl Causality {
    pub fn new(nodes: u32) -> Causality {
        let n = nodes as usize;
        Causality {
            n,
            snapshot_every: nodes.max(32),
            built: 0,
            seq: Vec::new(),
            diff_start: Vec::new(),
            diffs: Vec::new(),
            node_events: vec![Vec::new(); n],
            snapshots: vec![Vec::new(); n],
            current: vec![vec![0; n]; n],
        }
    }

    /// Indexes any events appended since the last call.
    pub fn update(&mut self, events: &[TraceEvent]) {
        if events.len() < self.built {
            self.truncate(events.len());
        }
        let mut scratch = vec![0u32; self.n];
        for (index, event) in events.iter().enumerate().skip(self.built) {
            self.diff_start.push(self.diffs.len() as u32);
            let Some(node) = event.node else {
                self.seq.push(0);
                continue;
            };
            let k = node.index();
            let own = self.current[k][k] + 1;
            self.seq.push(own);
            self.node_events[k].push(EventId(index as u32));
            self.diffs.push((k as u32, own));
            self.current[k][k] = own;
            let remote = event
                .cause
                .filter(|c| events[c.index()].node.is_some_and(|m| m != node));
            if let Some(cause) = remote {
                self.fill(cause, &mut scratch);
                for (j, &value) in scratch.iter().enumerate() {
                    if value > self.current[k][j] {
                        self.current[k][j] = value;
                        self.diffs.push((j as u32, value));
                    }
                }
            }
            if own.is_multiple_of(self.snapshot_every) {
                self.snapshots[k].extend_from_slice(&self.current[k]);
            }
        }
        self.built = events.len();
    }

    /// Forgets events from `len` on (after the run was rewound).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.built {
            return;
        }
        self.built = len;
        self.seq.truncate(len);
        let diff_end = self
            .diff_start
            .get(len)
            .copied()
            .unwrap_or(self.diffs.len() as u32);
        self.diff_start.truncate(len);
        self.diffs.truncate(diff_end as usize);
        let mut vector = vec![0u32; self.n];
        for k in 0..self.n {
            let keep = self.node_events[k].partition_point(|e| e.index() < len);
            self.node_events[k].truncate(keep);
            let full = keep / self.snapshot_every as usize;
            self.snapshots[k].truncate(full * self.n);
            match self.node_events[k].last() {
                Some(&last) => {
                    self.fill(last, &mut vector);
                    self.current[k].copy_from_slice(&vector);
                }
                None => self.current[k].iter_mut().for_each(|v| *v = 0),
            }
        }
    }

    /// How many events are indexed.
    pub fn len(&self) -> usize {
        self.built
    }

    pub fn is_empty(&self) -> bool {
        self.built == 0
    }

    /// Writes the vector timestamp of node event `e` into `out` (all zeros for a network event).
    fn fill(&self, e: EventId, out: &mut [u32]) {
        out.iter_mut().for_each(|v| *v = 0);
        let s = self.seq[e.index()];
        if s == 0 {
            return;
        }
        let k = self.node_of(e);
        let base = s / self.snapshot_every;
        let from_seq = if base > 0 {
            let start = (base as usize - 1) * self.n;
            out.copy_from_slice(&self.snapshots[k][start..start + self.n]);
            base * self.snapshot_every + 1
        } else {
            1
        };
        for seq in from_seq..=s {
            let event = self.node_events[k][seq as usize - 1];
            let start = self.diff_start[event.index()] as usize;
            let end = self
                .diff_start
                .get(event.index() + 1)
                .map_or(self.diffs.len(), |&x| x as usize);
            for &(j, value) in &self.diffs[start..end] {
                out[j as usize] = value;
            }
        }
    }

    fn node_of(&self, e: EventId) -> usize {
        // The event's own entry is always its first diff.
        self.diffs[self.diff_start[e.index()] as usize].0 as usize
    }

    /// The vector timestamp of event `e`, or `None` for a network event or an unindexed one.
    pub fn vector_clock(&self, e: EventId) -> Option<Vec<u32>> {
        if e.index() >= self.built || self.seq[e.index()] == 0 {
            return None;
        }
        let mut out = vec![0u32; self.n];
        self.fill(e, &mut out);
        Some(out)
    }

    /// The node event `e` happened on, if any.
    pub fn node(&self, e: EventId) -> Option<NodeId> {
        (e.index() < self.built && self.seq[e.index()] > 0).then(|| NodeId(self.node_of(e) as u32))
    }

    /// `a → b`: `a` happened before `b` (both node events, `a ≠ b`).
    pub fn happens_before(&self, a: EventId, b: EventId) -> bool {
        if a == b {
            return false;
        }
        let (Some(node_a), Some(vb)) = (self.node(a), self.vector_clock(b)) else {
            return false;
        };
        self.seq[a.index()] <= vb[node_a.index()]
    }

    /// Neither happened before the other.
    pub fn concurrent(&self, a: EventId, b: EventId) -> bool {
        a != b
            && self.node(a).is_some()
            && self.node(b).is_some()
            && !self.happens_before(a, b)
            && !self.happens_before(b, a)
    }

    /// Bytes this index holds (for the memory benchmark).
    pub fn memory_bytes(&self) -> usize {
        self.seq.capacity() * 4
            + self.diff_start.capacity() * 4
            + self.diffs.capacity() * 8
            + self
                .node_events
                .iter()
                .map(|v| v.capacity() * 4)
                .sum::<usize>()
            + self
                .snapshots
                .iter()
                .map(|v| v.capacity() * 4)
                .sum::<usize>()
            + self.current.iter().map(|v| v.capacity() * 4).sum::<usize>()
    }
}

/// Every event that `e` causally depends on (its causal past, not including `e`), in trace order.
/// The trace order is a topological order of happens-before, so one backward scan suffices.
pub fn causal_past(events: &[TraceEvent], e: EventId) -> Vec<EventId> {
    let mut marked = vec![false; e.index() + 1];
    marked[e.index()] = true;
    for i in (0..=e.index()).rev() {
        if !marked[i] {
            continue;
        }
        let event = &events[i];
        for parent in [event.prev, event.cause].into_iter().flatten() {
            marked[parent.index()] = true;
        }
    }
    marked[e.index()] = false;
    marked
        .iter()
        .enumerate()
        .filter(|(_, m)| **m)
        .map(|(i, _)| EventId(i as u32))
        .collect()
}

/// Every event that causally depends on `e` (its causal future, not including `e`), in trace order.
/// Network events caused by the future (a drop of a message sent in it) are included as leaves.
pub fn causal_future(events: &[TraceEvent], e: EventId) -> Vec<EventId> {
    let start = e.index();
    let mut marked = vec![false; events.len().saturating_sub(start)];
    if marked.is_empty() {
        return Vec::new();
    }
    marked[0] = true;
    let mut out = Vec::new();
    for (offset, event) in events[start..].iter().enumerate().skip(1) {
        let in_future = [event.prev, event.cause]
            .into_iter()
            .flatten()
            .any(|p| p.index() >= start && marked[p.index() - start]);
        if in_future {
            marked[offset] = true;
            out.push(EventId((start + offset) as u32));
        }
    }
    out
}
