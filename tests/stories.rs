//! Story-like tests, one or more per fault verb: act on a running heartbeat cluster and check what
//! the trace says happened.

mod common;

use causeway::engine::action::Action;
use causeway::engine::network::{Delay, LinkConfig};
use causeway::engine::protocol::NodeStatus;
use causeway::engine::time::SimTime;
use causeway::engine::trace::{DropReason, EventKind};
use common::*;

#[test]
fn crash_stops_a_node_and_drops_messages_sent_to_it() {
    let mut story = Story::new(&heartbeat(3, 1));
    story
        .run_to("1s")
        .act(Action::Crash { node: n(2) })
        .run_to("2s");
    let snapshot = story.run.snapshot();
    assert_eq!(snapshot.nodes[1].status, NodeStatus::Crashed);
    assert!(
        snapshot.nodes[1].view.is_none(),
        "a crashed node has no volatile state"
    );
    assert!(
        snapshot.nodes[1].timers.is_empty(),
        "a crash cancels pending timers"
    );
    // Events due at 1s run before an intervention at 1s, so look from the crash on.
    let after: Vec<_> = story
        .on_node(n(2), us("1s"), us("2s"))
        .into_iter()
        .skip_while(|(_, e)| !matches!(e.kind, EventKind::Crash))
        .collect();
    assert_eq!(
        after.len(),
        1,
        "only the crash itself happens on n2: {after:?}"
    );
    let dropped = story.count(|e| {
        matches!(e.kind, EventKind::Drop { to, reason: DropReason::DestinationCrashed, .. } if to == n(2))
    });
    assert!(
        dropped >= 2 * 9,
        "pings to n2 for a second are dropped, got {dropped}"
    );
    let suspects = snapshot.nodes[0]
        .view
        .as_ref()
        .unwrap()
        .fields
        .iter()
        .find(|(k, _)| k == "suspects")
        .unwrap();
    assert_eq!(suspects.1, "n2", "n1 suspects the crashed node");
}

