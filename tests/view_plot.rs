//! The lesson plots (src/view/plot/) on real preset runs: the clock-error plot shows what the
//! clock-synchronisation lessons teach (drift in straight lines, a sawtooth between syncs, errors
//! within the promised bound after a sync) and the gossip plot shows epidemic spread (a curve that
//! only rises, reaches every node at a reported time, and rises faster with a larger fanout).

mod lessons;

use causeway::engine::run::Run;
use causeway::engine::time::SimTime;
use causeway::engine::{Fact, NodeId, protocol::NodeStatus};
use causeway::protocols::broadcast::BroadcastParams;
use causeway::scenario::{ProtocolConfig, Scenario};
use causeway::view::plot::{self, Guide, NodeClock, Plot, PlotKind, Spread};
use lessons::*;

fn clocks_now(run: &dyn Run) -> Vec<Option<i64>> {
    run.snapshot()
        .nodes
        .iter()
        .map(|n| (n.status != NodeStatus::Crashed).then_some(n.clock_us))
        .collect()
}

fn clocks(run: &dyn Run) -> Vec<NodeClock> {
    plot::clock_errors(run.events(), run.facts(), run.now().0, &clocks_now(run))
}

fn clock_plot(run: &dyn Run) -> Plot {
    let roles: Vec<Option<String>> = run
        .snapshot()
        .nodes
        .iter()
        .map(|n| n.view.as_ref().and_then(|v| v.role.clone()))
        .collect();
    plot::clock_plot(&clocks(run), run.now().0, run.horizon().0, &roles)
}

fn in_flight(run: &dyn Run) -> Vec<(NodeId, u32)> {
    run.snapshot()
        .in_flight
        .iter()
        .filter_map(|m| plot::carried_broadcast(&run.message_json(m.msg)))
        .collect()
}

fn spreads(run: &dyn Run) -> Vec<Spread> {
    plot::gossip_spread(run.events(), run.facts(), &in_flight(run))
}

fn drift_ppm(run: &dyn Run, node: NodeId) -> i64 {
    i64::from(run.snapshot().nodes[node.index()].drift_ppm)
}

#[test]
fn each_scenario_gets_its_lessons_plot() {
    let kind = |id: &str| PlotKind::of(&preset(id).protocol);
    for id in [
        "clock-drift",
        "clock-cristian",
        "clock-berkeley",
        "clock-asymmetric",
        "clock-break-ignore-rtt",
        "clock-lww-jump",
    ] {
        assert_eq!(kind(id), Some(PlotKind::ClockError), "{id}");
    }
    assert_eq!(kind("broadcast-gossip"), Some(PlotKind::Gossip));
    for id in ["broadcast-reliable", "raft-basic", "logical-clocks"] {
        assert_eq!(kind(id), None, "{id}");
    }
}

#[test]
fn the_plotted_error_is_the_synchronised_clocks_as_the_nodes_see_it() {
    // The plot derives each node's correction from its clock-adjusted facts; the node's own state
    // agrees, and the plot shows one sync per fact.
    for id in ["clock-cristian", "clock-berkeley", "clock-lww-jump"] {
        let run = run_preset(id);
        let now = run.now().0 as i64;
        for (i, clock) in clocks(run.as_ref()).iter().enumerate() {
            let node = NodeId(i as u32);
            let correction = signed_us(&field(run.as_ref(), node, "offset estimate (correction)"));
            let reading = run.snapshot().nodes[i].clock_us;
            assert_eq!(clock.now, Some(reading + correction - now), "{id} {node}");
            let syncs = facts_of(run.as_ref(), node)
                .into_iter()
                .filter(|(_, fact)| matches!(fact, Fact::ClockAdjusted { .. }))
                .count();
            assert_eq!(clock.syncs.len(), syncs, "{id} {node}");
        }
    }
}

#[test]
fn unsynchronised_clocks_drift_in_straight_lines() {
    let run = run_preset("clock-drift");
    let clocks = clocks(run.as_ref());
    assert_eq!(clocks.len(), 4);
    for clock in &clocks {
        assert!(clock.syncs.is_empty());
        assert_eq!(clock.segments.len(), 1, "{} never goes down", clock.node);
        let drift = drift_ppm(run.as_ref(), clock.node);
        let start = clock.error_at(0).unwrap();
        for p in clock.points() {
            // The error grows by the drift rate: `drift` µs per second of true time.
            let expected = start + drift * p.x_us as i64 / 1_000_000;
            assert!(
                (p.y - expected).abs() <= 2,
                "{} at {}: {} vs {expected}",
                clock.node,
                p.x_us,
                p.y
            );
        }
    }
    assert_eq!(
        clocks[2].now,
        Some(-22_500),
        "n3: -20ms, losing 500µs/s for 5s"
    );
    assert_eq!(clocks[3].now, Some(10_000), "n4: gaining 2ms/s for 5s");
    let plot = clock_plot(run.as_ref());
    assert!(plot.zoom.is_none(), "nothing to zoom in on without a sync");
    assert_eq!(plot.y.title, "clock error (ms)");
    assert!(plot.y.lo < -22_500 && plot.y.hi > 30_000);
}

