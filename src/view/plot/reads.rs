//! The reads plot: how many gets each server has answered, against true time. With chain
//! replication only the tail's line climbs; with CRAQ the reads spread over the whole chain.

use super::{PALETTE, Plot, PlotKind, Point, Series, YScale, YTick};
use crate::engine::ids::NodeId;
use crate::engine::trace::{EventKind, TraceEvent};
use crate::view::axis;

/// The answers to gets one server gave, in time order (µs of true time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerReads {
    pub node: NodeId,
    pub at_us: Vec<u64>,
}

/// Every server's answered gets, from the run's response events: `is_read` tells whether the
/// reply recorded by a response event answers a get (and is not a redirect).
pub fn reads_served(
    events: &[TraceEvent],
    nodes: usize,
    is_read: impl Fn(crate::engine::ids::EventId) -> bool,
) -> Vec<ServerReads> {
    let mut reads: Vec<ServerReads> = (0..nodes)
        .map(|i| ServerReads {
            node: NodeId(i as u32),
            at_us: Vec::new(),
        })
        .collect();
    for (i, event) in events.iter().enumerate() {
        if let (EventKind::Response { .. }, Some(node)) = (&event.kind, event.node)
            && is_read(crate::engine::ids::EventId(i as u32))
            && let Some(server) = reads.get_mut(node.index())
        {
            server.at_us.push(event.time.as_us());
        }
    }
    reads
}

/// The reads plot up to `now_us`, over the run to `horizon_us`; `roles` names each node's role
/// for the legend. Servers that answered no get are left out.
pub fn reads_plot(
    reads: &[ServerReads],
    now_us: u64,
    horizon_us: u64,
    roles: &[Option<String>],
) -> Plot {
    let total: usize = reads.iter().map(|r| r.at_us.len()).sum();
    let most = reads.iter().map(|r| r.at_us.len()).max().unwrap_or(0) as u64;
    let step = axis::round_step(most.max(4).div_ceil(4));
    let hi = most.max(1).div_ceil(step) * step;
    let ticks = (0..=hi / step)
        .map(|k| YTick {
            at: (k * step) as f64,
            label: (k * step).to_string(),
            strong: k == 0,
        })
        .collect();
    let end = now_us.min(horizon_us);
    let series = reads
        .iter()
        .filter(|r| !r.at_us.is_empty())
        .map(|r| {
            let mut points = vec![Point { x_us: 0, y: 0 }];
            for (count, &at) in r.at_us.iter().enumerate() {
                points.push(Point {
                    x_us: at,
                    y: count as i64,
                });
                points.push(Point {
                    x_us: at,
                    y: count as i64 + 1,
                });
            }
            points.push(Point {
                x_us: end,
                y: r.at_us.len() as i64,
            });
            let share = r.at_us.len() * 100 / total.max(1);
            let name = match roles.get(r.node.index()).cloned().flatten() {
                Some(role) => format!("{} · {role}", r.node),
                None => r.node.to_string(),
            };
            Series {
                name,
                detail: match r.at_us.len() {
                    1 => format!("1 read, {share} %"),
                    count => format!("{count} reads, {share} %"),
                },
                color: r.node.index() % PALETTE,
                segments: vec![points],
                marks: Vec::new(),
            }
        })
        .collect();
    Plot {
        kind: PlotKind::Reads,
        title: "Reads answered",
        caption: "Each line counts the gets a server has answered so far: the servers that share \
                  the read load.",
        x_title: "true time",
        x_end_us: horizon_us.max(1),
        y: YScale {
            lo: 0,
            hi: hi as i64,
            ticks,
            title: "gets answered".to_string(),
        },
        zoom: None,
        series,
        guides: Vec::new(),
        cursors: vec![(end, "now".to_string())],
        empty: (total == 0)
            .then_some("No get has been answered yet: play the run to see who serves the reads."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_climb_in_steps_and_share_adds_up() {
        let reads = vec![
            ServerReads {
                node: NodeId(1),
                at_us: vec![10, 20, 30],
            },
            ServerReads {
                node: NodeId(2),
                at_us: vec![15],
            },
            ServerReads {
                node: NodeId(3),
                at_us: Vec::new(),
            },
        ];
        let plot = reads_plot(&reads, 40, 100, &[None, None, Some("tail".into()), None]);
        assert_eq!(plot.series.len(), 2, "a server with no reads is left out");
        assert_eq!(plot.series[0].detail, "3 reads, 75 %");
        assert_eq!(plot.series[1].name, "n3 · tail");
        let last = plot.series[0].segments[0].last().copied();
        assert_eq!(last, Some(Point { x_us: 40, y: 3 }));
        assert!(plot.y.hi >= 3);
        assert!(plot.empty.is_none());
        assert!(reads_plot(&[], 0, 100, &[]).empty.is_some());
    }
}
