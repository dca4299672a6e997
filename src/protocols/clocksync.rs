//! Physical clocks and clock synchronisation. Every node's clock has the offset and drift the
//! scenario gives it; a node cannot change its clock, so it keeps a *correction* and reads
//! "corrected time" as its clock plus the correction. The `algorithm` parameter picks how the
//! correction is found:
//!
//! - `none`: never; each node notes its clock reading every `interval_us`.
//! - `cristian`: every `interval_us` each node asks n1 (the time server) for the time and sets its
//!   correction to the server's answer plus half the round trip, promising an error of at most
//!   half the round trip (NTP's offset estimate, with one server).
//! - `berkeley`: every `interval_us` n1 (the master) polls every node's time, estimates each
//!   offset, and tells each node how much to adjust so that all clocks meet at the average.
//!
//! `ignore_rtt: true` is the "break it" variant of Cristian's algorithm: it takes the server's time
//! as if the reply took no time, yet still promises half the round trip. The *Sync accuracy*
//! checker catches it when delays are asymmetric.
//!
//! Every node also holds a last-writer-wins register: a client request `{"write": "v"}` stamps the
//! value with the node's corrected time and sends it to everyone; the largest timestamp wins. The
//! *Last writer wins* checker flags a write that lost to one made earlier in real time, which is
//! what a clock that jumps backwards does.

use crate::engine::fact::Fact;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::property::sometimes;
use crate::engine::protocol::{
    CheckCx, NodeView, Property, PropertyKind, Protocol, RequestInfo, Verdict, ViewTable,
};
use crate::engine::sim::Ctx;
use crate::engine::time::{SimTime, format_us};
use crate::engine::trace::{EventKind, Kinds};
use serde::{Deserialize, Serialize};

/// The time server (Cristian) or master (Berkeley).
pub const REFERENCE: NodeId = NodeId(0);

#[derive(Clone, Copy, Debug, Hash, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    None,
    #[default]
    Cristian,
    Berkeley,
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSyncParams {
    #[serde(default)]
    pub algorithm: Algorithm,
    /// Time between synchronisations (or clock notes, without an algorithm), on the node's clock.
    #[serde(default = "default_interval")]
    pub interval_us: u64,
    /// Cristian: do not add half the round trip to the server's time ("break it").
    #[serde(default)]
    pub ignore_rtt: bool,
}

fn default_interval() -> u64 {
    1_000_000
}

impl Default for ClockSyncParams {
    fn default() -> Self {
        ClockSyncParams {
            algorithm: Algorithm::default(),
            interval_us: default_interval(),
            ignore_rtt: false,
        }
    }
}

/// A value in the last-writer-wins register, stamped with its writer's corrected clock.
#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
pub struct Written {
    pub value: String,
    pub ts: i64,
    pub writer: NodeId,
}

