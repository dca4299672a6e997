//! Checkpoints and seeking: a bounded set of copies of the run's state, and moving to an instant or
//! to the end of an event's step by restoring the nearest one and replaying.

use super::{InputError, Sim, State};
use crate::engine::ids::EventId;
use crate::engine::protocol::Protocol;
use crate::engine::time::SimTime;
use crate::engine::world::World;

/// How many checkpoints a run keeps at most; when full, every other one is dropped and the spacing
/// doubles, so memory stays bounded however long the run.
const MAX_CHECKPOINTS: usize = 64;

/// A copy of the world and the simulator's state, with the lengths the append-only logs had then,
/// which restoring truncates them to.
#[derive(Clone, Debug)]
pub(super) struct Checkpoint<P: Protocol> {
    world: World<P>,
    state: State<P>,
    lengths: Lengths,
}

/// How long each append-only log is.
#[derive(Clone, Copy, Debug)]
struct Lengths {
    events: usize,
    messages: usize,
    requests: usize,
    responses: usize,
    notes: usize,
    facts: usize,
}

impl Lengths {
    fn of<P: Protocol>(sim: &Sim<P>) -> Lengths {
        Lengths {
            events: sim.log.events.len(),
            messages: sim.messages.sent.len(),
            requests: sim.log.requests.len(),
            responses: sim.log.responses.len(),
            notes: sim.log.notes.len(),
            facts: sim.log.facts.len(),
        }
    }
}

impl<P: Protocol> Sim<P> {
    pub(super) fn take_checkpoint(&mut self) {
        self.steps_since_checkpoint = 0;
        if self.checkpoints.len() >= MAX_CHECKPOINTS {
            let mut keep = 0;
            self.checkpoints.retain(|_| {
                keep += 1;
                keep % 2 == 1
            });
            self.checkpoint_every *= 2;
        }
        let checkpoint = self.capture();
        self.checkpoints.push(checkpoint);
    }

    /// A copy of the world and the state, with the logs' lengths now.
    pub(super) fn capture(&self) -> Checkpoint<P> {
        Checkpoint {
            world: self.world.clone(),
            state: self.state.clone(),
            lengths: Lengths::of(self),
        }
    }

    /// Makes `checkpoint` a copy of the world and the state now, reusing its buffers.
    pub(super) fn capture_into(&self, checkpoint: &mut Checkpoint<P>) {
        checkpoint.world.clone_from(&self.world);
        checkpoint.state.clone_from(&self.state);
        checkpoint.lengths = Lengths::of(self);
    }

    /// Puts back a copy of `checkpoint`'s world and state, and cuts the logs back to its lengths.
    pub(super) fn return_to(&mut self, checkpoint: &Checkpoint<P>) {
        self.world.clone_from(&checkpoint.world);
        self.state.clone_from(&checkpoint.state);
        self.cut_logs(checkpoint);
    }

    /// Swaps `checkpoint`'s world and state with the run's, and cuts the logs back to its
    /// lengths: the run is back where `checkpoint` was taken, and `checkpoint` holds what it was
    /// (kept for its buffers).
    pub(super) fn swap_back(&mut self, checkpoint: &mut Checkpoint<P>) {
        std::mem::swap(&mut self.world, &mut checkpoint.world);
        std::mem::swap(&mut self.state, &mut checkpoint.state);
        self.cut_logs(checkpoint);
    }

    fn cut_logs(&mut self, checkpoint: &Checkpoint<P>) {
        let lengths = checkpoint.lengths;
        self.log.events.truncate(lengths.events);
        self.messages.sent.truncate(lengths.messages);
        self.log.requests.truncate(lengths.requests);
        self.log.responses.truncate(lengths.responses);
        self.log.notes.truncate(lengths.notes);
        self.log.facts.truncate(lengths.facts);
        self.causality.get_mut().truncate(lengths.events);
    }

    /// Drops the checkpoints a new branch at `now` makes wrong: those taken later, or past
    /// `position`, where the branch's action now sits in the schedule.
    pub(super) fn drop_checkpoints_after(&mut self, now: SimTime, position: usize) {
        self.checkpoints
            .retain(|c| c.world.now <= now && c.state.cursor <= position);
    }

    fn restore(&mut self, index: usize) {
        let checkpoints = std::mem::take(&mut self.checkpoints);
        self.return_to(&checkpoints[index]);
        self.checkpoints = checkpoints;
        self.fingerprints = Default::default();
        self.steps_since_checkpoint = 0;
    }

    /// Moves to instant `t`: forward by running, backward by restoring the nearest checkpoint and
    /// replaying. The trace afterwards holds exactly the events up to `t`.
    pub fn seek(&mut self, t: SimTime) {
        let t = t.min(self.horizon);
        let best = self.checkpoints.iter().rposition(|c| c.world.now <= t);
        let behind =
            t < self.world.now || (t == self.world.now && self.state.ended && t < self.horizon);
        if let Some(index) = best {
            let ahead = self.checkpoints[index].lengths.events > self.log.events.len();
            if behind || ahead {
                self.restore(index);
            }
        }
        self.run_until(t);
    }

    /// Moves to the end of the step that recorded event `e` (a step, such as a handler and all its
    /// effects, is atomic).
    pub fn seek_event(&mut self, e: EventId) -> Result<(), InputError> {
        let target = e.index();
        let index = self
            .checkpoints
            .iter()
            .rposition(|c| c.lengths.events <= target)
            .unwrap_or(0);
        if target < self.log.events.len()
            || self.checkpoints[index].lengths.events > self.log.events.len()
        {
            self.restore(index);
        }
        while self.log.events.len() <= target {
            if !self.step() {
                return Err(InputError(format!("the run has no event {e}")));
            }
        }
        Ok(())
    }
}
