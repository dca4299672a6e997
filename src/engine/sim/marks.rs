//! Marks: states of a run that the explorer comes back to in place. It keeps a mark at each state
//! on the path it is exploring and, to go on from another state, returns to the deepest mark the
//! two paths share and takes the remaining moves from there; it tries each move from a state in
//! a trial, which keeps a mark, takes the move, and returns. Returning copies the world and the
//! checkers' state back into buffers already there and cuts the append-only logs back to their
//! lengths, where a fork would copy the whole trace and every message; a mark no longer needed
//! is kept for its buffers, so a move allocates nothing to copy the world.

use super::checkpoints::Checkpoint;
use super::explore::Fingerprints;
use super::{Planned, Sim};
use crate::engine::protocol::Protocol;
use crate::engine::world::StepEvents;
use std::rc::Rc;

/// What a run keeps to come back to a state (see [`Sim::keep`]).
#[derive(Debug)]
pub(super) struct Mark<P: Protocol> {
    point: Checkpoint<P>,
    fingerprints: Fingerprints,
    /// How many payload digests the fingerprints had.
    payloads: usize,
    /// Where the schedule's entries later than the mark's instant begin, and those entries: all
    /// that an intervention from then on changes of it (`Sim::apply` cuts later ones and inserts
    /// after those due), so the schedule, shared with forks, is copied once rather than at every
    /// move.
    later: usize,
    tail: Vec<Planned<P>>,
    step: StepEvents,
    /// The run's checkpoints, set aside while the mark is kept (the run cannot seek back before
    /// it), and their spacing.
    checkpoints: Vec<Checkpoint<P>>,
    checkpoint_every: u64,
    steps_since_checkpoint: u64,
}

impl<P: Protocol> Mark<P> {
    /// Keeps what `sim` has now beside the world and the state (which `point` holds), reusing
    /// the mark's buffers; `Sim::restore_from` puts it back.
    fn keep_beside(&mut self, sim: &mut Sim<P>) {
        self.payloads = sim.fingerprints.keep_into(&mut self.fingerprints);
        let now = sim.world.now;
        self.later = sim.schedule.partition_point(|p| p.at <= now);
        self.tail.clear();
        self.tail.extend_from_slice(&sim.schedule[self.later..]);
        self.step.clone_from(&sim.log.step);
        self.checkpoints = std::mem::take(&mut sim.checkpoints);
        self.checkpoint_every = std::mem::replace(&mut sim.checkpoint_every, u64::MAX);
        self.steps_since_checkpoint = sim.steps_since_checkpoint;
    }
}

impl<P: Protocol> Sim<P> {
    /// Keeps a mark of the run as it stands, to come back to with `back_to_kept`. Marks stack: the
    /// first kept is mark 0. While any is kept the run takes no checkpoints and cannot seek back
    /// before the last one.
    pub fn keep(&mut self) {
        // The marks stay where they are, kept and let go of alike (a mark is about a kilobyte,
        // and a trial would otherwise move one four times).
        let mut marks = std::mem::take(&mut self.marks);
        if self.kept == marks.len() {
            marks.push(Mark {
                point: self.capture(),
                fingerprints: Fingerprints::default(),
                payloads: 0,
                later: 0,
                tail: Vec::new(),
                step: Default::default(),
                checkpoints: Vec::new(),
                checkpoint_every: 0,
                steps_since_checkpoint: 0,
            });
        } else {
            self.capture_into(&mut marks[self.kept].point);
        }
        marks[self.kept].keep_beside(self);
        self.kept += 1;
        self.marks = marks;
    }

    /// Puts the run back exactly as it was when mark `depth` was kept, and lets go of the marks
    /// kept after it. Nothing happens if there is no such mark.
    pub fn back_to_kept(&mut self, depth: usize) {
        if depth >= self.kept {
            return;
        }
        self.kept = depth + 1;
        let marks = std::mem::take(&mut self.marks);
        let mark = &marks[depth];
        self.return_to(&mark.point);
        self.restore_from(mark);
        self.checkpoints.clone_from(&mark.checkpoints);
        self.checkpoint_every = u64::MAX;
        self.marks = marks;
    }

    /// Runs `attempt` on the run, then puts the run back exactly as it was. The explorer tries
    /// each move from a state this way.
    pub fn trial(&mut self, attempt: impl FnOnce(&mut Sim<P>)) {
        let depth = self.kept;
        self.keep();
        attempt(self);
        self.kept = depth;
        let mut marks = std::mem::take(&mut self.marks);
        let mark = &mut marks[depth];
        // The run's world is not needed again: swapped, not copied, into the mark's buffers.
        self.swap_back(&mut mark.point);
        self.restore_from(mark);
        self.checkpoints = std::mem::take(&mut mark.checkpoints);
        self.checkpoint_every = mark.checkpoint_every;
        self.marks = marks;
    }

    /// Puts back what `mark` kept beside the world and the state.
    fn restore_from(&mut self, mark: &Mark<P>) {
        self.fingerprints.back_to(&mark.fingerprints, mark.payloads);
        let schedule = Rc::make_mut(&mut self.schedule);
        schedule.truncate(mark.later);
        schedule.extend_from_slice(&mark.tail);
        self.log.step.clone_from(&mark.step);
        self.steps_since_checkpoint = mark.steps_since_checkpoint;
    }
}