impl Written {
    /// Last writer wins: the larger timestamp, ties broken by the writer.
    fn beats(&self, other: &Written) -> bool {
        (self.ts, self.writer) > (other.ts, other.writer)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSyncMsg {
    /// Cristian: "what time is it?"
    TimeRequest { seq: u32 },
    /// Cristian: the server's time when it answered.
    TimeReply { seq: u32, time: i64 },
    /// Berkeley: the master asks for every clock.
    Poll { round: u32 },
    /// Berkeley: a node's corrected time when it answered.
    Clock { round: u32, time: i64 },
    /// Berkeley: move your clock by `delta`; your error is at most `bound` (half your round trip).
    Adjust { round: u32, delta: i64, bound: u64 },
    /// A write to the last-writer-wins register.
    Write(Written),
}

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ClockSyncTimer {
    Sync,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ClockSyncRequest {
    /// Write this value to the register.
    Write(String),
    /// Read the register and the corrected clock.
    Read,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSyncResponse {
    Written { ts: i64 },
    Value { value: Option<Written>, now: i64 },
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct ClockSync {
    id: NodeId,
    params: ClockSyncParams,
    /// Added to the clock's reading to get corrected time.
    correction: i64,
    /// The error the last synchronisation promised (against the reference), if any.
    bound: Option<u64>,
    last_rtt: Option<u64>,
    syncs: u32,
    /// Cristian: the outstanding request's number and when it left (monotonic clock).
    asked: Option<(u32, i64)>,
    seq: u32,
    /// Berkeley master: this round's number, when the poll left, and each node's (offset, rtt).
    round: u32,
    polled_at: i64,
    answers: Vec<Option<(i64, u64)>>,
    register: Option<Written>,
    /// This node's latest own write.
    last_write: Option<Written>,
}

/// What a node notes: a synchronisation, a clock reading, a write, or a write the register kept
/// over a newer-looking one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum ClockSyncNote {
    /// The node moved its correction by `delta_us`, promising to be within `bound_us` of n1.
    Sync {
        delta_us: i64,
        bound_us: u64,
        rtt_us: u64,
    },
    Reads {
        clock_us: i64,
    },
    Writes {
        value: String,
        ts_us: i64,
    },
    Keeps {
        kept: String,
        kept_ts_us: i64,
        over: String,
        over_ts_us: i64,
    },
}

impl std::fmt::Display for ClockSyncNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let us = |t: i64| format_us(i128::from(t));
        match self {
            ClockSyncNote::Sync {
                delta_us,
                bound_us,
                rtt_us,
            } => write!(
                f,
                "sync: adjusts by {}, now within ±{} (rtt {})",
                signed(*delta_us),
                format_us(i128::from(*bound_us)),
                format_us(i128::from(*rtt_us))
            ),
            ClockSyncNote::Reads { clock_us } => write!(f, "clock reads {}", us(*clock_us)),
            ClockSyncNote::Writes { value, ts_us } => {
                write!(f, "writes \"{value}\" stamped {}", us(*ts_us))
            }
            ClockSyncNote::Keeps {
                kept,
                kept_ts_us,
                over,
                over_ts_us,
            } => write!(
                f,
                "keeps \"{kept}\" (ts {}) over \"{over}\" (ts {})",
                us(*kept_ts_us),
                us(*over_ts_us)
            ),
        }
    }
}

fn signed(us: i64) -> String {
    if us >= 0 {
        format!("+{}", format_us(i128::from(us)))
    } else {
        format_us(i128::from(us))
    }
}

impl ClockSync {
    fn corrected(&self, ctx: &Ctx<'_, Self>) -> i64 {
        ctx.now().saturating_add(self.correction)
    }

    /// Moves the correction by `delta`, promising `bound`, and notes it for the trace.
    fn adjust(&mut self, ctx: &mut Ctx<'_, Self>, delta: i64, bound: u64, rtt: u64) {
        self.correction = self.correction.saturating_add(delta);
        self.bound = Some(bound);
        self.last_rtt = Some(rtt);
        self.syncs += 1;
        ctx.note(ClockSyncNote::Sync {
            delta_us: delta,
            bound_us: bound,
            rtt_us: rtt,
        });
    }

    fn finish_round(&mut self, ctx: &mut Ctx<'_, Self>) {
        let answers: Vec<(usize, i64, u64)> = self
            .answers
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.map(|(offset, rtt)| (i, offset, rtt)))
            .collect();
        self.answers.iter_mut().for_each(|a| *a = None);
        if answers.is_empty() {
            return;
        }
        // The master counts itself with offset zero.
        let total: i64 = answers.iter().map(|&(_, offset, _)| offset).sum();
        let average = total / (answers.len() as i64 + 1);
        for &(i, offset, rtt) in &answers {
            ctx.send(
                NodeId(i as u32),
                ClockSyncMsg::Adjust {
                    round: self.round,
                    delta: average - offset,
                    bound: rtt / 2,
                },
            );
        }
        self.adjust(ctx, average, 0, 0);
    }

    fn apply(&mut self, ctx: &mut Ctx<'_, Self>, write: &Written) {
        if self
            .register
            .as_ref()
            .is_none_or(|current| write.beats(current))
        {
            self.register = Some(write.clone());
        } else if let Some(current) = &self.register {
            ctx.note(ClockSyncNote::Keeps {
                kept: current.value.clone(),
                kept_ts_us: current.ts,
                over: write.value.clone(),
                over_ts_us: write.ts,
            });
        }
    }
}

impl Protocol for ClockSync {
    type Msg = ClockSyncMsg;
    type Timer = ClockSyncTimer;
    type Request = ClockSyncRequest;
    type Response = ClockSyncResponse;
    type Stable = ();
    type Params = ClockSyncParams;
    type Note = ClockSyncNote;

    const NAME: &'static str = "clock_sync";

