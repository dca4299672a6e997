//! A whole frame of the page, built natively from a run read through `&dyn Run`: what the
//! diagram, inspector, checkers and lesson plot would show for a given selection.

use causeway::engine::ids::{EventId, NodeId};
use causeway::engine::protocol::PropertyKind;
use causeway::engine::run::Run;
use causeway::engine::sim::PropertyState;
use causeway::engine::time::SimTime;
use causeway::engine::trace::EventKind;
use causeway::scenario::presets;
use causeway::view::diagram::Stamps;
use causeway::view::frame::{self, Frame, FrameKey, FrameSource, Inspect, Selection, TimeView};
use causeway::view::history::HistoryIndex;
use causeway::view::index::TraceIndex;
use causeway::view::plot::PlotKind;

/// The frame of preset `id` at `at_us`, with `selection` and `stamps`, for a 1000 × 600 diagram.
fn frame_of(id: &str, at_us: u64, selection: Selection, stamps: Stamps) -> (Frame, Box<dyn Run>) {
    let scenario = presets::find(id).unwrap().scenario().unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(at_us));
    let mut index = TraceIndex::new();
    index.update(run.events(), run.facts());
    let mut history = HistoryIndex::new();
    history.update(run.as_ref());
    let source = FrameSource {
        run: run.as_ref(),
        index: &index,
        name: &scenario.name,
        description: &scenario.description,
        preset: Some(presets::find(id).unwrap().id),
        seed: scenario.seed,
        plot: PlotKind::of(&scenario.protocol),
        history: &history,
    };
    let key = FrameKey {
        generation: 1,
        view: TimeView {
            start_us: at_us.saturating_sub(200_000),
            span_us: 200_000,
            follow: true,
        },
        selection,
        stamps,
        size: (1000.0, 600.0),
        history: None,
        models: false,
        live: false,
    };
    let frame = frame::build(&source, &key);
    (frame, run)
}

