//! The consistency-models lesson: each preset's history judged against every model, as the table
//! under the diagram shows it (`view::history::models`): which models each story breaks, which it
//! keeps, and the operations a broken row names. (`tests/presets.rs` checks the stories' own
//! checker verdicts; `src/checks/causal_tests.rs` the checkers on small histories.)

mod lessons;

use causeway::engine::ids::OpId;
use causeway::scenario::{Scenario, Settings};
use causeway::view::history::{HistoryIndex, ModelRow, Standing};
use lessons::*;
use serde_json::json;

/// The table for `scenario` run to its end.
fn table_of(scenario: &Scenario) -> Vec<ModelRow> {
    let run = run_to_end(scenario);
    let mut history = HistoryIndex::new();
    history.update(run.as_ref());
    history.models(run.as_ref(), false).to_vec()
}

/// The models preset `id` breaks, and the operations each broken row names.
fn broken(id: &str) -> Vec<(&'static str, Vec<OpId>)> {
    let rows = table_of(&preset(id));
    assert_eq!(rows.len(), 8, "{id}: one row per model");
    for row in &rows {
        assert!(
            matches!(row.standing, Standing::Holds | Standing::Violated),
            "{id}: {} is {:?}: {}",
            row.name,
            row.standing,
            row.finding
        );
    }
    rows.into_iter()
        .filter(|r| r.standing == Standing::Violated)
        .map(|r| (r.name, r.ops))
        .collect()
}

fn ops(ids: &[u32]) -> Vec<OpId> {
    ids.iter().map(|&i| OpId(i)).collect()
}

#[test]
fn a_stale_read_breaks_linearizability_alone() {
    assert_eq!(
        broken("models-stale-read"),
        [("Linearizability", ops(&[1]))]
    );
}

#[test]
fn each_session_guarantee_has_a_story_that_breaks_it_alone_among_the_four() {
    let cases = [
        ("models-read-your-writes", "Read your writes", ops(&[0, 1])),
        ("models-monotonic-reads", "Monotonic reads", ops(&[0, 1, 2])),
        (
            "models-monotonic-writes",
            "Monotonic writes",
            ops(&[0, 1, 2, 3]),
        ),
        (
            "models-writes-follow-reads",
            "Writes follow reads",
            ops(&[0, 1, 2, 3, 4]),
        ),
    ];
    for (id, guarantee, named) in cases {
        let broken = broken(id);
        let names: Vec<&str> = broken.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "Linearizability",
                "Sequential consistency",
                "Causal consistency",
                guarantee
            ],
            "{id}"
        );
        assert_eq!(broken[3].1, named, "{id}: the operations {guarantee} names");
    }
}

#[test]
fn writes_on_both_sides_of_a_partition_never_reconciled_break_eventual_consistency_only_below() {
    assert_eq!(
        broken("models-eventual")
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>(),
        ["Linearizability", "Eventual consistency"]
    );
}

#[test]
fn the_lessons_try_this_fixes_what_it_says() {
    // Read your writes: alice's get at n1 (a sticky session) sees her put.
    let mut sticky = preset("models-read-your-writes");
    sticky.workload.requests[1].node = n(1);
    let rows = table_of(&sticky);
    assert!(
        rows[2..7].iter().all(|r| r.standing == Standing::Holds),
        "{rows:?}"
    );
    // Eventual consistency: anti-entropy every 100 ms makes the last reads agree.
    let settings = json!({"name": "dynamo", "n": 3, "r": 1, "w": 1, "resolve": "lww",
        "anti_entropy_every_us": 100_000});
    let repaired = preset("models-eventual")
        .with_settings(&Settings {
            protocol: settings.to_string(),
            seed: "1".into(),
            nodes: "3".into(),
            model: String::new(),
        })
        .unwrap();
    let rows = table_of(&repaired);
    assert_eq!(rows[7].name, "Eventual consistency");
    assert_eq!(rows[7].standing, Standing::Holds, "{}", rows[7].finding);
}

#[test]
fn a_history_without_named_clients_or_with_appends_is_judged_as_far_as_it_can_be() {
    // Raft's generated workload appends: the causal rows say why they are not judged.
    let rows = table_of(&preset("raft-basic"));
    assert_eq!(rows[0].standing, Standing::Holds, "{}", rows[0].finding);
    let appends = &rows[2];
    assert_eq!(appends.standing, Standing::NotJudged);
    assert!(appends.finding.contains("appends"), "{}", appends.finding);
}
