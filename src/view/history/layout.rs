//! Laying out the history beside the diagram: one column per client, each operation a bar from its
//! invocation down to its answer (open-ended while it has none), on the diagram's time axis, so
//! both scroll and zoom together; the faults of the run across every column; and, for a history
//! that is not linearizable, the linearization points of the longest order that works and the
//! operation that cannot follow it.

use std::rc::Rc;

use super::{ClientOp, HistoryIndex, HistoryVerdict, OpInput};
use crate::checks::linearizability::{Model, Register};
use crate::engine::ids::OpId;
use crate::engine::register::RegisterInput;
use crate::protocols::kv::shown;
use crate::view::axis;
use crate::view::diagram::{HEADER_PX, MAX_ITEMS, PathBatch};
use crate::view::format;

/// Columns narrower than this show bars without text (the text is in each bar's tooltip).
const TEXT_COLUMN_PX: f64 = 64.0;
/// Roughly how wide a character of the bars' text is, in pixels.
const CHAR_PX: f64 = 6.2;
/// The widest a bar is.
const BAR_PX: f64 = 10.0;
/// Past this many bars in the window, they are drawn as a few batched paths, without text, and
/// picked by position: a zoomed-out history of thousands of operations stays cheap to draw.
pub const BATCH_BARS: usize = 120;

/// How an operation stands, which sets its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarState {
    /// Answered.
    Done,
    /// Still waiting for an answer.
    Pending,
    /// Its client gave up: it may or may not have taken effect.
    GaveUp,
    /// Part of the longest order that works (a history that is not linearizable).
    Placed,
    /// The operation that cannot be placed.
    Stuck,
    /// On another key than the violation's, or not judged: drawn faint.
    Aside,
}

impl BarState {
    pub fn class(self) -> &'static str {
        match self {
            BarState::Done => "is-done",
            BarState::Pending => "is-pending",
            BarState::GaveUp => "is-gave-up",
            BarState::Placed => "is-placed",
            BarState::Stuck => "is-stuck",
            BarState::Aside => "is-aside",
        }
    }
}

/// One operation's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub op: OpId,
    pub x: f64,
    pub width: f64,
    pub y1: f64,
    pub y2: f64,
    /// It has no answer (yet, or ever): drawn open at the bottom.
    pub open: bool,
    pub state: BarState,
    pub selected: bool,
    /// The text beside it: what it asks, and (a second line when there is room) what it got.
    pub text: Option<(String, Option<String>)>,
    /// Everything about it in words, for its tooltip and accessible name.
    pub title: String,
}

/// A linearization point: where an operation of the longest order takes effect.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// Its place in the order, from 1.
    pub number: usize,
}

/// A fault across the history.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultLine {
    pub y: f64,
    pub label: String,
    /// Whether its label is drawn (labels too close to the one before are left to the tooltip).
    pub labelled: bool,
}

/// What the history panel draws.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryLayout {
    pub width: f64,
    pub height: f64,
    /// The client columns: their centre and name.
    pub columns: Vec<(f64, String)>,
    pub column_width: f64,
    /// Horizontal grid lines at the diagram's time ticks.
    pub grid: Vec<f64>,
    pub bars: Vec<Bar>,
    /// The bars as a few paths, one per state, when there are more than `BATCH_BARS`.
    pub batches: Vec<PathBatch>,
    pub faults: Vec<FaultLine>,
    /// The spans the network was partitioned, from the first partition to the heal (or now), as
    /// top and bottom.
    pub partitioned: Vec<(f64, f64)>,
    pub points: Vec<Point>,
    /// The path through the points, in order.
    pub order_path: String,
    pub now_y: f64,
    /// What the body (everything but the header) is translated by: its coordinates count from
    /// `HistoryInput::origin_us`.
    pub shift_y: f64,
    pub verdict: Rc<HistoryVerdict>,
    /// The verdict in a line.
    pub summary: String,
    /// For a history that is not linearizable: why, in sentences.
    pub explanation: Vec<String>,
    /// Operations in all, and whether some in the window were left out (too many to draw).
    pub total: usize,
    pub truncated: bool,
}

/// What the history panel is asked to show.
pub struct HistoryInput<'a> {
    pub history: &'a HistoryIndex,
    pub verdict: Rc<HistoryVerdict>,
    /// When the verdict was judged, if the history has grown since (see `HistoryIndex::verdict`).
    pub judged_at: Option<u64>,
    pub now_us: u64,
    /// The diagram's window of true time and its size in pixels.
    pub start_us: u64,
    pub span_us: u64,
    /// Where vertical coordinates start, as in the diagram (`DiagramInput::origin_us`).
    pub origin_us: u64,
    pub width_px: f64,
    pub height_px: f64,
    pub selected: Option<OpId>,
}

