//! Shrinking a counterexample: given a scenario whose run violates a property, find a smaller one
//! whose run still violates it. Delta debugging (Zeller's ddmin, applied greedily): drop chunks of
//! the fault script, of the recorded interventions and of the client requests, halving the chunk
//! size down to single items; rein in the request generator; cut the horizon back to the
//! violation; and take nodes away from the end while the protocol still accepts the count. A
//! change is kept only if the run still violates the same property. Passes repeat until none
//! shrinks anything or the run budget is spent.
//!
//! Everything is deterministic: the same scenario and property always shrink to the same result,
//! natively and in the browser.

use crate::engine::action::Scheduled;
use crate::engine::ids::NodeId;
use crate::engine::time::SimTime;
use crate::engine::trace::EventKind;
use crate::scenario::Scenario;

/// The most runs a shrink may spend unless told otherwise.
pub const DEFAULT_BUDGET: u64 = 2_000;

/// How big a scenario's run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Size {
    pub events: u64,
    pub faults: usize,
    pub requests: usize,
    pub nodes: u32,
    pub horizon: SimTime,
}

/// Where a shrink stands, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Runs spent so far.
    pub runs: u64,
    /// The run budget.
    pub budget: u64,
    /// The smallest failing scenario so far.
    pub best: Size,
}

/// Why a shrink stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// No change shrinks the scenario further.
    Minimal,
    /// The run budget was spent.
    Budget,
    /// The caller asked it to stop.
    Cancelled,
}

/// The result: the smallest scenario found that still violates the property.
#[derive(Clone, Debug)]
pub struct Shrunk {
    pub scenario: Scenario,
    pub before: Size,
    pub after: Size,
    pub runs: u64,
    pub stop: Stop,
}

/// The run of `scenario` to its horizon, if the scenario is valid: whether it violates
/// `property`, and its size.
fn judge(scenario: &Scenario, property: &str) -> Option<(bool, Size)> {
    let mut run = scenario.build().ok()?;
    run.run_until(scenario.horizon_us);
    let events = run.events();
    let violated = events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::Violation(v) if v.property == property));
    Some((violated, size(scenario, events.len() as u64)))
}

fn size(scenario: &Scenario, events: u64) -> Size {
    Size {
        events,
        faults: scenario.faults.len() + scenario.interventions.len(),
        requests: scenario.workload.requests.len(),
        nodes: scenario.nodes,
        horizon: scenario.horizon_us,
    }
}

/// When `property` is first violated in the run of `scenario`.
fn violated_at(scenario: &Scenario, property: &str) -> Option<SimTime> {
    let mut run = scenario.build().ok()?;
    run.run_until(scenario.horizon_us);
    run.events().iter().find_map(|e| match &e.kind {
        EventKind::Violation(v) if v.property == property => Some(e.time),
        _ => None,
    })
}

struct Shrinker<'a> {
    property: &'a str,
    best: Scenario,
    best_size: Size,
    runs: u64,
    budget: u64,
    progress: &'a mut dyn FnMut(&Progress) -> bool,
    stop: Option<Stop>,
}

