//! Crashed, paused and in-doubt spans on the lanes, partition and hold bands across them.

use super::{Band, BandKind, DiagramInput, DiagramLayout, Span, SpanKind};
use crate::engine::ids::{EventId, NodeId, join_nodes};
use crate::engine::trace::EventKind;

/// Crashed and paused spans per lane and partition and hold bands, from the index of status changes
/// (few, so walking all of them is cheap), clipped to the window.
pub(super) fn spans_and_bands(
    input: &DiagramInput<'_>,
    out: &mut DiagramLayout,
    y: &dyn Fn(u64) -> f64,
    x_of: &dyn Fn(NodeId) -> f64,
    end: u64,
) {
    let n = input.nodes.len();
    let now = input.now.0;
    let start = input.start_us;
    let visible = |t0: u64, t1: u64| t1 >= start && t0 <= end;
    let mut down: Vec<Option<(u64, SpanKind)>> = vec![None; n];
    let mut partition: Option<(u64, EventId, String)> = None;
    let mut holds: Vec<(NodeId, NodeId, u64, EventId)> = Vec::new();
    let events = input.events;
    let close_span = |out: &mut DiagramLayout, node: NodeId, from: u64, kind, to: u64| {
        if visible(from, to) {
            out.spans.push(Span {
                node,
                kind,
                x: x_of(node),
                y0: y(from.max(start)),
                y1: y(to.min(end)),
            });
        }
    };
    for doubt in input.index.doubts() {
        let Some(from) = events.get(doubt.from.index()) else {
            continue;
        };
        let to = doubt
            .until
            .and_then(|e| events.get(e.index()))
            .map_or(now, |e| e.time.0);
        if doubt.node.index() < n {
            close_span(out, doubt.node, from.time.0, SpanKind::InDoubt, to);
        }
    }
    for &id in input.index.changes() {
        let Some(event) = events.get(id.index()) else {
            continue;
        };
        let t = event.time.0;
        match &event.kind {
            EventKind::Crash | EventKind::Pause => {
                if let Some(node) = event.node.filter(|node| node.index() < n) {
                    let kind = if event.kind == EventKind::Crash {
                        SpanKind::Crashed
                    } else {
                        SpanKind::Paused
                    };
                    // A crash while paused ends the pause.
                    if let Some((from, old)) = down[node.index()].take() {
                        close_span(out, node, from, old, t);
                    }
                    down[node.index()] = Some((t, kind));
                }
            }
            EventKind::Restart | EventKind::Resume => {
                if let Some(node) = event.node.filter(|node| node.index() < n)
                    && let Some((from, kind)) = down[node.index()].take()
                {
                    close_span(out, node, from, kind, t);
                }
            }
            EventKind::Partition { groups } => {
                if let Some((from, e, label)) = partition.take()
                    && visible(from, t)
                {
                    out.bands
                        .push(band(BandKind::Partition, from, t, start, end, y, label, e));
                }
                let parts: Vec<String> = groups.iter().map(|g| join_nodes(g, ",")).collect();
                // Nodes the partition does not name form one more group.
                let named: usize = groups.iter().map(Vec::len).sum();
                let rest = if named < n { " | the rest" } else { "" };
                partition = Some((t, id, format!("partition {}{rest}", parts.join(" | "))));
            }
            EventKind::PartitionOneWay { from, to } => {
                if let Some((t0, e, label)) = partition.take()
                    && visible(t0, t)
                {
                    out.bands
                        .push(band(BandKind::Partition, t0, t, start, end, y, label, e));
                }
                let list = |nodes: &[NodeId]| {
                    nodes
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                partition = Some((t, id, format!("partition {} ↛ {}", list(from), list(to))));
            }
            EventKind::Heal => {
                if let Some((from, e, label)) = partition.take()
                    && visible(from, t)
                {
                    out.bands
                        .push(band(BandKind::Partition, from, t, start, end, y, label, e));
                }
            }
            EventKind::Hold { from, to } => holds.push((*from, *to, t, id)),
            EventKind::Release { from, to } => {
                if let Some(i) = holds.iter().position(|h| h.0 == *from && h.1 == *to) {
                    let (a, b, t0, e) = holds.remove(i);
                    if visible(t0, t) {
                        out.bands.push(band(
                            BandKind::Hold,
                            t0,
                            t,
                            start,
                            end,
                            y,
                            format!("hold {a}→{b}"),
                            e,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for (i, open) in down.into_iter().enumerate() {
        if let Some((from, kind)) = open {
            close_span(out, NodeId(i as u32), from, kind, now);
        }
    }
    if let Some((from, e, label)) = partition
        && visible(from, now)
    {
        out.bands.push(band(
            BandKind::Partition,
            from,
            now,
            start,
            end,
            y,
            label,
            e,
        ));
    }
    for (a, b, t0, e) in holds {
        if visible(t0, now) {
            out.bands.push(band(
                BandKind::Hold,
                t0,
                now,
                start,
                end,
                y,
                format!("hold {a}→{b}"),
                e,
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn band(
    kind: BandKind,
    from: u64,
    to: u64,
    start: u64,
    end: u64,
    y: &dyn Fn(u64) -> f64,
    label: String,
    event: EventId,
) -> Band {
    Band {
        kind,
        y0: y(from.max(start)),
        y1: y(to.min(end)),
        label,
        event,
    }
}
