//! Laying out a window of the diagram: lanes, time ticks, event marks, message arrows with their
//! labels, the selected node's pending timers and violations.

use super::spans::spans_and_bands;
use super::{
    Arrow, ArrowState, DiagramInput, DiagramLayout, DropMark, GUTTER_PX, HEADER_PX, Lane,
    MAX_ITEMS, MAX_LABELS, MAX_TEXT_MARKS, Mark, MarkKind, Stamps, TimerSpan, ViolationLine,
};
use crate::engine::causality::Causality;
use crate::engine::ids::{EventId, MsgId, NodeId};
use crate::engine::run::Run;
use crate::engine::trace::EventKind;
use crate::view::{axis, format};

/// Roughly how wide a violation label is, in pixels (bold 11 px text, the mark and a gap).
fn violation_label_px(label: &str) -> f64 {
    24.0 + 7.0 * label.chars().count() as f64
}

/// The lane x coordinate of node `i` of `n` in a diagram `width` wide.
pub fn lane_x(i: usize, n: usize, width: f64) -> f64 {
    let inner = (width - GUTTER_PX - 16.0).max(1.0);
    GUTTER_PX + inner * (i as f64 + 0.5) / n.max(1) as f64
}

/// The height of an arrow label's line, in pixels: two labels closer than this vertically collide.
const LABEL_LINE_PX: f64 = 15.0;

/// Roughly how wide an arrow label is, in pixels (10.5 px text).
fn label_px(label: &str) -> f64 {
    6.0 * label.chars().count() as f64
}

