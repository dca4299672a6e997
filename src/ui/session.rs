//! The one simulation the page runs, with what it was built from. It is owned by a single shared
//! handle; the reducer in `state` is the only code that changes it, and components read from it
//! only to build immutable view data.

use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::action::Scheduled;
use crate::engine::ids::EventId;
use crate::engine::run::Run;
use crate::engine::time::SimTime;
use crate::scenario::guide::Guide;
use crate::scenario::link::{Link, ViewOptions};
use crate::scenario::{Scenario, Settings};
use crate::view::frame::FrameSource;
use crate::view::history::HistoryIndex;
use crate::view::index::TraceIndex;
use crate::view::plot::PlotKind;

/// A frame advances the run in slices of this many steps until its time budget is spent, so no
/// frame blocks the page for long however expensive the protocol's steps are.
const STEPS_PER_SLICE: u32 = 250;
/// Milliseconds of simulation per animation frame, leaving the rest of the frame for drawing.
const FRAME_BUDGET_MS: f64 = 8.0;

pub struct Session {
    pub run: Box<dyn Run>,
    pub index: TraceIndex,
    /// The clients' operations so far.
    pub history: HistoryIndex,
    /// The preset it came from, if any.
    pub preset: Option<&'static str>,
    pub name: String,
    pub description: String,
    pub seed: u64,
    /// The lesson plot its protocol gets, if any.
    pub plot: Option<PlotKind>,
    /// Its guided lesson, if it has one.
    pub guide: Option<Rc<Guide>>,
    /// The scenario as opened; the run holds the interventions recorded since.
    scenario: Scenario,
}

impl Session {
    pub fn new(scenario: &Scenario, preset: Option<&'static str>) -> Result<Session, String> {
        let run = scenario.build().map_err(|e| e.0)?;
        Ok(Session {
            run,
            index: TraceIndex::new(),
            history: HistoryIndex::new(),
            preset,
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            seed: scenario.seed,
            plot: PlotKind::of(&scenario.protocol),
            guide: scenario.guide.clone().map(Rc::new),
            scenario: scenario.clone(),
        })
    }

    /// The scenario with every intervention recorded so far: what replays this run.
    pub fn scenario(&self) -> Scenario {
        let mut scenario = self.scenario.clone();
        scenario.interventions = self.run.interventions();
        scenario
    }

    /// The settings a student may change (`Scenario::with_settings`): the protocol's parameters
    /// and the model as JSON, the seed and the node count.
    pub fn settings(&self) -> Settings {
        self.scenario.settings()
    }

    /// The share link of this run as it is now: its scenario with every intervention, and where it is.
    pub fn link(&self, view: ViewOptions) -> Link {
        Link {
            scenario: self.scenario(),
            at: self.run.now(),
            view,
        }
    }

    /// What a frame reads of this session: the run, read only, and what it was opened as.
    pub fn source(&self) -> FrameSource<'_> {
        FrameSource {
            run: self.run.as_ref(),
            index: &self.index,
            name: &self.name,
            description: &self.description,
            preset: self.preset,
            seed: self.seed,
            plot: self.plot,
            history: &self.history,
        }
    }

    /// Brings the trace index and the history up to date after the run changed.
    pub fn reindex(&mut self) {
        self.index.update(self.run.events(), self.run.facts());
        self.history.update(self.run.as_ref());
    }

    /// Advances towards `target` for at most one frame's budget, read from `clock_ms`.
    pub fn advance(&mut self, target: SimTime, clock_ms: &dyn Fn() -> f64) {
        let started = clock_ms();
        while self.run.run_slice(target, STEPS_PER_SLICE) {
            if clock_ms() - started >= FRAME_BUDGET_MS {
                break;
            }
        }
        self.reindex();
    }

    /// Runs until the trace has at least one more event (a step may record nothing), or the end.
    pub fn step_forward(&mut self) {
        let before = self.run.events().len();
        for _ in 0..10_000 {
            if !self.run.step() || self.run.events().len() > before {
                break;
            }
        }
        self.reindex();
    }

    /// Goes back to the end of the step before the last one: the trace loses the last step's
    /// events. A step may record several events, so earlier events are tried until one ends an
    /// earlier step.
    pub fn step_back(&mut self) {
        let len = self.run.events().len();
        let mut candidate = len.saturating_sub(2);
        for _ in 0..64 {
            if len < 2 {
                self.run.seek(SimTime::ZERO);
                break;
            }
            if self.run.seek_event(EventId(candidate as u32)).is_err() {
                break;
            }
            if self.run.events().len() < len || candidate == 0 {
                break;
            }
            candidate -= 1;
        }
        self.reindex();
    }

    /// Replaces the run with the same scenario carrying `interventions` instead, at the same moment
    /// (undoing an intervention, or bringing back the ones a new branch cut off).
    pub fn replace_interventions(&mut self, interventions: Vec<Scheduled>) -> Result<(), String> {
        let now = self.run.now();
        let mut scenario = self.scenario.clone();
        scenario.interventions = interventions;
        let mut run = scenario.build().map_err(|e| e.0)?;
        run.run_until(now);
        self.run = run;
        self.index = TraceIndex::new();
        self.history = HistoryIndex::new();
        self.reindex();
        Ok(())
    }

    pub fn seek(&mut self, t: SimTime) {
        self.run.seek(t);
        self.reindex();
    }
}

/// The shared handle to the current session (none until a scenario is opened). Equal only to
/// itself, so it can sit in props and contexts.
#[derive(Clone, Default)]
pub struct SessionHandle(pub Rc<RefCell<Option<Session>>>);

impl PartialEq for SessionHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
