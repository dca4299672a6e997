//! Leaf components of the shell. They take no simulation data yet; each region explains what will
//! appear in it.

mod controls;
mod diagram;
mod empty_state;
mod header;
mod icons;
mod inspector;
mod scenarios;

pub use controls::ControlBar;
pub use diagram::DiagramPanel;
pub use header::Header;
pub use inspector::InspectorPanel;
pub use scenarios::ScenarioPanel;
