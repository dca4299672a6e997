//! A plot placed in pixels: its area, ticks, series paths, guides and cursors for a given size.

use super::{Guide, Plot};
use crate::view::{axis, format};

/// Margins around the plotting area, in pixels: room for the tick labels and titles.
const MARGIN_LEFT: f64 = 52.0;
const MARGIN_RIGHT: f64 = 24.0;
const MARGIN_TOP: f64 = 26.0;
const MARGIN_BOTTOM: f64 = 40.0;
/// How far right of the area's left edge the y axis title reaches.
const Y_TITLE_PX: f64 = 110.0;
/// Ticks on the time axis are at least this far apart.
const X_TICK_GAP_PX: f64 = 72.0;

/// A series as drawn: one path of all its segments, and its marks.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPath {
    pub color: usize,
    pub name: String,
    /// SVG path data.
    pub d: String,
    /// Mark centres with their labels.
    pub marks: Vec<(f64, f64, String)>,
}

/// A labelled straight line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub label: String,
    /// Where the label goes and how it is anchored (`start`, `middle` or `end`).
    pub label_x: f64,
    pub label_y: f64,
    pub anchor: &'static str,
    pub color: Option<usize>,
}

/// A plot placed in pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotLayout {
    pub width: f64,
    pub height: f64,
    /// The plotting area: left, top, width, height.
    pub area: (f64, f64, f64, f64),
    /// Tick positions with labels.
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String, bool)>,
    pub x_title: String,
    pub y_title: String,
    pub series: Vec<SeriesPath>,
    pub guides: Vec<Line>,
    pub cursors: Vec<Line>,
}

/// Drops samples that land on the same pixel column as their neighbours, keeping each column's
/// first, lowest, highest and last, so a long run draws as fast as a short one and keeps its shape.
fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len().min(4_096));
    let mut start = 0;
    while start < points.len() {
        let column = points[start].0.floor();
        let end = start
            + points[start..]
                .iter()
                .take_while(|p| p.0.floor() == column)
                .count();
        let run = &points[start..end];
        if run.len() <= 4 {
            out.extend_from_slice(run);
        } else {
            let max_y = (0..run.len())
                .max_by(|a, b| run[*a].1.total_cmp(&run[*b].1))
                .unwrap_or(0);
            let min_y = (0..run.len())
                .min_by(|a, b| run[*a].1.total_cmp(&run[*b].1))
                .unwrap_or(0);
            let mut keep = [0, max_y, min_y, run.len() - 1];
            keep.sort_unstable();
            let mut last = None;
            for i in keep {
                if last != Some(i) {
                    out.push(run[i]);
                    last = Some(i);
                }
            }
        }
        start = end;
    }
    out
}

/// Places `plot` in a `width` × `height` pixel box, on its zoomed y scale if `zoomed` and it has
/// one.
pub fn layout(plot: &Plot, width: f64, height: f64, zoomed: bool) -> PlotLayout {
    let width = width.max(160.0);
    let height = height.max(120.0);
    let scale = match (&plot.zoom, zoomed) {
        (Some(zoom), true) => zoom,
        _ => &plot.y,
    };
    let (left, top) = (MARGIN_LEFT, MARGIN_TOP);
    let area_w = width - MARGIN_LEFT - MARGIN_RIGHT;
    let area_h = height - MARGIN_TOP - MARGIN_BOTTOM;
    let x_end = plot.x_end_us.max(1) as f64;
    let x = |us: u64| left + us as f64 / x_end * area_w;
    let y_span = (scale.hi - scale.lo).max(1) as f64;
    let y = |v: f64| top + (scale.hi as f64 - v) / y_span * area_h;
    let bottom = top + area_h;
    let right = left + area_w;

    let x_ticks = axis::ticks(0, plot.x_end_us, area_w / x_end, X_TICK_GAP_PX)
        .into_iter()
        .map(|t| {
            let label = if t.time_us == 0 {
                "0".to_string()
            } else {
                t.label
            };
            (x(t.time_us), label)
        })
        .collect();
    let y_ticks = scale
        .ticks
        .iter()
        .map(|t| (y(t.at), t.label.clone(), t.strong))
        .collect();
    let series = plot
        .series
        .iter()
        .map(|s| {
            let mut d = String::new();
            for segment in &s.segments {
                let pixels: Vec<(f64, f64)> =
                    segment.iter().map(|p| (x(p.x_us), y(p.y as f64))).collect();
                for (i, (px, py)) in thin(&pixels).into_iter().enumerate() {
                    d.push(if i == 0 { 'M' } else { 'L' });
                    d.push_str(&format::coord(px));
                    d.push(' ');
                    d.push_str(&format::coord(py));
                }
            }
            SeriesPath {
                color: s.color,
                name: s.name.clone(),
                d,
                marks: s
                    .marks
                    .iter()
                    .filter(|m| m.at.x_us <= plot.x_end_us)
                    .map(|m| (x(m.at.x_us), y(m.at.y as f64), m.label.clone()))
                    .collect(),
            }
        })
        .collect();
    let mut guides = Vec::new();
    let mut stagger = 0.0;
    for guide in &plot.guides {
        match guide {
            Guide::Horizontal { y: v, label } => {
                let gy = y(*v as f64);
                guides.push(Line {
                    x1: left,
                    y1: gy,
                    x2: right,
                    y2: gy,
                    label: label.clone(),
                    label_x: right - 4.0,
                    label_y: gy + 14.0,
                    anchor: "end",
                    color: None,
                });
            }
            Guide::Vertical { x_us, label, color } => {
                let gx = x(*x_us);
                // Labels sit inside the area, on the side with more room, stacked if several.
                let (label_x, anchor) = if gx > left + area_w * 0.6 {
                    (gx - 5.0, "end")
                } else {
                    (gx + 5.0, "start")
                };
                guides.push(Line {
                    x1: gx,
                    y1: top,
                    x2: gx,
                    y2: bottom,
                    label: label.clone(),
                    label_x,
                    label_y: bottom - 8.0 - stagger,
                    anchor,
                    color: Some(*color),
                });
                stagger += 16.0;
            }
        }
    }
    let cursors = plot
        .cursors
        .iter()
        .filter(|(at, _)| *at <= plot.x_end_us)
        .map(|(at, label)| {
            let cx = x(*at);
            // Above the area, unless the y axis title is there: then inside, beside the line.
            let (label_x, label_y, anchor) = if cx < left + Y_TITLE_PX {
                (cx + 5.0, top + 13.0, "start")
            } else if cx > right - 20.0 {
                (cx, top - 10.0, "end")
            } else {
                (cx, top - 10.0, "middle")
            };
            Line {
                x1: cx,
                y1: if label_y < top { top - 6.0 } else { top },
                x2: cx,
                y2: bottom,
                label: label.clone(),
                label_x,
                label_y,
                anchor,
                color: None,
            }
        })
        .collect();
    PlotLayout {
        width,
        height,
        area: (left, top, area_w, area_h),
        x_ticks,
        y_ticks,
        x_title: plot.x_title.to_string(),
        y_title: scale.title.clone(),
        series,
        guides,
        cursors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_each_columns_extremes_in_order() {
        let points: Vec<(f64, f64)> = (0..100)
            .map(|i| (10.0 + f64::from(i) / 1000.0, f64::from((i + 3) % 7)))
            .collect();
        let thinned = thin(&points);
        assert_eq!(thinned.len(), 4);
        assert_eq!(thinned[0], points[0]);
        assert_eq!(thinned[3], points[99]);
        assert!(thinned.iter().any(|p| p.1 == 6.0) && thinned.iter().any(|p| p.1 == 0.0));
    }
}
