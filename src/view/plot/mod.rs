//! Plots for the time-and-order lessons, derived from the trace alone: each node's clock error
//! against true time (the clock-synchronisation lessons) and how far each gossiped message has
//! spread (the gossip lesson).
//!
//! The first step reads the lesson's facts out of the trace (`clock_errors`, `gossip_spread`); the
//! second turns them into a `Plot` in data units (µs and node counts, with axis scales and
//! legend); the third, `layout`, places a plot in pixels for a given size. The UI only draws the
//! layout as SVG.
//!
//! A clock-synchronisation node never changes its clock: it keeps a *correction* and reads its
//! clock plus the correction. Every change of the correction is a `clock_adjusted` fact, and
//! every node event records the clock's reading, so the error of the synchronised clock at each of
//! the node's events is its reading plus the corrections so far minus true time. Between two
//! events of a node its clock runs at one rate, so straight lines between those samples are exact;
//! a sync is a vertical step.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::trace::{EventKind, TraceEvent};
use crate::protocols::broadcast::Order;
use crate::protocols::clocksync::REFERENCE;
use crate::scenario::ProtocolConfig;
use crate::view::{axis, format};

/// Which plot a scenario gets, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotKind {
    /// Each node's synchronised clock minus true time.
    ClockError,
    /// The share of nodes that have delivered each gossiped message.
    Gossip,
}

impl PlotKind {
    /// The plot that teaches something about this protocol configuration.
    pub fn of(protocol: &ProtocolConfig) -> Option<PlotKind> {
        match protocol {
            ProtocolConfig::ClockSync(_) => Some(PlotKind::ClockError),
            ProtocolConfig::Broadcast(params) if params.order == Order::Gossip => {
                Some(PlotKind::Gossip)
            }
            _ => None,
        }
    }

    /// A stable name for tests and styles.
    pub fn name(self) -> &'static str {
        match self {
            PlotKind::ClockError => "clock-error",
            PlotKind::Gossip => "gossip",
        }
    }
}

/// One sample: `x_us` is true time (or time since a broadcast) in µs, `y` is in the plot's unit
/// (µs of clock error, or nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub x_us: u64,
    pub y: i64,
}

/// A synchronisation: when, the node's error just before and just after, and the bound it promised
/// (against the reference node's clock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sync {
    pub at_us: u64,
    pub before: i64,
    pub after: i64,
    pub bound_us: u64,
}

/// One node's synchronised-clock error over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeClock {
    pub node: NodeId,
    /// Runs of samples while the node was up; a crash ends one, a restart begins the next.
    pub segments: Vec<Vec<Point>>,
    pub syncs: Vec<Sync>,
    /// The error at the current instant, if the node is up.
    pub now: Option<i64>,
}

impl NodeClock {
    /// Every sample, in time order.
    pub fn points(&self) -> impl Iterator<Item = Point> + '_ {
        self.segments.iter().flatten().copied()
    }

    /// The error at true time `at_us`, interpolated between samples; `None` while down.
    pub fn error_at(&self, at_us: u64) -> Option<i64> {
        let segment = self.segments.iter().find(|s| {
            s.first().is_some_and(|p| p.x_us <= at_us) && s.last().is_some_and(|p| p.x_us >= at_us)
        })?;
        // The last sample at or before `at_us` (after a step, the value after it).
        let i = segment.partition_point(|p| p.x_us <= at_us);
        let before = segment[i - 1];
        let Some(after) = segment.get(i) else {
            return Some(before.y);
        };
        let span = i128::from(after.x_us - before.x_us);
        let rise = i128::from(after.y - before.y) * i128::from(at_us - before.x_us);
        Some(before.y + (rise / span.max(1)) as i64)
    }
}