impl Shrinker<'_> {
    /// Runs `candidate`; keeps it when it still violates the property. Returns whether it did.
    fn try_keep(&mut self, candidate: Scenario) -> bool {
        if self.stop.is_some() {
            return false;
        }
        if self.runs >= self.budget {
            self.stop = Some(Stop::Budget);
            return false;
        }
        self.runs += 1;
        let kept = match judge(&candidate, self.property) {
            Some((true, size)) => {
                self.best = candidate;
                self.best_size = size;
                true
            }
            _ => false,
        };
        let progress = Progress {
            runs: self.runs,
            budget: self.budget,
            best: self.best_size,
        };
        if !(self.progress)(&progress) {
            self.stop = Some(Stop::Cancelled);
        }
        kept
    }

    /// ddmin over one list of the scenario (`get` reads it, `set` writes it): try removing each
    /// chunk, from halves down to single items. Returns whether anything was removed.
    fn remove_chunks<T: Clone>(
        &mut self,
        get: fn(&Scenario) -> &Vec<T>,
        set: fn(&mut Scenario, Vec<T>),
    ) -> bool {
        let mut shrank = false;
        let mut chunk = get(&self.best).len().div_ceil(2).max(1);
        loop {
            let mut start = 0;
            while start < get(&self.best).len() && self.stop.is_none() {
                let items = get(&self.best);
                let end = (start + chunk).min(items.len());
                let kept: Vec<T> = items[..start]
                    .iter()
                    .chain(&items[end..])
                    .cloned()
                    .collect();
                let mut candidate = self.best.clone();
                set(&mut candidate, kept);
                if self.try_keep(candidate) {
                    shrank = true;
                } else {
                    start = end;
                }
            }
            if chunk == 1 || self.stop.is_some() {
                return shrank;
            }
            chunk = chunk.div_ceil(2);
        }
    }

    /// Cuts the horizon back to just past the violation, else halfway there.
    fn shorten(&mut self) -> bool {
        let Some(at) = violated_at(&self.best, self.property) else {
            return false;
        };
        let horizon = self.best.horizon_us;
        for cut in [at.saturating_add_us(1), SimTime((at.0 + horizon.0) / 2)] {
            if cut >= horizon {
                continue;
            }
            let mut candidate = self.best.clone();
            candidate.horizon_us = cut;
            candidate.faults.retain(|s| s.at_us <= cut);
            candidate.interventions.retain(|s| s.at_us <= cut);
            candidate.workload.requests.retain(|r| r.at_us <= cut);
            if self.try_keep(candidate) {
                return true;
            }
        }
        false
    }

    /// Takes the generator away, or lets it send fewer requests.
    fn rein_in_generator(&mut self) -> bool {
        let Some(generator) = self.best.workload.generator else {
            return false;
        };
        let mut candidate = self.best.clone();
        candidate.workload.generator = None;
        if self.try_keep(candidate) {
            return true;
        }
        let mut count = 1;
        while generator.count.is_none_or(|c| count < c) && count <= 1 << 12 {
            let mut candidate = self.best.clone();
            if let Some(g) = &mut candidate.workload.generator {
                g.count = Some(count);
            }
            if self.try_keep(candidate) {
                return true;
            }
            count *= 2;
        }
        false
    }

    /// Takes the last node away, with everything that names it.
    fn fewer_nodes(&mut self) -> bool {
        if self.best.nodes <= 1 {
            return false;
        }
        let gone = NodeId(self.best.nodes - 1);
        let mut candidate = self.best.clone();
        candidate.nodes -= 1;
        let keeps = |s: &Scheduled| s.action.nodes().all(|n| n != gone);
        candidate.faults.retain(keeps);
        candidate.interventions.retain(keeps);
        candidate.workload.requests.retain(|r| r.node != gone);
        candidate
            .network
            .links
            .retain(|l| l.from != gone && l.to != gone);
        candidate.clocks.nodes.retain(|c| c.node != gone);
        self.try_keep(candidate)
    }
}

/// Shrinks `scenario`, whose run violates `property`, spending at most `budget` runs and calling
/// `progress` after each (return false to stop). The shrunk scenario has no guide, and says what
/// it is in its name and description.
pub fn shrink(
    scenario: &Scenario,
    property: &str,
    budget: u64,
    progress: &mut dyn FnMut(&Progress) -> bool,
) -> Result<Shrunk, String> {
    let mut start = scenario.clone();
    start.guide = None;
    let before = match judge(&start, property) {
        Some((true, size)) => size,
        Some((false, _)) => {
            return Err(format!(
                "the scenario does not violate {property:?}, so there is nothing to shrink"
            ));
        }
        None => return Err("the scenario is not valid".to_string()),
    };
    let mut shrinker = Shrinker {
        property,
        best: start,
        best_size: before,
        runs: 0,
        budget,
        progress,
        stop: None,
    };
    loop {
        let mut shrank = shrinker.shorten();
        shrank |= shrinker.remove_chunks(|s| &s.faults, |s, v| s.faults = v);
        shrank |= shrinker.remove_chunks(|s| &s.interventions, |s, v| s.interventions = v);
        shrank |= shrinker.remove_chunks(|s| &s.workload.requests, |s, v| s.workload.requests = v);
        shrank |= shrinker.rein_in_generator();
        while shrinker.fewer_nodes() {
            shrank = true;
        }
        if !shrank || shrinker.stop.is_some() {
            break;
        }
    }
    let stop = shrinker.stop.unwrap_or(Stop::Minimal);
    let mut best = shrinker.best;
    best.name = format!("{} (shrunk: {property})", scenario.name);
    best.description = format!(
        "A smaller run that still violates {property}: {} of {} events, {} of {} faults and \
         interventions, {} of {} nodes, shrunk from \"{}\".",
        shrinker.best_size.events,
        before.events,
        shrinker.best_size.faults,
        before.faults,
        shrinker.best_size.nodes,
        before.nodes,
        scenario.name
    );
    Ok(Shrunk {
        scenario: best,
        before,
        after: shrinker.best_size,
        runs: shrinker.runs,
        stop,
    })
}
