//! The guided lesson's part of the reducer: starting a guide when a scenario opens, the step
//! controls, and watching the run as it plays so a step pauses at its moment.

use crate::engine::time::SimTime;
use crate::scenario::link::Timestamps;
use crate::view::diagram::Stamps;
use crate::view::tour::Tour;

use super::session::Session;
use super::state::{MAX_SPAN_US, MIN_SPAN_US, Note, NoteKind, Ui};

/// A gesture on the guide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuideAction {
    Next,
    Back,
    Replay,
    /// Leave the guide for free play.
    Leave,
    /// Come back to the guide at its current step.
    Resume,
    /// The student's prediction for the current step's question.
    Answer(usize),
    /// Do the current step's task for the student.
    DoTask,
}

/// Starts the session's guide, if it has one, with the view it asks for. A guide opened from a
/// link that is already part-way through starts left, so the link's position is kept.
pub fn start(ui: &mut Ui, session: &mut Session, following: bool) {
    let Some(guide) = session.guide.clone() else {
        ui.tour = None;
        return;
    };
    if let Some(stamps) = guide.view.stamps {
        ui.stamps = match stamps {
            Timestamps::None => Stamps::None,
            Timestamps::Lamport => Stamps::Lamport,
            Timestamps::Vector => Stamps::Vector,
        };
    }
    if let Some(span) = guide.view.span_us {
        ui.view.span_us = span.clamp(MIN_SPAN_US, MAX_SPAN_US);
    }
    let mut tour = Tour::start(guide, session.run.as_mut());
    if !following {
        tour.leave();
    }
    session.reindex();
    ui.tour = Some(tour);
}

/// Applies a guide gesture. Returns whether the session changed.
pub fn reduce(ui: &mut Ui, session: &mut Session, action: GuideAction) -> bool {
    let Some(tour) = ui.tour.as_mut() else {
        return false;
    };
    let run = session.run.as_mut();
    match action {
        GuideAction::Next => tour.next(run),
        GuideAction::Back => tour.back(run),
        GuideAction::Replay => tour.replay(run),
        GuideAction::Leave => tour.leave(),
        GuideAction::Resume => tour.resume(run),
        GuideAction::Answer(choice) => tour.answer(choice, run),
        GuideAction::DoTask => {
            if let Err(error) = tour.do_task(run) {
                ui.note = Some(Note {
                    kind: NoteKind::Error,
                    text: error,
                });
            }
        }
    }
    session.reindex();
    let tour = ui.tour.as_ref().expect("checked above");
    ui.playing = tour.wants_play();
    ui.target_us = session.run.now().0;
    ui.last_frame_ms = None;
    ui.view.follow = true;
    true
}

/// The furthest the frame loop may take the run now, as the current step allows.
pub fn limit(ui: &Ui, now: u64, target: u64) -> u64 {
    ui.tour
        .as_ref()
        .and_then(|tour| tour.limit(SimTime(now)))
        .map_or(target, |limit| target.min(limit.0.max(now)))
}

/// After the run moved: lets the step see what happened; when it reaches its moment (or its task
/// is done) the run pauses there.
pub fn watch(ui: &mut Ui, session: &mut Session) {
    let Some(tour) = ui.tour.as_mut() else {
        return;
    };
    if tour.watch(session.run.as_mut()) {
        session.reindex();
        ui.playing = false;
        ui.target_us = session.run.now().0;
        ui.view.follow = true;
    }
}