/// Each node's synchronised-clock error, sampled at every one of its events and at `now_us`.
/// `clocks_now` is each node's clock reading now, `None` while it is crashed; `facts` are the run's
/// facts, in event order.
pub fn clock_errors(
    events: &[TraceEvent],
    facts: &[(EventId, Fact)],
    now_us: u64,
    clocks_now: &[Option<i64>],
) -> Vec<NodeClock> {
    struct Track {
        correction: i64,
        up: bool,
    }
    let mut clocks: Vec<NodeClock> = (0..clocks_now.len())
        .map(|i| NodeClock {
            node: NodeId(i as u32),
            segments: Vec::new(),
            syncs: Vec::new(),
            now: None,
        })
        .collect();
    let mut tracks: Vec<Track> = clocks_now
        .iter()
        .map(|_| Track {
            correction: 0,
            up: false,
        })
        .collect();
    let push = |clock: &mut NodeClock, point: Point| {
        if let Some(segment) = clock.segments.last_mut()
            && segment.last() != Some(&point)
        {
            segment.push(point);
        }
    };
    for (index, event) in events.iter().enumerate() {
        let Some(node) = event.node else {
            continue;
        };
        let (Some(clock), Some(track)) =
            (clocks.get_mut(node.index()), tracks.get_mut(node.index()))
        else {
            continue;
        };
        let t = event.time.as_us();
        let error = |correction: i64| {
            event
                .local_us
                .saturating_add(correction)
                .saturating_sub(t as i64)
        };
        match &event.kind {
            EventKind::Start | EventKind::Restart => {
                // A restarted node has lost its correction with the rest of its volatile state.
                track.correction = 0;
                track.up = true;
                clock.segments.push(vec![Point {
                    x_us: t,
                    y: error(0),
                }]);
                continue;
            }
            _ if !track.up => continue,
            EventKind::Crash => {
                push(
                    clock,
                    Point {
                        x_us: t,
                        y: error(track.correction),
                    },
                );
                track.up = false;
                continue;
            }
            EventKind::ClockJump { by_us } => {
                push(
                    clock,
                    Point {
                        x_us: t,
                        y: error(track.correction).saturating_sub(*by_us),
                    },
                );
            }
            EventKind::Annotate { .. } => {
                if let Some(&Fact::ClockAdjusted {
                    delta_us: delta,
                    error_bound_us: bound_us,
                }) = fact_of(facts, EventId(index as u32))
                {
                    let before = error(track.correction);
                    track.correction = track.correction.saturating_add(delta);
                    let after = error(track.correction);
                    push(clock, Point { x_us: t, y: before });
                    clock.syncs.push(Sync {
                        at_us: t,
                        before,
                        after,
                        bound_us,
                    });
                }
            }
            _ => {}
        }
        push(
            clock,
            Point {
                x_us: t,
                y: error(track.correction),
            },
        );
    }
    for (clock, (track, reading)) in clocks.iter_mut().zip(tracks.iter().zip(clocks_now)) {
        if let (true, Some(reading)) = (track.up, reading) {
            let y = reading
                .saturating_add(track.correction)
                .saturating_sub(now_us as i64);
            clock.now = Some(y);
            push(clock, Point { x_us: now_us, y });
        }
    }
    clocks
}

/// The fact stated by event `event`, if any.
fn fact_of(facts: &[(EventId, Fact)], event: EventId) -> Option<&Fact> {
    facts
        .binary_search_by_key(&event, |(e, _)| *e)
        .ok()
        .map(|i| &facts[i].1)
}

/// A node delivering a gossiped message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub at_us: u64,
    pub node: NodeId,
    pub hops: u32,
}

/// How one gossiped message spread: its deliveries in time order, each node's first only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spread {
    /// The message's identity as the protocol names it, `n1#1`.
    pub id: String,
    pub origin: NodeId,
    pub seq: u32,
    pub text: String,
    /// When it was broadcast (its origin delivers it at once).
    pub start_us: u64,
    pub deliveries: Vec<Delivery>,
    /// Copies of it are still in the network.
    pub spreading: bool,
}

impl Spread {
    /// How many nodes have delivered it.
    pub fn reached(&self) -> usize {
        self.deliveries.len()
    }

