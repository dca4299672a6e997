//! The space-time diagram as geometry: one vertical lane per node, time flowing down, an arrow per
//! message, a mark per event. Only what intersects the visible time window is laid out; the events in
//! it are found by binary search on time (the trace is in time order), so the cost of a frame depends
//! on the window, not on the length of the run.
//!
//! Vertical positions are measured from a fixed `origin_us` rather than from the window's top, so
//! panning changes one translation and leaves every element's coordinates unchanged.

use crate::engine::causality::Causality;
use crate::engine::ids::{EventId, MsgId, NodeId, join_nodes};
use crate::engine::protocol::NodeStatus;
use crate::engine::sim::InFlight;
use crate::engine::time::SimTime;
use crate::engine::trace::{DropReason, EventKind, TraceEvent};
use crate::view::axis::{self, Tick};
use crate::view::format;
use crate::view::index::TraceIndex;

/// Space above the lanes for the node names.
pub const HEADER_PX: f64 = 44.0;
/// Space left of the first lane for the time axis.
pub const GUTTER_PX: f64 = 64.0;
/// Beyond this many marks or arrows in the window the layout stops adding them, so a zoomed-out
/// view of a long run stays cheap to draw.
pub const MAX_ITEMS: usize = 3_000;
/// Text (labels, timestamps) is only drawn when this few marks are visible.
const MAX_TEXT_MARKS: usize = 250;
const MAX_LABELS: usize = 160;

/// Which logical timestamp to print beside each event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stamps {
    #[default]
    None,
    Lamport,
    Vector,
}

/// Events to emphasise: a selected event with its causal past and future, or the events a
/// violation involves. The lists are sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    pub selected: Option<EventId>,
    pub past: Vec<EventId>,
    pub future: Vec<EventId>,
    pub involved: Vec<EventId>,
}

impl Highlight {
    pub fn is_empty(&self) -> bool {
        self.selected.is_none() && self.involved.is_empty()
    }

    fn emphasis(&self, e: EventId) -> Emphasis {
        if self.is_empty() {
            Emphasis::Normal
        } else if self.selected == Some(e) {
            Emphasis::Selected
        } else if self.involved.binary_search(&e).is_ok() {
            Emphasis::Involved
        } else if self.past.binary_search(&e).is_ok() {
            Emphasis::Past
        } else if self.future.binary_search(&e).is_ok() {
            Emphasis::Future
        } else {
            Emphasis::Dimmed
        }
    }

    /// An arrow is in the past (future) when both its ends are, counting the selected event.
    fn arrow_emphasis(&self, from: EventId, to: Option<EventId>) -> Emphasis {
        let a = self.emphasis(from);
        let Some(to) = to else {
            return a;
        };
        let b = self.emphasis(to);
        match (a, b) {
            (Emphasis::Normal, _) => Emphasis::Normal,
            (Emphasis::Involved, _) | (_, Emphasis::Involved) => Emphasis::Involved,
            (Emphasis::Past | Emphasis::Selected, Emphasis::Past | Emphasis::Selected) => {
                Emphasis::Past
            }
            (Emphasis::Future | Emphasis::Selected, Emphasis::Future | Emphasis::Selected) => {
                Emphasis::Future
            }
            _ => Emphasis::Dimmed,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emphasis {
    Normal,
    Selected,
    Past,
    Future,
    Involved,
    Dimmed,
}

impl Emphasis {
    pub fn class(self) -> &'static str {
        match self {
            Emphasis::Normal => "",
            Emphasis::Selected => "is-selected",
            Emphasis::Past => "is-past",
            Emphasis::Future => "is-future",
            Emphasis::Involved => "is-involved",
            Emphasis::Dimmed => "is-dimmed",
        }
    }
}

/// What the diagram is asked to show.
pub struct DiagramInput<'a> {
    pub events: &'a [TraceEvent],
    pub index: &'a TraceIndex,
    pub nodes: &'a [LaneInfo],
    pub in_flight: &'a [InFlight],
    pub now: SimTime,
    /// The visible window of true time.
    pub start_us: u64,
    pub span_us: u64,
    /// Where vertical coordinates start (see the module comment).
    pub origin_us: u64,
    pub width_px: f64,
    pub height_px: f64,
    pub highlight: &'a Highlight,
    /// Lamport stamps are laid out here; vector stamps need the causality index, which the caller
    /// adds with `add_vector_stamps`.
    pub stamps: Stamps,
    /// The selected node's pending timers: (set event, fire time, name).
    pub timers: &'a [(EventId, SimTime, &'static str)],
}

