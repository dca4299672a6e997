//! Walking the diagram with the keyboard (`view::walk`): along a lane, across lanes, and between
//! an event and its message, on the logical-clocks lesson's small trace.

use causeway::engine::ids::{EventId, NodeId};
use causeway::engine::time::SimTime;
use causeway::engine::trace::TraceEvent;
use causeway::scenario::presets;
use causeway::view::frame::Selection;
use causeway::view::walk::{Walk, walk};

fn events() -> Vec<TraceEvent> {
    let scenario = presets::find("logical-clocks").unwrap().scenario().unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(200_000));
    run.events().to_vec()
}

const WINDOW: (u64, u64) = (0, 200_000);

fn go(events: &[TraceEvent], from: Selection, step: Walk) -> Option<Selection> {
    walk(events, 3, from, WINDOW, step)
}

fn event(i: u32) -> Selection {
    Selection::Event(EventId(i))
}

#[test]
fn j_and_k_walk_a_lane_and_stop_at_its_ends() {
    let events = events();
    // From nothing, the first event in the window; from a node, that node's first.
    assert_eq!(go(&events, Selection::None, Walk::Next), Some(event(0)));
    assert_eq!(
        go(&events, Selection::Node(NodeId(2)), Walk::Next),
        Some(event(2))
    );
    // n3: start (2), request c (6), note c (7), reply (8), then the delivery of m2 (23).
    assert_eq!(go(&events, event(2), Walk::Next), Some(event(6)));
    assert_eq!(go(&events, event(8), Walk::Next), Some(event(23)));
    assert_eq!(go(&events, event(23), Walk::Previous), Some(event(8)));
    assert_eq!(
        go(&events, event(2), Walk::Previous),
        None,
        "the lane's first event"
    );
    // Going back from a node starts at its latest event in the window.
    let Some(Selection::Event(last)) = go(&events, Selection::Node(NodeId(2)), Walk::Previous)
    else {
        panic!("n3 has events")
    };
    assert_eq!(events[last.index()].node, Some(NodeId(2)));
    assert!(
        events[last.index() + 1..]
            .iter()
            .all(|e| e.node != Some(NodeId(2)))
    );
}

#[test]
fn brackets_cross_to_the_neighbouring_lane_at_the_same_moment() {
    let events = events();
    // From n3's note c (15 ms) left to n2: its latest event by then is its start.
    assert_eq!(go(&events, event(7), Walk::Left), Some(event(1)));
    // From n2's delivery of m1 (event 15, 40 ms) right to n3: n3's reply to c (event 8).
    assert_eq!(go(&events, event(15), Walk::Right), Some(event(8)));
    assert_eq!(
        go(&events, event(7), Walk::Right),
        None,
        "n3 is the last lane"
    );
    assert_eq!(
        go(&events, event(0), Walk::Left),
        None,
        "n1 is the first lane"
    );
    assert_eq!(
        go(&events, Selection::Node(NodeId(0)), Walk::Right),
        Some(Selection::Node(NodeId(1)))
    );
    assert_eq!(
        go(&events, Selection::None, Walk::Right),
        Some(Selection::Node(NodeId(0)))
    );
}

#[test]
fn m_goes_from_a_send_to_its_message_and_on_to_its_delivery() {
    let events = events();
    // Event 10 sends m1; event 15 delivers it on n2.
    assert_eq!(
        go(&events, event(10), Walk::Message),
        Some(Selection::Message(EventId(10)))
    );
    assert_eq!(
        go(&events, Selection::Message(EventId(10)), Walk::Message),
        Some(event(15))
    );
    assert_eq!(
        go(&events, event(15), Walk::Message),
        Some(Selection::Message(EventId(10)))
    );
    assert_eq!(
        go(&events, event(7), Walk::Message),
        None,
        "a note has no message"
    );
}