    /// How many nodes had delivered it by true time `at_us`.
    pub fn reached_by(&self, at_us: u64) -> usize {
        self.deliveries.partition_point(|d| d.at_us <= at_us)
    }

    /// When the last of `nodes` nodes delivered it, if all have.
    pub fn all_at(&self, nodes: usize) -> Option<u64> {
        (nodes > 0 && self.deliveries.len() >= nodes).then(|| self.deliveries[nodes - 1].at_us)
    }

    /// The most hops any delivered copy had travelled.
    pub fn max_hops(&self) -> u32 {
        self.deliveries.iter().map(|d| d.hops).max().unwrap_or(0)
    }

    /// Time from the broadcast to the latest delivery.
    fn last_us(&self) -> u64 {
        self.deliveries
            .last()
            .map_or(0, |d| d.at_us.saturating_sub(self.start_us))
    }
}

/// The broadcast a message carries, `(origin, seq)`, read from its payload as JSON: a broadcast
/// message's payload names it as `{"data": {"id": {"origin": "n1", "seq": 2}, …}}`.
pub fn carried_broadcast(payload: &serde_json::Value) -> Option<(NodeId, u32)> {
    let id = payload.get("data")?.get("id")?;
    let origin = serde_json::from_value(id.get("origin")?.clone()).ok()?;
    let seq = u32::try_from(id.get("seq")?.as_u64()?).ok()?;
    Some((origin, seq))
}

/// Every gossiped message's spread, in broadcast order, from the run's `delivered` facts.
/// `in_flight` names the broadcasts that have copies in the network now (see
/// [`carried_broadcast`]).
pub fn gossip_spread(
    events: &[TraceEvent],
    facts: &[(EventId, Fact)],
    in_flight: &[(NodeId, u32)],
) -> Vec<Spread> {
    let mut spreads: Vec<Spread> = Vec::new();
    for (event, fact) in facts {
        let Fact::Delivered {
            origin,
            seq,
            text,
            hops,
        } = fact
        else {
            continue;
        };
        let event = &events[event.index()];
        let Some(node) = event.node else {
            continue;
        };
        let id = format!("{origin}#{seq}");
        let at_us = event.time.as_us();
        let delivery = Delivery {
            at_us,
            node,
            hops: *hops,
        };
        match spreads.iter_mut().find(|s| s.id == id) {
            // A node that restarted forgets what it has seen and may deliver again: count it once.
            Some(spread) if spread.deliveries.iter().any(|d| d.node == node) => {}
            Some(spread) => spread.deliveries.push(delivery),
            None => spreads.push(Spread {
                id,
                origin: *origin,
                seq: *seq,
                text: text.clone(),
                start_us: at_us,
                deliveries: vec![delivery],
                spreading: false,
            }),
        }
    }
    for spread in &mut spreads {
        spread.spreading = in_flight.contains(&(spread.origin, spread.seq));
    }
    spreads
}

/// A value label on the y axis.
#[derive(Clone, Debug, PartialEq)]
pub struct YTick {
    /// In the plot's y unit.
    pub at: f64,
    pub label: String,
    /// Drawn stronger: zero error.
    pub strong: bool,
}

/// The y axis: its range in the plot's unit, its ticks and its title (with the unit).
#[derive(Clone, Debug, PartialEq)]
pub struct YScale {
    pub lo: i64,
    pub hi: i64,
    pub ticks: Vec<YTick>,
    pub title: String,
}

/// A point of interest on a series (a synchronisation, a delivery), with what it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub at: Point,
    pub label: String,
}

/// One line of the plot: a node's clock or a message's spread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    /// The legend's name: `n2`, `n1#1 "rumour"`.
    pub name: String,
    /// The legend's detail: the value now, or how far the message got.
    pub detail: String,
    /// Which of the palette's colours; a node's is its index, so it never changes.
    pub color: usize,
    pub segments: Vec<Vec<Point>>,
    pub marks: Vec<Mark>,
}

