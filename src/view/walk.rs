//! Walking the diagram with the keyboard: from the selected event to the next or previous one on its
//! lane, to the neighbouring lane at the same moment, or between an event and its message, so the
//! inspector can show any event or message without a pointer.

use crate::engine::ids::{EventId, NodeId};
use crate::engine::trace::{EventKind, TraceEvent};
use crate::view::frame::Selection;

/// A step through the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// The next event on the lane (later in time).
    Next,
    /// The previous event on the lane.
    Previous,
    /// The lane to the left, at the same moment.
    Left,
    /// The lane to the right, at the same moment.
    Right,
    /// From a send, delivery or drop to its message; from a message to where it arrived.
    Message,
}

/// Where `walk` leads from `selection` over `events`, given the visible window's start and end in
/// true time (the starting point when nothing on a lane is selected) and the node count. `None`
/// when there is nowhere to go.
pub fn walk(
    events: &[TraceEvent],
    nodes: u32,
    selection: Selection,
    window: (u64, u64),
    walk: Walk,
) -> Option<Selection> {
    let anchor = match selection {
        Selection::Event(e) | Selection::Message(e) => events.get(e.index()).map(|ev| (e, ev)),
        _ => None,
    };
    let on = |node: NodeId| move |(_, event): &(usize, &TraceEvent)| event.node == Some(node);
    let event = |i: usize| Selection::Event(EventId(i as u32));
    match walk {
        Walk::Next | Walk::Previous => {
            let forward = walk == Walk::Next;
            let candidates = events.iter().enumerate();
            let found = match (anchor, selection) {
                (Some((e, ev)), _) => {
                    let node = ev.node?;
                    if forward {
                        candidates.skip(e.index() + 1).find(on(node))
                    } else {
                        candidates.take(e.index()).rev().find(on(node))
                    }
                }
                (None, Selection::Node(node)) => {
                    first_in_window(events, window, forward, Some(node))
                }
                (None, _) => first_in_window(events, window, forward, None),
            };
            found.map(|(i, _)| event(i))
        }
        Walk::Left | Walk::Right => {
            let step = |n: NodeId| -> Option<NodeId> {
                let i = if walk == Walk::Right {
                    n.0.checked_add(1).filter(|&i| i < nodes)?
                } else {
                    n.0.checked_sub(1)?
                };
                Some(NodeId(i))
            };
            match (anchor, selection) {
                (Some((e, ev)), _) => {
                    let node = step(ev.node?)?;
                    // The neighbour's latest event at or before this one, else its first after.
                    let before = events[..=e.index()].iter().enumerate().rev().find(on(node));
                    let after = || events.iter().enumerate().skip(e.index()).find(on(node));
                    before.or_else(after).map(|(i, _)| event(i))
                }
                (None, Selection::Node(node)) => step(node).map(Selection::Node),
                (None, _) => (nodes > 0).then_some(Selection::Node(NodeId(0))),
            }
        }
        Walk::Message => {
            let (e, ev) = anchor?;
            match (selection, &ev.kind) {
                (Selection::Message(send), _) => Some(
                    events
                        .iter()
                        .enumerate()
                        .skip(send.index())
                        .find(|(_, later)| {
                            !matches!(
                                later.kind,
                                EventKind::Duplicate { .. } | EventKind::Corrupt { .. }
                            ) && message_of(&later.kind) == Some(send)
                        })
                        .map_or(event(send.index()), |(i, _)| event(i)),
                ),
                (_, EventKind::Send { .. }) => Some(Selection::Message(e)),
                (_, kind) => message_of(kind).map(Selection::Message),
            }
        }
    }
}

/// The first (or, going back, the last) node event in the window, on `node` if given (network
/// events, such as drops, sit on no lane).
fn first_in_window(
    events: &[TraceEvent],
    (start, end): (u64, u64),
    forward: bool,
    node: Option<NodeId>,
) -> Option<(usize, &TraceEvent)> {
    let fits =
        |(_, e): &(usize, &TraceEvent)| e.node.is_some() && node.is_none_or(|n| e.node == Some(n));
    if forward {
        let first = events.partition_point(|e| e.time.0 < start);
        events.iter().enumerate().skip(first).find(fits)
    } else {
        let last = events.partition_point(|e| e.time.0 <= end);
        events.iter().enumerate().take(last).rev().find(fits)
    }
}

/// The send event of the message a delivery, drop, duplicate or corruption is about.
fn message_of(kind: &EventKind) -> Option<EventId> {
    match *kind {
        EventKind::Deliver { send, .. }
        | EventKind::Drop { send, .. }
        | EventKind::Duplicate { send, .. }
        | EventKind::Corrupt { send, .. } => Some(send),
        _ => None,
    }
}
