//! The clients' history beside the diagram: the operations of a run on client columns, the
//! checker's verdict on them with its explanation, and their layout in the diagram's window.

use std::rc::Rc;

use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::trace::EventKind;
use causeway::scenario::presets;
use causeway::view::history::{
    self, BarState, HistoryIndex, HistoryInput, HistoryLayout, HistoryVerdict,
};

/// Preset `id` run to `at_us`, with its history.
fn history_of(id: &str, at_us: u64) -> (Box<dyn Run>, HistoryIndex) {
    let scenario = presets::find(id).unwrap().scenario().unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(at_us));
    let mut history = HistoryIndex::new();
    history.update(run.as_ref());
    (run, history)
}

/// The whole run so far in one window of `height` pixels.
fn whole(run: &dyn Run, history: &HistoryIndex, width: f64, height: f64) -> HistoryLayout {
    let now = run.now().0;
    history::layout(&HistoryInput {
        history,
        verdict: history.verdict(run, false).0,
        judged_at: None,
        now_us: now,
        start_us: 0,
        origin_us: 0,
        span_us: now.max(1),
        width_px: width,
        height_px: height,
        selected: None,
    })
}

/// Whether any violation of `property` is in the trace.
fn violated(run: &dyn Run, property: &str) -> bool {
    run.events().iter().any(|e| match &e.kind {
        EventKind::Violation(v) => v.property == property,
        _ => false,
    })
}

#[test]
fn every_operation_of_a_run_is_on_a_client_that_does_one_thing_at_a_time() {
    let (run, history) = history_of("raft-basic", 3_000_000);
    let ops = history.ops();
    assert!(ops.len() >= 4, "{} operations", ops.len());
    let events = run.events();
    let time = |e: causeway::engine::ids::EventId| events[e.index()].time.0;
    for client in 0..history.clients() {
        let mine: Vec<_> = ops.iter().filter(|o| o.client == client).collect();
        for pair in mine.windows(2) {
            let end = pair[0]
                .completed
                .or(pair[0].gave_up)
                .expect("a busy client takes nothing new");
            assert!(
                end < pair[1].invoked,
                "c{}: {} ends after {} begins",
                client + 1,
                pair[0].op,
                pair[1].op
            );
        }
    }
    let first = &ops[0];
    assert!(time(first.invoked) <= time(first.completed.unwrap()));
    assert!(first.events.len() >= 2, "a request and its answer");
    assert!(matches!(
        *history.verdict(run.as_ref(), false).0,
        HistoryVerdict::Linearizable { .. }
    ));
}

#[test]
fn the_view_agrees_with_the_lessons_checkers_on_their_break_its() {
    for (id, property) in [
        ("abd-break-skip-write-back", "Linearizable"),
        ("abd-break-minority-quorum", "Linearizable"),
        ("pb-break-local-reads", "Linearizable reads"),
    ] {
        let scenario = presets::find(id).unwrap().scenario().unwrap();
        let (run, history) = history_of(id, scenario.horizon_us.0);
        assert!(
            violated(run.as_ref(), property),
            "{id}: the lesson's checker fires"
        );
        let verdict = history.verdict(run.as_ref(), false).0;
        let HistoryVerdict::NotLinearizable {
            key, order, stuck, ..
        } = &*verdict
        else {
            panic!("{id}: {verdict:?}");
        };
        let ops = history.ops();
        let events = run.events();
        let time = |e: causeway::engine::ids::EventId| events[e.index()].time.0;
        // Each point lies inside its operation and follows the one before.
        let mut last = 0;
        for placed in order {
            let op = &ops[placed.index];
            assert!(
                placed.at_us >= time(op.invoked),
                "{id}: {} before its request",
                op.op
            );
            if let Some(done) = op.completed {
                assert!(
                    placed.at_us <= time(done),
                    "{id}: {} after its answer",
                    op.op
                );
            }
            assert!(placed.at_us >= last, "{id}: points in order");
            last = placed.at_us;
        }
        assert!(
            ops[*stuck].completed.is_some(),
            "{id}: the stuck operation answered"
        );

        let layout = whole(run.as_ref(), &history, 420.0, 900.0);
        assert_eq!(layout.summary, format!("Not linearizable on key {key}"));
        assert_eq!(layout.points.len(), order.len());
        let stuck_bars: Vec<_> = layout
            .bars
            .iter()
            .filter(|b| b.state == BarState::Stuck)
            .collect();
        assert_eq!(stuck_bars.len(), 1, "{id}");
        assert_eq!(stuck_bars[0].op, ops[*stuck].op);
        assert!(
            layout.explanation[1].contains("cannot come next"),
            "{id}: {:?}",
            layout.explanation
        );
        println!("{id}: {}", layout.explanation.join(" "));
    }
}

