//! Leaf components. They receive immutable view data as props and send gestures to the reducer
//! through the app context; none of them owns simulation state.

mod checkers;
mod controls;
mod diagram;
mod empty_state;
mod header;
mod help;
mod icons;
mod inspector;
mod note;
mod scenarios;
mod topology;

pub use checkers::CheckersPanel;
pub use controls::{ControlBar, Controls};
pub use diagram::DiagramPanel;
pub use header::Header;
pub use help::HelpDialog;
pub use inspector::InspectorPanel;
pub use note::NoteBar;
pub use scenarios::{LessonPanel, ScenarioPanel};
pub use topology::TopologyPanel;
