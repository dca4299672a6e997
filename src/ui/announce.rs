//! What a screen reader hears as the run passes its key events: a new leader, a crash or restart,
//! a violation. The reducer calls `update` after every change to the run; the page puts the text in
//! a polite live region.

use crate::engine::fact::Fact;
use crate::engine::ids::EventId;
use crate::engine::run::Run;
use crate::engine::trace::EventKind;
use crate::view::frame::Selection;
use crate::view::{details, format};

/// At most this many events are named in one announcement (the latest ones).
const MAX_NAMED: usize = 3;

/// The announcement for events from index `from` on, if any of them is worth one.
pub fn since(run: &dyn Run, from: usize) -> Option<String> {
    let events = run.events();
    let facts = run.facts();
    let start = facts.partition_point(|(e, _)| e.index() < from);
    let mut said: Vec<(usize, String)> = facts[start..]
        .iter()
        .filter_map(|(e, fact)| match fact {
            Fact::RoleChanged {
                role: "leader",
                term,
            } => {
                let node = events[e.index()].node?;
                Some((
                    e.index(),
                    match term {
                        Some(term) => format!("{node} became leader of term {term}"),
                        None => format!("{node} became leader"),
                    },
                ))
            }
            _ => None,
        })
        .collect();
    for (i, event) in events.iter().enumerate().skip(from) {
        let text = match (&event.kind, event.node) {
            (EventKind::Violation(v), _) => format!("violation: {}", v.property),
            (EventKind::Crash, Some(node)) => format!("{node} crashed"),
            (EventKind::Restart, Some(node)) => format!("{node} restarted"),
            _ => continue,
        };
        said.push((i, text));
    }
    said.sort_by_key(|(i, _)| *i);
    let latest: Vec<String> = said
        .into_iter()
        .rev()
        .take(MAX_NAMED)
        .rev()
        .map(|(_, text)| text)
        .collect();
    (!latest.is_empty()).then(|| latest.join("; "))
}

/// What was just selected from the keyboard, as the inspector titles it.
pub fn selected(run: &dyn Run, selection: Selection) -> Option<String> {
    match selection {
        Selection::Event(e) => {
            details::event(run, e).map(|d| format!("{}, at {}", d.title, time_of(run, e)))
        }
        Selection::Message(send) => {
            details::event(run, send).map(|d| format!("message {}", d.title))
        }
        Selection::Node(node) => Some(format!("{node}")),
        _ => None,
    }
}

fn time_of(run: &dyn Run, e: EventId) -> String {
    run.events()
        .get(e.index())
        .map(|ev| format::time(ev.time.0))
        .unwrap_or_default()
}