/// A reference line across the plot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Guide {
    /// A vertical line at this x (µs), labelled.
    Vertical {
        x_us: u64,
        label: String,
        color: usize,
    },
    /// A horizontal line at this y, labelled.
    Horizontal { y: i64, label: String },
}

/// A plot in data units: what to draw, before it has a size.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub kind: PlotKind,
    pub title: &'static str,
    /// One sentence on how to read it.
    pub caption: &'static str,
    pub x_title: &'static str,
    /// The x axis runs from 0 to this many µs.
    pub x_end_us: u64,
    pub y: YScale,
    /// A closer y range that leaves out the error before each node's first synchronisation, when it
    /// is much smaller than the whole range.
    pub zoom: Option<YScale>,
    pub series: Vec<Series>,
    pub guides: Vec<Guide>,
    /// Where "now" is on the x axis, with its label.
    pub cursors: Vec<(u64, String)>,
    /// Shown instead of the plot while there is nothing to draw.
    pub empty: Option<&'static str>,
}

/// How many colours the palette has (`--series-0` … in the style sheet).
pub const PALETTE: usize = 8;

/// A minus sign that lines up with digits, as typeset numbers use.
fn signed_number(negative: bool, digits: String) -> String {
    if negative && digits.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("\u{2212}{digits}")
    } else {
        digits
    }
}

/// `value` µs in `unit_us` units with just enough decimals for ticks `step_us` apart.
fn in_unit(value: i64, unit_us: u64, step_us: u64) -> String {
    let abs = value.unsigned_abs();
    let whole = abs / unit_us;
    let mut decimals = 0usize;
    let mut scale = unit_us;
    while scale > 1 && !step_us.is_multiple_of(scale) {
        decimals += 1;
        scale /= 10;
    }
    let digits = if decimals == 0 {
        whole.to_string()
    } else {
        let frac = (abs % unit_us) / scale;
        format!("{whole}.{frac:0decimals$}")
    };
    signed_number(value < 0, digits)
}

/// A y scale for clock errors between `lo` and `hi` µs (and zero), in ms or µs, with a little room
/// above and below and ticks at round values inside.
fn error_scale(lo: i64, hi: i64) -> YScale {
    let (lo, hi) = (lo.min(0), hi.max(0));
    let span = hi.saturating_sub(lo).max(40);
    let pad = span / 16;
    let (lo, hi) = (lo.saturating_sub(pad), hi.saturating_add(pad));
    let step = axis::round_step((hi - lo).unsigned_abs().div_ceil(5));
    let step_i = step as i64;
    let largest = lo.unsigned_abs().max(hi.unsigned_abs());
    let (unit_us, unit) = if largest >= 2_000 {
        (1_000, "ms")
    } else {
        (1, "µs")
    };
    let first = -((-lo).div_euclid(step_i) * step_i);
    let ticks = (0..)
        .map(|i| first + i * step_i)
        .take_while(|v| *v <= hi)
        .map(|v| YTick {
            at: v as f64,
            label: in_unit(v, unit_us, step),
            strong: v == 0,
        })
        .collect();
    YScale {
        lo,
        hi,
        ticks,
        title: format!("clock error ({unit})"),
    }
}

/// A duration to three significant digits, as a plot's labels want it: `95.8ms`, `1.01s`.
fn short_time(us: u64) -> String {
    let mut unit = 1u64;
    while us / unit >= 1_000 {
        unit = unit.saturating_mul(10);
    }
    format::time((us + unit / 2) / unit * unit)
}

/// A signed difference to three significant digits, always with its sign: `+1.37ms`, `±0`.
fn short_offset(us: i64) -> String {
    match us {
        0 => "±0".to_string(),
        us if us > 0 => format!("+{}", short_time(us.unsigned_abs())),
        us => format!("-{}", short_time(us.unsigned_abs())),
    }
}

/// Colours follow the node, so a node keeps its colour whatever else is plotted.
fn node_color(node: NodeId) -> usize {
    node.index() % PALETTE
}

