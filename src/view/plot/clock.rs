//! The clock-error plot: each node's synchronised-clock error against true time.
//!
//! A clock-synchronisation node never changes its clock: it keeps a *correction* and reads its
//! clock plus the correction. Every change of the correction is a `clock_adjusted` fact, and
//! every node event records the clock's reading, so the error of the synchronised clock at each of
//! the node's events is its reading plus the corrections so far minus true time. Between two
//! events of a node its clock runs at one rate, so straight lines between those samples are exact;
//! a sync is a vertical step.

use super::{Mark, PALETTE, Plot, PlotKind, Point, Series, YScale, YTick, short_offset};
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId, by_event};
use crate::engine::trace::{EventKind, TraceEvent};
use crate::protocols::clocksync::REFERENCE;
use crate::view::{axis, format};

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
                }) = by_event(facts, EventId(index as u32))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