#[test]
fn restart_keeps_stable_storage_and_loses_volatile_state() {
    let mut story = Story::new(&heartbeat(3, 2));
    story
        .run_to("1s")
        .act(Action::Crash { node: n(3) })
        .run_to("1.5s")
        .act(Action::Restart { node: n(3) });
    story.run_to("1.55s");
    let view = story.run.snapshot().nodes[2]
        .view
        .clone()
        .expect("restarted node is up");
    let field = |name: &str| {
        view.fields
            .iter()
            .find(|(k, _)| k == name)
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(
        field("incarnation"),
        "2",
        "the start counter in stable storage survived the crash"
    );
    assert_eq!(field("pings sent"), "0", "volatile state starts fresh");
    let restarts = story.count(|e| matches!(e.kind, EventKind::Restart) && e.node == Some(n(3)));
    assert_eq!(restarts, 1);
}

#[test]
fn pause_defers_messages_and_timers_until_resume() {
    let mut story = Story::new(&heartbeat(3, 3));
    story
        .run_to("1s")
        .act(Action::Pause { node: n(1) })
        .run_to("1.5s");
    let during: Vec<_> = story
        .on_node(n(1), us("1s"), us("1.5s"))
        .into_iter()
        .skip_while(|(_, e)| !matches!(e.kind, EventKind::Pause))
        .collect();
    assert_eq!(
        during.len(),
        1,
        "a paused node does nothing but pause: {during:?}"
    );
    story.act(Action::Resume { node: n(1) }).run_to("1.6s");
    let at_resume: Vec<_> = story
        .on_node(n(1), us("1.5s"), us("1.5s").saturating_add_us(1))
        .into_iter()
        .filter(|(_, e)| is_deliver(e))
        .collect();
    assert!(
        at_resume.len() >= 8,
        "pings that waited are processed at resume, got {}",
        at_resume.len()
    );
    for (_, deliver) in &at_resume {
        let EventKind::Deliver { send, .. } = deliver.kind else {
            unreachable!()
        };
        assert!(
            story.events()[send.index()].time < us("1.5s"),
            "they were sent while n1 was paused"
        );
    }
    let fires = story
        .on_node(n(1), us("1.5s"), us("1.5s").saturating_add_us(1))
        .iter()
        .filter(|(_, e)| matches!(e.kind, EventKind::TimerFire { .. }))
        .count();
    assert_eq!(
        fires, 1,
        "the tick that came due during the pause fires at resume"
    );
}

#[test]
fn partition_blocks_messages_across_groups_until_heal() {
    let mut story = Story::new(&heartbeat(4, 4));
    story
        .run_to("1s")
        .act(Action::Partition {
            groups: vec![vec![n(1), n(2)], vec![n(3), n(4)]],
        })
        .run_to("2s");
    let crossing = |story: &Story, from: SimTime, to: SimTime| {
        story.count(|e| {
            matches!(e.kind, EventKind::Deliver { from: f, .. }
                if e.time > from && e.time < to && (f.0 < 2) != (e.node.unwrap().0 < 2))
        })
    };
    // Messages sent just before the partition may still be in flight; they are dropped on arrival.
    assert_eq!(crossing(&story, us("1s"), us("2s")), 0);
    let within = story.count(|e| {
        matches!(e.kind, EventKind::Deliver { from, .. } if e.time > us("1s") && from == n(1) && e.node == Some(n(2)))
    });
    assert!(within >= 9, "n1 and n2 still talk: {within}");
    story.act(Action::Heal).run_to("3s");
    assert!(
        crossing(&story, us("2.01s"), us("3s")) > 0,
        "after heal messages cross again"
    );
}

#[test]
fn one_way_partition_blocks_only_one_direction() {
    let mut story = Story::new(&heartbeat(2, 5));
    story
        .run_to("1s")
        .act(Action::PartitionOneWay {
            from: vec![n(1)],
            to: vec![n(2)],
        })
        .run_to("2s");
    let delivered = |from, to| {
        story.count(|e| matches!(e.kind, EventKind::Deliver { from: f, .. } if f == from && e.node == Some(to) && e.time > us("1.01s")))
    };
    assert_eq!(delivered(n(1), n(2)), 0);
    assert!(delivered(n(2), n(1)) >= 9);
}

#[test]
fn hold_keeps_messages_until_release() {
    let mut story = Story::new(&heartbeat(2, 6));
    story
        .run_to("1s")
        .act(Action::Hold {
            from: n(1),
            to: n(2),
        })
        .run_to("1.5s");
    let held = story
        .run
        .snapshot()
        .in_flight
        .iter()
        .filter(|m| m.held)
        .count();
    assert!(held >= 4, "pings from n1 wait on the held link: {held}");
    let arrived = story.count(|e| {
        matches!(e.kind, EventKind::Deliver { from, .. } if from == n(1) && e.time > us("1.01s") && e.time < us("1.5s"))
    });
    assert_eq!(arrived, 0);
    story
        .act(Action::Release {
            from: n(1),
            to: n(2),
        })
        .run_to("1.6s");
    let at_release = story.count(|e| {
        matches!(e.kind, EventKind::Deliver { from, .. } if from == n(1) && e.time == us("1.5s"))
    });
    assert_eq!(
        at_release, held,
        "every held message is delivered at release"
    );
}

#[test]
fn clock_jumps_move_local_time_but_not_timers() {
    let mut story = Story::new(&heartbeat(2, 7));
    story
        .run_to("1s")
        .act(Action::ClockJump {
            node: n(1),
            by_us: -500_000,
        })
        .run_to("1.2s");
    let jump = story.on_node(n(1), us("1s"), us("1.2s"));
    let reading = jump
        .iter()
        .find(|(_, e)| matches!(e.kind, EventKind::ClockJump { .. }))
        .unwrap()
        .1
        .local_us;
    assert_eq!(reading, 500_000, "the wall clock went back half a second");
    let fires: Vec<SimTime> = jump
        .iter()
        .filter(|(_, e)| matches!(e.kind, EventKind::TimerFire { .. }))
        .map(|(_, e)| e.time)
        .collect();
    assert_eq!(
        fires.len(),
        2,
        "timers keep their pace on the monotonic clock: {fires:?}"
    );
}

#[test]
fn a_fast_clock_fires_timeouts_sooner() {
    let mut scenario = heartbeat(2, 8);
    scenario.clocks.nodes.push(causeway::scenario::NodeClock {
        node: n(1),
        clock: causeway::engine::clock::ClockConfig {
            offset_us: 0,
            drift_ppm: 250_000,
        },
    });
    let mut story = Story::new(&scenario);
    story.run_to("2s");
    let fires = |story: &Story, node| {
        story.count(|e| e.node == Some(node) && matches!(e.kind, EventKind::TimerFire { .. }))
    };
    assert_eq!(fires(&story, n(2)), 20);
    assert_eq!(
        fires(&story, n(1)),
        25,
        "a clock 25 % fast ticks 25 % more often in true time"
    );
    story
        .act(Action::ClockDrift { node: n(1), ppm: 0 })
        .run_to("3s");
    assert_eq!(
        fires(&story, n(1)),
        35,
        "after the drift is set to zero it ticks at the true rate"
    );
}

#[test]
fn messages_in_flight_can_be_dropped_duplicated_delivered_or_delayed() {
    let mut scenario = heartbeat(2, 9);
    scenario.network.default = link(40_000, 40_000);
    let mut story = Story::new(&scenario);
    story.run_to("110ms");
    let send = story.in_flight(n(1), n(2)).expect("a ping is on its way");
    story.act(Action::DropMessage { send }).run_to("200ms");
    let dropped = story.count(|e| matches!(e.kind, EventKind::Drop { send: s, reason: DropReason::ByUser, .. } if s == send));
    assert_eq!(dropped, 1);
    assert_eq!(
        story.count(|e| matches!(e.kind, EventKind::Deliver { send: s, .. } if s == send)),
        0
    );

    story.run_to("210ms");
    let send = story.in_flight(n(1), n(2)).unwrap();
    story.act(Action::DuplicateMessage { send }).run_to("300ms");
    assert_eq!(
        story.count(|e| matches!(e.kind, EventKind::Deliver { send: s, .. } if s == send)),
        2
    );

    story.run_to("310ms");
    let send = story.in_flight(n(1), n(2)).unwrap();
    story.act(Action::DeliverMessage { send, one: false });
    let delivered: Vec<_> = story
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Deliver { send: s, .. } if s == send))
        .collect();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].time,
        us("310ms"),
        "delivered at the instant of the intervention"
    );

    story.run_to("410ms");
    let send = story.in_flight(n(1), n(2)).unwrap();
    let due = story
        .run
        .snapshot()
        .in_flight
        .iter()
        .find(|m| m.send == send)
        .unwrap()
        .arrive_at;
    story
        .act(Action::DelayMessage {
            send,
            by_us: 100_000,
        })
        .run_to("700ms");
    let delivered: Vec<_> = story
        .events()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Deliver { send: s, .. } if s == send))
        .collect();
    assert_eq!(delivered[0].time, due.saturating_add_us(100_000));
}