/// The clock-error plot of a run up to `now_us` (the x axis spans the run to `horizon_us`).
/// `roles` names each node's role for the legend.
pub fn clock_plot(
    clocks: &[NodeClock],
    now_us: u64,
    horizon_us: u64,
    roles: &[Option<String>],
) -> Plot {
    let mut lo = 0i64;
    let mut hi = 0i64;
    let mut settled: Option<(i64, i64)> = None;
    for clock in clocks {
        for p in clock.points() {
            lo = lo.min(p.y);
            hi = hi.max(p.y);
        }
        // From a node's first synchronisation on: the value after its step, and what follows.
        if let Some(first) = clock.syncs.first() {
            let after = clock
                .points()
                .filter(|p| p.x_us > first.at_us)
                .map(|p| p.y)
                .chain([first.after]);
            for v in after {
                let (l, h) = settled.unwrap_or((0, 0));
                settled = Some((l.min(v), h.max(v)));
            }
        }
    }
    let y = error_scale(lo, hi);
    let zoom = settled
        .map(|(l, h)| error_scale(l, h))
        .filter(|z| (z.hi - z.lo) * 5 < (y.hi - y.lo) * 2);
    let series = clocks
        .iter()
        .map(|clock| {
            // A role every node shares says nothing; one that singles a node out (the time server,
            // the master) does.
            let role = roles
                .get(clock.node.index())
                .cloned()
                .flatten()
                .filter(|r| roles.iter().filter(|o| o.as_ref() == Some(r)).count() == 1);
            let name = match role {
                Some(role) => format!("{} · {role}", clock.node),
                None => clock.node.to_string(),
            };
            Series {
                name,
                detail: clock.now.map_or_else(|| "down".to_string(), short_offset),
                color: node_color(clock.node),
                segments: clock.segments.clone(),
                marks: clock
                    .syncs
                    .iter()
                    .map(|s| Mark {
                        at: Point {
                            x_us: s.at_us,
                            y: s.after,
                        },
                        label: format!(
                            "{} syncs at {}: error {} → {}, promised within ±{} of {REFERENCE}",
                            clock.node,
                            format::time(s.at_us),
                            format::offset(s.before),
                            format::offset(s.after),
                            format::time(s.bound_us)
                        ),
                    })
                    .collect(),
            }
        })
        .collect();
    Plot {
        kind: PlotKind::ClockError,
        title: "Clock error",
        caption: "Each line is a node's clock plus its correction, minus true time; dots are \
                  synchronisations.",
        x_title: "true time",
        x_end_us: horizon_us.max(1),
        y,
        zoom,
        series,
        guides: Vec::new(),
        cursors: vec![(now_us.min(horizon_us), "now".to_string())],
        empty: clocks
            .iter()
            .all(|c| c.segments.is_empty())
            .then_some("The nodes have not started yet: play the run to see their clocks."),
    }
}