#[test]
fn cristian_keeps_each_clock_within_its_promise_and_draws_a_sawtooth() {
    let run = run_preset("clock-cristian");
    let clocks = clocks(run.as_ref());
    // n1 is the time server with a perfect clock: the reference is true time.
    assert!(clocks[0].points().all(|p| p.y == 0));
    for clock in &clocks[1..] {
        let node = clock.node;
        let first = clock.syncs.first().expect("every client syncs");
        let before = clock
            .points()
            .filter(|p| p.x_us < first.at_us)
            .map(|p| p.y.abs())
            .max()
            .unwrap();
        let after = clock
            .points()
            .filter(|p| p.x_us > first.at_us)
            .map(|p| p.y.abs())
            .max()
            .unwrap();
        assert!(before > 10_000, "{node} starts well off: {before}");
        assert!(
            after * 4 < before,
            "{node}: max error {before} before the first sync, {after} after"
        );
        let drift = drift_ppm(run.as_ref(), node).abs();
        for (i, sync) in clock.syncs.iter().enumerate() {
            // Right after a sync the error is within the promised bound (half the round trip)...
            assert!(
                sync.after.unsigned_abs() <= sync.bound_us,
                "{node} at {}: {} outside ±{}",
                sync.at_us,
                sync.after,
                sync.bound_us
            );
            // ...and until the next one it only drifts: the sawtooth's teeth have the drift's slope.
            let end = clock
                .syncs
                .get(i + 1)
                .map_or(run.now().0, |next| next.at_us);
            for p in clock
                .points()
                .filter(|p| p.x_us > sync.at_us && p.x_us < end)
            {
                let drifted = drift * (p.x_us - sync.at_us) as i64 / 1_000_000;
                assert!(
                    p.y.unsigned_abs() <= sync.bound_us + drifted as u64 + 2,
                    "{node} at {}: {}",
                    p.x_us,
                    p.y
                );
                let slope = (p.y - sync.after) * 1_000_000 / (p.x_us - sync.at_us) as i64;
                assert!(
                    (slope - drift_ppm(run.as_ref(), node)).abs() <= 5,
                    "{node} drifts at its rate between syncs: {slope}"
                );
            }
        }
    }
    // n4 gains 1 ms a second: each tooth rises by about that much before the next sync cuts it.
    let n4 = &clocks[3];
    for pair in n4.syncs.windows(2) {
        let rise = pair[1].before - pair[0].after;
        assert!((990..=1_010).contains(&rise), "n4's tooth rises {rise}µs");
        assert_ne!(pair[1].before, pair[1].after, "each sync is a step");
    }

    let plot = clock_plot(run.as_ref());
    assert_eq!(plot.series.len(), 4, "one line per node");
    assert_eq!(plot.series[0].name, "n1 · time server");
    assert_eq!(
        plot.series[1].name, "n2",
        "a role every client shares is left out"
    );
    assert_eq!(
        plot.series
            .iter()
            .map(|s| s.marks.len())
            .collect::<Vec<_>>(),
        [0, 4, 4, 4],
        "a dot per sync"
    );
    let zoom = plot
        .zoom
        .as_ref()
        .expect("the settled error is much smaller");
    assert!(zoom.hi - zoom.lo < (plot.y.hi - plot.y.lo) / 5);
    assert!(zoom.lo <= -3_696 && zoom.hi >= 2_207, "{zoom:?}");
    assert_eq!(zoom.title, "clock error (ms)");
    assert_eq!(plot.cursors, [(5_000_000, "now".to_string())]);
}

#[test]
fn asymmetric_delay_shows_as_a_constant_error_the_bound_allows() {
    let run = run_preset("clock-asymmetric");
    let clocks = clocks(run.as_ref());
    let n2 = &clocks[1];
    assert_eq!(n2.error_at(900_000), Some(0));
    assert_eq!(n2.error_at(1_500_000), Some(-14_000));
    assert!(
        n2.syncs
            .iter()
            .all(|s| s.after == -14_000 && s.bound_us == 16_000)
    );
}

