//! The Yew user interface: renders engine data and turns gestures into interventions.
//!
//! Today it is the application shell: a header and the four regions the sandbox fills in
//! (scenarios, controls, diagram, inspector), plus a panic hook that keeps working after Yew is gone.

mod app;
mod components;
mod page;
pub mod panic;

pub use app::App;