#[test]
fn the_correct_stories_are_linearizable_in_the_view_too() {
    for id in [
        "abd-basic",
        "abd-write-back",
        "abd-partition",
        "pb-basic",
        "multipaxos-basic",
        "chain-basic",
    ] {
        let scenario = presets::find(id).unwrap().scenario().unwrap();
        let (run, history) = history_of(id, scenario.horizon_us.0);
        let verdict = history.verdict(run.as_ref(), false).0;
        assert!(
            matches!(*verdict, HistoryVerdict::Linearizable { judged, .. } if judged > 0),
            "{id}: {verdict:?}"
        );
        let layout = whole(run.as_ref(), &history, 420.0, 900.0);
        assert!(
            layout.summary.starts_with("Linearizable: "),
            "{id}: {}",
            layout.summary
        );
        assert!(layout.bars.iter().all(|b| b.state != BarState::Stuck));
    }
}

#[test]
fn a_run_without_client_operations_has_no_history() {
    let (run, history) = history_of("heartbeat-basic", 1_000_000);
    assert!(history.ops().is_empty());
    assert_eq!(
        *history.verdict(run.as_ref(), false).0,
        HistoryVerdict::NotJudged { other: 0 }
    );
}

#[test]
fn unknown_is_shown_as_unknown_never_as_a_pass() {
    let (run, history) = history_of("abd-basic", 1_000_000);
    let layout = history::layout(&HistoryInput {
        history: &history,
        verdict: Rc::new(HistoryVerdict::Unknown {
            key: "x".to_string(),
            steps: 300_000,
            judged: 12,
            other: 0,
        }),
        judged_at: None,
        now_us: run.now().0,
        start_us: 0,
        origin_us: 0,
        span_us: 1_000_000,
        width_px: 300.0,
        height_px: 600.0,
        selected: None,
    });
    assert_eq!(
        layout.summary,
        "Unknown: the search gave up on key x after 300,000 steps (12 operations in all); not a pass"
    );
}

#[test]
fn the_layout_follows_the_diagrams_window_and_faults() {
    let (run, history) = history_of("abd-partition", 1_500_000);
    let all = whole(run.as_ref(), &history, 420.0, 900.0);
    assert!(
        all.faults.iter().any(|f| f.label == "partition"),
        "{:?}",
        all.faults
    );
    // A window on the first 100 ms only holds the operations that overlap it, at the diagram's
    // scale: the window's start is the header's bottom edge.
    let layout = history::layout(&HistoryInput {
        history: &history,
        verdict: history.verdict(run.as_ref(), false).0,
        judged_at: None,
        now_us: run.now().0,
        start_us: 0,
        origin_us: 0,
        span_us: 100_000,
        width_px: 420.0,
        height_px: 644.0,
        selected: None,
    });
    assert!(layout.bars.len() < all.bars.len());
    let events = run.events();
    for bar in &layout.bars {
        let op = history.op(bar.op).unwrap();
        let t = events[op.invoked.index()].time.0 as f64;
        assert!((bar.y1 + layout.shift_y - (44.0 + t * 600.0 / 100_000.0)).abs() < 1e-6);
    }
    assert_eq!(layout.columns.len() as u32, history.clients());
}

#[test]
fn a_zoomed_out_history_is_drawn_in_batches_and_picked_by_position() {
    let text = r#"{"version":1,"name":"many","protocol":{"name":"abd"},"nodes":5,"seed":3,
        "horizon_us":2100000,
        "network":{"default":{"delay":{"uniform":{"min_us":5000,"max_us":15000}}}},
        "workload":{"generator":{"start_us":100000,"every_us":10000,"count":200}}}"#;
    let scenario = causeway::scenario::Scenario::from_json(text).unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(2_100_000));
    let mut history = HistoryIndex::new();
    history.update(run.as_ref());
    assert_eq!(history.ops().len(), 200);
    let layout = whole(run.as_ref(), &history, 360.0, 800.0);
    assert!(layout.bars.len() > history::BATCH_BARS);
    assert!(!layout.batches.is_empty());
    assert!(layout.bars.iter().all(|b| b.text.is_none()));
    for bar in layout.bars.iter().step_by(17) {
        let mid = (bar.x + bar.width / 2.0, (bar.y1 + bar.y2) / 2.0);
        let hit = layout.hit(mid.0, mid.1 + layout.shift_y).unwrap();
        let found = layout.bars.iter().find(|b| b.op == hit).unwrap();
        assert!(found.x == bar.x && found.y1 <= mid.1 && found.y2 >= mid.1);
    }
    assert_eq!(layout.hit(1.0, 1.0), None);
}