    fn new(id: NodeId, nodes: u32, params: &ClockSyncParams) -> Self {
        ClockSync {
            id,
            params: *params,
            correction: 0,
            bound: None,
            last_rtt: None,
            syncs: 0,
            asked: None,
            seq: 0,
            round: 0,
            polled_at: 0,
            answers: vec![None; nodes as usize],
            register: None,
            last_write: None,
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        let ticks = match self.params.algorithm {
            Algorithm::None => true,
            Algorithm::Cristian => self.id != REFERENCE,
            Algorithm::Berkeley => self.id == REFERENCE,
        };
        if ticks {
            ctx.set_timer(self.params.interval_us, ClockSyncTimer::Sync);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: NodeId, msg: &ClockSyncMsg) {
        match msg {
            ClockSyncMsg::TimeRequest { seq } => {
                let time = self.corrected(ctx);
                ctx.send(from, ClockSyncMsg::TimeReply { seq: *seq, time });
            }
            ClockSyncMsg::TimeReply { seq, time } => {
                let Some((asked, sent_at)) = self.asked else {
                    return;
                };
                if asked != *seq {
                    return;
                }
                self.asked = None;
                // Durations come from the monotonic clock, which a jump cannot disturb.
                let rtt = (ctx.monotonic() - sent_at).max(0) as u64;
                let transit = if self.params.ignore_rtt { 0 } else { rtt / 2 };
                let estimate = time.saturating_add(transit as i64);
                let delta = estimate - self.corrected(ctx);
                self.adjust(ctx, delta, rtt / 2, rtt);
            }
            ClockSyncMsg::Poll { round } => {
                let time = self.corrected(ctx);
                ctx.send(
                    from,
                    ClockSyncMsg::Clock {
                        round: *round,
                        time,
                    },
                );
            }
            ClockSyncMsg::Clock { round, time } => {
                if *round != self.round || self.id != REFERENCE {
                    return;
                }
                let rtt = (ctx.monotonic() - self.polled_at).max(0) as u64;
                let offset = time.saturating_add((rtt / 2) as i64) - self.corrected(ctx);
                self.answers[from.index()] = Some((offset, rtt));
                let all = ctx.peers().all(|p| self.answers[p.index()].is_some());
                if all {
                    self.finish_round(ctx);
                }
            }
            ClockSyncMsg::Adjust { delta, bound, .. } => {
                self.adjust(ctx, *delta, *bound, bound * 2);
            }
            ClockSyncMsg::Write(write) => self.apply(ctx, write),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _timer: ClockSyncTimer) {
        match self.params.algorithm {
            Algorithm::None => {
                let clock_us = ctx.now();
                ctx.note(ClockSyncNote::Reads { clock_us });
            }
            Algorithm::Cristian => {
                self.seq += 1;
                self.asked = Some((self.seq, ctx.monotonic()));
                ctx.send(REFERENCE, ClockSyncMsg::TimeRequest { seq: self.seq });
            }
            Algorithm::Berkeley => {
                // A node that did not answer the last round in time is left out of it. The next
                // poll waits a tick, so no node answers it before applying this round's adjustment.
                let late = self.answers.iter().any(Option::is_some);
                self.finish_round(ctx);
                if !late {
                    self.round += 1;
                    self.polled_at = ctx.monotonic();
                    ctx.broadcast(ClockSyncMsg::Poll { round: self.round });
                }
            }
        }
        ctx.set_timer(self.params.interval_us, ClockSyncTimer::Sync);
    }

    fn on_request(&mut self, ctx: &mut Ctx<'_, Self>, req: RequestInfo, op: &ClockSyncRequest) {
        match op {
            ClockSyncRequest::Write(value) => {
                let write = Written {
                    value: value.clone(),
                    ts: self.corrected(ctx),
                    writer: self.id,
                };
                ctx.note(ClockSyncNote::Writes {
                    value: value.clone(),
                    ts_us: write.ts,
                });
                self.last_write = Some(write.clone());
                ctx.broadcast(ClockSyncMsg::Write(write.clone()));
                self.apply(ctx, &write);
                ctx.reply(req.id, ClockSyncResponse::Written { ts: write.ts });
            }
            ClockSyncRequest::Read => {
                let now = self.corrected(ctx);
                ctx.reply(
                    req.id,
                    ClockSyncResponse::Value {
                        value: self.register.clone(),
                        now,
                    },
                );
            }
        }
    }

    fn validate(p: &ClockSyncParams, _nodes: u32) -> Result<(), String> {
        if p.interval_us < 1_000 || p.interval_us > 600_000_000 {
            return Err(format!(
                "`protocol.interval_us` is {}, but must be from 1ms to 10 minutes",
                p.interval_us
            ));
        }
        if p.ignore_rtt && p.algorithm != Algorithm::Cristian {
            return Err(
                "`protocol.ignore_rtt` only applies to `\"algorithm\": \"cristian\"`".into(),
            );
        }
        Ok(())
    }

    fn example_request() -> Option<ClockSyncRequest> {
        Some(ClockSyncRequest::Write("x".into()))
    }

    fn fact(note: &ClockSyncNote) -> Option<Fact> {
        match *note {
            ClockSyncNote::Sync {
                delta_us, bound_us, ..
            } => Some(Fact::ClockAdjusted {
                delta_us,
                error_bound_us: bound_us,
            }),
            _ => None,
        }
    }

    fn msg_label(msg: &ClockSyncMsg) -> String {
        match msg {
            ClockSyncMsg::TimeRequest { .. } => "time?".into(),
            ClockSyncMsg::TimeReply { time, .. } => {
                format!("time {}", format_us(i128::from(*time)))
            }
            ClockSyncMsg::Poll { round } => format!("poll {round}"),
            ClockSyncMsg::Clock { time, .. } => format!("clock {}", format_us(i128::from(*time))),
            ClockSyncMsg::Adjust { delta, .. } => format!("adjust {}", signed(*delta)),
            ClockSyncMsg::Write(w) => {
                format!("write \"{}\" @{}", w.value, format_us(i128::from(w.ts)))
            }
        }
    }

    fn timer_name(_timer: &ClockSyncTimer) -> &'static str {
        "sync"
    }

    fn view(&self) -> NodeView {
        let us =
            |v: Option<u64>| v.map_or_else(|| "not yet".to_string(), |v| format_us(i128::from(v)));
        let algorithm = match self.params.algorithm {
            Algorithm::None => "none",
            Algorithm::Cristian if self.params.ignore_rtt => {
                "Cristian, ignoring the round trip (broken on purpose)"
            }
            Algorithm::Cristian => "Cristian",
            Algorithm::Berkeley => "Berkeley",
        };
        let role = match (self.params.algorithm, self.id == REFERENCE) {
            (Algorithm::Cristian, true) => "time server",
            (Algorithm::Berkeley, true) => "master",
            (Algorithm::None, _) => "free-running",
            _ => "synchronising",
        };
        let register = self.register.as_ref().map_or_else(
            || "empty".to_string(),
            |w| {
                format!(
                    "\"{}\" by {} @{}",
                    w.value,
                    w.writer,
                    format_us(i128::from(w.ts))
                )
            },
        );
        NodeView {
            role: Some(role.into()),
            fields: vec![
                ("algorithm".into(), algorithm.into()),
                (
                    "offset estimate (correction)".into(),
                    signed(self.correction),
                ),
                ("error bound".into(), us(self.bound)),
                ("last round trip".into(), us(self.last_rtt)),
                ("synchronisations".into(), self.syncs.to_string()),
                ("register".into(), register),
            ],
            tables: vec![ViewTable {
                title: "Berkeley answers".into(),
                columns: vec!["node".into(), "offset".into(), "round trip".into()],
                rows: self
                    .answers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| {
                        a.map(|(offset, rtt)| {
                            vec![
                                NodeId(i as u32).to_string(),
                                signed(offset),
                                format_us(i128::from(rtt)),
                            ]
                        })
                    })
                    .collect(),
            }],
            log: Vec::new(),
        }
    }

    fn properties(params: &ClockSyncParams) -> Vec<Box<dyn Property<Self>>> {
        let mut properties: Vec<Box<dyn Property<Self>>> = Vec::new();
        if params.algorithm != Algorithm::None {
            properties.push(Box::new(SyncAccuracy::default()));
            properties.push(sometimes(
                "A synchronisation",
                "Some node adjusts its clock, so Sync accuracy has a promise to judge.",
                Kinds::ANNOTATE,
                |cx| {
                    cx.new_facts()
                        .any(|(_, _, fact)| matches!(fact, Fact::ClockAdjusted { .. }))
                },
            ));
        }
        properties.push(Box::new(LastWriterWins::default()));
        properties
    }

    fn generate_request(
        seq: u64,
        _rng: &mut crate::engine::rng::SimRng,
    ) -> Option<ClockSyncRequest> {
        Some(ClockSyncRequest::Write(format!("v{seq}")))
    }
}

/// Always: right after a node synchronises, its corrected clock is within the promised bound of
/// the reference (n1's corrected clock), with 1 % of the round trip plus 2 µs to spare for the two
/// clocks drifting apart while the messages travel. A clock that jumps voids the promise of an
/// exchange it interrupts: a synchronisation is not judged if the node or the reference jumped
/// within the last interval and round trip (the exchange's longest span).
#[derive(Clone, Debug, Default)]
struct SyncAccuracy {
    /// Per node: its clock reading minus true time at its latest event.
    skew: Vec<Option<i64>>,
    /// Per node: when its clock last jumped.
    jumped: Vec<Option<SimTime>>,
}

impl Property<ClockSync> for SyncAccuracy {
    fn name(&self) -> &'static str {
        "Sync accuracy"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "After each synchronisation a node's corrected clock is within the error bound the algorithm \
         promised of n1's."
    }