/// Lays out the history in the diagram's window.
pub fn layout(input: &HistoryInput<'_>) -> HistoryLayout {
    let history = input.history;
    let ops = history.ops();
    let file = history.file();
    let span = input.span_us.max(1);
    let scale = (input.height_px - HEADER_PX).max(1.0) / span as f64;
    let start = input.start_us;
    let end = start.saturating_add(span);
    // Body coordinates count from the diagram's origin, as its own do, so panning moves one
    // translation (`shift_y`) and leaves every bar's coordinates, and so its element, unchanged.
    let origin = input.origin_us.min(start);
    let y = |t: u64| (t as f64 - origin as f64) * scale;
    let clients = history.clients().max(1);
    let column_width = ((input.width_px - 8.0) / f64::from(clients)).max(1.0);
    let column_x = |client: u32| 4.0 + column_width * f64::from(client);
    let bar_width = BAR_PX.min(column_width - 6.0).max(2.0);
    let text = column_width >= TEXT_COLUMN_PX;
    let chars = ((column_width - bar_width - 14.0) / CHAR_PX).max(0.0) as usize;

    // Which operations the verdict picks out.
    let (key, order, stuck) = match &*input.verdict {
        HistoryVerdict::NotLinearizable {
            key, order, stuck, ..
        } => (Some(key.as_str()), order.as_slice(), Some(*stuck)),
        _ => (None, &[][..], None),
    };
    let mut place = vec![None; ops.len()];
    for (n, placed) in order.iter().enumerate() {
        place[placed.index] = Some((n, placed.at_us));
    }

    let in_window =
        |op: &ClientOp| op.invoked_us <= end && op.finished_us.unwrap_or(input.now_us) >= start;
    // Past `BATCH_BARS` bars, only the selected one gets words (see `batch`).
    let detailed = ops.iter().filter(|op| in_window(op)).count() <= BATCH_BARS;
    let mut bars = Vec::new();
    let mut truncated = false;
    for (index, op) in ops.iter().enumerate() {
        if !in_window(op) {
            continue;
        }
        let invoked = op.invoked_us;
        let finished = op.finished_us;
        if bars.len() >= MAX_ITEMS {
            truncated = true;
            break;
        }
        let on_key = match (&op.input, key) {
            (OpInput::Register { key: k, .. } | OpInput::Named { key: k, .. }, Some(key)) => {
                k == key
            }
            (OpInput::Other(_), _) => false,
            (_, None) => true,
        };
        let state = if stuck == Some(index) {
            BarState::Stuck
        } else if key.is_some() && !on_key {
            BarState::Aside
        } else if place[index].is_some() {
            BarState::Placed
        } else if op.completed.is_some() {
            if on_key {
                BarState::Done
            } else {
                BarState::Aside
            }
        } else if op.gave_up.is_some() {
            BarState::GaveUp
        } else {
            BarState::Pending
        };
        let words = detailed || input.selected == Some(op.op);
        let asked = if words { op.describe() } else { String::new() };
        let answered = words.then(|| match op.answer_text() {
            Some(answer) => format!("→ {answer}"),
            None if op.gave_up.is_some() && file.is_some() => "unknown".to_string(),
            None if op.gave_up.is_some() => "gave up".to_string(),
            None => "waiting".to_string(),
        });
        let title = if words {
            let lines = file.and_then(|f| f.lines.get(index).copied());
            let asked = format!("{asked} ({}, {})", op.op, history.client_name(op.client));
            title(op, &asked, (invoked, finished), lines, place[index], state)
        } else {
            String::new()
        };
        let y1 = y(invoked);
        let y2 = y(finished.unwrap_or(input.now_us)).max(y1 + 3.0);
        let cut = |s: String| {
            if s.chars().count() > chars {
                let mut short: String = s.chars().take(chars.saturating_sub(1)).collect();
                short.push('…');
                short
            } else {
                s
            }
        };
        // The operation's id leads, as the explanation and the inspector name it.
        let text = (words && detailed && text && chars >= 3).then(|| {
            if y2 - y1 >= 28.0 {
                (cut(format!("{} {asked}", op.op)), answered.map(cut))
            } else {
                (
                    cut(format!(
                        "{} {asked} {}",
                        op.op,
                        answered.unwrap_or_default()
                    )),
                    None,
                )
            }
        });
        bars.push(Bar {
            op: op.op,
            x: column_x(op.client) + 5.0,
            width: bar_width,
            y1,
            y2,
            open: op.completed.is_none(),
            state,
            selected: input.selected == Some(op.op),
            text,
            title,
        });
    }

    let batches = if detailed { Vec::new() } else { batch(&bars) };

    let points: Vec<Point> = order
        .iter()
        .enumerate()
        .map(|(n, placed)| Point {
            x: column_x(ops[placed.index].client) + 5.0 + bar_width / 2.0,
            y: y(placed.at_us),
            number: n + 1,
        })
        .collect();
    let order_path = points
        .iter()
        .enumerate()
        .map(|(n, p)| {
            format!(
                "{}{} {}",
                if n == 0 { "M" } else { "L" },
                format::coord(p.x),
                format::coord(p.y)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");

    let mut faults = Vec::new();
    let mut last_label = f64::NEG_INFINITY;
    for fault in history.faults() {
        let at = fault.at_us;
        if at < start || at > end {
            continue;
        }
        let fy = y(at);
        let labelled = fy - last_label >= 13.0;
        if labelled {
            last_label = fy;
        }
        faults.push(FaultLine {
            y: fy,
            label: fault.label.clone(),
            labelled,
        });
    }

    let mut partitioned = Vec::new();
    let mut since = None;
    for fault in history.faults() {
        match fault.splits {
            Some(true) => {
                since.get_or_insert(fault.at_us);
            }
            Some(false) => {
                if let Some(from) = since.take() {
                    partitioned.push((from, fault.at_us));
                }
            }
            None => {}
        }
    }
    partitioned.extend(since.map(|from| (from, input.now_us)));
    let partitioned = partitioned
        .into_iter()
        .filter(|&(from, to)| from <= end && to >= start)
        .map(|(from, to)| (y(from), y(to)))
        .collect();

    let (mut summary, explanation) = words(history, &input.verdict);
    if let Some(at) = input.judged_at {
        summary += &format!(" (as of {}; judged again when paused)", format::time(at));
    }
    HistoryLayout {
        width: input.width_px,
        height: input.height_px,
        columns: (0..history.clients())
            .map(|c| (column_x(c) + column_width / 2.0, history.client_name(c)))
            .collect(),
        column_width,
        grid: axis::ticks(start, end, scale, 56.0)
            .into_iter()
            .map(|tick| y(tick.time_us))
            .collect(),
        bars,
        batches,
        faults,
        partitioned,
        points,
        order_path,
        now_y: y(input.now_us),
        shift_y: HEADER_PX - y(start),
        verdict: input.verdict.clone(),
        summary,
        explanation,
        total: ops.len(),
        truncated,
    }
}

/// The bars as one path of rectangles per state (and open or not). Zoomed out, a client's bars
/// touch: the ones of a state less than a pixel apart in a column merge into one rectangle, so
/// the path stays short however many operations the window holds.
fn batch(bars: &[Bar]) -> Vec<PathBatch> {
    // Per class and column: the open rectangle, as x, width, top and bottom.
    let mut runs: Vec<(String, (f64, f64, f64, f64))> = Vec::new();
    let mut batches: Vec<PathBatch> = Vec::new();
    let mut flush = |class: &str, (x, w, y1, y2): (f64, f64, f64, f64)| {
        let segment = format!(
            "M{} {}h{}v{}h-{}z",
            format::coord(x),
            format::coord(y1),
            format::coord(w),
            format::coord(y2 - y1),
            format::coord(w)
        );
        match batches.iter_mut().find(|b| b.class == class) {
            Some(b) => b.d.push_str(&segment),
            None => batches.push(PathBatch {
                class: class.to_string(),
                d: segment,
            }),
        }
    };
    for bar in bars {
        let class = format!(
            "history-batch {}{}",
            bar.state.class(),
            if bar.open { " is-open" } else { "" }
        );
        match runs
            .iter_mut()
            .find(|(c, (x, ..))| *c == class && *x == bar.x)
        {
            Some((_, run)) if bar.y1 <= run.3 + 1.0 => run.3 = run.3.max(bar.y2),
            Some((c, run)) => {
                flush(c, *run);
                *run = (bar.x, bar.width, bar.y1, bar.y2);
            }
            None => runs.push((class, (bar.x, bar.width, bar.y1, bar.y2))),
        }
    }
    for (class, run) in &runs {
        flush(class, *run);
    }
    batches
}

impl HistoryLayout {
    /// The operation whose bar is at (`x`, `y`) on screen, with a few pixels to spare either side
    /// of narrow bars; the latest one where bars overlap.
    pub fn hit(&self, x: f64, y: f64) -> Option<OpId> {
        let y = y - self.shift_y;
        self.bars
            .iter()
            .rev()
            .find(|b| {
                x >= b.x - 3.0 && x <= b.x + b.width + 3.0 && y >= b.y1 - 1.0 && y <= b.y2 + 1.0
            })
            .map(|b| b.op)
    }
}

/// A bar's tooltip and accessible name: everything about its operation in words.
/// `lines` are the file's, for a history read from one (whose times are positions).
fn title(
    op: &ClientOp,
    asked: &str,
    (invoked, finished): (u64, Option<u64>),
    lines: Option<(usize, Option<usize>)>,
    place: Option<(usize, u64)>,
    state: BarState,
) -> String {
    let mut title = asked.to_string();
    if let Some((from, to)) = lines {
        title += &match (to, op.completed.is_some()) {
            (Some(to), true) => format!(
                ", lines {from}–{to}: {}",
                op.answer_text().unwrap_or_default()
            ),
            (Some(to), false) => format!(
                ", lines {from}–{to}: :info, outcome unknown (it may take effect any time after)"
            ),
            (None, _) => format!(", line {from}: never completed, outcome unknown"),
        };
        if let Some((n, _)) = place {
            title += &format!("; takes effect {} in the order", n + 1);
        }
        if state == BarState::Stuck {
            title += "; cannot be placed";
        }
        return title;
    }
    title += &format!(" from {}", format::time(invoked));
    match (finished, op.completed.is_some()) {
        (Some(at), true) => {
            title += &format!(
                " to {}: {}",
                format::time(at),
                op.answer_text().unwrap_or_default()
            );
        }
        (Some(at), false) => {
            title += &format!(", given up at {}: outcome unknown", format::time(at));
        }
        (None, _) => title += ", no answer yet",
    }
    if let Some((n, at)) = place {
        title += &format!(
            "; takes effect {} in the order, at {}",
            n + 1,
            format::time(at)
        );
    }
    if state == BarState::Stuck {
        title += "; cannot be placed";
    }
    title
}

/// `1 operation`, `3 operations`.
fn operations(n: usize) -> String {
    format!("{n} operation{}", if n == 1 { "" } else { "s" })
}

/// The verdict in a line, and for a history that is not linearizable the reason in sentences.
fn words(history: &HistoryIndex, verdict: &HistoryVerdict) -> (String, Vec<String>) {
    if let Some(file) = history.file() {
        return (file.summary.clone(), file.explanation.clone());
    }
    let ops = history.ops();
    let aside = |other: usize| {
        if other == 0 {
            String::new()
        } else {
            format!(" ({} not reads or writes, not judged)", operations(other))
        }
    };
    match verdict {
        HistoryVerdict::NotJudged { other: 0 } => ("No client operations yet".to_string(), vec![]),
        HistoryVerdict::NotJudged { other } => (
            format!(
                "Not judged: {} and none reads or writes a register",
                operations(*other)
            ),
            vec![],
        ),
        HistoryVerdict::Linearizable { judged, other } => (
            format!(
                "Linearizable: {} so far{}",
                operations(*judged),
                aside(*other)
            ),
            vec![],
        ),
        HistoryVerdict::Unknown {
            key, steps, judged, ..
        } => (
            format!(
                "Unknown: the search gave up on key {key} after {} steps ({} in all); not a pass",
                format::count(*steps),
                operations(*judged)
            ),
            vec![],
        ),
        HistoryVerdict::NotLinearizable {
            key, order, stuck, ..
        } => {
            let what = |i: usize| {
                let o = &ops[i];
                match o.answer_text() {
                    Some(a)
                        if matches!(
                            o.input,
                            OpInput::Register {
                                input: RegisterInput::Read,
                                ..
                            }
                        ) =>
                    {
                        format!("{} → {a} ({})", o.describe(), o.op)
                    }
                    _ => format!("{} ({})", o.describe(), o.op),
                }
            };
            let held = order.iter().fold(Register.init(), |state, placed| {
                match &ops[placed.index].input {
                    OpInput::Register { input, .. } => Register.apply(&state, input).0,
                    OpInput::Other(_) | OpInput::Named { .. } => state,
                }
            });
            let mut lines = vec![format!(
                "The longest order of {key}'s operations that respects real time has {}, \
                 numbered on the bars at the instant each takes effect; it leaves {key} holding {}.",
                operations(order.len()),
                shown(held.as_deref())
            )];
            let mut line = format!(
                "{} cannot come next, nor anywhere else: no order explains its answer",
                what(*stuck)
            );
            // The operation of the order that finished last before the stuck one began: the one
            // whose effect it should have seen.
            let before = order
                .iter()
                .filter_map(|p| Some((p.index, ops[p.index].completed?)))
                .filter(|&(_, done)| done < ops[*stuck].invoked)
                .max_by_key(|&(_, done)| done);
            if let Some((earlier, _)) = before {
                line += &format!("; {} completed before it began", what(earlier));
                let read = |i: usize| {
                    matches!(
                        ops[i].input,
                        OpInput::Register {
                            input: RegisterInput::Read,
                            ..
                        }
                    )
                };
                if read(earlier) && ops[earlier].answer != ops[*stuck].answer {
                    line += ": a new-old inversion";
                }
            }
            lines.push(line + ".");
            (format!("Not linearizable on key {key}"), lines)
        }
    }
}