#[test]
fn a_raft_frame_shows_every_lane_the_checkers_and_a_node_with_its_example_request() {
    let (frame, _) = frame_of(
        "raft-basic",
        2_000_000,
        Selection::Node(NodeId(0)),
        Stamps::Vector,
    );
    assert_eq!(frame.protocol, "raft");
    assert_eq!(frame.now, 2_000_000);
    assert_eq!(frame.diagram.lanes.len(), 5);
    assert!(!frame.diagram.arrows.is_empty(), "messages are drawn");
    let leader = frame
        .properties
        .iter()
        .find(|p| p.name == "A leader")
        .expect("the sometimes guard is listed");
    assert_eq!(leader.kind, PropertyKind::Sometimes);
    assert!(matches!(leader.state, PropertyState::Satisfied { .. }));
    let Inspect::Node(node) = frame.inspect.as_ref() else {
        panic!("a node is inspected: {:?}", frame.inspect);
    };
    assert_eq!(node.node.id, NodeId(0));
    assert!(node.vector.is_some(), "the node's vector stamp is shown");
    assert_eq!(
        node.example_request.as_deref(),
        Some(r#"{"put":{"key":"x","value":"1"}}"#)
    );
    assert!(frame.plot.is_none());
}

#[test]
fn a_protocol_without_requests_offers_none_and_a_clock_lesson_gets_its_plot() {
    let (generals, _) = frame_of(
        "generals-messengers",
        500_000,
        Selection::Node(NodeId(1)),
        Stamps::None,
    );
    let Inspect::Node(node) = generals.inspect.as_ref() else {
        panic!("a node is inspected");
    };
    assert_eq!(node.example_request, None);
    let (clock, _) = frame_of("clock-cristian", 3_000_000, Selection::None, Stamps::None);
    assert!(clock.plot.is_some(), "the clock lesson has its plot");
}

#[test]
fn selecting_a_violation_highlights_the_events_it_involves() {
    let scenario = presets::find("heartbeat-pause")
        .unwrap()
        .scenario()
        .unwrap();
    let (_, run) = frame_of(
        "heartbeat-pause",
        scenario.horizon_us.0,
        Selection::None,
        Stamps::None,
    );
    let (violation, involved) = run
        .events()
        .iter()
        .enumerate()
        .find_map(|(i, e)| match &e.kind {
            EventKind::Violation(v) => Some((EventId(i as u32), v.involved.clone())),
            _ => None,
        })
        .expect("the pause breaks Accuracy");
    let (frame, _) = frame_of(
        "heartbeat-pause",
        scenario.horizon_us.0,
        Selection::Event(violation),
        Stamps::None,
    );
    let Inspect::Event(e, details) = frame.inspect.as_ref() else {
        panic!("the violation is inspected")
    };
    assert_eq!(*e, violation);
    assert_eq!(frame::involved(run.as_ref(), violation), involved);
    // The inspector lists each involved event by number and what it was, to go to.
    let listed: Vec<EventId> = details.involved.iter().map(|(e, _)| *e).collect();
    assert_eq!(listed, involved);
    for (e, what) in &details.involved {
        assert!(what.starts_with(&format!("#{} ", e.0)), "{what}");
        assert!(what.contains(" at "), "{what}");
    }
}

/// The terms each node's log holds at `index`, by node (`None`: no entry, or the node is down).
fn terms_at(frame: &Frame, index: u64) -> Vec<Option<u64>> {
    let logs = frame.logs.as_ref().expect("raft keeps a log");
    logs.rows
        .iter()
        .map(|row| {
            let column = index.checked_sub(logs.first)? as usize;
            row.cells.get(column)?.as_ref().map(|c| c.term)
        })
        .collect()
}

#[test]
fn the_log_matrix_shows_figure_8_overwriting_index_2() {
    // Before n1 crashes for good, four servers hold put x=1 of term 1 at index 2; n5 (down) holds
    // its own no-op of term 2 there.
    let (before, _) = frame_of("raft-figure8", 360_000, Selection::None, Stamps::None);
    assert_eq!(
        terms_at(&before, 2),
        vec![Some(1), Some(1), Some(1), Some(1), None]
    );
    // Once n5 leads term 4, index 2 holds its term-2 entry everywhere that is up.
    let (after, _) = frame_of("raft-figure8", 500_000, Selection::None, Stamps::None);
    assert_eq!(
        terms_at(&after, 2),
        vec![None, Some(2), Some(2), Some(2), Some(2)]
    );
    let n5 = &after.logs.as_ref().unwrap().rows[4];
    assert!(n5.cells[1].as_ref().is_some_and(|c| c.committed));
    // Protocols without a replicated log get no matrix.
    let (heartbeat, _) = frame_of("heartbeat-basic", 500_000, Selection::None, Stamps::None);
    assert!(heartbeat.logs.is_none());
}

/// The printed stamps of node `node`'s marks, top to bottom.
fn stamps_on(frame: &Frame, node: usize) -> Vec<String> {
    let x = frame.diagram.lanes[node].x;
    frame
        .diagram
        .marks
        .iter()
        .filter(|m| m.x == x)
        .filter_map(|m| m.stamp.clone())
        .collect()
}

#[test]
fn a_protocol_with_its_own_clocks_gets_its_stamps_printed_not_the_simulators() {
    // The logical-clocks lesson talks about n3's event c at L=1, V=[0,0,1]: that is what the
    // diagram prints, under the event's name, and the inspector names the event and both clocks.
    let (frame, run) = frame_of("logical-clocks", 140_000, Selection::None, Stamps::Lamport);
    assert!(frame.own_clock.is_some_and(|c| c.contains("Lamport")));
    assert_eq!(
        stamps_on(&frame, 2),
        ["c L=1", "recv m2 L=5", "send m3 L=6"]
    );
    let (frame, _) = frame_of("logical-clocks", 140_000, Selection::None, Stamps::Vector);
    assert_eq!(
        stamps_on(&frame, 0),
        [
            "a [1,0,0]",
            "send m1 [2,0,0]",
            "d [3,0,0]",
            "recv m3 [4,3,3]",
            "e [5,3,3]"
        ]
    );
    let c = run
        .events()
        .iter()
        .position(
            |e| matches!(&e.kind, EventKind::Annotate { text } if text.starts_with("local c")),
        )
        .unwrap();
    let (frame, _) = frame_of(
        "logical-clocks",
        140_000,
        Selection::Event(EventId(c as u32)),
        Stamps::Vector,
    );
    let Inspect::Event(_, details) = frame.inspect.as_ref() else {
        panic!("the event is inspected")
    };
    assert_eq!(details.title, "Event c on n3");
    let row = |name: &str| {
        details
            .rows
            .iter()
            .find(|(label, _)| label == name)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(row("protocol's L").as_deref(), Some("1"));
    assert_eq!(row("protocol's V").as_deref(), Some("[0,0,1]"));
    assert_eq!(row("simulator's Lamport").as_deref(), Some("3"));

    // Causal broadcast: a delivery prints the node's vector after it (a send's vector is on its
    // arrow); a protocol without a clock of its own keeps the simulator's stamps.
    let (frame, _) = frame_of("broadcast-causal", 190_000, Selection::None, Stamps::Vector);
    assert!(frame.own_clock.is_some());
    let printed: Vec<String> = (0..frame.diagram.lanes.len())
        .flat_map(|n| stamps_on(&frame, n))
        .collect();
    // Each lane shows its clock after each delivery; where two deliveries share an instant (n3,
    // once the question arrives and frees the held answer), the later one.
    assert_eq!(
        printed,
        [
            "dlv n1#1 [1,0,0]",
            "dlv n2#1 [1,1,0]",
            "dlv n1#1 [1,0,0]",
            "dlv n2#1 [1,1,0]",
            "dlv n2#1 [1,1,0]"
        ]
    );
    let (frame, _) = frame_of("raft-basic", 200_000, Selection::None, Stamps::Lamport);
    assert!(frame.own_clock.is_none());
    assert!(
        stamps_on(&frame, 0)
            .iter()
            .all(|s| s.parse::<u64>().is_ok())
    );
}
