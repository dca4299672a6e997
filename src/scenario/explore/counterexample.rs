//! A counterexample the explorer found: the explored scenario with its moves as recorded
//! interventions, checked to replay to the same violation, and its moves in words.

use super::Move;
use crate::engine::ids::EventId;
use crate::engine::run::Run;
use crate::engine::time::{SimTime, format_us};
use crate::engine::trace::EventKind;
use crate::scenario::Scenario;

/// A shortest run that violates a promised property.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub property: String,
    pub message: String,
    /// Moves from the first state.
    pub depth: u32,
    /// The run as a scenario: the explored scenario with its moves as recorded interventions
    /// (after the violation, its links go on holding every message), ending soon after the
    /// violation where nothing scripted falls later.
    pub scenario: Scenario,
    pub at_us: u64,
    pub event: u32,
    /// Each move, in words.
    pub moves: Vec<String>,
}

/// The counterexample `run` ends in: its scenario replays it (checked here), its moves in words.
pub(super) fn counterexample(
    scenario: &Scenario,
    run: &dyn Run,
    (event, property, message, at_us): (u32, String, String, u64),
    depth: u32,
    path: Vec<Move>,
) -> Result<Counterexample, String> {
    let mut replay = scenario.clone();
    replay.interventions = run.interventions();
    // End the run a little after the violation, so it fills the diagram, where nothing scripted
    // or requested falls later.
    let end = SimTime(at_us.saturating_add((at_us / 5).max(1_000))).min(scenario.horizon_us);
    let later = replay.faults.iter().any(|f| f.at_us > end)
        || replay.workload.requests.iter().any(|r| r.at_us > end);
    if !later {
        replay.horizon_us = end;
    }
    replay.name = format!("{} (explored: {property} violated)", scenario.name);
    let mut check = replay.build().map_err(|e| e.to_string())?;
    check.run_until(SimTime(at_us));
    let replayed = check
        .events()
        .get(event as usize)
        .is_some_and(|e| matches!(&e.kind, EventKind::Violation(v) if v.property == property));
    if !replayed {
        return Err(format!(
            "the counterexample for {property} did not replay to the same violation (a bug in \
             the explorer)"
        ));
    }
    let moves = path.iter().map(|&how| describe(run, how)).collect();
    Ok(Counterexample {
        property,
        message,
        depth,
        scenario: replay,
        at_us,
        event,
        moves,
    })
}

/// A move in words, with the message it concerns.
fn describe(run: &dyn Run, how: Move) -> String {
    let message = |send: EventId| {
        let events = run.events();
        match events.get(send.index()) {
            Some(e) => match (&e.kind, e.node) {
                (EventKind::Send { to, msg }, Some(from)) => {
                    format!(
                        "{from}→{to} {} (sent at {})",
                        run.message_label(*msg),
                        e.time
                    )
                }
                _ => format!("message {send}"),
            },
            None => format!("message {send}"),
        }
    };
    match how {
        Move::Start => "start".to_string(),
        Move::Deliver(send) => format!("deliver {}", message(send)),
        Move::Advance(at) => format!("time passes to {}", format_us(i128::from(at.0))),
        Move::Drop(send) => format!("drop {}", message(send)),
        Move::Duplicate(send) => format!("duplicate {}", message(send)),
        Move::Crash(node) => format!("crash {node}"),
        Move::Restart(node) => format!("restart {node}"),
    }
}