    fn check(&mut self, cx: &CheckCx<'_, ClockSync>) -> Verdict {
        self.skew.resize(cx.nodes.len(), None);
        self.jumped.resize(cx.nodes.len(), None);
        for (event, e) in cx.new_events() {
            let Some(node) = e.node else {
                continue;
            };
            self.skew[node.index()] = Some(e.local_us - e.time.as_us() as i64);
            if matches!(e.kind, EventKind::ClockJump { .. }) {
                self.jumped[node.index()] = Some(e.time);
            }
            if node == REFERENCE
                || !matches!(e.kind, EventKind::Annotate { .. })
                || !matches!(cx.note(event), Some(ClockSyncNote::Sync { .. }))
            {
                continue;
            }
            let (Some(state), Some(reference), Some(skew), Some(ref_skew)) = (
                cx.nodes[node.index()].state(),
                cx.nodes[REFERENCE.index()].state(),
                self.skew[node.index()],
                self.skew[REFERENCE.index()],
            ) else {
                continue;
            };
            let span = state.params.interval_us + state.last_rtt.unwrap_or(0);
            let interrupted = [node, REFERENCE].iter().any(|n| {
                self.jumped[n.index()]
                    .is_some_and(|at| e.time.as_us().saturating_sub(at.as_us()) <= span)
            });
            if interrupted {
                continue;
            }
            let error = (skew + state.correction) - (ref_skew + reference.correction);
            let bound = state.bound.unwrap_or(0);
            let slack = state.last_rtt.unwrap_or(0) / 100 + 2;
            if error.unsigned_abs() > bound + slack {
                return Verdict::Violated {
                    message: format!(
                        "{node}'s corrected clock is {} off {REFERENCE}'s, but its synchronisation \
                         promised at most ±{}",
                        signed(error),
                        format_us(i128::from(bound))
                    ),
                    involved: vec![event],
                };
            }
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<ClockSync>> {
        Box::new(self.clone())
    }
}

/// Always: a write never loses to a write made earlier in real time. Timestamps from clocks that
/// disagree (or jump backwards) break it.
#[derive(Clone, Debug, Default)]
struct LastWriterWins {
    writes: Vec<(SimTime, Written, EventId)>,
}

impl Property<ClockSync> for LastWriterWins {
    fn name(&self) -> &'static str {
        "Last writer wins"
    }

    fn kind(&self) -> PropertyKind {
        PropertyKind::Always
    }

    fn description(&self) -> &'static str {
        "A write's timestamp is larger than that of every write made before it in real time, so the \
         register keeps the latest write."
    }

