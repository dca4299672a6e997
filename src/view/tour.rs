//! Following a guide through a run: which step the student is on, what the step waits for (an
//! answer, the run reaching the step's moment, a task), and where each step paused, so Back and
//! Replay return to the same places. Plain data over `&mut dyn Run`, tested natively
//! (`tests/guides.rs`); the page's reducer calls it.

use std::rc::Rc;

use crate::engine::run::Run;
use crate::engine::time::SimTime;
use crate::scenario::guide::{Guide, Step, Stop};

/// Steps the run may take to fast-forward to a moment before giving up on it.
const MAX_FAST_FORWARD_STEPS: u32 = 2_000_000;

/// What the current step is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The step's question waits for an answer before the run plays on.
    Ask,
    /// The run plays towards the step's moment.
    Play,
    /// Paused at the moment; the step's task waits to be done.
    Task,
    /// The step is over: on to the next.
    Done,
    /// The run ended (or was changed) without reaching the step's moment.
    Missed,
}

/// Progress through a guide.
#[derive(Clone, Debug, PartialEq)]
pub struct Tour {
    pub guide: Rc<Guide>,
    pub step: usize,
    pub phase: Phase,
    /// The choice given to each step's question.
    pub answers: Vec<Option<usize>>,
    /// Whether each step has been completed.
    pub done: Vec<bool>,
    /// False once the student leaves the guide for free play (until they resume).
    pub following: bool,
    /// Where each step paused, once it has.
    stops: Vec<Option<Stop>>,
    /// Events already searched for what the step waits for.
    seen: usize,
}

impl Tour {
    /// Starts the guide at its first step, rewinding the run to its beginning.
    pub fn start(guide: Rc<Guide>, run: &mut dyn Run) -> Tour {
        let steps = guide.steps.len();
        let mut tour = Tour {
            guide,
            step: 0,
            phase: Phase::Done,
            answers: vec![None; steps],
            done: vec![false; steps],
            following: true,
            stops: vec![None; steps],
            seen: 0,
        };
        tour.enter(0, run);
        tour
    }

    pub fn current(&self) -> &Step {
        &self.guide.steps[self.step]
    }

    pub fn steps(&self) -> usize {
        self.guide.steps.len()
    }

    pub fn is_last(&self) -> bool {
        self.step + 1 == self.steps()
    }

    /// Whether the whole guide has been completed.
    pub fn finished(&self) -> bool {
        self.done.iter().all(|d| *d)
    }

    /// The furthest the run may play now, if the step limits it: not at all while a question
    /// waits, not past the step's time while playing towards it.
    pub fn limit(&self, now: SimTime) -> Option<SimTime> {
        if !self.following {
            return None;
        }
        match self.phase {
            Phase::Ask => Some(now),
            Phase::Play => self.current().until.as_ref().and_then(|m| m.time()),
            _ => None,
        }
    }

    /// Whether a question holds the run.
    pub fn asking(&self) -> bool {
        self.following && self.phase == Phase::Ask
    }

    /// Whether the page should play the run now (it has just entered a step that plays).
    pub fn wants_play(&self) -> bool {
        self.following && self.phase == Phase::Play
    }

    /// Shows step `k` from its beginning: the run goes back to where the step before paused.
    pub fn enter(&mut self, k: usize, run: &mut dyn Run) {
        self.step = k.min(self.steps() - 1);
        self.following = true;
        let start = match self.step {
            0 => Stop::Time(SimTime::ZERO),
            k => self.stops[k - 1].unwrap_or(Stop::Time(run.now())),
        };
        go(run, start);
        // Look from just after where the step began: a moment may be in the same engine step.
        self.seen = match start {
            Stop::Event(e) => e.index() + 1,
            Stop::Time(_) => run.events().len(),
        };
        let asks = self.current().question.is_some() && self.answers[self.step].is_none();
        if asks {
            self.phase = Phase::Ask;
        } else {
            self.begin(run);
        }
    }

    /// Starts playing towards the step's moment (or, without one, stops at once).
    fn begin(&mut self, run: &mut dyn Run) {
        self.phase = Phase::Play;
        if self.current().until.is_none() {
            let now = run.now();
            self.arrive(run, Stop::Time(now));
        } else {
            self.watch(run);
        }
    }

    /// The run reached the step's moment: pause there, then wait for the task if there is one.
    fn arrive(&mut self, run: &mut dyn Run, stop: Stop) {
        go(run, stop);
        self.stops[self.step] = Some(stop);
        self.seen = run.events().len();
        if self.current().task.is_some() {
            self.phase = Phase::Task;
            self.watch(run);
        } else {
            self.complete();
        }
    }

    fn complete(&mut self) {
        self.phase = Phase::Done;
        self.done[self.step] = true;
    }

