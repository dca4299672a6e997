//! The diagram and topology layouts (src/view), natively: what a small run looks like as geometry,
//! pinned as a text rendering, and the properties the UI relies on.

use causeway::engine::action::Action;
use causeway::engine::ids::{EventId, NodeId};
use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::trace::EventKind;
use causeway::scenario::Scenario;
use causeway::view::diagram::{self, ArrowState, DiagramInput, Highlight, LaneInfo, Stamps};
use causeway::view::index::TraceIndex;
use causeway::view::{axis, format, topology};

/// Three nodes pinging every 100 ms over 5 ms links.
fn small_run() -> Box<dyn Run> {
    let json = r#"{
        "name": "small", "protocol": {"name": "heartbeat", "interval_us": 100000, "timeout_us": 350000},
        "nodes": 3, "seed": 7, "horizon_us": 1000000,
        "network": {"default": {"delay": {"constant": {"us": 5000}}}}
    }"#;
    Scenario::from_json(json)
        .expect("valid")
        .build()
        .expect("builds")
}

fn lanes(run: &dyn Run) -> Vec<LaneInfo> {
    run.snapshot()
        .nodes
        .iter()
        .map(|n| LaneInfo {
            role: n.view.as_ref().and_then(|v| v.role.clone()),
            status: n.status,
            traitor: n.traitor,
        })
        .collect()
}

fn lay_out(
    run: &mut dyn Run,
    start_us: u64,
    span_us: u64,
    highlight: &Highlight,
) -> diagram::DiagramLayout {
    let mut index = TraceIndex::new();
    index.update(run.events(), run.facts());
    let snapshot = run.snapshot();
    let lanes = lanes(run);
    let input = DiagramInput {
        events: run.events(),
        index: &index,
        nodes: &lanes,
        in_flight: &snapshot.in_flight,
        now: run.now(),
        start_us,
        span_us,
        origin_us: 0,
        width_px: 400.0,
        height_px: 244.0,
        highlight,
        stamps: Stamps::Lamport,
        timers: &[],
    };
    diagram::layout(&input, &mut |msg| run.message_label(msg))
}

#[test]
fn a_small_layout_renders_as_expected() {
    let mut run = small_run();
    run.run_until(SimTime(108_000));
    let layout = lay_out(run.as_mut(), 98_000, 12_000, &Highlight::default());
    let text = diagram::render_text(&layout);
    let expected = include_str!("view_diagram_small.txt");
    assert_eq!(text, expected, "layout changed; new rendering:\n{text}");
}

#[test]
fn only_the_window_is_laid_out() {
    let mut run = small_run();
    run.run_until(SimTime(1_000_000));
    let all = run.events().len();
    let layout = lay_out(run.as_mut(), 300_000, 50_000, &Highlight::default());
    assert!(!layout.marks.is_empty());
    assert!(
        layout.marks.len() < all / 5,
        "{} of {all}",
        layout.marks.len()
    );
    for mark in &layout.marks {
        let t = run.events()[mark.event.index()].time.0;
        assert!(
            (300_000..=350_000).contains(&t),
            "event at {t} outside the window"
        );
    }
    // Every delivery in the window has its arrow, even when its send was above the window's top.
    let delivers = run
        .events()
        .iter()
        .filter(|e| {
            (300_000..=350_000).contains(&e.time.0) && matches!(e.kind, EventKind::Deliver { .. })
        })
        .count();
    let delivered = layout
        .arrows
        .iter()
        .filter(|a| a.state == ArrowState::Delivered)
        .count();
    assert!(delivered >= delivers);
}

#[test]
fn crashes_pauses_partitions_and_drops_are_drawn() {
    let mut run = small_run();
    run.run_until(SimTime(200_000));
    run.apply(Action::Crash { node: NodeId(2) }).expect("crash");
    run.apply(Action::Partition {
        groups: vec![vec![NodeId(0)], vec![NodeId(1), NodeId(2)]],
    })
    .expect("partition");
    run.run_until(SimTime(260_000));
    run.apply(Action::Pause { node: NodeId(1) }).expect("pause");
    run.run_until(SimTime(300_000));
    run.apply(Action::Heal).expect("heal");
    run.run_until(SimTime(320_000));
    let layout = lay_out(run.as_mut(), 150_000, 200_000, &Highlight::default());
    let text = diagram::render_text(&layout);
    assert!(text.contains("span Crashed n3"), "{text}");
    assert!(text.contains("span Paused n2"), "{text}");
    assert!(
        text.contains("band Partition \"partition n1 | n2,n3\""),
        "{text}"
    );
    assert!(
        layout
            .drops
            .iter()
            .any(|d| d.reason.describe().contains("partition")),
        "{text}"
    );
}