#[test]
fn delivering_one_copy_of_a_duplicated_message_leaves_the_other_in_flight() {
    let mut scenario = heartbeat(2, 9);
    scenario.network.default = link(40_000, 40_000);
    let mut story = Story::new(&scenario);
    story.run_to("110ms");
    let send = story.in_flight(n(1), n(2)).expect("a ping is on its way");
    let copies = |story: &Story| {
        let snapshot = story.run.snapshot();
        snapshot.in_flight.iter().filter(|m| m.send == send).count()
    };
    story.act(Action::DuplicateMessage { send });
    assert_eq!(copies(&story), 2);
    story.act(Action::DeliverMessage { send, one: true });
    assert_eq!(copies(&story), 1, "the other copy is still on its way");
    let delivered = |story: &Story| -> Vec<u64> {
        let events = story.events();
        let times = events.iter().filter_map(|e| match e.kind {
            EventKind::Deliver { send: s, .. } if s == send => Some(e.time.0),
            _ => None,
        });
        times.collect()
    };
    assert_eq!(delivered(&story), [us("110ms").0]);
    story.run_to("200ms");
    assert_eq!(copies(&story), 0);
    let times = delivered(&story);
    assert_eq!(times.len(), 2, "the copy arrives when the original was due");
    assert!(times[1] > us("110ms").0, "{times:?}");
}

#[test]
fn expiring_timers_fires_them_now() {
    let mut story = Story::new(&heartbeat(2, 10));
    story
        .run_to("150ms")
        .act(Action::ExpireTimers { node: n(1) });
    let fired = story.on_node(n(1), us("150ms"), us("151ms"));
    assert!(
        fired
            .iter()
            .any(|(_, e)| matches!(e.kind, EventKind::TimerFire { .. })),
        "{fired:?}"
    );
}

#[test]
fn client_requests_are_answered() {
    let mut story = Story::new(&heartbeat(3, 11));
    story.run_to("100ms").act(Action::ClientRequest {
        node: n(2),
        op: serde_json::json!({"echo": "hi"}),
    });
    let response = story
        .events()
        .iter()
        .position(|e| matches!(e.kind, EventKind::Response { .. }))
        .unwrap();
    let json = story
        .run
        .response_json(causeway::engine::EventId(response as u32))
        .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"echo": {"text": "hi", "from": "n2"}})
    );
    assert!(
        story
            .run
            .apply(Action::ClientRequest {
                node: n(2),
                op: serde_json::json!({"nope": 1})
            })
            .is_err()
    );
}

