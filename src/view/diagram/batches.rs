//! Batching: the common marks and arrows drawn as a handful of SVG paths.

use super::{ArrowState, DiagramLayout, MarkKind};
use crate::view::format;

/// Many marks or arrows drawn as one SVG path: the view draws a handful of paths however many
/// events are visible, and finds what the pointer is over with `DiagramLayout::hit`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathBatch {
    /// CSS classes, such as `arrow arrow-delivered is-past`.
    pub class: String,
    pub d: String,
}

/// Whether a mark kind is common enough to be batched; the rest are drawn one by one.
pub fn batched(kind: MarkKind) -> bool {
    matches!(
        kind,
        MarkKind::Send | MarkKind::Deliver | MarkKind::Other | MarkKind::TimerFire
    )
}

fn push_batch(batches: &mut Vec<PathBatch>, class: String, segment: &str) {
    match batches.iter_mut().find(|b| b.class == class) {
        Some(batch) => batch.d.push_str(segment),
        None => batches.push(PathBatch {
            class,
            d: segment.to_string(),
        }),
    }
}

/// Delivered (forged ones too) and dropped arrows, one path per state and emphasis, plus their arrowheads (filled
/// triangles, since a marker only decorates a path's last point). Arrows in flight are few and are
/// drawn one by one, so they can be grabbed.
pub fn arrow_batches(layout: &DiagramLayout) -> Vec<PathBatch> {
    let f = format::coord;
    let mut batches = Vec::new();
    for a in &layout.arrows {
        if !matches!(
            a.state,
            ArrowState::Delivered | ArrowState::Forged | ArrowState::Dropped(_)
        ) {
            continue;
        }
        let emphasis = a.emphasis.class();
        let class = format!("arrow {} {emphasis}", a.state.class());
        let line = format!("M{} {}L{} {}", f(a.x1), f(a.y1), f(a.x2), f(a.y2));
        push_batch(&mut batches, class, &line);
        if matches!(a.state, ArrowState::Delivered | ArrowState::Forged) {
            let (dx, dy) = (a.x2 - a.x1, a.y2 - a.y1);
            let length = dx.hypot(dy);
            if length > 8.0 {
                let (ux, uy) = (dx / length, dy / length);
                let (bx, by) = (a.x2 - ux * 7.0, a.y2 - uy * 7.0);
                let head = format!(
                    "M{} {}L{} {}L{} {}z",
                    f(a.x2),
                    f(a.y2),
                    f(bx - uy * 3.2),
                    f(by + ux * 3.2),
                    f(bx + uy * 3.2),
                    f(by - ux * 3.2)
                );
                let forged = if a.state == ArrowState::Forged {
                    " arrowhead-forged"
                } else {
                    ""
                };
                push_batch(&mut batches, format!("arrowhead{forged} {emphasis}"), &head);
            }
        }
    }
    batches
}

/// Sends, deliveries, timer fires and other common events, one path per shape and emphasis.
pub fn mark_batches(layout: &DiagramLayout) -> Vec<PathBatch> {
    let f = format::coord;
    let mut batches = Vec::new();
    for m in layout.marks.iter().filter(|m| batched(m.kind)) {
        let emphasis = m.emphasis.class();
        if m.kind == MarkKind::TimerFire {
            let diamond = format!("M{} {}l4 4l-4 4l-4 -4z", f(m.x), f(m.y - 4.0));
            push_batch(
                &mut batches,
                format!("marks marks-timer {emphasis}"),
                &diamond,
            );
        } else {
            // A zero-length line with round caps is a dot, the cheapest shape a path can draw.
            let dot = format!("M{} {}h0", f(m.x), f(m.y));
            push_batch(&mut batches, format!("marks marks-dot {emphasis}"), &dot);
        }
    }
    batches
}
