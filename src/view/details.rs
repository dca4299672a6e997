//! What the hover card and the inspector say about one event or one message: a title, labelled rows
//! (times, clocks, timestamps) and the payload as indented JSON.

use crate::engine::ids::{EventId, NodeId, join_nodes};
use crate::engine::run::Run;
use crate::engine::trace::EventKind;
use crate::view::format;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub title: String,
    pub rows: Vec<(String, String)>,
    /// Pretty-printed JSON of the message, request or reply, if the event carries one.
    pub payload: Option<String>,
    /// The events a violation involves, each with what it was, to go to.
    pub involved: Vec<(EventId, String)>,
}

impl Details {
    fn row(&mut self, label: &str, value: impl Into<String>) {
        self.rows.push((label.to_string(), value.into()));
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Describes event `id`, or `None` if the trace has no such event (it was rewound away).
pub fn event(run: &dyn Run, id: EventId) -> Option<Details> {
    let vector = run.causality().vector_clock(id);
    let event = run.events().get(id.index())?.clone();
    let mut d = Details::default();
    let time = format::time(event.time.0);
    let on = event.node.map(|n| format!(" on {n}")).unwrap_or_default();
    let mut title = format!("{}{on}", human_kind(&event.kind));
    // The protocol's own stamp on this event, for a protocol that keeps a clock.
    let own = run.own_clock().and_then(|_| run.own_stamp(id));
    d.row("event", format!("#{}", id.0));
    d.row("true time", time);
    if let Some(node) = event.node {
        d.row("node", node.to_string());
        let local = event.local_us;
        let skew = local.saturating_sub(event.time.0 as i64);
        d.row(
            "local clock",
            format!(
                "{} ({} from true time)",
                crate::engine::time::format_us(i128::from(local)),
                format::offset(skew)
            ),
        );
        // A protocol that keeps its own clock: its stamps first, and the simulator's named as such.
        let simulator = if run.own_clock().is_some() {
            if let Some(own) = &own {
                if let Some(lamport) = own.lamport {
                    d.row("protocol's L", lamport.to_string());
                }
                if let Some(vector) = &own.vector {
                    d.row("protocol's V", format::vector(vector));
                }
            }
            "simulator's "
        } else {
            ""
        };
        d.row(&format!("{simulator}Lamport"), event.lamport.to_string());
        if let Some(vector) = &vector {
            d.row(&format!("{simulator}vector"), format::vector(vector));
        }
    }
    match &event.kind {
        EventKind::Send { to, msg } => {
            title = format!("{} → {to}", run.message_label(*msg));
            d.row("from → to", format!("{} → {to}", node_name(event.node)));
            d.payload = Some(pretty(&run.message_json(*msg)));
        }
        EventKind::Deliver { from, msg, send } => {
            title = format!("{} delivered", run.message_label(*msg));
            let sent = run.events().get(send.index()).map(|e| e.time.0);
            d.row("from → to", format!("{from} → {}", node_name(event.node)));
            if let Some(sent) = sent {
                d.row("sent at", format::time(sent));
                d.row(
                    "in transit",
                    format::time(event.time.0.saturating_sub(sent)),
                );
            }
            if let Some(EventKind::Send { msg: original, .. }) =
                run.events().get(send.index()).map(|e| &e.kind)
                && original != msg
            {
                title = format!("{} delivered, forged", run.message_label(*msg));
                d.row("sent as", run.message_label(*original));
                d.row("forged by", "the link, on the way");
            }
            d.payload = Some(pretty(&run.message_json(*msg)));
        }
        EventKind::Drop {
            from,
            to,
            msg,
            send,
            reason,
        } => {
            title = format!("{} dropped", run.message_label(*msg));
            d.row("from → to", format!("{from} → {to}"));
            if let Some(sent) = run.events().get(send.index()).map(|e| e.time.0) {
                d.row("sent at", format::time(sent));
            }
            d.row("why", reason.describe());
            d.payload = Some(pretty(&run.message_json(*msg)));
        }
        EventKind::Duplicate { from, to, msg, .. } => {
            title = format!("{} duplicated", run.message_label(*msg));
            d.row("from → to", format!("{from} → {to}"));
        }
        EventKind::Corrupt {
            from,
            to,
            msg,
            forged,
            ..
        } => {
            title = format!("{} corrupted on the link", run.message_label(*msg));
            d.row("from → to", format!("{from} → {to}"));
            d.row("sent", run.message_label(*msg));
            d.row("arrives as", run.message_label(*forged));
            d.payload = Some(pretty(&run.message_json(*forged)));
        }
        EventKind::TimerSet { name, after_us, .. } => {
            d.row("timer", *name);
            d.row("fires after", format::time(*after_us));
        }
        EventKind::TimerFire { name, .. } | EventKind::TimerCancel { name, .. } => {
            d.row("timer", *name);
            if let Some(set) = event.cause.and_then(|c| run.events().get(c.index())) {
                d.row("set at", format::time(set.time.0));
            }
        }
        EventKind::Request {
            id: request,
            attempt,
            op,
        } => {
            d.row("operation", format!("op {} attempt {attempt}", op.0));
            if let Some((_, op)) = run.request_json(*request) {
                d.payload = Some(pretty(&op));
            }
        }
        EventKind::RequestDrop {
            id: request, node, ..
        } => {
            d.row("to", node.to_string());
            if let Some((_, op)) = run.request_json(*request) {
                d.payload = Some(pretty(&op));
            }
        }
        EventKind::Response { op, .. } => {
            d.row("operation", format!("op {}", op.0));
            if let Some(reply) = run.response_json(id) {
                d.payload = Some(pretty(&reply));
            }
        }
        EventKind::ClockJump { by_us } => d.row("jumped by", format::offset(*by_us)),
        EventKind::ClockDrift { ppm } => d.row("drift", format!("{ppm} ppm")),
        EventKind::Traitor { strategy } => {
            d.row("strategy", strategy.label());
            d.row("lies", strategy.describe());
        }
        EventKind::Persist { what } => d.row("wrote", *what),
        EventKind::Annotate { text } => {
            // The event as the lesson names it, else what the note says.
            title = match &own {
                Some(own) => format!("Event {}{on}", own.name),
                None => format!("{text}{on}"),
            };
            d.row("note", text.to_string());
        }
        EventKind::Violation(violation) => {
            title = format!("{} violated", violation.property);
            d.row("what", violation.message.clone());
            d.involved = violation
                .involved
                .iter()
                .filter_map(|&e| {
                    let at = run.events().get(e.index())?;
                    if matches!(at.kind, EventKind::Violation(_)) {
                        return None;
                    }
                    let what = self::event(run, e)?.title;
                    Some((e, format!("#{} {what} at {}", e.0, format::time(at.time.0))))
                })
                .collect();
        }
        EventKind::Partition { groups } => {
            let parts: Vec<String> = groups.iter().map(|g| join_nodes(g, ",")).collect();
            d.row("groups", parts.join(" | "));
        }
        EventKind::Hold { from, to } | EventKind::Release { from, to } => {
            d.row("link", format!("{from} → {to}"));
        }
        _ => {}
    }
    d.title = title;
    Some(d)
}

fn node_name(node: Option<NodeId>) -> String {
    node.map_or_else(|| "?".to_string(), |n| n.to_string())
}

/// The event kind as people say it.
pub fn human_kind(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Start => "Start",
        EventKind::Send { .. } => "Send",
        EventKind::Deliver { .. } => "Delivery",
        EventKind::Drop { .. } => "Drop",
        EventKind::Duplicate { .. } => "Duplicate",
        EventKind::Corrupt { .. } => "Corrupted",
        EventKind::TimerSet { .. } => "Timer set",
        EventKind::TimerFire { .. } => "Timer fired",
        EventKind::TimerCancel { .. } => "Timer cancelled",
        EventKind::Crash => "Crash",
        EventKind::Restart => "Restart",
        EventKind::Pause => "Pause",
        EventKind::Resume => "Resume",
        EventKind::Partition { .. } => "Partition",
        EventKind::PartitionOneWay { .. } => "One-way partition",
        EventKind::Heal => "Heal",
        EventKind::Hold { .. } => "Hold",
        EventKind::Release { .. } => "Release",
        EventKind::LinkChange { .. } => "Link changed",
        EventKind::ClockJump { .. } => "Clock jump",
        EventKind::ClockDrift { .. } => "Clock drift",
        EventKind::Traitor { .. } => "Turned traitor",
        EventKind::Request { .. } => "Client request",
        EventKind::RequestDrop { .. } => "Request lost",
        EventKind::Response { .. } => "Reply to client",
        EventKind::GiveUp { .. } => "Client gave up",
        EventKind::Persist { .. } => "Persist",
        EventKind::Annotate { .. } => "Note",
        EventKind::Violation(_) => "Violation",
    }
}
