//! Plots for the lessons, derived from the trace alone: each node's clock error against true time
//! (the clock-synchronisation lessons), how far each gossiped message has spread (the gossip
//! lesson) and how many reads each server answered (chain replication and CRAQ).
//!
//! The first step reads the lesson's facts out of the trace (`clock_errors`, `gossip_spread`); the
//! second turns them into a `Plot` in data units (µs and node counts, with axis scales and
//! legend); the third, `layout`, places a plot in pixels for a given size. The UI only draws the
//! layout as SVG. The first two steps live with their lesson (`clock.rs`, `gossip.rs`), the third
//! in `pixels.rs`; this module holds the plot's types, which all three share.

mod clock;
mod gossip;
mod pixels;
mod reads;

pub use clock::{NodeClock, Sync, clock_errors, clock_plot};
pub use gossip::{Delivery, Spread, carried_broadcast, gossip_plot, gossip_spread};
pub use pixels::{Line, PlotLayout, SeriesPath, layout};
pub use reads::{ServerReads, reads_plot, reads_served};

use crate::scenario::ProtocolConfig;
use crate::view::format;

/// Which plot a scenario gets, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotKind {
    /// Each node's synchronised clock minus true time.
    ClockError,
    /// The share of nodes that have delivered each gossiped message.
    Gossip,
    /// How many gets each server has answered (chain replication and CRAQ).
    Reads,
}

impl PlotKind {
    /// The plot that teaches something about this protocol configuration.
    pub fn of(protocol: &ProtocolConfig) -> Option<PlotKind> {
        match protocol {
            #[cfg(feature = "clock_sync")]
            ProtocolConfig::ClockSync(_) => Some(PlotKind::ClockError),
            #[cfg(feature = "broadcast")]
            ProtocolConfig::Broadcast(params)
                if params.order == crate::protocols::broadcast::Order::Gossip =>
            {
                Some(PlotKind::Gossip)
            }
            #[cfg(feature = "chain")]
            ProtocolConfig::Chain(_) => Some(PlotKind::Reads),
            _ => None,
        }
    }

    /// A stable name for tests and styles.
    pub fn name(self) -> &'static str {
        match self {
            PlotKind::ClockError => "clock-error",
            PlotKind::Gossip => "gossip",
            PlotKind::Reads => "reads",
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