/// Lays out the diagram. `label` names a message; it is asked only for arrows that get a label.
pub fn layout(input: &DiagramInput<'_>, label: &mut dyn FnMut(MsgId) -> String) -> DiagramLayout {
    let n = input.nodes.len();
    let span = input.span_us.max(1);
    let body = (input.height_px - HEADER_PX).max(1.0);
    let scale = body / span as f64;
    let start = input.start_us;
    let end = start.saturating_add(span);
    let y = |t: u64| (t as f64 - input.origin_us as f64) * scale;
    let x_of = |node: NodeId| lane_x(node.index(), n, input.width_px);
    let events = input.events;
    let now = input.now.0;

    let lanes = input
        .nodes
        .iter()
        .enumerate()
        .map(|(i, info)| Lane {
            node: NodeId(i as u32),
            x: lane_x(i, n, input.width_px),
            name: NodeId(i as u32).to_string(),
            role: info.role.clone(),
            status: info.status,
            traitor: info.traitor,
        })
        .collect();

    // A tick whose label would collide with the "now" label gives way to it.
    let now_y = y(now);
    let ticks = axis::ticks(start, end, scale, 56.0)
        .into_iter()
        .map(|tick| (y(tick.time_us), tick))
        .filter(|(tick_y, _)| (tick_y - now_y).abs() >= 12.0)
        .collect();

    let mut out = DiagramLayout {
        width: input.width_px,
        height: input.height_px,
        scale,
        start_us: start,
        span_us: span,
        shift_y: HEADER_PX - y(start),
        lanes,
        ticks,
        now_y,
        ..DiagramLayout::default()
    };

    spans_and_bands(input, &mut out, &y, &x_of, end);

    // Marks: every node event in the window.
    let first = events.partition_point(|e| e.time.0 < start);
    let last = events.partition_point(|e| e.time.0 <= end);
    let in_window = last - first;
    let text = in_window <= MAX_TEXT_MARKS;
    for (offset, event) in events[first..last].iter().enumerate() {
        let id = EventId((first + offset) as u32);
        let Some(node) = event.node else {
            if let EventKind::Violation(violation) = &event.kind {
                let at = y(event.time.0);
                let label_dx = match out.violations.last() {
                    Some(before) if (at - before.y).abs() < 14.0 => {
                        before.label_dx + violation_label_px(&before.label)
                    }
                    _ => 0.0,
                };
                out.violations.push(ViolationLine {
                    event: id,
                    y: at,
                    label: violation.property.clone(),
                    label_dx,
                });
            }
            continue;
        };
        if out.marks.len() >= MAX_ITEMS {
            out.truncated = true;
            break;
        }
        let kind = mark_kind(&event.kind);
        let stamp = (text && input.stamps == Stamps::Lamport).then(|| event.lamport.to_string());
        out.marks.push(Mark {
            event: id,
            kind,
            x: x_of(node),
            y: y(event.time.0),
            stamp,
            emphasis: input.highlight.emphasis(id),
        });
    }

    // Arrows: a message intersects the window when it ends at or after its top and was sent at or
    // before its bottom; no message took longer than the longest transit, which bounds the search.
    let arrow_end = end.saturating_add(input.index.max_transit_us());
    let arrow_last = events.partition_point(|e| e.time.0 <= arrow_end);
    let mut arrows = Vec::new();
    let mut drops = Vec::new();
    for (offset, event) in events[first..arrow_last].iter().enumerate() {
        let id = EventId((first + offset) as u32);
        let (from, to, msg, send, reason) = match &event.kind {
            EventKind::Deliver { from, msg, send } => {
                let Some(to) = event.node else { continue };
                (*from, to, *msg, *send, None)
            }
            EventKind::Drop {
                from,
                to,
                msg,
                send,
                reason,
            } => (*from, *to, *msg, *send, Some(*reason)),
            _ => continue,
        };
        let Some(sent) = events.get(send.index()) else {
            continue;
        };
        if sent.time.0 > end {
            continue;
        }
        if arrows.len() >= MAX_ITEMS {
            out.truncated = true;
            break;
        }
        let (x1, y1) = (x_of(from), y(sent.time.0));
        let (xt, yt) = (x_of(to), y(event.time.0));
        let forged = matches!(sent.kind, EventKind::Send { msg: original, .. } if original != msg);
        let (state, x2, y2) = match reason {
            None if forged => (ArrowState::Forged, xt, yt),
            None => (ArrowState::Delivered, xt, yt),
            Some(reason) => {
                // A message lost in the network stops short of its destination; one refused at the
                // send (a partition) would have no length, so it is drawn a third of the way.
                let (fraction, y2) = if event.time.0 > sent.time.0 {
                    (0.82, yt)
                } else {
                    (0.33, y1 + 10.0)
                };
                let x2 = x1 + (xt - x1) * fraction;
                drops.push(DropMark {
                    event: id,
                    send,
                    x: x2,
                    y: y2,
                    reason,
                    emphasis: input.highlight.emphasis(id),
                });
                (ArrowState::Dropped(reason), x2, y2)
            }
        };
        arrows.push(Arrow {
            send,
            end: Some(id),
            msg,
            state,
            x1,
            y1,
            x2,
            y2,
            planned: None,
            label: None,
            emphasis: input.highlight.arrow_emphasis(send, Some(id)),
        });
    }
    for m in input.in_flight {
        if m.sent_at.0 > end || arrows.len() >= MAX_ITEMS {
            continue;
        }
        let (x1, y1) = (x_of(m.from), y(m.sent_at.0));
        let (xt, yt) = (x_of(m.to), y(m.arrive_at.0));
        let total = m.arrive_at.0.saturating_sub(m.sent_at.0).max(1) as f64;
        let done = (now.saturating_sub(m.sent_at.0) as f64 / total).clamp(0.0, 1.0);
        let held = m.held;
        let (x2, y2) = if held {
            (x1 + (xt - x1) * 0.5, y(now))
        } else {
            (x1 + (xt - x1) * done, y(now))
        };
        arrows.push(Arrow {
            send: m.send,
            end: None,
            msg: m.msg,
            state: if held {
                ArrowState::Held
            } else {
                ArrowState::InFlight
            },
            x1,
            y1,
            x2,
            y2,
            planned: (!held).then_some((xt, yt)),
            label: None,
            emphasis: input.highlight.arrow_emphasis(m.send, None),
        });
    }
    if arrows.len() <= MAX_LABELS {
        // A label needs room: an arrow long enough to carry it, and no label already placed
        // where its text would go (a broadcast fans out many arrows from one point). Labels are
        // centred on the arrow's middle; a dropped label's message is still named on hover.
        let mut placed: Vec<(f64, f64, f64)> = Vec::new();
        for arrow in &mut arrows {
            let length = (arrow.x2 - arrow.x1).hypot(arrow.y2 - arrow.y1);
            if length < 70.0 {
                continue;
            }
            let (mx, my) = ((arrow.x1 + arrow.x2) / 2.0, (arrow.y1 + arrow.y2) / 2.0);
            let text = label(arrow.msg);
            let width = label_px(&text);
            let crowded = placed.iter().any(|(x, y, w)| {
                (x - mx).abs() < (w + width) / 2.0 + 4.0 && (y - my).abs() < LABEL_LINE_PX
            });
            if !crowded {
                placed.push((mx, my, width));
                arrow.label = Some(text);
            }
        }
    }
    out.arrows = arrows;
    out.drops = drops;

    for (set, fires_at, name) in input.timers {
        let Some(set_event) = events.get(set.index()) else {
            continue;
        };
        let Some(node) = set_event.node else { continue };
        out.timers.push(TimerSpan {
            set: *set,
            name,
            x: x_of(node) + 7.0,
            y0: y(set_event.time.0),
            y1: y(fires_at.0),
        });
    }
    out
}