/// A node's lane header: name, protocol role, status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneInfo {
    pub role: Option<String>,
    pub status: NodeStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub node: NodeId,
    pub x: f64,
    pub name: String,
    pub role: Option<String>,
    pub status: NodeStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    Crashed,
    Paused,
}

/// A crashed or paused stretch of a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub node: NodeId,
    pub kind: SpanKind,
    pub x: f64,
    pub y0: f64,
    pub y1: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandKind {
    Partition,
    Hold,
}

/// A stretch of time during which the network was partitioned or a link held, across all lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub kind: BandKind,
    pub y0: f64,
    pub y1: f64,
    pub label: String,
    pub event: EventId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArrowState {
    Delivered,
    Dropped(DropReason),
    InFlight,
    Held,
}

impl ArrowState {
    pub fn class(self) -> &'static str {
        match self {
            ArrowState::Delivered => "arrow-delivered",
            ArrowState::Dropped(_) => "arrow-dropped",
            ArrowState::InFlight => "arrow-inflight",
            ArrowState::Held => "arrow-held",
        }
    }
}

/// A message from its send to its delivery, its drop point or, in flight, where it is now.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub send: EventId,
    /// The delivery or drop event; `None` in flight.
    pub end: Option<EventId>,
    pub msg: MsgId,
    pub state: ArrowState,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    /// In flight: where it will arrive.
    pub planned: Option<(f64, f64)>,
    pub label: Option<String>,
    pub emphasis: Emphasis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Send,
    Deliver,
    TimerFire,
    Crash,
    Restart,
    Pause,
    Resume,
    ClockChange,
    Request,
    Response,
    Other,
}

impl MarkKind {
    pub fn class(self) -> &'static str {
        match self {
            MarkKind::Send => "mark-send",
            MarkKind::Deliver => "mark-deliver",
            MarkKind::TimerFire => "mark-timer",
            MarkKind::Crash => "mark-crash",
            MarkKind::Restart => "mark-restart",
            MarkKind::Pause => "mark-pause",
            MarkKind::Resume => "mark-resume",
            MarkKind::ClockChange => "mark-clock",
            MarkKind::Request => "mark-request",
            MarkKind::Response => "mark-response",
            MarkKind::Other => "mark-other",
        }
    }
}

/// An event on a lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub event: EventId,
    pub kind: MarkKind,
    pub x: f64,
    pub y: f64,
    pub stamp: Option<String>,
    pub emphasis: Emphasis,
}

/// Where a message was dropped, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct DropMark {
    pub event: EventId,
    pub send: EventId,
    pub x: f64,
    pub y: f64,
    pub reason: DropReason,
    pub emphasis: Emphasis,
}

/// A pending timer of the selected node, from when it was set to when it will fire.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerSpan {
    pub set: EventId,
    pub name: &'static str,
    pub x: f64,
    pub y0: f64,
    pub y1: f64,
}

/// A broken property, across the diagram at the instant it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct ViolationLine {
    pub event: EventId,
    pub y: f64,
    pub label: String,
    /// How far right of the usual place the label starts: violations recorded at (nearly) the
    /// same instant put their labels side by side instead of on top of each other.
    pub label_dx: f64,
}

