//! The space-time diagram as geometry: one vertical lane per node, time flowing down, an arrow per
//! message, a mark per event. Only what intersects the visible time window is laid out; the events in
//! it are found by binary search on time (the trace is in time order), so the cost of a frame depends
//! on the window, not on the length of the run.
//!
//! Vertical positions are measured from a fixed `origin_us` rather than from the window's top, so
//! panning changes one translation and leaves every element's coordinates unchanged.
//!
//! This module holds the layout's types; `layout.rs` lays out a window (lanes, ticks, marks,
//! arrows, timers, violations), `spans.rs` its crashed and paused spans and its partition and hold
//! bands, `batches.rs` batches common marks and arrows into a few SVG paths, `hit.rs` finds what
//! the pointer is over and `text.rs` prints a layout for snapshot tests.

mod batches;
mod hit;
mod layout;
mod spans;
mod text;

pub use batches::{PathBatch, arrow_batches, batched, mark_batches};
pub use hit::Hit;
pub use layout::{add_own_stamps, add_vector_stamps, lane_x, layout};
pub use text::render_text;

use crate::engine::byzantine::Strategy;
use crate::engine::ids::{EventId, MsgId, NodeId};
use crate::engine::protocol::NodeStatus;
use crate::engine::sim::InFlight;
use crate::engine::time::SimTime;
use crate::engine::trace::{DropReason, TraceEvent};
use crate::view::axis::Tick;
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
    /// How the node lies, if it has turned traitor.
    pub traitor: Option<Strategy>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub node: NodeId,
    pub x: f64,
    pub name: String,
    pub role: Option<String>,
    pub status: NodeStatus,
    pub traitor: Option<Strategy>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    Crashed,
    Paused,
    /// Blocked, waiting for a decision it may not take alone (`Fact::InDoubt`).
    InDoubt,
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
    /// Delivered, but a link altered it on the way: what arrived is not what was sent.
    Forged,
    Dropped(DropReason),
    InFlight,
    Held,
}

impl ArrowState {
    pub fn class(self) -> &'static str {
        match self {
            ArrowState::Delivered => "arrow-delivered",
            ArrowState::Forged => "arrow-forged",
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

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagramLayout {
    pub width: f64,
    pub height: f64,
    /// Pixels per microsecond.
    pub scale: f64,
    /// The window of true time laid out, from `start_us` for `span_us`.
    pub start_us: u64,
    pub span_us: u64,
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
