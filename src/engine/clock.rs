//! Node-local physical clocks: an offset, a drift rate in parts per million, and jumps.
//!
//! Each clock has two readings. The *monotonic* reading advances at the drifted rate and never
//! jumps; timers count local durations on it, so drift changes when a timeout fires but setting the
//! clock does not. The *wall* reading is the monotonic one plus the offset, which jumps move; it is what
//! protocols see as "the time" (and what last-writer-wins timestamps are made of).

use crate::engine::time::SimTime;
use serde::{Deserialize, Serialize};

const PPM: i128 = 1_000_000;

/// The furthest a drift rate may be from true time: half speed to one and a half.
pub const MAX_DRIFT_PPM: i32 = 500_000;

/// How a node's clock starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockConfig {
    /// Wall reading at true time zero, in microseconds (may be negative).
    #[serde(default)]
    pub offset_us: i64,
    /// How fast the clock runs against true time: +100 gains 100 µs per second.
    #[serde(default)]
    pub drift_ppm: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    base_true: u64,
    base_mono: i64,
    offset_us: i64,
    drift_ppm: i32,
}

impl Clock {
    pub fn new(config: ClockConfig) -> Clock {
        Clock {
            base_true: 0,
            base_mono: 0,
            offset_us: config.offset_us,
            drift_ppm: config.drift_ppm.clamp(-MAX_DRIFT_PPM, MAX_DRIFT_PPM),
        }
    }

    pub fn drift_ppm(&self) -> i32 {
        self.drift_ppm
    }

    /// The monotonic reading at true time `t` (which must not precede the last rebase).
    pub fn mono(&self, t: SimTime) -> i64 {
        let elapsed = t.0.saturating_sub(self.base_true);
        let local = if self.drift_ppm == 0 {
            elapsed
        } else {
            // Integer arithmetic in 64 bits while it fits (any run within the one-hour horizon
            // does); 128 bits only beyond. Both round the same way, so the result never depends
            // on which path ran.
            let rate = (PPM + i128::from(self.drift_ppm)) as u64;
            match elapsed.checked_mul(rate) {
                Some(product) => product / PPM as u64,
                None => (u128::from(elapsed) * u128::from(rate) / PPM as u128) as u64,
            }
        };
        self.base_mono.saturating_add(local as i64)
    }

    /// The wall reading at true time `t`: what the node believes the time is.
    pub fn read(&self, t: SimTime) -> i64 {
        self.mono(t).saturating_add(self.offset_us)
    }

    /// True time needed for the monotonic reading to advance by `local_us` (rounded up, so a timer
    /// never fires early by its own clock).
    pub fn true_duration(&self, local_us: u64) -> u64 {
        if self.drift_ppm == 0 {
            return local_us;
        }
        let rate = (PPM + i128::from(self.drift_ppm)) as u64;
        match local_us.checked_mul(PPM as u64) {
            Some(product) => product.div_ceil(rate),
            None => (u128::from(local_us) * PPM as u128)
                .div_ceil(u128::from(rate))
                .min(u128::from(u64::MAX)) as u64,
        }
    }

    /// True time at which the monotonic reading reaches `mono_deadline`, seen from true time `now`.
    pub fn deadline(&self, now: SimTime, mono_deadline: i64) -> SimTime {
        let remaining = mono_deadline.saturating_sub(self.mono(now)).max(0) as u64;
        now.saturating_add_us(self.true_duration(remaining))
    }

    pub fn set_drift(&mut self, now: SimTime, drift_ppm: i32) {
        self.base_mono = self.mono(now);
        self.base_true = now.0;
        self.drift_ppm = drift_ppm.clamp(-MAX_DRIFT_PPM, MAX_DRIFT_PPM);
    }

    /// Moves the wall reading by `by_us` (negative sets the clock back).
    pub fn jump(&mut self, by_us: i64) {
        self.offset_us = self.offset_us.saturating_add(by_us);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_and_jumps() {
        let mut clock = Clock::new(ClockConfig {
            offset_us: 500,
            drift_ppm: 100_000,
        });
        assert_eq!(clock.read(SimTime(0)), 500);
        assert_eq!(clock.read(SimTime(1_000_000)), 1_100_500);
        clock.jump(-1_000);
        assert_eq!(clock.read(SimTime(1_000_000)), 1_099_500);
        assert_eq!(clock.mono(SimTime(1_000_000)), 1_100_000);
        clock.set_drift(SimTime(1_000_000), 0);
        assert_eq!(clock.read(SimTime(2_000_000)), 2_099_500);
    }

    #[test]
    fn the_fast_paths_agree_with_wide_arithmetic() {
        for drift_ppm in [-500_000, -123, 0, 1, 77_777, 500_000] {
            let clock = Clock::new(ClockConfig {
                offset_us: 0,
                drift_ppm,
            });
            for t in [0u64, 1, 999_999, 3_600_000_000, u64::MAX / 2] {
                let wide = (i128::from(t) * (PPM + i128::from(drift_ppm)) / PPM) as i64;
                assert_eq!(clock.mono(SimTime(t)), wide, "drift {drift_ppm}, t {t}");
                let rate = PPM + i128::from(drift_ppm);
                let wide =
                    ((i128::from(t) * PPM + rate - 1) / rate).min(i128::from(u64::MAX)) as u64;
                assert_eq!(clock.true_duration(t), wide, "drift {drift_ppm}, d {t}");
            }
        }
    }

    #[test]
    fn a_fast_clock_fires_timers_early_in_true_time() {
        let clock = Clock::new(ClockConfig {
            offset_us: 0,
            drift_ppm: 250_000,
        });
        assert_eq!(clock.true_duration(1_250_000), 1_000_000);
        let slow = Clock::new(ClockConfig {
            offset_us: 0,
            drift_ppm: -500_000,
        });
        assert_eq!(slow.true_duration(1_000), 2_000);
        assert_eq!(clock.deadline(SimTime(0), 1_250_000), SimTime(1_000_000));
    }
}
