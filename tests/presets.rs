//! One test for every preset: run it to its horizon and check (a) the verdict its entry in
//! `src/scenario/presets.rs` declares (clean, or the property it must violate first), with every
//! `sometimes` property seen unless the entry lists it as unseen; (b) the same trace with every
//! property checked after every step; (c) its golden row in `tests/traces.tsv` (the scenario
//! without its guide).
//!
//! `CAUSEWAY_BLESS=1 cargo test --test presets` adds a row to the table for each preset that has
//! none (a new preset, or one whose scenario changed); it never rewrites a row.

use causeway::engine::EventKind;
use causeway::engine::protocol::PropertyKind;
use causeway::engine::run::{Run, trace_hash};
use causeway::engine::sim::PropertyState;
use causeway::engine::time::SimTime;
use causeway::scenario::Scenario;
use causeway::scenario::link::{Link, ViewOptions};
use causeway::scenario::presets::{PRESETS, Preset};
use std::io::Write;
use trace_table::{Row, rows};

mod trace_table;

fn run_to_horizon(scenario: &Scenario, check_every_step: bool) -> Box<dyn Run> {
    let mut run = scenario.build().expect("presets build");
    if check_every_step {
        run.check_every_step();
    }
    run.run_until(scenario.horizon_us);
    run
}

/// A row to add to the table: the preset, its link and its trace hash.
type NewRow = (&'static str, String, String);

/// What is wrong with this preset's run, if anything; a preset without a golden row goes to
/// `missing` instead.
fn problems(preset: &Preset, table: &[Row], missing: &mut Vec<NewRow>) -> Vec<String> {
    let scenario = preset.scenario().expect("presets are valid");
    let run = run_to_horizon(&scenario, false);
    let mut problems = Vec::new();
    let violated: Vec<&str> = run
        .events()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Violation(v) => Some(v.property.as_str()),
            _ => None,
        })
        .collect();
    match (preset.expect.violates, violated.first()) {
        (None, Some(first)) => {
            problems.push(format!("expected a clean run, but {first} was violated"))
        }
        (Some(want), None) => problems.push(format!(
            "expected {want} to be violated, but the run is clean"
        )),
        (Some(want), Some(first)) if want != *first => problems.push(format!(
            "expected {want} to be violated first, but {first} was"
        )),
        _ => {}
    }
    for report in run.properties() {
        if report.kind != PropertyKind::Sometimes {
            continue;
        }
        let listed = preset.expect.unseen.contains(&report.name);
        match (report.state, listed) {
            (PropertyState::Satisfied { .. }, true) => problems.push(format!(
                "lists `{}` as unseen, but the run shows it: remove it from the list",
                report.name
            )),
            (PropertyState::Pending, false) => problems.push(format!(
                "never shows `{}` ({}): the checkers that need it judged nothing",
                report.name, report.description
            )),
            _ => {}
        }
    }
    let hash = trace_hash(run.as_ref());
    let every_step = trace_hash(run_to_horizon(&scenario, true).as_mut());
    if every_step != hash {
        problems.push(format!(
            "checking every property after every step changes the trace ({hash} → {every_step}): \
             a property does not watch a kind that changes its verdict"
        ));
    }
    // A guide changes nothing the run does (`tests/guides.rs`), and a lesson's link takes the
    // lesson's guide when opened, so rows are compared without guides: a preset's guide can be
    // reworded without a new row.
    let unguided = |scenario: &Scenario| Scenario {
        guide: None,
        ..scenario.clone()
    };
    match table
        .iter()
        .find(|row| unguided(&row.link.scenario) == unguided(&scenario))
    {
        Some(row) if row.hash != hash => problems.push(format!(
            "replays to {hash}, but its golden row ({}) says {}",
            row.name, row.hash
        )),
        Some(_) => {}
        None => {
            let link = Link {
                scenario: unguided(&scenario),
                at: SimTime::ZERO,
                view: ViewOptions::default(),
            };
            missing.push((preset.id, link.encode(), hash));
        }
    }
    problems
}

#[test]
fn every_preset_shows_what_it_declares_replays_the_same_when_checked_every_step_and_has_a_golden_row()
 {
    let table = rows();
    let mut failures = Vec::new();
    let mut missing = Vec::new();
    for preset in PRESETS {
        for problem in problems(preset, &table, &mut missing) {
            failures.push(format!("{}: {problem}", preset.id));
        }
    }
    if !missing.is_empty() {
        if std::env::var_os("CAUSEWAY_BLESS").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces.tsv");
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .expect("the table is writable");
            for (id, link, hash) in &missing {
                writeln!(file, "{id}\t{link}\t{hash}").expect("the table is writable");
            }
        } else {
            let ids: Vec<&str> = missing.iter().map(|(id, _, _)| *id).collect();
            failures.push(format!(
                "no row of tests/traces.tsv holds these presets as they are now: {}. A new or \
                 changed preset gets a new row from `CAUSEWAY_BLESS=1 cargo test --test presets`; \
                 old rows stay.",
                ids.join(", ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// `src/scenario/presets/course.json`, which the page's poster reads before the engine is up, lists
/// the course as the course map shows it. `CAUSEWAY_BLESS=1 cargo test --test presets` rewrites it.
#[test]
fn the_course_index_for_the_poster_is_up_to_date() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scenario/presets/course.json");
    let expected = causeway::scenario::course::index_json();
    if std::env::var_os("CAUSEWAY_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("the index is writable");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "src/scenario/presets/course.json is out of date: `CAUSEWAY_BLESS=1 cargo test --test presets` rewrites it"
    );
    assert_eq!(
        causeway::scenario::course::from_index(&actual),
        causeway::scenario::course::from_presets(),
        "the web build's course map, read from the index, is the presets' course"
    );
    assert!(
        causeway::scenario::presets::find("course").is_none(),
        "no preset may be called `course`: presets/course.json is the course's index"
    );
}