#[test]
fn setting_a_link_changes_its_behaviour() {
    let mut story = Story::new(&heartbeat(2, 12));
    let lossy = LinkConfig {
        delay: Delay::Constant { us: 1_000 },
        loss_ppm: 1_000_000,
        duplicate_ppm: 0,
        fifo: true,
        corrupt_ppm: 0,
    };
    story
        .run_to("1s")
        .act(Action::SetLink {
            from: n(1),
            to: n(2),
            link: lossy,
        })
        .run_to("2s");
    let lost = story.count(|e| matches!(e.kind, EventKind::Drop { from, reason: DropReason::Lost, .. } if from == n(1)));
    assert!(lost >= 9, "{lost}");
    let crossed = story.count(|e| matches!(e.kind, EventKind::Deliver { from, .. } if from == n(1) && e.time > us("1.01s")));
    assert_eq!(crossed, 0);
}

#[test]
fn scheduled_faults_and_interactive_ones_are_the_same_run() {
    let mut interactive = Story::new(&heartbeat(3, 13));
    interactive
        .run_to("1s")
        .act(Action::Crash { node: n(1) })
        .run_to("2s");
    let mut scheduled = heartbeat(3, 13);
    scheduled.faults.push(causeway::engine::Scheduled {
        at_us: us("1s"),
        action: Action::Crash { node: n(1) },
    });
    let mut replay = Story::new(&scheduled);
    replay.run_to("2s");
    assert_eq!(interactive.events(), replay.events());
    let recorded = interactive.run.interventions();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].at_us, us("1s"));
}

#[test]
fn clients_retry_at_the_next_node_when_a_request_goes_unanswered() {
    let mut scenario = heartbeat(3, 14);
    scenario.workload.retry = Some(causeway::engine::sim::RetryPolicy {
        timeout_us: 50_000,
        max_attempts: 3,
        backoff_us: 1_000,
    });
    let mut story = Story::new(&scenario);
    story.run_to("100ms").act(Action::Crash { node: n(1) });
    story
        .act(Action::ClientRequest {
            node: n(1),
            op: serde_json::json!({"echo": "anyone?"}),
        })
        .run_to("300ms");
    let kinds: Vec<(&str, Option<causeway::engine::NodeId>)> = story
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Request { .. }
                    | EventKind::RequestDrop { .. }
                    | EventKind::Response { .. }
            )
        })
        .map(|e| (e.kind.name(), e.node))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("request_drop", None),
            ("request", Some(n(2))),
            ("response", Some(n(2)))
        ],
        "the first attempt hits the crashed n1, the retry 50ms later is answered by n2"
    );
    let retry_at = story
        .events()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Request { attempt: 2, .. }))
        .unwrap()
        .time;
    assert_eq!(retry_at, us("150ms"));
}

#[test]
fn clients_give_up_after_their_last_attempt() {
    let mut scenario = heartbeat(2, 15);
    scenario.workload.retry = Some(causeway::engine::sim::RetryPolicy {
        timeout_us: 10_000,
        max_attempts: 2,
        backoff_us: 1_000,
    });
    let mut story = Story::new(&scenario);
    story
        .run_to("50ms")
        .act(Action::Crash { node: n(1) })
        .act(Action::Crash { node: n(2) });
    story
        .act(Action::ClientRequest {
            node: n(1),
            op: serde_json::json!({"echo": "hello?"}),
        })
        .run_to("200ms");
    assert_eq!(
        story.count(|e| matches!(e.kind, EventKind::RequestDrop { .. })),
        2
    );
    assert_eq!(
        story.count(|e| matches!(e.kind, EventKind::GiveUp { .. })),
        1
    );
}

#[test]
fn a_request_parked_at_a_paused_node_that_crashes_is_dropped_and_its_client_retries() {
    // n1 is paused when the client's request arrives, so the request waits in n1's inbox; n1 then
    // crashes. The request is dropped there, and the client's timeout sends it on to n2.
    let scenario = causeway::scenario::Scenario::from_value(serde_json::json!({
        "name": "parked", "protocol": {"name": "paxos", "proposers": ["n1", "n2"]},
        "nodes": 3, "seed": 1, "horizon_us": 1_000_000,
        "workload": {
            "requests": [{"at_us": 20000, "node": "n1", "op": {"propose": "x"}}],
            "retry": {"timeout_us": 100000, "max_attempts": 5}
        },
        "faults": [
            {"at_us": 10000, "action": "pause", "node": "n1"},
            {"at_us": 50000, "action": "crash", "node": "n1"}
        ]
    }))
    .unwrap();
    let mut run = scenario.build().unwrap();
    run.run_until(scenario.horizon_us);
    let kinds: Vec<(u64, &str)> = run
        .events()
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::RequestDrop { .. }
                    | EventKind::Request { .. }
                    | EventKind::Response { .. }
            )
        })
        .map(|e| (e.time.0, e.kind.name()))
        .collect();
    assert_eq!(
        kinds,
        [
            (50_000, "request_drop"),
            (150_000, "request"),
            (kinds[2].0, "response")
        ],
        "{kinds:?}"
    );
}
