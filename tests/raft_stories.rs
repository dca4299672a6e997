//! Story-like tests of Raft: the paper's scenarios as presets, each break-it variant caught by the
//! checker named for it, and scripted stories on a running cluster.

mod common;

use causeway::engine::action::Action;
use causeway::engine::run::Run;
use causeway::engine::sim::PropertyState;
use causeway::engine::trace::EventKind;
use causeway::engine::{Fact, NodeId};
use causeway::scenario::{Scenario, presets};
use common::*;

fn preset(id: &str) -> Scenario {
    presets::find(id)
        .unwrap_or_else(|| panic!("no preset {id}"))
        .scenario()
        .expect("presets are valid")
}

fn run_to_end(scenario: &Scenario) -> Box<dyn Run> {
    let mut run = scenario.build().expect("story scenarios are valid");
    run.run_until(scenario.horizon_us);
    run
}

/// The names of the properties the run violated, in checker order.
fn violated(run: &dyn Run) -> Vec<&'static str> {
    run.properties()
        .into_iter()
        .filter(|p| matches!(p.state, PropertyState::Violated { .. }))
        .map(|p| p.name)
        .collect()
}

/// The first violation event's property, in trace order.
fn first_violation(run: &dyn Run) -> Option<String> {
    run.events().iter().find_map(|e| match &e.kind {
        EventKind::Violation(v) => Some(v.property.clone()),
        _ => None,
    })
}

/// Every node that became leader, with its term, in trace order (from `Fact::RoleChanged`).
fn leaders(run: &dyn Run) -> Vec<(NodeId, u64)> {
    run.facts()
        .iter()
        .filter_map(|(event, fact)| match *fact {
            Fact::RoleChanged {
                role: "leader",
                term: Some(term),
            } => Some((run.events()[event.index()].node?, term)),
            _ => None,
        })
        .collect()
}

fn with_params(
    mut scenario: Scenario,
    edit: impl FnOnce(&mut causeway::protocols::raft::RaftParams),
) -> Scenario {
    match &mut scenario.protocol {
        causeway::scenario::ProtocolConfig::Raft(params) => edit(params),
        other => panic!("not a raft scenario: {other:?}"),
    }
    scenario
}

#[test]
fn the_lessons_on_correct_raft_violate_nothing() {
    for id in [
        "raft-election",
        "raft-basic",
        "raft-leader-crash",
        "raft-partition",
        "raft-figure8",
    ] {
        let run = run_to_end(&preset(id));
        assert_eq!(violated(run.as_ref()), Vec::<&str>::new(), "{id}");
        assert!(!leaders(run.as_ref()).is_empty(), "{id} elects a leader");
    }
}

#[test]
fn each_break_it_variant_is_caught_by_its_checker() {
    let cases = [
        ("raft-break-vote-check", "Leader Completeness"),
        ("raft-break-figure8", "Leader Completeness"),
        ("raft-break-voted-for", "Election Safety"),
        ("raft-break-fixed-timeout", "Leader after heal"),
    ];
    for (id, checker) in cases {
        let run = run_to_end(&preset(id));
        assert_eq!(
            first_violation(run.as_ref()).as_deref(),
            Some(checker),
            "{id}: {:?}",
            violated(run.as_ref())
        );
    }
}

#[test]
fn the_break_it_stories_are_clean_with_the_bug_fixed() {
    for id in [
        "raft-break-vote-check",
        "raft-break-figure8",
        "raft-break-voted-for",
        "raft-break-fixed-timeout",
    ] {
        let fixed = with_params(preset(id), |p| {
            p.break_it = causeway::protocols::raft::BreakIt::None
        });
        let run = run_to_end(&fixed);
        assert_eq!(violated(run.as_ref()), Vec::<&str>::new(), "{id} fixed");
    }
}

#[test]
fn a_restarted_node_keeps_its_vote_and_term() {
    // The votedFor story, correct: the restarted n3 still remembers voting for n1 in term 1.
    let fixed = with_params(preset("raft-break-voted-for"), |p| {
        p.break_it = causeway::protocols::raft::BreakIt::None
    });
    let run = run_to_end(&fixed);
    let term_1: Vec<(NodeId, u64)> = leaders(run.as_ref())
        .into_iter()
        .filter(|&(_, term)| term == 1)
        .collect();
    assert_eq!(term_1, [(n(1), 1)], "n1 alone leads term 1");
}

#[test]
fn a_crashed_leader_is_replaced_and_clients_still_complete() {
    let run = run_to_end(&preset("raft-leader-crash"));
    let leaders = leaders(run.as_ref());
    let n3 = n(3);
    assert!(leaders.contains(&(n3, 1)), "{leaders:?}");
    assert!(
        leaders.iter().any(|&(node, term)| term == 2 && node != n3),
        "{leaders:?}"
    );
    let stats = run.stats();
    assert!(stats.responses > 30, "{stats:?}");
}

