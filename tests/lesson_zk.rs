//! Coordination service lessons (Raft with ZooKeeper's local reads): what each lesson's text
//! claims beyond its checker verdict (which `tests/presets.rs` checks), and that each "Try this"
//! turns out as the lesson says. The random-fault sweeps of local reads are in `raft_sweep.rs`.

mod lessons;

use causeway::engine::SimTime;
use causeway::engine::run::Run;
use causeway::engine::trace::EventKind;
use causeway::scenario::Scenario;
use lessons::*;
use serde_json::Value;

/// The answers of one server (1-based), as (time, reply).
fn answers_of(run: &dyn Run, node: u32) -> Vec<(SimTime, Value)> {
    answers(run)
        .into_iter()
        .filter(|(server, _, _)| *server == node)
        .map(|(_, at, reply)| (at, reply))
        .collect()
}

/// A preset with its JSON changed by `edit`, as a student would under "Change the settings".
fn edited(id: &str, edit: impl FnOnce(&mut Value)) -> Scenario {
    let mut value = serde_json::to_value(preset(id)).unwrap();
    edit(&mut value);
    Scenario::from_value(value).unwrap()
}

#[test]
fn a_lagging_follower_answers_a_stale_value_sequentially_consistent_but_not_linearizable() {
    let run = run_preset("zk-stale-read");
    let run = run.as_ref();
    assert_eq!(violated(run), ["Linearizable reads"]);
    // Writes sent to followers are passed on to the leader, and answered where they arrived once
    // applied there: put x=1 on n2 at 832 ms, put x=2 on n1 at 1.18 s.
    assert_eq!(sent(run, "forward"), 2);
    assert_eq!(
        answers_of(run, 2),
        [(SimTime(832_280), Value::from("ok"))],
        "n2's answer"
    );
    assert_eq!(answers_of(run, 1)[0].0, SimTime(1_184_188));
    // n5 answers at once from its own store: 1 while it lags, 2 once it has caught up.
    let n5 = answers_of(run, 5);
    assert_eq!(n5.len(), 2, "{n5:?}");
    assert_eq!(n5[0].0, SimTime(1_300_000));
    assert_eq!(n5[0].1["value"], "1");
    assert_eq!(n5[1].0, SimTime(1_900_000));
    assert_eq!(n5[1].1["value"], "2");
    // The violation links the completed write on n1 and the stale answer on n5.
    let (message, involved) = violation(run, "Linearizable reads").unwrap();
    assert!(message.contains("returned \"1\""), "{message}");
    let nodes: Vec<_> = involved
        .iter()
        .filter_map(|id| run.events()[id.index()].node)
        .collect();
    assert!(nodes.contains(&n(1)) && nodes.contains(&n(5)), "{nodes:?}");
    assert_eq!(
        field(run, n(5), "reads"),
        "answered from this server's store"
    );
}

#[test]
fn reading_at_n5_after_it_caught_up_is_linearizable() {
    // Try this: move the first get at n5 from 1.3 s to 1.6 s.
    let scenario = edited("zk-stale-read", |v| {
        v["workload"]["requests"][2]["at_us"] = 1_600_000.into();
    });
    let run = run_to_end(&scenario);
    let run = run.as_ref();
    assert_eq!(violated(run), Vec::<&str>::new());
    assert_eq!(answers_of(run, 5)[0].1["value"], "2");
}

#[test]
fn a_sync_makes_the_get_behind_it_wait_for_the_leaders_read_index() {
    let scenario = preset("zk-sync");
    let mut run = scenario.build().unwrap();
    // Just after the get arrives, it waits behind sync 1, whose read index n5 has asked for.
    run.run_until(SimTime(1_310_000));
    let snapshot = run.snapshot();
    let view = snapshot.nodes[n(5).index()].view.clone().expect("n5 is up");
    let syncs = view
        .tables
        .into_iter()
        .find(|t| t.title == "Syncs")
        .expect("a Syncs table on n5");
    assert_eq!(syncs.rows, [["1", "a client", "asked", "get x"]]);
    run.run_until(scenario.horizon_us);
    let run = run.as_ref();
    assert_eq!(violated(run), Vec::<&str>::new());
    assert_eq!(sent(run, "sync_request"), 1);
    let index = run
        .events()
        .iter()
        .find_map(|e| match e.kind {
            EventKind::Send { msg, .. } => run.message_json(msg).get("sync_index").cloned(),
            _ => None,
        })
        .expect("n3 answers the sync");
    assert_eq!(index["index"], 3);
    // The sync and the get are answered together, 430 ms after they were sent, with x = 2.
    let n5 = answers_of(run, 5);
    assert_eq!(n5.len(), 2, "{n5:?}");
    assert_eq!(n5[0], (SimTime(1_730_645), Value::from("ok")));
    assert_eq!(n5[1].0, SimTime(1_730_645));
    assert_eq!(n5[1].1["value"], "2");
}