#[test]
fn berkeley_clocks_agree_with_each_other_not_with_true_time() {
    let run = run_preset("clock-berkeley");
    let clocks = clocks(run.as_ref());
    let spread_at = |t: u64| {
        let errors: Vec<i64> = clocks.iter().map(|c| c.error_at(t).unwrap()).collect();
        errors.iter().max().unwrap() - errors.iter().min().unwrap()
    };
    assert!(spread_at(500_000) > 150_000, "they start far apart");
    let first_round = clocks.iter().map(|c| c.syncs[0].at_us).max().unwrap();
    for t in (first_round + 1..run.now().0).step_by(100_000) {
        assert!(
            spread_at(t) < 15_000,
            "they agree after the first round: {}",
            spread_at(t)
        );
    }
    for clock in &clocks {
        assert!(
            clock.now.unwrap() > 40_000,
            "{} agrees on the average, about 50ms ahead of true time",
            clock.node
        );
    }
    let plot = clock_plot(run.as_ref());
    assert_eq!(plot.series[0].name, "n1 · master");
    let zoom = plot.zoom.as_ref().unwrap();
    assert!(
        zoom.lo <= 0 && zoom.hi >= 52_769,
        "the zoom keeps zero in view"
    );
}

#[test]
fn a_clock_jump_is_a_step_and_a_crash_loses_the_correction() {
    let run = run_preset("clock-lww-jump");
    let n2 = &clocks(run.as_ref())[1];
    assert_eq!(n2.error_at(1_099_999), Some(1_930));
    assert_eq!(n2.error_at(1_100_000), Some(1_930 - 500_000));
    assert_eq!(n2.error_at(1_500_000), Some(1_930 - 500_000));

    let mut scenario = preset("clock-cristian");
    scenario.faults = serde_json::from_str(
        r#"[{ "at_us": 2500000, "action": "crash", "node": "n2" },
            { "at_us": 3200000, "action": "restart", "node": "n2" }]"#,
    )
    .unwrap();
    let run = run_to_end(&scenario);
    let n2 = &clocks(run.as_ref())[1];
    assert_eq!(n2.segments.len(), 2, "down from the crash to the restart");
    assert_eq!(n2.error_at(2_800_000), None);
    let restarted = n2.error_at(3_200_000).unwrap();
    // 45 ms offset plus 300 ppm drift for 3.2 s: the raw clock, without the lost correction.
    assert_eq!(restarted, 45_000 + 960);
}

#[test]
fn the_plot_follows_the_scrubber() {
    let scenario = preset("clock-cristian");
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(2_500_000));
    let at = clock_plot(run.as_ref());
    for series in &at.series {
        assert!(
            series
                .segments
                .iter()
                .flatten()
                .all(|p| p.x_us <= 2_500_000)
        );
    }
    assert_eq!(at.cursors, [(2_500_000, "now".to_string())]);
    assert_eq!(at.x_end_us, 5_000_000, "the axis spans the whole run");
    // Going forward and back again draws the same plot.
    run.run_until(SimTime(4_000_000));
    run.seek(SimTime(2_500_000));
    assert_eq!(clock_plot(run.as_ref()), at);

    let layout = plot::layout(&at, 640.0, 220.0, true);
    let (left, top, width, height) = layout.area;
    assert_eq!(layout.series.len(), 4);
    assert!(layout.series.iter().all(|s| s.d.starts_with('M')));
    let cursor = &layout.cursors[0];
    assert!(
        (cursor.x1 - (left + width / 2.0)).abs() < 0.01,
        "now is halfway"
    );
    assert_eq!(layout.y_title, "clock error (ms)");
    assert!(
        layout
            .y_ticks
            .iter()
            .all(|(y, _, _)| *y >= top - 0.01 && *y <= top + height + 0.01)
    );
    let labels: Vec<&str> = layout.x_ticks.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["0", "1s", "2s", "3s", "4s", "5s"]);
    let whole = plot::layout(&at, 640.0, 220.0, false);
    assert_ne!(whole.y_ticks, layout.y_ticks, "zooming changes the scale");
}

