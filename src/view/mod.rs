//! The view model: pure, deterministic layout of engine data for the UI, with no web dependencies, so
//! it is tested natively. The Yew components in `ui` only turn these values into SVG and HTML.
//!
//! - `index`: facts about a trace kept up to date incrementally (fault events, the longest transit).
//! - `diagram`: the space-time diagram of a time window: lanes, event marks, message arrows,
//!   crashed and paused spans, partition bands, pending timers.
//! - `topology`: nodes on a ring, links coloured by state, messages in flight along them.
//! - `axis`: time-axis ticks at round steps.
//! - `plot`: the lessons' plots (clock error against true time, gossip spread), from the trace.
//! - `logs`: the nodes' replicated logs side by side (servers × indices), for protocols with one.
//! - `history`: the clients' operations on the diagram's time axis, one column per client, with
//!   the faults and the linearizability checker's verdict and explanation.
//! - `edit`: an edit of a node's text as the requests that make it (`Protocol::editable_text`).
//! - `details`: what the hover card and the inspector say about one event.
//! - `format`: text for people (times, clock offsets, ratios, vector timestamps).
//! - `tour`: following a scenario's guided lesson: the current step, what it waits for, where
//!   each step paused.
//! - `walk`: moving the selection through the diagram with the keyboard (along a lane, across
//!   lanes, between an event and its message).
//! - `frame`: everything one render of the page shows, built from the run read through `&dyn Run`
//!   and the UI's choices (selection, time window, stamps, size).

pub mod axis;
pub mod details;
pub mod diagram;
pub mod edit;
pub mod format;
pub mod frame;
pub mod history;
pub mod index;
pub mod logs;
pub mod plot;
pub mod topology;
pub mod tour;
pub mod walk;
