//! Hit-testing: which mark or arrow the pointer is over.

use super::DiagramLayout;
use crate::engine::ids::EventId;

/// What the pointer is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Event(EventId),
    /// A message, by its send event.
    Message(EventId),
}

impl DiagramLayout {
    /// The mark within 7 px of (`x`, `y`), else the arrow within 5 px, in body coordinates (the
    /// translation `shift_y` already removed). The nearest wins; between marks at the same place,
    /// one with a printed timestamp (the event a lesson talks about).
    pub fn hit(&self, x: f64, y: f64) -> Option<Hit> {
        let near_mark = self
            .marks
            .iter()
            .map(|m| ((m.x - x).hypot(m.y - y), m.stamp.is_none(), m.event))
            .filter(|(d, _, _)| *d <= 7.0)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(d, _, event)| (d, event));
        if let Some((_, event)) = near_mark {
            return Some(Hit::Event(event));
        }
        self.arrows
            .iter()
            .map(|a| (segment_distance(x, y, a.x1, a.y1, a.x2, a.y2), a.send))
            .filter(|(d, _)| *d <= 5.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, send)| Hit::Message(send))
    }
}

fn segment_distance(px: f64, py: f64, x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
    let (dx, dy) = (x2 - x1, y2 - y1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 > 0.0 {
        (((px - x1) * dx + (py - y1) * dy) / length2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (px - (x1 + t * dx)).hypot(py - (y1 + t * dy))
}
