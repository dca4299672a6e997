//! The Yew user interface: renders engine data and turns gestures into interventions.
//!
//! `app` owns the page state (`state`: a reducer over the one `session`), builds each frame's view
//! data (`crate::view::frame`, from the pure layouts in `crate::view`) and hands it to dumb leaf
//! components.

mod announce;
mod app;
#[cfg(feature = "all-protocols")]
mod bench;
mod components;
mod embed;
mod engines;
mod fetching;
mod files;
mod guide;
mod opening;
mod page;
pub mod panic;
mod picture;
mod progress;
mod saved;
mod session;
mod state;
mod worker;

pub use app::App;
