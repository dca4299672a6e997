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
    events: usize,
    messages: usize,
    requests: usize,
    responses: usize,
    notes: usize,
    facts: usize,
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
            events: self.log.events.len(),
            messages: self.messages.sent.len(),
            requests: self.log.requests.len(),
            responses: self.log.responses.len(),
            notes: self.log.notes.len(),
            facts: self.log.facts.len(),
        }
    }

    /// Puts back `checkpoint`'s world and state, and cuts the logs back to its lengths.
    pub(super) fn return_to(&mut self, checkpoint: Checkpoint<P>) {
        self.world = checkpoint.world;
        self.state = checkpoint.state;
        self.log.events.truncate(checkpoint.events);
        self.messages.sent.truncate(checkpoint.messages);
        self.log.requests.truncate(checkpoint.requests);
        self.log.responses.truncate(checkpoint.responses);
        self.log.notes.truncate(checkpoint.notes);
        self.log.facts.truncate(checkpoint.facts);
        self.causality.get_mut().truncate(checkpoint.events);
    }

    /// Drops the checkpoints a new branch at `now` makes wrong: those taken later, or past
    /// `position`, where the branch's action now sits in the schedule.
    pub(super) fn drop_checkpoints_after(&mut self, now: SimTime, position: usize) {
        self.checkpoints
            .retain(|c| c.world.now <= now && c.state.cursor <= position);
    }

    fn restore(&mut self, index: usize) {
        self.return_to(self.checkpoints[index].clone());
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
            let ahead = self.checkpoints[index].events > self.log.events.len();
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
            .rposition(|c| c.events <= target)
            .unwrap_or(0);
        if target < self.log.events.len() || self.checkpoints[index].events > self.log.events.len()
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
