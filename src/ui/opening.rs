//! Opening a scenario in place of the current run: asking first when the run has changes the
//! user would lose, and the preset actions the course map, the scenario list and the design switch
//! dispatch.

use super::guide;
use super::session::Session;
use super::state::{Note, NoteKind, Ui, UiAction};
use crate::engine::time::SimTime;
use crate::scenario::{Scenario, presets};

/// A scenario waiting to be opened until the user agrees to replace a run they changed.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingOpen {
    pub scenario: Box<Scenario>,
    pub preset: Option<&'static str>,
    /// How many changes the current run would lose.
    pub changes: usize,
    /// The moment to open it at (a design switched mid-run keeps the moment).
    pub at: SimTime,
}

/// Opens `scenario`, or first asks (`PendingOpen`) if the open run has interventions it would lose.
pub(super) fn ask_then_open(
    ui: &mut Ui,
    guard: &mut Option<Session>,
    scenario: Box<Scenario>,
    preset: Option<&'static str>,
    at: SimTime,
) -> bool {
    let changes = guard.as_ref().map_or(0, |s| s.run.interventions().len());
    if changes > 0 {
        ui.pending_open = Some(PendingOpen {
            scenario,
            preset,
            changes,
            at,
        });
        ui.course = false;
        ui.playing = false;
        false
    } else {
        open(ui, guard, &scenario, preset, at)
    }
}

/// Replaces the session with a new one running `scenario` (or notes why it cannot run), run on to
/// `at` (its guide left, so the moment is kept, when that is not the start). Returns whether the
/// session changed.
pub(super) fn open(
    ui: &mut Ui,
    guard: &mut Option<Session>,
    scenario: &Scenario,
    preset: Option<&'static str>,
    at: SimTime,
) -> bool {
    match Session::new(scenario, preset) {
        Ok(mut session) => {
            *ui = ui.reset();
            // A scenario that names its clients is about what they saw: show their history.
            let named = scenario
                .workload
                .requests
                .iter()
                .any(|r| r.client.is_some());
            ui.history |= named;
            ui.models = named;
            guide::start(ui, &mut session, at == SimTime::ZERO);
            // A short run without a guide's view fills the diagram.
            if scenario.guide.is_none() && scenario.horizon_us.0 < ui.view.span_us {
                ui.view.span_us = scenario.horizon_us.0.max(1_000);
            }
            ui.target_us = at.0;
            *guard = Some(session);
        }
        Err(error) => {
            ui.note = Some(Note {
                kind: NoteKind::Error,
                text: format!("This scenario cannot run: {error}"),
            })
        }
    }
    true
}

/// The action that opens the preset called `id` (or says why it cannot), once the page has its JSON
/// (`fetching::open_preset`).
pub fn preset_action(id: &str) -> UiAction {
    match presets::find(id).map(|p| (p.id, p.scenario())) {
        Some((id, Ok(scenario))) => UiAction::Open(Box::new(scenario), Some(id)),
        Some((_, Err(error))) => UiAction::Fail(error.0),
        None => UiAction::Fail(format!("There is no preset called `{id}`.")),
    }
}
