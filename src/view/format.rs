//! Text for people: times, offsets, ratios and timestamps, formatted the same way everywhere.

use crate::engine::protocol::OwnStamp;
use crate::engine::time::format_us;

/// A true time or duration in microseconds: `0`, `850µs`, `12.5ms`, `3.25s`.
pub fn time(us: u64) -> String {
    format_us(i128::from(us))
}

/// A signed difference, always with its sign: `+1.5ms`, `-20ms`, `±0`.
pub fn offset(us: i64) -> String {
    match us {
        0 => "±0".to_string(),
        us if us > 0 => format!("+{}", format_us(i128::from(us))),
        us => format_us(i128::from(us)),
    }
}

/// A ratio in parts per million as a percentage: `0 %`, `10 %`, `0.5 %`.
pub fn ppm_percent(ppm: u32) -> String {
    let tenths_of_percent = u64::from(ppm) / 1_000;
    if tenths_of_percent % 10 == 0 {
        format!("{} %", tenths_of_percent / 10)
    } else {
        format!("{}.{} %", tenths_of_percent / 10, tenths_of_percent % 10)
    }
}

/// A vector timestamp as `[2,0,1]`.
pub fn vector<T: std::fmt::Display>(clock: &[T]) -> String {
    let parts: Vec<String> = clock.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(","))
}

/// A protocol's own timestamp as printed beside its event: the name, then the Lamport timestamp
/// (`L=3`) or the vector (`[2,0,1]`), whichever is asked for, else whichever the stamp has.
pub fn own_stamp(stamp: &OwnStamp, vector_first: bool) -> String {
    let lamport = stamp.lamport.map(|l| format!("L={l}"));
    let vector = stamp.vector.as_deref().map(vector);
    let value = if vector_first {
        vector.or(lamport)
    } else {
        lamport.or(vector)
    };
    match value {
        Some(value) => format!("{} {value}", stamp.name),
        None => stamp.name.clone(),
    }
}

/// A number with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A coordinate for SVG: one decimal is finer than a pixel and keeps strings short and stable.
pub fn coord(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// The colour family for a protocol role, by name, so any protocol's roles get stable colours:
/// well-known roles have their own, others share a small palette chosen from the name's bytes.
pub fn role_tone(role: &str) -> &'static str {
    match role {
        "leader" | "primary" | "coordinator" | "proposer" | "head" => "lead",
        "candidate" | "suspecting" | "electing" | "in doubt" => "warn",
        "follower" | "backup" | "replica" | "participant" | "acceptor" | "middle" => "follow",
        "trusting" | "tail" => "calm",
        _ => {
            const PALETTE: [&str; 4] = ["p0", "p1", "p2", "p3"];
            let sum: usize = role.bytes().map(usize::from).sum();
            PALETTE[sum % PALETTE.len()]
        }
    }
}