    /// Looks at what the run did since the last look. Returns true when the step's phase changed
    /// (the page then pauses: the run reached the moment, or the task was done).
    pub fn watch(&mut self, run: &mut dyn Run) -> bool {
        if !self.following {
            return false;
        }
        let before = self.phase;
        let len = run.events().len();
        self.seen = self.seen.min(len);
        match self.phase {
            Phase::Play => {
                let step = self.current();
                let moment = step.until.as_ref().expect("a playing step has a moment");
                if let Some(at) = moment.time() {
                    if run.now() >= at {
                        self.arrive(run, Stop::Time(at));
                    } else if run.finished() {
                        self.miss(run);
                    }
                } else if let Some(event) = moment.find(run, self.seen) {
                    self.arrive(run, Stop::Event(event));
                } else if run.finished() {
                    self.miss(run);
                } else {
                    self.seen = len;
                }
            }
            Phase::Task => {
                let task = self
                    .current()
                    .task
                    .as_ref()
                    .expect("a task step has a task");
                if task.done_when.find(run, self.seen).is_some() {
                    self.complete();
                } else {
                    self.seen = len;
                }
            }
            Phase::Ask | Phase::Done | Phase::Missed => {}
        }
        self.phase != before
    }

    fn miss(&mut self, run: &dyn Run) {
        self.stops[self.step] = Some(Stop::Time(run.now()));
        self.phase = Phase::Missed;
    }

    /// The student's prediction; the run then plays on to answer it.
    pub fn answer(&mut self, choice: usize, run: &mut dyn Run) {
        let Some(question) = &self.current().question else {
            return;
        };
        if choice < question.choices.len() {
            self.answers[self.step] = Some(choice);
            if self.phase == Phase::Ask {
                self.begin(run);
            }
        }
    }

    /// Does the step's task for the student.
    pub fn do_task(&mut self, run: &mut dyn Run) -> Result<(), String> {
        let Some(task) = &self.current().task else {
            return Ok(());
        };
        if self.phase != Phase::Task {
            return Ok(());
        }
        run.apply(task.act.clone()).map_err(|e| e.0)?;
        self.watch(run);
        Ok(())
    }

    /// On to the next step; a step still playing first runs to its moment, and a task not done
    /// is done for the student (the steps after it tell the story that follows from it).
    pub fn next(&mut self, run: &mut dyn Run) {
        if self.is_last() {
            return;
        }
        self.fast_forward(run);
        if self.phase == Phase::Task {
            // The action was validated with the scenario; a refusal leaves the step as it is.
            let _ = self.do_task(run);
        }
        self.done[self.step] = true;
        self.enter(self.step + 1, run);
    }

    /// Back to the step before, shown where it paused.
    pub fn back(&mut self, run: &mut dyn Run) {
        if self.step == 0 {
            return;
        }
        self.step -= 1;
        self.following = true;
        match self.stops[self.step] {
            Some(stop) => {
                go(run, stop);
                self.seen = run.events().len();
                self.phase = if self.done[self.step] {
                    Phase::Done
                } else {
                    Phase::Task
                };
            }
            None => self.enter(self.step, run),
        }
    }

    /// Plays the current step again from its beginning.
    pub fn replay(&mut self, run: &mut dyn Run) {
        self.enter(self.step, run);
    }

    /// Leaves the guide for free play; the step stays where it was.
    pub fn leave(&mut self) {
        self.following = false;
    }

    /// Comes back to the guide at the current step, from its beginning.
    pub fn resume(&mut self, run: &mut dyn Run) {
        self.enter(self.step, run);
    }

    /// Runs until the current step's moment is reached (or the run ends), answering an open
    /// question with no choice. Used by Next and by tests that walk a guide.
    pub fn fast_forward(&mut self, run: &mut dyn Run) {
        if self.phase == Phase::Ask {
            self.begin(run);
        }
        let mut budget = MAX_FAST_FORWARD_STEPS;
        while self.phase == Phase::Play && budget > 0 {
            let target = self
                .current()
                .until
                .as_ref()
                .and_then(|m| m.time())
                .unwrap_or(run.horizon());
            let steps = budget.min(5_000);
            run.run_slice(target, steps);
            budget -= steps;
            self.watch(run);
        }
        if self.phase == Phase::Play {
            self.miss(run);
        }
    }

    /// Where the current step paused, once it has.
    pub fn stop(&self) -> Option<Stop> {
        self.stops[self.step]
    }
}

/// Moves the run to a stop (when it is not already there).
fn go(run: &mut dyn Run, stop: Stop) {
    match stop {
        Stop::Time(t) => {
            if run.now() != t {
                run.seek(t);
            }
        }
        Stop::Event(e) => {
            let events = run.events();
            let at_it = events.len() == e.index() + 1
                && events.get(e.index()).map(|ev| ev.time) == Some(run.now());
            if !at_it {
                // The event exists in this run (it was found in it), so seeking cannot fail.
                let _ = run.seek_event(e);
            }
        }
    }
}