/// The gossip plot: for each message, the share of `nodes` that have delivered it against time
/// since it was broadcast, up to `now_us`.
pub fn gossip_plot(spreads: &[Spread], nodes: usize, now_us: u64) -> Plot {
    let nodes_i = nodes.max(1) as i64;
    // The x axis covers every delivery, and "now" for messages still on their way.
    let reach = spreads
        .iter()
        .map(|s| {
            if s.spreading {
                now_us.saturating_sub(s.start_us).max(s.last_us())
            } else {
                s.last_us()
            }
        })
        .max()
        .unwrap_or(0)
        .max(1_000);
    let step = axis::round_step(reach.div_ceil(4));
    let x_end_us = (reach + reach / 20).div_ceil(step) * step;
    let mut guides = vec![Guide::Horizontal {
        y: nodes_i,
        label: format!("all {nodes} nodes"),
    }];
    let mut cursors = Vec::new();
    let series = spreads
        .iter()
        .enumerate()
        .map(|(i, spread)| {
            let color = i % PALETTE;
            let mut points = vec![Point { x_us: 0, y: 1 }];
            let mut marks = Vec::new();
            for (count, d) in spread.deliveries.iter().enumerate() {
                let x_us = d.at_us - spread.start_us;
                let reached = count as i64 + 1;
                if count > 0 {
                    points.push(Point {
                        x_us,
                        y: reached - 1,
                    });
                    points.push(Point { x_us, y: reached });
                }
                marks.push(Mark {
                    at: Point { x_us, y: reached },
                    label: if d.hops == 0 {
                        format!("{} broadcasts {} at {}", d.node, spread.id, format::time(d.at_us))
                    } else {
                        format!(
                            "{} delivers {} after {} hop{}, {} after the broadcast ({reached} of {nodes})",
                            d.node,
                            spread.id,
                            d.hops,
                            if d.hops == 1 { "" } else { "s" },
                            format::time(x_us)
                        )
                    },
                });
            }
            let live_us = now_us.saturating_sub(spread.start_us);
            let end = live_us.min(x_end_us);
            if let Some(last) = points.last().copied()
                && end > last.x_us
            {
                points.push(Point { x_us: end, y: last.y });
            }
            if spread.spreading {
                cursors.push((live_us, "now".to_string()));
            }
            let detail = match spread.all_at(nodes) {
                Some(at) => {
                    let after = short_time(at - spread.start_us);
                    guides.push(Guide::Vertical {
                        x_us: at - spread.start_us,
                        label: format!("all {nodes} after {after}"),
                        color,
                    });
                    format!("all {nodes} after {after}, {} hops", spread.max_hops())
                }
                None if spread.spreading => format!("{} of {nodes} so far", spread.reached()),
                None => format!("{} of {nodes}: it died out", spread.reached()),
            };
            Series {
                name: format!("{} \u{201c}{}\u{201d}", spread.id, spread.text),
                detail,
                color,
                segments: vec![points],
                marks,
            }
        })
        .collect();
    let ticks = (0..=4u32)
        .map(|q| YTick {
            at: nodes_i as f64 * f64::from(q) / 4.0,
            label: format!("{} %", q * 25),
            strong: q == 0,
        })
        .collect();
    Plot {
        kind: PlotKind::Gossip,
        title: "Gossip spread",
        caption: "Each curve is the share of nodes that have delivered a message since it was \
                  broadcast; dots are deliveries.",
        x_title: "time since the broadcast",
        x_end_us,
        y: YScale {
            lo: 0,
            hi: nodes_i,
            ticks,
            title: "nodes that delivered it".to_string(),
        },
        zoom: None,
        series,
        guides,
        cursors,
        empty: spreads.is_empty().then_some(
            "No message has been gossiped yet: play the run to see the first one spread.",
        ),
    }
}

/// Margins around the plotting area, in pixels: room for the tick labels and titles.
const MARGIN_LEFT: f64 = 52.0;
const MARGIN_RIGHT: f64 = 24.0;
const MARGIN_TOP: f64 = 26.0;
const MARGIN_BOTTOM: f64 = 40.0;
/// How far right of the area's left edge the y axis title reaches.
const Y_TITLE_PX: f64 = 110.0;
/// Ticks on the time axis are at least this far apart.
const X_TICK_GAP_PX: f64 = 72.0;

/// A series as drawn: one path of all its segments, and its marks.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPath {
    pub color: usize,
    pub name: String,
    /// SVG path data.
    pub d: String,
    /// Mark centres with their labels.
    pub marks: Vec<(f64, f64, String)>,
}

/// A labelled straight line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub label: String,
    /// Where the label goes and how it is anchored (`start`, `middle` or `end`).
    pub label_x: f64,
    pub label_y: f64,
    pub anchor: &'static str,
    pub color: Option<usize>,
}

/// A plot placed in pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotLayout {
    pub width: f64,
    pub height: f64,
    /// The plotting area: left, top, width, height.
    pub area: (f64, f64, f64, f64),
    /// Tick positions with labels.
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String, bool)>,
    pub x_title: String,
    pub y_title: String,
    pub series: Vec<SeriesPath>,
    pub guides: Vec<Line>,
    pub cursors: Vec<Line>,
}