    fn check(&mut self, cx: &CheckCx<'_, ClockSync>) -> Verdict {
        for (event, e) in cx.new_events() {
            let (Some(node), EventKind::Annotate { .. }) = (e.node, &e.kind) else {
                continue;
            };
            if !matches!(cx.note(event), Some(ClockSyncNote::Writes { .. })) {
                continue;
            }
            let Some(write) = cx.nodes[node.index()]
                .state()
                .and_then(|s| s.last_write.clone())
            else {
                continue;
            };
            let older = self
                .writes
                .iter()
                .find(|(at, earlier, _)| *at < e.time && earlier.beats(&write));
            if let Some((at, earlier, earlier_event)) = older {
                return Verdict::Violated {
                    message: format!(
                        "{node}'s write \"{}\" at {} is stamped {}, before {}'s earlier write \"{}\" \
                         at {} (stamped {}), so last-writer-wins keeps the older value",
                        write.value,
                        e.time,
                        format_us(i128::from(write.ts)),
                        earlier.writer,
                        earlier.value,
                        at,
                        format_us(i128::from(earlier.ts))
                    ),
                    involved: vec![*earlier_event, event],
                };
            }
            self.writes.push((e.time, write, event));
        }
        Verdict::Holds
    }

    fn clone_box(&self) -> Box<dyn Property<ClockSync>> {
        Box::new(self.clone())
    }
}