#[test]
fn without_the_sync_the_same_get_reads_a_stale_value() {
    // Try this: delete the sync request.
    let scenario = edited("zk-sync", |v| {
        let requests = v["workload"]["requests"].as_array_mut().unwrap();
        requests.retain(|r| r["op"].get("sync").is_none());
    });
    let run = run_to_end(&scenario);
    let run = run.as_ref();
    assert_eq!(violated(run), ["Linearizable reads"]);
    assert_eq!(
        answers_of(run, 5),
        [(SimTime(1_301_000), serde_json::json!({"value": "1"}))]
    );
}

#[test]
fn a_restarted_server_that_reads_before_catching_up_breaks_even_sequential_consistency() {
    let run = run_preset("zk-break-read-before-catch-up");
    let run = run.as_ref();
    assert_eq!(
        violated(run),
        ["Sequentially consistent", "Linearizable reads"]
    );
    let n5 = answers_of(run, 5);
    assert_eq!(n5.len(), 3, "{n5:?}");
    assert_eq!(n5[0].1["value"], "1");
    assert_eq!(n5[1].0, SimTime(1_501_000));
    assert_eq!(n5[1].1["value"], Value::Null);
    assert_eq!(n5[2].1["value"], "1");
    let (message, _) = violation(run, "Sequentially consistent").unwrap();
    assert!(message.contains("n5"), "{message}");
    assert!(notes_tagged(run, n(5), "caught_up").is_empty());
}

#[test]
fn the_correct_server_holds_the_get_until_it_caught_up() {
    // Try this: delete the break-it.
    let scenario = edited("zk-break-read-before-catch-up", |v| {
        v["protocol"].as_object_mut().unwrap().remove("break_it");
    });
    let run = run_to_end(&scenario);
    let run = run.as_ref();
    assert_eq!(violated(run), Vec::<&str>::new());
    let caught_up = notes_tagged(run, n(5), "caught_up");
    assert_eq!(caught_up.len(), 1, "{caught_up:?}");
    assert_eq!(caught_up[0]["index"], 2);
    let n5 = answers_of(run, 5);
    assert_eq!(n5[1].1["value"], "1");
    assert!(n5[1].0 > SimTime(1_501_000), "the get waited: {n5:?}");
}

#[test]
fn on_the_leader_a_get_behind_a_sync_waits_for_its_heartbeat_round() {
    let scenario = edited("zk-sync", |v| {
        v["workload"]["requests"][2]["node"] = "n3".into();
        v["workload"]["requests"][3]["node"] = "n3".into();
    });
    let run = run_to_end(&scenario);
    let run = run.as_ref();
    assert_eq!(violated(run), Vec::<&str>::new());
    let n3 = answers_of(run, 3);
    assert_eq!(n3.len(), 2, "{n3:?}");
    assert_eq!(n3[0].1, Value::from("ok"));
    // The sync's round needs a majority's acknowledgement: neither answer comes at once.
    assert!(n3[0].0 > SimTime(1_301_000), "{n3:?}");
    assert_eq!(n3[1].0, n3[0].0);
    assert_eq!(n3[1].1["value"], "2");
}

#[test]
fn a_sync_answered_without_the_leader_lets_the_get_behind_it_read_a_stale_value() {
    let run = run_preset("zk-break-sync-locally");
    let run = run.as_ref();
    assert_eq!(violated(run), ["Fresh after sync", "Linearizable reads"]);
    assert_eq!(sent(run, "sync_request"), 0);
    assert_eq!(
        answers_of(run, 5),
        [
            (SimTime(1_300_000), Value::from("ok")),
            (SimTime(1_301_000), serde_json::json!({"value": "1"}))
        ]
    );
    // The violation links the write's reply, the sync's arrival at n5 and the stale answer.
    let (_, involved) = violation(run, "Fresh after sync").unwrap();
    let began = &run.events()[involved[1].index()];
    assert_eq!((began.node, began.time), (Some(n(5)), SimTime(1_300_000)));
}
