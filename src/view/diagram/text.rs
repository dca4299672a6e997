//! The layout as plain text, for snapshot tests and debugging.

use super::{DiagramLayout, Emphasis};
use crate::view::format;

/// A plain-text picture of a layout, one line per item in a fixed order, for snapshot tests and
/// for reading a layout while debugging.
pub fn render_text(layout: &DiagramLayout) -> String {
    let f = format::coord;
    let mut out = String::new();
    for lane in &layout.lanes {
        out.push_str(&format!(
            "lane {} x={} role={} status={:?}\n",
            lane.name,
            f(lane.x),
            lane.role.as_deref().unwrap_or("-"),
            lane.status
        ));
    }
    for (y, tick) in &layout.ticks {
        out.push_str(&format!("tick {} y={}\n", tick.label, f(*y)));
    }
    for span in &layout.spans {
        out.push_str(&format!(
            "span {:?} {} y={}..{}\n",
            span.kind,
            span.node,
            f(span.y0),
            f(span.y1)
        ));
    }
    for band in &layout.bands {
        out.push_str(&format!(
            "band {:?} \"{}\" y={}..{}\n",
            band.kind,
            band.label,
            f(band.y0),
            f(band.y1)
        ));
    }
    for arrow in &layout.arrows {
        out.push_str(&format!(
            "arrow {} {:?} ({},{})->({},{}){}{}\n",
            arrow.send.0,
            arrow.state,
            f(arrow.x1),
            f(arrow.y1),
            f(arrow.x2),
            f(arrow.y2),
            arrow
                .label
                .as_ref()
                .map(|l| format!(" \"{l}\""))
                .unwrap_or_default(),
            match arrow.emphasis {
                Emphasis::Normal => String::new(),
                e => format!(" {e:?}"),
            }
        ));
    }
    for drop in &layout.drops {
        out.push_str(&format!(
            "drop {} at ({},{}) {}\n",
            drop.event.0,
            f(drop.x),
            f(drop.y),
            drop.reason.describe()
        ));
    }
    for mark in &layout.marks {
        out.push_str(&format!(
            "mark {} {:?} ({},{}){}{}\n",
            mark.event.0,
            mark.kind,
            f(mark.x),
            f(mark.y),
            mark.stamp
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default(),
            match mark.emphasis {
                Emphasis::Normal => String::new(),
                e => format!(" {e:?}"),
            }
        ));
    }
    for timer in &layout.timers {
        out.push_str(&format!(
            "timer {} y={}..{}\n",
            timer.name,
            f(timer.y0),
            f(timer.y1)
        ));
    }
    for violation in &layout.violations {
        out.push_str(&format!(
            "violation {} y={}\n",
            violation.label,
            f(violation.y)
        ));
    }
    out.push_str(&format!("now y={}\n", f(layout.now_y)));
    out
}
