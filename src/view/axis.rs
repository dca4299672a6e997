//! Ticks for a time axis: round steps (1, 2 or 5 times a power of ten microseconds) spaced at least
//! a minimum number of pixels apart.

use crate::view::format;

/// One tick: its time and label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub time_us: u64,
    pub label: String,
}

/// The smallest round step that puts ticks at least `min_gap_px` apart at `px_per_us`.
pub fn step_us(px_per_us: f64, min_gap_px: f64) -> u64 {
    if px_per_us.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !px_per_us.is_finite() {
        return 1_000_000;
    }
    let mut power = 1u64;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if step as f64 * px_per_us >= min_gap_px || step >= 1_000_000_000_000 {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// The ticks in `start_us..=end_us`, at most a few hundred however the inputs are chosen.
pub fn ticks(start_us: u64, end_us: u64, px_per_us: f64, min_gap_px: f64) -> Vec<Tick> {
    let step = step_us(px_per_us, min_gap_px);
    let first = start_us.div_ceil(step).saturating_mul(step);
    let mut out = Vec::new();
    let mut t = first;
    while t <= end_us && out.len() < 500 {
        out.push(Tick {
            time_us: t,
            label: format::time(t),
        });
        match t.checked_add(step) {
            Some(next) => t = next,
            None => break,
        }
    }
    out
}