#[test]
fn dropping_a_message_in_flight_ends_its_arrow_in_a_drop_mark() {
    let mut run = small_run();
    run.run_until(SimTime(101_000));
    let snapshot = run.snapshot();
    let message = snapshot
        .in_flight
        .first()
        .expect("a message in flight")
        .clone();
    let layout = lay_out(run.as_mut(), 90_000, 20_000, &Highlight::default());
    assert!(
        layout
            .arrows
            .iter()
            .any(|a| a.send == message.send && a.state == ArrowState::InFlight)
    );
    run.apply(Action::DropMessage { send: message.send })
        .expect("drop");
    let layout = lay_out(run.as_mut(), 90_000, 20_000, &Highlight::default());
    let arrow = layout
        .arrows
        .iter()
        .find(|a| a.send == message.send)
        .expect("the arrow");
    assert!(matches!(arrow.state, ArrowState::Dropped(_)));
    assert!(
        layout
            .drops
            .iter()
            .any(|d| d.reason.describe() == "dropped by hand")
    );
}

#[test]
fn selecting_an_event_marks_its_past_and_future() {
    let mut run = small_run();
    run.run_until(SimTime(250_000));
    let events = run.events();
    let selected = events
        .iter()
        .position(|e| e.time.0 >= 200_000 && matches!(e.kind, EventKind::Deliver { .. }))
        .map(|i| EventId(i as u32))
        .expect("a delivery");
    let highlight = Highlight {
        selected: Some(selected),
        past: causeway::engine::causality::causal_past(events, selected),
        future: causeway::engine::causality::causal_future(events, selected),
        involved: Vec::new(),
    };
    let layout = lay_out(run.as_mut(), 150_000, 100_000, &highlight);
    let classes: Vec<&str> = layout.marks.iter().map(|m| m.emphasis.class()).collect();
    assert!(classes.contains(&"is-selected"));
    assert!(classes.contains(&"is-past"));
    assert!(classes.contains(&"is-future"));
    assert!(classes.contains(&"is-dimmed"));
}

#[test]
fn the_index_follows_seeks_back() {
    let mut run = small_run();
    run.run_until(SimTime(200_000));
    run.apply(Action::Crash { node: NodeId(0) }).expect("crash");
    run.run_until(SimTime(400_000));
    let mut index = TraceIndex::new();
    index.update(run.events(), run.facts());
    assert_eq!(index.changes().len(), 1);
    assert!(index.max_transit_us() >= 5_000);
    run.seek(SimTime(100_000));
    index.update(run.events(), run.facts());
    assert!(index.changes().is_empty());
}

#[test]
fn ticks_are_round_and_spaced() {
    assert_eq!(axis::step_us(0.01, 50.0), 5_000);
    let ticks = axis::ticks(95_000, 105_000, 0.02, 40.0);
    let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["96ms", "98ms", "100ms", "102ms", "104ms"]);
    assert!(axis::ticks(0, u64::MAX, 1e-12, 40.0).len() <= 500);
    assert!(axis::ticks(0, 10, f64::NAN, 40.0).len() <= 500);
}

#[test]
fn formatting_for_people() {
    assert_eq!(format::offset(1_500), "+1.5ms");
    assert_eq!(format::offset(-20_000), "-20ms");
    assert_eq!(format::offset(0), "±0");
    assert_eq!(format::ppm_percent(100_000), "10 %");
    assert_eq!(format::ppm_percent(5_000), "0.5 %");
    assert_eq!(format::vector(&[2, 0, 1]), "[2,0,1]");
    assert_eq!(format::count(1_234_567), "1,234,567");
    assert_eq!(format::coord(12.34), "12.3");
    assert_eq!(format::coord(12.0), "12");
}

#[test]
fn topology_puts_nodes_on_a_ring_and_colours_links() {
    let mut run = small_run();
    run.run_until(SimTime(100_500));
    run.apply(Action::Partition {
        groups: vec![vec![NodeId(0)]],
    })
    .expect("partition");
    run.apply(Action::Hold {
        from: NodeId(1),
        to: NodeId(2),
    })
    .expect("hold");
    let snapshot = run.snapshot();
    let layout = topology::layout(&snapshot, 200.0);
    assert_eq!(layout.nodes.len(), 3);
    assert!(
        (layout.nodes[0].x - 100.0).abs() < 1e-9 && layout.nodes[0].y < 100.0,
        "n1 on top"
    );
    assert_eq!(layout.links.len(), 3);
    let state = |a: u32, b: u32| {
        layout
            .links
            .iter()
            .find(|l| l.a == NodeId(a) && l.b == NodeId(b))
            .map(|l| l.state())
            .expect("link")
    };
    assert_eq!(state(0, 1), topology::LinkState::Partitioned);
    assert_eq!(state(1, 2), topology::LinkState::Held);
    for m in &layout.messages {
        assert!(m.x >= 0.0 && m.x <= 200.0 && m.y >= 0.0 && m.y <= 200.0);
    }
}

#[test]
fn roles_get_stable_tones() {
    assert_eq!(format::role_tone("leader"), "lead");
    assert_eq!(format::role_tone("follower"), "follow");
    assert_eq!(format::role_tone("whatever"), format::role_tone("whatever"));
}

