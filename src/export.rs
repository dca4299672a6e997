//! Exports of a run for other tools: a ShiViz log (host, vector clock, event text) and a Mermaid
//! `sequenceDiagram` for Markdown notes. (The JSON Lines trace is `engine::run::write_jsonl`.)
//! Pure functions of the run, shared by the CLI and the web page.

use crate::engine::ids::{EventId, NodeId, join_nodes};
use crate::engine::run::Run;
use crate::engine::time::SimTime;
use crate::engine::trace::EventKind;
use std::fmt::Write;

/// The regular expression that parses [`shiviz`] output in ShiViz's "log parsing regular
/// expression" field (events are separated by nothing else, so its delimiter field stays empty).
pub const SHIVIZ_REGEX: &str = r"(?<event>.*)\n(?<host>\S+) (?<clock>\{.*\})";

/// One line describing a node event, as ShiViz shows it on the event.
fn describe(run: &dyn Run, id: EventId) -> Option<String> {
    let event = &run.events()[id.index()];
    let text = match &event.kind {
        EventKind::Start => "start".to_string(),
        EventKind::Send { to, msg } => format!("send {} to {to}", run.message_label(*msg)),
        EventKind::Deliver { from, msg, .. } => {
            format!("receive {} from {from}", run.message_label(*msg))
        }
        EventKind::TimerSet { name, after_us, .. } => {
            format!(
                "set timer {name} ({})",
                crate::engine::time::format_us(i128::from(*after_us))
            )
        }
        EventKind::TimerFire { name, .. } => format!("timer {name} fires"),
        EventKind::TimerCancel { name, .. } => format!("cancel timer {name}"),
        EventKind::Crash => "crash".to_string(),
        EventKind::Restart => "restart".to_string(),
        EventKind::Pause => "pause".to_string(),
        EventKind::Resume => "resume".to_string(),
        EventKind::ClockJump { by_us } => format!(
            "clock jumps by {}",
            crate::engine::time::format_us(i128::from(*by_us))
        ),
        EventKind::ClockDrift { ppm } => format!("clock drift set to {ppm} ppm"),
        EventKind::Traitor { strategy } => format!("turns traitor ({})", strategy.label()),
        EventKind::Request { id, op, .. } => {
            let text = run
                .request_json(*id)
                .map(|(_, op)| op.to_string())
                .unwrap_or_default();
            format!("client request {op}: {text}")
        }
        EventKind::Response { op, .. } => {
            let text = run
                .response_json(id)
                .map(|r| r.to_string())
                .unwrap_or_default();
            format!("reply to {op}: {text}")
        }
        EventKind::Persist { what } => format!("persist {what}"),
        EventKind::Annotate { text } => text.to_string(),
        _ => return None,
    };
    Some(shiviz_escape(&text))
}

/// Event text made safe for [`SHIVIZ_REGEX`] under JavaScript's rules, and reversible (see
/// `docs/exports.md`). JavaScript's `.` stops at four line terminators, so each becomes a visible
/// escape (`\n`, `\r`, `\u2028`, `\u2029`) instead of ending the event early; and a `{` after a
/// space would let a line such as `send {x} to n2` pass for a host and its clock, so every brace
/// is escaped too (`\{`, `\}`), as is the backslash itself.
pub fn shiviz_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The run so far as a ShiViz log: for every node event, a line of text and a line with the host
/// and its vector clock as JSON. Parse it with [`SHIVIZ_REGEX`].
pub fn shiviz(run: &dyn Run) -> String {
    let mut out = String::new();
    for i in 0..run.events().len() {
        let id = EventId(i as u32);
        let Some(node) = run.events()[i].node else {
            continue;
        };
        let Some(text) = describe(run, id) else {
            continue;
        };
        let Some(clock) = run.causality().vector_clock(id) else {
            continue;
        };
        let entries: Vec<String> = clock
            .iter()
            .enumerate()
            .filter(|(_, v)| **v > 0)
            .map(|(j, v)| format!("\"{}\":{v}", NodeId(j as u32)))
            .collect();
        let _ = writeln!(out, "{text}\n{node} {{{}}}", entries.join(","));
    }
    out
}

/// Mermaid's sequence diagrams grow unreadable (and slow) long before a run ends.
pub const MERMAID_MAX_LINES: usize = 400;

/// The run so far, up to `until`, as a Mermaid `sequenceDiagram`: a participant per node, an
/// arrow per delivered message (a cross for a dropped one), notes for crashes, restarts, pauses,
/// partitions and protocol annotations. Stops after [`MERMAID_MAX_LINES`] lines with a note.
pub fn mermaid(run: &dyn Run, until: SimTime) -> String {
    let mut lines = vec!["sequenceDiagram".to_string()];
    for n in 0..run.node_count() {
        lines.push(format!("    participant {}", NodeId(n)));
    }
    let header = lines.len();
    let label = |text: String| text.replace([';', '#', ':'], " ").replace('\n', " ");
    for event in run.events().iter().take_while(|e| e.time <= until) {
        let line = match (&event.kind, event.node) {
            (EventKind::Deliver { from, msg, .. }, Some(to)) => Some(format!(
                "    {from}->>{to}: {}",
                label(run.message_label(*msg))
            )),
            (
                EventKind::Drop {
                    from,
                    to,
                    msg,
                    reason,
                    ..
                },
                _,
            ) => Some(format!(
                "    {from}-x{to}: {} ({})",
                label(run.message_label(*msg)),
                reason.describe()
            )),
            (EventKind::Crash, Some(n)) => Some(format!("    Note over {n}: crash")),
            (EventKind::Restart, Some(n)) => Some(format!("    Note over {n}: restart")),
            (EventKind::Pause, Some(n)) => Some(format!("    Note over {n}: pause")),
            (EventKind::Resume, Some(n)) => Some(format!("    Note over {n}: resume")),
            (EventKind::Annotate { text }, Some(n)) => {
                Some(format!("    Note over {n}: {}", label(text.to_string())))
            }
            (EventKind::Partition { groups }, _) => {
                let parts: Vec<String> = groups.iter().map(|g| join_nodes(g, " ")).collect();
                Some(format!(
                    "    Note over n1,{}: partition {}",
                    NodeId(run.node_count() - 1),
                    parts.join(" | ")
                ))
            }
            (EventKind::Heal, _) => Some(format!(
                "    Note over n1,{}: heal",
                NodeId(run.node_count() - 1)
            )),
            (EventKind::Violation(v), _) => Some(format!(
                "    Note over n1,{}: VIOLATION {} - {}",
                NodeId(run.node_count() - 1),
                label(v.property.clone()),
                label(v.message.clone())
            )),
            _ => None,
        };
        if let Some(line) = line {
            if lines.len() - header >= MERMAID_MAX_LINES {
                lines.push(format!(
                    "    Note over n1,{}: … cut here after {MERMAID_MAX_LINES} lines (at {})",
                    NodeId(run.node_count() - 1),
                    event.time
                ));
                break;
            }
            lines.push(line);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
