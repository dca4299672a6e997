//! Guided lessons: every preset's guide walks to the end (each step reaches its moment, each task's
//! action does the task), Back and Replay return to the same places, a guide changes nothing the
//! run does, and a bad guide is refused with a message naming the step and what is wrong.

use std::rc::Rc;

use causeway::engine::run::trace_hash;
use causeway::scenario::Scenario;
use causeway::scenario::guide::{EventName, Stop};
use causeway::scenario::presets::{PRESETS, find};
use causeway::view::tour::{Phase, Tour};

fn scenario(id: &str) -> Scenario {
    find(id)
        .expect("the preset exists")
        .scenario()
        .expect("presets are valid")
}

/// Walks a guide as a student who answers right and does every task; returns where each step
/// paused, or what went wrong.
fn walk(scenario: &Scenario) -> Result<Vec<(Stop, usize)>, String> {
    let guide = scenario.guide.clone().ok_or("no guide")?;
    let mut run = scenario.build().map_err(|e| e.0)?;
    let mut tour = Tour::start(Rc::new(guide), run.as_mut());
    let mut stops = Vec::new();
    loop {
        let step = tour.step;
        if let Some(question) = &tour.current().question {
            assert_eq!(tour.phase, Phase::Ask, "step {step} asks before it plays");
            assert_eq!(
                tour.limit(run.now()),
                Some(run.now()),
                "a question holds the run"
            );
            tour.answer(question.answer, run.as_mut());
        }
        tour.fast_forward(run.as_mut());
        if tour.phase == Phase::Missed {
            return Err(format!(
                "step {} never reached its moment (the run ended at {})",
                step + 1,
                run.now()
            ));
        }
        let stop = tour.stop().expect("a step that arrived has a stop");
        stops.push((stop, run.events().len()));
        if tour.phase == Phase::Task {
            tour.do_task(run.as_mut())?;
            if tour.phase != Phase::Done {
                return Err(format!(
                    "step {}: the task's action does not bring about its `done_when`",
                    step + 1
                ));
            }
        }
        assert_eq!(tour.phase, Phase::Done);
        if tour.is_last() {
            break;
        }
        tour.next(run.as_mut());
        assert_eq!(tour.step, step + 1);
    }
    assert!(tour.finished(), "every step is marked done");
    Ok(stops)
}

/// Whether some step of the guide pauses at a violation of `property`.
fn pauses_at_violation(scenario: &Scenario, property: &str) -> bool {
    let moments = scenario
        .guide
        .iter()
        .flat_map(|g| &g.steps)
        .filter_map(|s| s.until.as_ref());
    moments
        .into_iter()
        .any(|m| m.event == Some(EventName::Violation) && m.property.as_deref() == Some(property))
}