#[test]
fn gossip_spreads_to_every_node_at_a_reported_time() {
    let run = run_preset("broadcast-gossip");
    let spreads = spreads(run.as_ref());
    assert_eq!(spreads.len(), 2);
    let rumour = &spreads[0];
    assert_eq!(
        (rumour.id.as_str(), rumour.text.as_str()),
        ("n1#1", "rumour")
    );
    assert_eq!(rumour.start_us, 10_000);
    let all = rumour
        .all_at(16)
        .expect("the rumour reaches all sixteen nodes");
    assert_eq!(all, 105_835);
    assert_eq!(rumour.max_hops(), 4);
    // The count only rises, and it rises fastest in the middle: an S-curve.
    let counts: Vec<usize> = (0..=12)
        .map(|i| rumour.reached_by(rumour.start_us + i * 10_000))
        .collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!((counts[0], counts[12]), (1, 16));
    let correction = &spreads[1];
    assert_eq!(correction.all_at(16), None);
    assert_eq!(
        correction.reached(),
        14,
        "the second message misses two nodes"
    );
    assert!(!correction.spreading);

    let plot = plot::gossip_plot(&spreads, 16, run.now().0);
    assert_eq!(plot.series.len(), 2, "one curve per message");
    assert_eq!(plot.series[0].name, "n1#1 \u{201c}rumour\u{201d}");
    assert_eq!(plot.series[0].detail, "all 16 after 95.8ms, 4 hops");
    assert_eq!(plot.series[1].detail, "14 of 16: it died out");
    assert!(plot.guides.contains(&Guide::Vertical {
        x_us: all - rumour.start_us,
        label: "all 16 after 95.8ms".to_string(),
        color: 0,
    }));
    for series in &plot.series {
        let points = &series.segments[0];
        assert!(
            points
                .windows(2)
                .all(|w| w[0].y <= w[1].y && w[0].x_us <= w[1].x_us)
        );
    }
    assert_eq!(plot.series[0].segments[0].last().unwrap().y, 16);
    assert_eq!(plot.series[1].segments[0].last().unwrap().y, 14);
    assert!(plot.x_end_us >= 95_835 && plot.x_end_us <= 150_000);
    assert!(plot.cursors.is_empty(), "nothing is spreading any more");
    let labels: Vec<&str> = plot.y.ticks.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["0 %", "25 %", "50 %", "75 %", "100 %"]);
}

#[test]
fn a_spreading_message_has_a_cursor_at_now() {
    let scenario = preset("broadcast-gossip");
    let mut run = scenario.build().unwrap();
    run.run_until(SimTime(50_000));
    let spreads = spreads(run.as_ref());
    assert_eq!(spreads.len(), 1);
    assert!(spreads[0].spreading);
    let plot = plot::gossip_plot(&spreads, 16, 50_000);
    assert_eq!(plot.cursors, [(40_000, "now".to_string())]);
    assert!(plot.x_end_us >= 40_000);
    assert_eq!(
        plot.series[0].detail,
        format!("{} of 16 so far", spreads[0].reached())
    );
    let empty = plot::gossip_plot(&[], 16, 0);
    assert!(empty.empty.is_some() && empty.series.is_empty());
}

fn with_fanout(fanout: u32, seed: u64) -> Scenario {
    let mut scenario = preset("broadcast-gossip");
    scenario.seed = seed;
    let ProtocolConfig::Broadcast(params) = scenario.protocol else {
        unreachable!("the gossip preset is a broadcast")
    };
    scenario.protocol = ProtocolConfig::Broadcast(BroadcastParams { fanout, ..params });
    scenario
}

#[test]
fn a_larger_fanout_spreads_further_and_faster() {
    // Over a few seeds and both messages: how many nodes each reaches, and how long it takes to
    // reach half of them.
    let measure = |fanout: u32| {
        let mut reached = 0;
        let mut to_half = Vec::new();
        for seed in 11..=13 {
            let run = run_to_end(&with_fanout(fanout, seed));
            for spread in spreads(run.as_ref()) {
                reached += spread.reached();
                if let Some(half) = spread.all_at(8) {
                    to_half.push(half - spread.start_us);
                }
            }
        }
        let mean = to_half
            .iter()
            .sum::<u64>()
            .checked_div(to_half.len() as u64);
        (reached, to_half.len(), mean)
    };
    let (one, one_half, _) = measure(1);
    let (two, _, two_mean) = measure(2);
    let (three, _, three_mean) = measure(3);
    let (five, five_half, five_mean) = measure(5);
    assert_eq!(one_half, 0, "with one peer per hop a message dies out");
    assert!(
        one < two && two < three && three < five,
        "{one} {two} {three} {five}"
    );
    assert_eq!(five, 6 * 16, "fanout 5 reaches everyone, every time");
    assert_eq!(five_half, 6);
    let (two, three, five) = (two_mean.unwrap(), three_mean.unwrap(), five_mean.unwrap());
    assert!(
        five < three && three < two,
        "half the nodes after {two} {three} {five} µs"
    );
}