#[test]
fn batches_and_hit_testing_find_what_is_under_the_pointer() {
    let mut run = small_run();
    run.run_until(SimTime(108_000));
    let layout = lay_out(run.as_mut(), 98_000, 12_000, &Highlight::default());
    let arrows = diagram::arrow_batches(&layout);
    let classes: Vec<&str> = arrows.iter().map(|b| b.class.as_str()).collect();
    assert!(
        classes
            .iter()
            .any(|c| c.starts_with("arrow arrow-delivered")),
        "{classes:?}"
    );
    assert!(
        classes.iter().any(|c| c.starts_with("arrowhead")),
        "{classes:?}"
    );
    let marks = diagram::mark_batches(&layout);
    assert!(marks.iter().any(|b| b.class.contains("marks-dot")));

    let mark = &layout.marks[0];
    assert_eq!(
        layout.hit(mark.x + 2.0, mark.y + 2.0),
        Some(diagram::Hit::Event(mark.event))
    );
    let arrow = layout
        .arrows
        .iter()
        .find(|a| a.state == ArrowState::Delivered)
        .expect("an arrow");
    let (mx, my) = ((arrow.x1 + arrow.x2) / 2.0, (arrow.y1 + arrow.y2) / 2.0);
    assert!(matches!(layout.hit(mx, my), Some(diagram::Hit::Message(_))));
    assert_eq!(layout.hit(-500.0, -500.0), None);
}

#[test]
fn violations_at_one_instant_put_their_labels_side_by_side() {
    let scenario = causeway::scenario::presets::find("2pc-break-majority")
        .unwrap()
        .scenario()
        .unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(120_000));
    let layout = lay_out(run.as_mut(), 40_000, 80_000, &Highlight::default());
    let [first, second] = &layout.violations[..] else {
        panic!("two violations at one instant: {:?}", layout.violations);
    };
    assert_eq!(first.y, second.y);
    assert_eq!(first.label_dx, 0.0);
    assert!(
        second.label_dx >= 7.0 * first.label.chars().count() as f64,
        "the second label starts after the first ends: {second:?}"
    );
}

#[test]
fn arrow_labels_on_a_busy_raft_run_never_overlap() {
    let scenario = causeway::scenario::presets::find("raft-leader-crash")
        .unwrap()
        .scenario()
        .unwrap();
    let mut run = scenario.build().unwrap();
    let mut labelled = 0;
    for at in [300_000, 1_250_000, 2_600_000] {
        run.run_until(SimTime(at));
        let layout = lay_out(run.as_mut(), at - 150_000, 150_000, &Highlight::default());
        // Each label as its box: centred on the arrow's middle, 6 px a character, one line high.
        let boxes: Vec<(f64, f64, f64, &str)> = layout
            .arrows
            .iter()
            .filter_map(|a| {
                let text = a.label.as_deref()?;
                let width = 6.0 * text.chars().count() as f64;
                Some(((a.x1 + a.x2) / 2.0, (a.y1 + a.y2) / 2.0, width, text))
            })
            .collect();
        labelled += boxes.len();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[..i] {
                let apart = (a.0 - b.0).abs() >= (a.2 + b.2) / 2.0 || (a.1 - b.1).abs() >= 13.0;
                assert!(
                    apart,
                    "at {at}µs the labels {:?} and {:?} overlap",
                    a.3, b.3
                );
            }
        }
    }
    assert!(
        labelled > 10,
        "busy windows still carry labels ({labelled})"
    );
}

#[test]
fn participants_in_doubt_are_drawn_blocked_until_they_learn_the_decision() {
    // Per preset: the lanes drawn in doubt, and whether each doubt was ended by a decision.
    let doubts = |id: &str| {
        let scenario = causeway::scenario::presets::find(id)
            .unwrap()
            .scenario()
            .unwrap();
        let mut run = scenario.build().unwrap();
        run.run_until(scenario.horizon_us);
        let layout = lay_out(
            run.as_mut(),
            0,
            scenario.horizon_us.as_us(),
            &Highlight::default(),
        );
        let mut drawn: Vec<u32> = layout
            .spans
            .iter()
            .filter(|s| s.kind == diagram::SpanKind::InDoubt)
            .map(|s| s.node.0 + 1)
            .collect();
        drawn.sort();
        let mut index = TraceIndex::new();
        index.update(run.events(), run.facts());
        let ended: Vec<bool> = index.doubts().iter().map(|d| d.until.is_some()).collect();
        (drawn, ended)
    };
    // The coordinator crashed before counting the votes: the three yes voters wait to the end.
    assert_eq!(
        doubts("2pc-blocking"),
        (vec![2, 3, 4], vec![false, false, false])
    );
    // With a live coordinator, each is in doubt only until the outcome arrives.
    assert_eq!(
        doubts("2pc-commit"),
        (vec![2, 3, 4], vec![true, true, true])
    );
}
