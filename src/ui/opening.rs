//! Opening a scenario in place of the current run: asking first when the run has changes the
//! user would lose, and the preset actions the course map, the scenario list and the design switch
//! dispatch.

use super::engines;
use super::guide;
use super::session::Session;
use super::state::{Note, NoteKind, Ui, UiAction};
use crate::engine::time::SimTime;
use crate::scenario::{Scenario, presets};

/// What a gesture asks to open.
#[derive(Clone, Debug, PartialEq)]
pub enum Opening {
    /// A scenario this engine runs (from preset `preset`, if named), opened at `at` (a design
    /// switched mid-run keeps the moment).
    Here {
        scenario: Box<Scenario>,
        preset: Option<&'static str>,
        at: SimTime,
    },
    /// A scenario called `name` whose protocol another of the page's engines has: the page
    /// reloads at `url`, which opens it there (`engines`).
    Elsewhere { name: String, url: String },
}

impl Opening {
    /// `scenario`, here, from preset `preset` if named, at `at`.
    pub fn here(scenario: Box<Scenario>, preset: Option<&'static str>, at: SimTime) -> Opening {
        Opening::Here {
            scenario,
            preset,
            at,
        }
    }
}

/// Something waiting to be opened until the user agrees to replace a run they changed.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingOpen {
    pub opening: Opening,
    /// How many changes the current run would lose.
    pub changes: usize,
}

impl PendingOpen {
    /// The name of the scenario waiting.
    pub fn name(&self) -> &str {
        match &self.opening {
            Opening::Here { scenario, .. } => &scenario.name,
            Opening::Elsewhere { name, .. } => name,
        }
    }
}

/// Opens `opening`, or first asks (`PendingOpen`) if the open run has interventions it would lose.
pub(super) fn ask_then_open(ui: &mut Ui, guard: &mut Option<Session>, opening: Opening) -> bool {
    let changes = guard.as_ref().map_or(0, |s| s.run.interventions().len());
    if changes > 0 {
        ui.pending_open = Some(PendingOpen { opening, changes });
        ui.course = false;
        ui.playing = false;
        false
    } else {
        go(ui, guard, opening)
    }
}

/// Opens `opening` without asking. Returns whether the session changed.
pub(super) fn go(ui: &mut Ui, guard: &mut Option<Session>, opening: Opening) -> bool {
    match opening {
        Opening::Here {
            scenario,
            preset,
            at,
        } => open(ui, guard, &scenario, preset, at),
        Opening::Elsewhere { url, .. } => {
            engines::leave(&url);
            false
        }
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
