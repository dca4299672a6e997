//! Simulated time: integer microseconds, never floats, so native and wasm32 agree bit for bit.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One simulated hour: the longest horizon a scenario may have, and the bound on durations that
/// only make sense within a run.
pub const HOUR_US: u64 = 3_600_000_000;

/// True simulated time in microseconds since the start of the run.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub fn as_us(self) -> u64 {
        self.0
    }

    pub fn saturating_add_us(self, us: u64) -> SimTime {
        SimTime(self.0.saturating_add(us))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_us(self.0 as i128))
    }
}

/// Formats a signed microsecond count for people: `0`, `850µs`, `12.5ms`, `3.25s`.
pub fn format_us(us: i128) -> String {
    let sign = if us < 0 { "-" } else { "" };
    let abs = us.unsigned_abs();
    let (whole, frac, unit, digits) = if abs >= 1_000_000 {
        (abs / 1_000_000, abs % 1_000_000, "s", 6)
    } else if abs >= 1_000 {
        (abs / 1_000, abs % 1_000, "ms", 3)
    } else {
        return format!("{sign}{abs}µs");
    };
    if frac == 0 {
        return format!("{sign}{whole}{unit}");
    }
    let frac = format!("{frac:0digits$}");
    let frac = frac.trim_end_matches('0');
    format!("{sign}{whole}.{frac}{unit}")
}

/// Parses a human duration such as `250ms`, `1.5s`, `40us`, `2m` or a bare microsecond count.
pub fn parse_duration_us(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "us" | "µs" => 1,
        "ms" => 1_000,
        "s" => 1_000_000,
        "m" | "min" => 60_000_000,
        "h" => 3_600_000_000,
        other => {
            return Err(format!(
                "unknown time unit `{other}` in `{text}` (use us, ms, s, m or h)"
            ));
        }
    };
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(format!("`{text}` is not a duration (try `500ms` or `2s`)"));
    }
    let whole: u64 = if int_part.is_empty() {
        0
    } else {
        int_part
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (try `500ms` or `2s`)"))?
    };
    let mut total = whole
        .checked_mul(scale)
        .ok_or_else(|| format!("`{text}` is too long a duration"))?;
    let mut place = scale;
    for digit in frac_part.chars() {
        let d = digit
            .to_digit(10)
            .ok_or_else(|| format!("`{text}` is not a duration"))?;
        place /= 10;
        total = total.saturating_add(u64::from(d) * place);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_a_person_would() {
        assert_eq!(format_us(0), "0µs");
        assert_eq!(format_us(850), "850µs");
        assert_eq!(format_us(12_500), "12.5ms");
        assert_eq!(format_us(3_250_000), "3.25s");
        assert_eq!(format_us(-2_000), "-2ms");
    }

    #[test]
    fn parses_units_and_fractions() {
        assert_eq!(parse_duration_us("250ms"), Ok(250_000));
        assert_eq!(parse_duration_us("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration_us("40us"), Ok(40));
        assert_eq!(parse_duration_us("2m"), Ok(120_000_000));
        assert_eq!(parse_duration_us("17"), Ok(17));
        assert!(parse_duration_us("ten").is_err());
        assert!(parse_duration_us("5 parsecs").is_err());
        assert!(parse_duration_us("99999999999999999999s").is_err());
    }
}