#[test]
fn a_stranded_leader_steps_down_when_the_partition_heals() {
    let mut story = Story::new(&preset("raft-partition"));
    story.run_to("2900ms");
    let view = |story: &Story, node: u32| {
        story.run.snapshot().nodes[node as usize - 1]
            .view
            .clone()
            .expect("the node is up")
    };
    // Both sides believe they lead: n3 in term 1 (stranded), someone else in a higher term.
    assert_eq!(view(&story, 3).role.as_deref(), Some("leader"));
    let leaders = (1..=5)
        .filter(|&n| view(&story, n).role.as_deref() == Some("leader"))
        .count();
    assert_eq!(leaders, 2);
    story.run_to("3500ms");
    assert_eq!(view(&story, 3).role.as_deref(), Some("follower"));
    let field = |story: &Story, node: u32, name: &str| {
        view(story, node)
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    // After the heal every server is in the new leader's term.
    story.run_to("5s");
    let terms: Vec<String> = (1..=5).map(|n| field(&story, n, "term")).collect();
    assert!(terms.iter().all(|t| t == &terms[0]), "{terms:?}");
    assert_eq!(violated(story.run.as_ref()), Vec::<&str>::new());
}

#[test]
fn a_follower_catches_up_after_a_long_crash_with_and_without_fast_backtracking() {
    for fast in [true, false] {
        let scenario = with_params(preset("raft-basic"), |p| {
            p.fast_backtrack = fast;
            p.max_entries_per_message = 4;
        });
        let mut story = Story::new(&scenario);
        story
            .run_to("1s")
            .act(Action::Crash { node: n(1) })
            .run_to("4s")
            .act(Action::Restart { node: n(1) })
            .run_to("6s");
        let snapshot = story.run.snapshot();
        let commit = |i: usize| {
            snapshot.nodes[i]
                .view
                .as_ref()
                .unwrap()
                .fields
                .iter()
                .find(|(k, _)| k == "commitIndex")
                .map(|(_, v)| v.parse::<u64>().unwrap())
                .unwrap()
        };
        let leader_commit = (0..5).map(commit).max().unwrap();
        assert!(commit(0) + 5 >= leader_commit, "fast={fast}: n1 caught up");
        assert_eq!(
            violated(story.run.as_ref()),
            Vec::<&str>::new(),
            "fast={fast}"
        );
    }
}

#[test]
fn read_index_reads_are_linearizable_and_answered() {
    let scenario = with_params(preset("raft-partition"), |p| {
        p.reads = causeway::protocols::raft::ReadMode::ReadIndex
    });
    let run = run_to_end(&scenario);
    assert_eq!(violated(run.as_ref()), Vec::<&str>::new());
    assert!(run.stats().responses > 40);
}

#[test]
fn inspector_shows_the_log_and_the_leaders_replication_table() {
    let mut story = Story::new(&preset("raft-basic"));
    story.run_to("2s");
    let snapshot = story.run.snapshot();
    let leader = snapshot
        .nodes
        .iter()
        .filter_map(|n| n.view.as_ref())
        .find(|v| v.role.as_deref() == Some("leader"))
        .expect("a leader by 2s");
    let titles: Vec<&str> = leader.tables.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Log", "Key-value store", "Replication"]);
    let log = &leader.tables[0];
    assert_eq!(log.columns, ["index", "term", "command", "committed"]);
    assert_eq!(log.rows[0][2], "no-op");
    assert_eq!(leader.tables[2].rows.len(), 4);
    for field in ["term", "votedFor", "commitIndex", "lastApplied"] {
        assert!(leader.fields.iter().any(|(k, _)| k == field), "{field}");
    }
}

#[test]
fn labels_read_well_on_arrows() {
    let run = run_to_end(&preset("raft-election"));
    let labels: std::collections::BTreeSet<String> = run
        .events()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Send { msg, .. } => Some(run.message_label(msg)),
            _ => None,
        })
        .collect();
    for expected in [
        "RequestVote t1",
        "vote t1",
        "AppendEntries t1 [1]",
        "ok t1 → 1",
        "heartbeat t1",
    ] {
        assert!(labels.contains(expected), "{expected} in {labels:?}");
    }
}

#[test]
fn client_requests_parse_and_bad_ones_are_refused() {
    let mut scenario = preset("raft-basic");
    scenario.faults.push(causeway::engine::action::Scheduled {
        at_us: us("1s"),
        action: Action::ClientRequest {
            node: n(1),
            op: serde_json::json!({ "append": { "key": "x", "value": "a" } }),
        },
    });
    assert!(scenario.validate().is_ok());
    scenario.faults[0].action = Action::ClientRequest {
        node: n(1),
        op: serde_json::json!({ "cas": { "key": "x" } }),
    };
    let message = scenario.validate().unwrap_err().0;
    assert!(message.contains("not a valid raft request"), "{message}");
    let bad = preset("raft-basic").to_json_pretty().replace(
        "\"heartbeat_us\": 50000",
        "\"heartbeat_us\": 50000, \"election_timeout_max_us\": 100",
    );
    assert!(Scenario::from_json(&bad).is_err());
}
