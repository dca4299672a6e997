//! Ticks for a time axis: round steps (1, 2 or 5 times a power of ten microseconds) spaced at least
//! a minimum number of pixels apart.

use crate::view::format;

/// One tick: its time and label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub time_us: u64,
    pub label: String,
}

/// 1, 2, 5, 10, 20, 50, … up to the largest such step a `u64` holds.
fn round_steps() -> impl Iterator<Item = u64> {
    std::iter::successors(Some(1u64), |&power| power.checked_mul(10)).flat_map(|power| {
        [1, 2, 5]
            .into_iter()
            .filter_map(move |f| power.checked_mul(f))
    })
}

/// The smallest step of 1, 2 or 5 times a power of ten that is at least `raw`.
pub fn round_step(raw: u64) -> u64 {
    round_steps().find(|&step| step >= raw).unwrap_or(u64::MAX)
}

/// The smallest round step that puts ticks at least `min_gap_px` apart at `px_per_us`.
pub fn step_us(px_per_us: f64, min_gap_px: f64) -> u64 {
    if px_per_us.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !px_per_us.is_finite() {
        return 1_000_000;
    }
    round_steps()
        .find(|&step| step as f64 * px_per_us >= min_gap_px || step >= 1_000_000_000_000)
        .unwrap_or(1_000_000_000_000)
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
