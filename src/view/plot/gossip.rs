//! The gossip plot: how far each gossiped message has spread, against time since its broadcast.

use super::{Guide, Mark, PALETTE, Plot, PlotKind, Point, Series, YScale, YTick, short_time};
use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::trace::TraceEvent;
use crate::view::{axis, format};

/// A node delivering a gossiped message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub at_us: u64,
    pub node: NodeId,
    pub hops: u32,
}

/// How one gossiped message spread: its deliveries in time order, each node's first only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spread {
    /// The message's identity as the protocol names it, `n1#1`.
    pub id: String,
    pub origin: NodeId,
    pub seq: u32,
    pub text: String,
    /// When it was broadcast (its origin delivers it at once).
    pub start_us: u64,
    pub deliveries: Vec<Delivery>,
    /// Copies of it are still in the network.
    pub spreading: bool,
}

impl Spread {
    /// How many nodes have delivered it.
    pub fn reached(&self) -> usize {
        self.deliveries.len()
    }

    /// How many nodes had delivered it by true time `at_us`.
    pub fn reached_by(&self, at_us: u64) -> usize {
        self.deliveries.partition_point(|d| d.at_us <= at_us)
    }

    /// When the last of `nodes` nodes delivered it, if all have.
    pub fn all_at(&self, nodes: usize) -> Option<u64> {
        (nodes > 0 && self.deliveries.len() >= nodes).then(|| self.deliveries[nodes - 1].at_us)
    }

    /// The most hops any delivered copy had travelled.
    pub fn max_hops(&self) -> u32 {
        self.deliveries.iter().map(|d| d.hops).max().unwrap_or(0)
    }

    /// Time from the broadcast to the latest delivery.
    fn last_us(&self) -> u64 {
        self.deliveries
            .last()
            .map_or(0, |d| d.at_us.saturating_sub(self.start_us))
    }
}

/// The broadcast a message carries, `(origin, seq)`, read from its payload as JSON: a broadcast
/// message's payload names it as `{"data": {"id": {"origin": "n1", "seq": 2}, …}}`.
pub fn carried_broadcast(payload: &serde_json::Value) -> Option<(NodeId, u32)> {
    let id = payload.get("data")?.get("id")?;
    let origin = serde_json::from_value(id.get("origin")?.clone()).ok()?;
    let seq = u32::try_from(id.get("seq")?.as_u64()?).ok()?;
    Some((origin, seq))
}

/// Every gossiped message's spread, in broadcast order, from the run's `delivered` facts.
/// `in_flight` names the broadcasts that have copies in the network now (see
/// [`carried_broadcast`]).
pub fn gossip_spread(
    events: &[TraceEvent],
    facts: &[(EventId, Fact)],
    in_flight: &[(NodeId, u32)],
) -> Vec<Spread> {
    let mut spreads: Vec<Spread> = Vec::new();
    for (event, fact) in facts {
        let Fact::Delivered {
            origin,
            seq,
            text,
            hops,
        } = fact
        else {
            continue;
        };
        let event = &events[event.index()];
        let Some(node) = event.node else {
            continue;
        };
        let id = format!("{origin}#{seq}");
        let at_us = event.time.as_us();
        let delivery = Delivery {
            at_us,
            node,
            hops: *hops,
        };
        match spreads.iter_mut().find(|s| s.id == id) {
            // A node that restarted forgets what it has seen and may deliver again: count it once.
            Some(spread) if spread.deliveries.iter().any(|d| d.node == node) => {}
            Some(spread) => spread.deliveries.push(delivery),
            None => spreads.push(Spread {
                id,
                origin: *origin,
                seq: *seq,
                text: text.to_string(),
                start_us: at_us,
                deliveries: vec![delivery],
                spreading: false,
            }),
        }
    }
    for spread in &mut spreads {
        spread.spreading = in_flight.contains(&(spread.origin, spread.seq));
    }
    spreads
}