/// Prints each mark's vector timestamp beside it, when few enough marks are visible for text.
pub fn add_vector_stamps(layout: &mut DiagramLayout, causality: &Causality) {
    if layout.marks.len() > MAX_TEXT_MARKS {
        return;
    }
    for mark in &mut layout.marks {
        mark.stamp = causality
            .vector_clock(mark.event)
            .map(|v| format::vector(&v));
    }
}

/// Prints the protocol's own timestamps (`Run::own_stamp`) beside the marks of the events it
/// stamped, and nothing beside the rest, when few enough marks are visible for text. Where stamped
/// events share a point (a broadcast's sends and its own delivery), the last one's stamp shows: the
/// node's clock after them.
pub fn add_own_stamps(layout: &mut DiagramLayout, run: &dyn Run, stamps: Stamps) {
    if layout.marks.len() > MAX_TEXT_MARKS {
        return;
    }
    let mut last_stamped: Option<usize> = None;
    for i in 0..layout.marks.len() {
        let stamp = run
            .own_stamp(layout.marks[i].event)
            .map(|own| format::own_stamp(&own, stamps == Stamps::Vector));
        if stamp.is_some() {
            if let Some(before) = last_stamped {
                let (a, b) = (&layout.marks[before], &layout.marks[i]);
                if (a.x - b.x).abs() < 1.0 && (a.y - b.y).abs() < 1.0 {
                    layout.marks[before].stamp = None;
                }
            }
            last_stamped = Some(i);
        }
        layout.marks[i].stamp = stamp;
    }
}

fn mark_kind(kind: &EventKind) -> MarkKind {
    match kind {
        EventKind::Send { .. } => MarkKind::Send,
        EventKind::Deliver { .. } => MarkKind::Deliver,
        EventKind::TimerFire { .. } => MarkKind::TimerFire,
        EventKind::Crash => MarkKind::Crash,
        EventKind::Restart => MarkKind::Restart,
        EventKind::Pause => MarkKind::Pause,
        EventKind::Resume => MarkKind::Resume,
        EventKind::ClockJump { .. } | EventKind::ClockDrift { .. } => MarkKind::ClockChange,
        EventKind::Request { .. } => MarkKind::Request,
        EventKind::Response { .. } => MarkKind::Response,
        _ => MarkKind::Other,
    }
}