/// Drops samples that land on the same pixel column as their neighbours, keeping each column's
/// first, lowest, highest and last, so a long run draws as fast as a short one and keeps its shape.
fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len().min(4_096));
    let mut start = 0;
    while start < points.len() {
        let column = points[start].0.floor();
        let end = start
            + points[start..]
                .iter()
                .take_while(|p| p.0.floor() == column)
                .count();
        let run = &points[start..end];
        if run.len() <= 4 {
            out.extend_from_slice(run);
        } else {
            let max_y = (0..run.len())
                .max_by(|a, b| run[*a].1.total_cmp(&run[*b].1))
                .unwrap_or(0);
            let min_y = (0..run.len())
                .min_by(|a, b| run[*a].1.total_cmp(&run[*b].1))
                .unwrap_or(0);
            let mut keep = [0, max_y, min_y, run.len() - 1];
            keep.sort_unstable();
            let mut last = None;
            for i in keep {
                if last != Some(i) {
                    out.push(run[i]);
                    last = Some(i);
                }
            }
        }
        start = end;
    }
    out
}

/// Places `plot` in a `width` × `height` pixel box, on its zoomed y scale if `zoomed` and it has
/// one.
pub fn layout(plot: &Plot, width: f64, height: f64, zoomed: bool) -> PlotLayout {
    let width = width.max(160.0);
    let height = height.max(120.0);
    let scale = match (&plot.zoom, zoomed) {
        (Some(zoom), true) => zoom,
        _ => &plot.y,
    };
    let (left, top) = (MARGIN_LEFT, MARGIN_TOP);
    let area_w = width - MARGIN_LEFT - MARGIN_RIGHT;
    let area_h = height - MARGIN_TOP - MARGIN_BOTTOM;
    let x_end = plot.x_end_us.max(1) as f64;
    let x = |us: u64| left + us as f64 / x_end * area_w;
    let y_span = (scale.hi - scale.lo).max(1) as f64;
    let y = |v: f64| top + (scale.hi as f64 - v) / y_span * area_h;
    let bottom = top + area_h;
    let right = left + area_w;

    let x_ticks = axis::ticks(0, plot.x_end_us, area_w / x_end, X_TICK_GAP_PX)
        .into_iter()
        .map(|t| {
            let label = if t.time_us == 0 {
                "0".to_string()
            } else {
                t.label
            };
            (x(t.time_us), label)
        })
        .collect();
    let y_ticks = scale
        .ticks
        .iter()
        .map(|t| (y(t.at), t.label.clone(), t.strong))
        .collect();
    let series = plot
        .series
        .iter()
        .map(|s| {
            let mut d = String::new();
            for segment in &s.segments {
                let pixels: Vec<(f64, f64)> =
                    segment.iter().map(|p| (x(p.x_us), y(p.y as f64))).collect();
                for (i, (px, py)) in thin(&pixels).into_iter().enumerate() {
                    d.push(if i == 0 { 'M' } else { 'L' });
                    d.push_str(&format::coord(px));
                    d.push(' ');
                    d.push_str(&format::coord(py));
                }
            }
            SeriesPath {
                color: s.color,
                name: s.name.clone(),
                d,
                marks: s
                    .marks
                    .iter()
                    .filter(|m| m.at.x_us <= plot.x_end_us)
                    .map(|m| (x(m.at.x_us), y(m.at.y as f64), m.label.clone()))
                    .collect(),
            }
        })
        .collect();
    let mut guides = Vec::new();
    let mut stagger = 0.0;
    for guide in &plot.guides {
        match guide {
            Guide::Horizontal { y: v, label } => {
                let gy = y(*v as f64);
                guides.push(Line {
                    x1: left,
                    y1: gy,
                    x2: right,
                    y2: gy,
                    label: label.clone(),
                    label_x: right - 4.0,
                    label_y: gy + 14.0,
                    anchor: "end",
                    color: None,
                });
            }
            Guide::Vertical { x_us, label, color } => {
                let gx = x(*x_us);
                // Labels sit inside the area, on the side with more room, stacked if several.
                let (label_x, anchor) = if gx > left + area_w * 0.6 {
                    (gx - 5.0, "end")
                } else {
                    (gx + 5.0, "start")
                };
                guides.push(Line {
                    x1: gx,
                    y1: top,
                    x2: gx,
                    y2: bottom,
                    label: label.clone(),
                    label_x,
                    label_y: bottom - 8.0 - stagger,
                    anchor,
                    color: Some(*color),
                });
                stagger += 16.0;
            }
        }
    }
    let cursors = plot
        .cursors
        .iter()
        .filter(|(at, _)| *at <= plot.x_end_us)
        .map(|(at, label)| {
            let cx = x(*at);
            // Above the area, unless the y axis title is there: then inside, beside the line.
            let (label_x, label_y, anchor) = if cx < left + Y_TITLE_PX {
                (cx + 5.0, top + 13.0, "start")
            } else if cx > right - 20.0 {
                (cx, top - 10.0, "end")
            } else {
                (cx, top - 10.0, "middle")
            };
            Line {
                x1: cx,
                y1: if label_y < top { top - 6.0 } else { top },
                x2: cx,
                y2: bottom,
                label: label.clone(),
                label_x,
                label_y,
                anchor,
                color: None,
            }
        })
        .collect();
    PlotLayout {
        width,
        height,
        area: (left, top, area_w, area_h),
        x_ticks,
        y_ticks,
        x_title: plot.x_title.to_string(),
        y_title: scale.title.clone(),
        series,
        guides,
        cursors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_broadcast_a_payload_carries() {
        let payload = serde_json::json!({"data": {"id": {"origin": "n3", "seq": 2}, "text": "x"}});
        assert_eq!(carried_broadcast(&payload), Some((NodeId(2), 2)));
        assert_eq!(
            carried_broadcast(&serde_json::json!({"ack": {"ts": 3}})),
            None
        );
    }

    #[test]
    fn ticks_are_round_and_labelled_in_the_right_unit() {
        let scale = error_scale(-30_000, 45_000);
        assert_eq!(scale.title, "clock error (ms)");
        assert!(scale.lo < -30_000 && scale.hi > 45_000);
        let labels: Vec<&str> = scale.ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["\u{2212}20", "0", "20", "40"]);
        let small = error_scale(-300, 700);
        assert_eq!(small.title, "clock error (µs)");
        assert!(small.ticks.iter().any(|t| t.strong && t.at == 0.0));
        assert_eq!(in_unit(2_500, 1_000, 500), "2.5");
        assert_eq!(in_unit(-2_500, 1_000, 500), "\u{2212}2.5");
        assert_eq!(in_unit(0, 1_000, 500), "0.0");
    }

    #[test]
    fn labels_round_to_three_digits() {
        assert_eq!(short_time(95_835), "95.8ms");
        assert_eq!(short_time(1_013_217), "1.01s");
        assert_eq!(short_time(999), "999µs");
        assert_eq!(short_time(99_960), "100ms");
        assert_eq!(short_offset(-1_372), "-1.37ms");
        assert_eq!(short_offset(50_620), "+50.6ms");
        assert_eq!(short_offset(0), "±0");
    }

    #[test]
    fn thinning_keeps_each_columns_extremes_in_order() {
        let points: Vec<(f64, f64)> = (0..100)
            .map(|i| (10.0 + f64::from(i) / 1000.0, f64::from((i + 3) % 7)))
            .collect();
        let thinned = thin(&points);
        assert_eq!(thinned.len(), 4);
        assert_eq!(thinned[0], points[0]);
        assert_eq!(thinned[3], points[99]);
        assert!(thinned.iter().any(|p| p.1 == 6.0) && thinned.iter().any(|p| p.1 == 0.0));
    }
}