/// The gossip plot: for each message, the share of `nodes` that have delivered it against time
/// since it was broadcast, up to `now_us`.
pub fn gossip_plot(spreads: &[Spread], nodes: usize, now_us: u64) -> Plot {
    let nodes_i = nodes.max(1) as i64;
    // The x axis covers every delivery, and "now" for messages still on their way.
    let reach = spreads
        .iter()
        .map(|s| {
            if s.spreading {
                now_us.saturating_sub(s.start_us).max(s.last_us())
            } else {
                s.last_us()
            }
        })
        .max()
        .unwrap_or(0)
        .max(1_000);
    let step = axis::round_step(reach.div_ceil(4));
    let x_end_us = (reach + reach / 20).div_ceil(step) * step;
    let mut guides = vec![Guide::Horizontal {
        y: nodes_i,
        label: format!("all {nodes} nodes"),
    }];
    let mut cursors = Vec::new();
    let series = spreads
        .iter()
        .enumerate()
        .map(|(i, spread)| {
            let color = i % PALETTE;
            let mut points = vec![Point { x_us: 0, y: 1 }];
            let mut marks = Vec::new();
            for (count, d) in spread.deliveries.iter().enumerate() {
                let x_us = d.at_us - spread.start_us;
                let reached = count as i64 + 1;
                if count > 0 {
                    points.push(Point {
                        x_us,
                        y: reached - 1,
                    });
                    points.push(Point { x_us, y: reached });
                }
                marks.push(Mark {
                    at: Point { x_us, y: reached },
                    label: if d.hops == 0 {
                        format!("{} broadcasts {} at {}", d.node, spread.id, format::time(d.at_us))
                    } else {
                        format!(
                            "{} delivers {} after {} hop{}, {} after the broadcast ({reached} of {nodes})",
                            d.node,
                            spread.id,
                            d.hops,
                            if d.hops == 1 { "" } else { "s" },
                            format::time(x_us)
                        )
                    },
                });
            }
            let live_us = now_us.saturating_sub(spread.start_us);
            let end = live_us.min(x_end_us);
            if let Some(last) = points.last().copied()
                && end > last.x_us
            {
                points.push(Point { x_us: end, y: last.y });
            }
            if spread.spreading {
                cursors.push((live_us, "now".to_string()));
            }
            let detail = match spread.all_at(nodes) {
                Some(at) => {
                    let after = short_time(at - spread.start_us);
                    guides.push(Guide::Vertical {
                        x_us: at - spread.start_us,
                        label: format!("all {nodes} after {after}"),
                        color,
                    });
                    format!("all {nodes} after {after}, {} hops", spread.max_hops())
                }
                None if spread.spreading => format!("{} of {nodes} so far", spread.reached()),
                None => format!("{} of {nodes}: it died out", spread.reached()),
            };
            Series {
                name: format!("{} \u{201c}{}\u{201d}", spread.id, spread.text),
                detail,
                color,
                segments: vec![points],
                marks,
            }
        })
        .collect();
    let ticks = (0..=4u32)
        .map(|q| YTick {
            at: nodes_i as f64 * f64::from(q) / 4.0,
            label: format!("{} %", q * 25),
            strong: q == 0,
        })
        .collect();
    Plot {
        kind: PlotKind::Gossip,
        title: "Gossip spread",
        caption: "Each curve is the share of nodes that have delivered a message since it was \
                  broadcast; dots are deliveries.",
        x_title: "time since the broadcast",
        x_end_us,
        y: YScale {
            lo: 0,
            hi: nodes_i,
            ticks,
            title: "nodes that delivered it".to_string(),
        },
        zoom: None,
        series,
        guides,
        cursors,
        empty: spreads.is_empty().then_some(
            "No message has been gossiped yet: play the run to see the first one spread.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_broadcast_a_payload_carries() {
        let payload = serde_json::json!({"data": {"id": {"origin": "n3", "seq": 2}, "text": "x"}});
        assert_eq!(carried_broadcast(&payload), Some((NodeId(2), 2)));
        assert_eq!(
            carried_broadcast(&serde_json::json!({"ack": {"ts": 3}})),
            None
        );
    }
}
