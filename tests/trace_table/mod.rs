//! The trace table, `tests/traces.tsv`, as `tests/golden.rs` and `tests/presets.rs` read it: one
//! row per share link, with the trace hash it must replay to.
#![allow(dead_code)]

use causeway::engine::run::trace_hash;
use causeway::scenario::Scenario;
use causeway::scenario::link::Link;

/// The table's text, compiled in so the browser tests read it too.
pub const TABLE: &str = include_str!("../traces.tsv");

pub struct Row {
    pub name: String,
    pub link: Link,
    pub hash: String,
}

/// Every row, in file order (`#` lines are comments).
pub fn rows() -> Vec<Row> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [name, text, hash] = fields[..] else {
                panic!("table lines are `name<TAB>link<TAB>hash`: {line}");
            };
            let link = Link::decode(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            Row {
                name: name.to_string(),
                link,
                hash: hash.to_string(),
            }
        })
        .collect()
}

/// The hash of the trace `scenario` gives at its horizon.
pub fn replay(scenario: &Scenario) -> String {
    let mut run = scenario.build().expect("table scenarios build");
    run.run_until(scenario.horizon_us);
    trace_hash(run.as_ref())
}