#[test]
fn every_preset_is_a_guided_lesson_that_walks_to_its_last_step() {
    let mut failures = Vec::new();
    for preset in PRESETS {
        let scenario = preset.scenario().expect("presets are valid");
        if scenario.guide.is_none() {
            failures.push(format!("{}: no guide", preset.id));
            continue;
        }
        if let Err(problem) = walk(&scenario) {
            failures.push(format!("{}: {problem}", preset.id));
        }
        if let Some(property) = preset.expect.violates
            && !pauses_at_violation(&scenario, property)
        {
            failures.push(format!(
                "{}: violates {property}, but no step pauses at the violation",
                preset.id
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_guide_changes_nothing_the_run_does() {
    let guided = scenario("raft-leader-crash");
    let mut plain = guided.clone();
    plain.guide = None;
    let hash = |s: &Scenario| {
        let mut run = s.build().unwrap();
        run.run_until(s.horizon_us);
        trace_hash(run.as_ref())
    };
    assert_eq!(hash(&guided), hash(&plain));
}

#[test]
fn back_and_replay_return_to_where_steps_paused_and_began() {
    let scenario = scenario("raft-leader-crash");
    let stops = walk(&scenario).unwrap();
    let mut run = scenario.build().unwrap();
    let mut tour = Tour::start(Rc::new(scenario.guide.clone().unwrap()), run.as_mut());
    for _ in 0..3 {
        if let Some(q) = &tour.current().question {
            tour.answer(q.answer, run.as_mut());
        }
        tour.next(run.as_mut());
    }
    assert_eq!(tour.step, 3);
    // Step 4 asks before it plays: the run waits where step 3 paused.
    assert_eq!(tour.phase, Phase::Ask);
    assert_eq!(run.events().len(), stops[2].1);
    tour.back(run.as_mut());
    assert_eq!((tour.step, tour.phase), (2, Phase::Done));
    assert_eq!(
        run.events().len(),
        stops[2].1,
        "back shows the step where it paused"
    );
    tour.replay(run.as_mut());
    assert_eq!(tour.phase, Phase::Play, "replay plays the step again");
    assert_eq!(run.events().len(), stops[1].1, "from where it began");
    assert!(tour.wants_play());
    tour.fast_forward(run.as_mut());
    assert_eq!(run.events().len(), stops[2].1, "to the same moment");
    tour.leave();
    assert_eq!(tour.limit(run.now()), None);
    assert!(!tour.watch(run.as_mut()), "free play is not watched");
    tour.resume(run.as_mut());
    assert_eq!(
        run.events().len(),
        stops[1].1,
        "resuming starts the step again"
    );
}

#[test]
fn a_task_is_done_by_the_student_too() {
    let scenario = scenario("raft-leader-crash");
    let mut run = scenario.build().unwrap();
    let mut tour = Tour::start(Rc::new(scenario.guide.clone().unwrap()), run.as_mut());
    while tour.current().task.is_none() {
        if let Some(q) = &tour.current().question {
            tour.answer(q.answer, run.as_mut());
        }
        tour.next(run.as_mut());
    }
    tour.fast_forward(run.as_mut());
    assert_eq!(tour.phase, Phase::Task);
    // Crashing a follower is not the task.
    run.apply(causeway::engine::action::Action::Crash {
        node: causeway::engine::ids::NodeId(0),
    })
    .unwrap();
    assert!(!tour.watch(run.as_mut()));
    assert_eq!(tour.phase, Phase::Task);
    run.apply(causeway::engine::action::Action::Crash {
        node: causeway::engine::ids::NodeId(4),
    })
    .unwrap();
    assert!(tour.watch(run.as_mut()));
    assert_eq!(tour.phase, Phase::Done);
}

/// The preset with its guide replaced by `guide`, as JSON.
fn with_guide(guide: serde_json::Value) -> Result<Scenario, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(find("raft-leader-crash").unwrap().json().unwrap()).unwrap();
    value["guide"] = guide;
    Scenario::from_value(value)
        .and_then(|s| s.build().map(|_| s))
        .map_err(|e| e.0)
}

#[test]
fn bad_guides_are_refused_with_where_and_why() {
    let cases = [
        (serde_json::json!({"steps": []}), "`guide.steps` is empty"),
        (
            serde_json::json!({"steps": [{"text": "an *open emphasis"}]}),
            "guide.steps[0].text: an emphasis opened with * is never closed",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "highlight": ["n9"]}]}),
            "guide.steps[0].highlight names n9, but the scenario has only 5 nodes",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "until": {"event": "crash", "at_us": 5}}]}),
            "guide.steps[0].until must name exactly one of `at_us`, `event` or `fact`",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "until": {"at_us": 99000000}}]}),
            "guide.steps[0].until is at 99s, after the horizon",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "until": {"event": "crash", "peer": "n2"}}]}),
            "guide.steps[0].until: `peer` does not apply to the event `crash`",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "until": {"event": "violation", "property": "Liveness"}}]}),
            "guide.steps[0].until names the property `Liveness`, but raft's checkers are: Election Safety",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "question": {"ask": "?", "choices": ["a", "b"], "answer": 2}}]}),
            "guide.steps[0].question.answer is 2, but the choices are numbered 0 to 1",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "task": {"ask": "do", "done_when": {"at_us": 5}, "do": {"action": "heal"}}}]}),
            "guide.steps[0].task.done_when: a task is done when something happens",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "task": {"ask": "do", "done_when": {"event": "crash"}, "do": {"action": "crash", "node": "n7"}}}]}),
            "guide.steps[0].task.do names n7",
        ),
        (
            serde_json::json!({"steps": [{"text": "x", "pause": 3}]}),
            "unknown field `pause`",
        ),
    ];
    for (guide, want) in cases {
        let got = with_guide(guide.clone()).expect_err(&format!("{guide} is refused"));
        assert!(got.contains(want), "{guide}:\n  got  {got}\n  want {want}");
    }
}

#[test]
fn a_lessons_link_names_its_guide_and_a_teachers_guide_travels_whole() {
    use causeway::engine::time::SimTime;
    use causeway::scenario::link::{Link, ViewOptions};
    let link = |scenario: &Scenario| Link {
        scenario: scenario.clone(),
        at: SimTime::ZERO,
        view: ViewOptions::default(),
    };
    let lesson = scenario("raft-leader-crash");
    let short = link(&lesson).encode();
    let mut bare = lesson.clone();
    bare.guide = None;
    assert_eq!(
        short,
        link(&bare).encode(),
        "a lesson's link names the preset instead of repeating its guide"
    );
    assert_eq!(Link::decode(&short).unwrap().scenario, lesson);

    let mut taught = lesson.clone();
    let guide = taught.guide.as_mut().unwrap();
    guide.steps[0].text = "My own words for my class: watch n3.".into();
    guide.steps.truncate(3);
    let whole = link(&taught).encode();
    assert!(whole.len() > short.len());
    assert_eq!(Link::decode(&whole).unwrap().scenario, taught);
}