/// Roughly how wide a violation label is, in pixels (bold 11 px text, the mark and a gap).
fn violation_label_px(label: &str) -> f64 {
    24.0 + 7.0 * label.chars().count() as f64
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramLayout {
    pub width: f64,
    pub height: f64,
    /// Pixels per microsecond.
    pub scale: f64,
    /// The vertical translation that brings the window's top under the header.
    pub shift_y: f64,
    pub lanes: Vec<Lane>,
    pub ticks: Vec<(f64, Tick)>,
    pub now_y: f64,
    pub spans: Vec<Span>,
    pub bands: Vec<Band>,
    pub arrows: Vec<Arrow>,
    pub drops: Vec<DropMark>,
    pub marks: Vec<Mark>,
    pub timers: Vec<TimerSpan>,
    pub violations: Vec<ViolationLine>,
    /// More items than `MAX_ITEMS` were in the window; some were left out.
    pub truncated: bool,
}

/// The lane x coordinate of node `i` of `n` in a diagram `width` wide.
pub fn lane_x(i: usize, n: usize, width: f64) -> f64 {
    let inner = (width - GUTTER_PX - 16.0).max(1.0);
    GUTTER_PX + inner * (i as f64 + 0.5) / n.max(1) as f64
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
        let (state, x2, y2) = match reason {
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
        // A label needs room: an arrow long enough to carry it, and no label already near its
        // middle (a broadcast fans out many arrows from one point).
        let mut placed: Vec<(f64, f64)> = Vec::new();
        for arrow in &mut arrows {
            let length = (arrow.x2 - arrow.x1).hypot(arrow.y2 - arrow.y1);
            let (mx, my) = ((arrow.x1 + arrow.x2) / 2.0, (arrow.y1 + arrow.y2) / 2.0);
            let crowded = placed
                .iter()
                .any(|(x, y)| (x - mx).abs() < 90.0 && (y - my).abs() < 13.0);
            if length >= 70.0 && !crowded {
                placed.push((mx, my));
                arrow.label = Some(label(arrow.msg));
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

/// Crashed and paused spans per lane and partition and hold bands, from the index of status changes
/// (few, so walking all of them is cheap), clipped to the window.
fn spans_and_bands(
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

/// Many marks or arrows drawn as one SVG path: the view draws a handful of paths however many
/// events are visible, and finds what the pointer is over with `DiagramLayout::hit`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathBatch {
    /// CSS classes, such as `arrow arrow-delivered is-past`.
    pub class: String,
    pub d: String,
}

/// Whether a mark kind is common enough to be batched; the rest are drawn one by one.
pub fn batched(kind: MarkKind) -> bool {
    matches!(
        kind,
        MarkKind::Send | MarkKind::Deliver | MarkKind::Other | MarkKind::TimerFire
    )
}

fn push_batch(batches: &mut Vec<PathBatch>, class: String, segment: &str) {
    match batches.iter_mut().find(|b| b.class == class) {
        Some(batch) => batch.d.push_str(segment),
        None => batches.push(PathBatch {
            class,
            d: segment.to_string(),
        }),
    }
}

/// Delivered and dropped arrows, one path per state and emphasis, plus their arrowheads (filled
/// triangles, since a marker only decorates a path's last point). Arrows in flight are few and are
/// drawn one by one, so they can be grabbed.
pub fn arrow_batches(layout: &DiagramLayout) -> Vec<PathBatch> {
    let f = format::coord;
    let mut batches = Vec::new();
    for a in &layout.arrows {
        if !matches!(a.state, ArrowState::Delivered | ArrowState::Dropped(_)) {
            continue;
        }
        let emphasis = a.emphasis.class();
        let class = format!("arrow {} {emphasis}", a.state.class());
        let line = format!("M{} {}L{} {}", f(a.x1), f(a.y1), f(a.x2), f(a.y2));
        push_batch(&mut batches, class, &line);
        if a.state == ArrowState::Delivered {
            let (dx, dy) = (a.x2 - a.x1, a.y2 - a.y1);
            let length = dx.hypot(dy);
            if length > 8.0 {
                let (ux, uy) = (dx / length, dy / length);
                let (bx, by) = (a.x2 - ux * 7.0, a.y2 - uy * 7.0);
                let head = format!(
                    "M{} {}L{} {}L{} {}z",
                    f(a.x2),
                    f(a.y2),
                    f(bx - uy * 3.2),
                    f(by + ux * 3.2),
                    f(bx + uy * 3.2),
                    f(by - ux * 3.2)
                );
                push_batch(&mut batches, format!("arrowhead {emphasis}"), &head);
            }
        }
    }
    batches
}

/// Sends, deliveries, timer fires and other common events, one path per shape and emphasis.
pub fn mark_batches(layout: &DiagramLayout) -> Vec<PathBatch> {
    let f = format::coord;
    let mut batches = Vec::new();
    for m in layout.marks.iter().filter(|m| batched(m.kind)) {
        let emphasis = m.emphasis.class();
        if m.kind == MarkKind::TimerFire {
            let diamond = format!("M{} {}l4 4l-4 4l-4 -4z", f(m.x), f(m.y - 4.0));
            push_batch(
                &mut batches,
                format!("marks marks-timer {emphasis}"),
                &diamond,
            );
        } else {
            // A zero-length line with round caps is a dot, the cheapest shape a path can draw.
            let dot = format!("M{} {}h0", f(m.x), f(m.y));
            push_batch(&mut batches, format!("marks marks-dot {emphasis}"), &dot);
        }
    }
    batches
}

/// What the pointer is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Event(EventId),
    /// A message, by its send event.
    Message(EventId),
}

impl DiagramLayout {
    /// The mark within 7 px of (`x`, `y`), else the arrow within 5 px, in body coordinates (the
    /// translation `shift_y` already removed). The nearest wins.
    pub fn hit(&self, x: f64, y: f64) -> Option<Hit> {
        let near_mark = self
            .marks
            .iter()
            .map(|m| ((m.x - x).hypot(m.y - y), m.event))
            .filter(|(d, _)| *d <= 7.0)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, event)) = near_mark {
            return Some(Hit::Event(event));
        }
        self.arrows
            .iter()
            .map(|a| (segment_distance(x, y, a.x1, a.y1, a.x2, a.y2), a.send))
            .filter(|(d, _)| *d <= 5.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, send)| Hit::Message(send))
    }
}

fn segment_distance(px: f64, py: f64, x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 > 0.0 {
        (((px - x1) * dx + (py - y1) * dy) / length2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (px - (x1 + t * dx)).hypot(py - (y1 + t * dy))
}

/// A plain-text picture of a layout, one line per item in a fixed order, for snapshot tests and
/// for reading a layout while debugging.
pub fn render_text(layout: &DiagramLayout) -> String {
    let f = format::coord;
    let mut out = String::new();
    for lane in &layout.lanes {
        out.push_str(&format!(
            "lane {} x={} role={} status={:?}\n",
            lane.name,
            f(lane.x),
            lane.role.as_deref().unwrap_or("-"),
            lane.status
        ));
    }
    for (y, tick) in &layout.ticks {
        out.push_str(&format!("tick {} y={}\n", tick.label, f(*y)));
    }
    for span in &layout.spans {
        out.push_str(&format!(
            "span {:?} {} y={}..{}\n",
            span.kind,
            span.node,
            f(span.y0),
            f(span.y1)
        ));
    }
    for band in &layout.bands {
        out.push_str(&format!(
            "band {:?} \"{}\" y={}..{}\n",
            band.kind,
            band.label,
            f(band.y0),
            f(band.y1)
        ));
    }
    for arrow in &layout.arrows {
        out.push_str(&format!(
            "arrow {} {:?} ({},{})->({},{}){}{}\n",
            arrow.send.0,
            arrow.state,
            f(arrow.x1),
            f(arrow.y1),
            f(arrow.x2),
            f(arrow.y2),
            arrow
                .label
                .as_ref()
                .map(|l| format!(" \"{l}\""))
                .unwrap_or_default(),
            match arrow.emphasis {
                Emphasis::Normal => String::new(),
                e => format!(" {e:?}"),
            }
        ));
    }
    for drop in &layout.drops {
        out.push_str(&format!(
            "drop {} at ({},{}) {}\n",
            drop.event.0,
            f(drop.x),
            f(drop.y),
            drop.reason.describe()
        ));
    }
    for mark in &layout.marks {
        out.push_str(&format!(
            "mark {} {:?} ({},{}){}{}\n",
            mark.event.0,
            mark.kind,
            f(mark.x),
            f(mark.y),
            mark.stamp
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default(),
            match mark.emphasis {
                Emphasis::Normal => String::new(),
                e => format!(" {e:?}"),
            }
        ));
    }
    for timer in &layout.timers {
        out.push_str(&format!(
            "timer {} y={}..{}\n",
            timer.name,
            f(timer.y0),
            f(timer.y1)
        ));
    }
    for violation in &layout.violations {
        out.push_str(&format!(
            "violation {} y={}\n",
            violation.label,
            f(violation.y)
        ));
    }
    out.push_str(&format!("now y={}\n", f(layout.now_y)));
    out
}
