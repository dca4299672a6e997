//! Leaf components. They receive immutable view data as props and send gestures to the reducer
//! through the app context; none of them owns simulation state.

mod checkers;
mod controls;
mod course;
mod diagram;
mod empty_state;
mod exports;
mod guide;
mod header;
mod help;
mod history;
mod history_file;
mod icons;
mod inspector;
mod interventions;
mod logs;
mod models;
mod note;
mod player;
mod plot;
mod saved;
mod scenarios;
mod settings;
mod share;
mod size;
mod text_edit;
mod topology;

pub use checkers::CheckersPanel;
pub use controls::{ControlBar, Controls};
pub use course::CoursePage;
pub use diagram::DiagramPanel;
pub use guide::GuidePanel;
pub use header::Header;
pub use help::HelpDialog;
pub use history::HistoryPanel;
pub use history_file::HistoryFilePanel;
pub use inspector::InspectorPanel;
pub use interventions::InterventionsPanel;
pub use logs::LogMatrixPanel;
pub use models::ConsistencyModels;
pub use note::{ConfirmOpenBar, NoteBar};
pub use player::PlayerBar;
pub use plot::PlotPanel;
pub use scenarios::{LessonPanel, ScenarioPanel};
pub use share::{LinkErrorPanel, ShareBar};
pub use topology::TopologyPanel;
