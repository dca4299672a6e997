//! Immutable view data for one render: built from the run (read through `&dyn Run`, never changed)
//! and the UI's choices by the layouts in `crate::view`, then handed to the leaf components as
//! comparable props. Built natively in tests (`tests/view_frame.rs`), like every other view.

use std::rc::Rc;

use crate::engine::action::{Action, Scheduled};
use crate::engine::byzantine::Strategy;
use crate::engine::causality::{causal_future, causal_past};
use crate::engine::ids::{EventId, NodeId, OpId};
use crate::engine::network::LinkConfig;
use crate::engine::protocol::NodeStatus;
use crate::engine::run::Run;
use crate::engine::sim::{InFlight, NodeSnapshot, PropertyReport, Snapshot, Stats};
use crate::view::details::{self, Details};
use crate::view::diagram::{self, DiagramInput, DiagramLayout, Highlight, LaneInfo, Stamps};
use crate::view::format;
use crate::view::history::{self, ClientOp, HistoryIndex, HistoryLayout, ModelRow};
use crate::view::index::TraceIndex;
use crate::view::logs::{self, LogMatrix};
use crate::view::plot::{self, Plot, PlotKind};
use crate::view::topology::{self, LinkState, TopologyLayout};

/// The topology view's square size in its own units (it scales to fit).
const TOPOLOGY_SIZE: f64 = 240.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub name: String,
    pub description: String,
    pub preset: Option<&'static str>,
    pub protocol: &'static str,
    /// The logical clock the protocol keeps itself, whose stamps the diagram prints.
    pub own_clock: Option<&'static str>,
    pub seed: u64,
    pub now: u64,
    pub horizon: u64,
    pub finished: bool,
    pub stats: Stats,
    pub events: usize,
    pub in_flight: usize,
    pub diagram: Rc<DiagramLayout>,
    pub topology: Rc<TopologyLayout>,
    pub properties: Rc<Vec<PropertyReport>>,
    pub inspect: Rc<Inspect>,
    pub partitioned: bool,
    /// The declared system model in words, if the scenario declares one.
    pub model: Option<String>,
    /// Why the model forbids partitions now, if it does.
    pub no_partitions: Option<String>,
    /// The lesson plot, for the protocols that have one.
    pub plot: Option<Rc<Plot>>,
    /// The nodes' logs side by side, for protocols that keep a replicated log.
    pub logs: Option<Rc<LogMatrix>>,
    /// The user's interventions in the run, in time order.
    pub interventions: Rc<Vec<Scheduled>>,
    /// Whether the run has client operations, so a history to show.
    pub has_history: bool,
    /// The history beside the diagram, when it is open.
    pub history: Option<Rc<HistoryLayout>>,
    /// The history judged against every consistency model, when the history and the table are
    /// open.
    pub models: Option<Rc<Vec<ModelRow>>>,
    /// Client operations answered, refused and waiting (`HistoryIndex::availability`).
    pub availability: (usize, usize, usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Inspect {
    None,
    Node(NodeInspect),
    Link(LinkInspect),
    Message(MessageInspect),
    Event(EventId, Details),
    Operation(OpInspect),
}

/// A client operation, as the inspector shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpInspect {
    pub op: ClientOp,
    /// Its client's name: the scenario's, or `c1`, `c2`, ….
    pub client: String,
    /// True times of its invocation and of its answer or giving up.
    pub invoked_us: u64,
    pub finished_us: Option<u64>,
    /// Its requests and answers in words, in trace order, with their events and times.
    pub steps: Vec<(EventId, u64, String)>,
    /// What the linearizability verdict says of it, if anything.
    pub verdict: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeInspect {
    pub node: NodeSnapshot,
    pub now: u64,
    pub vector: Option<String>,
    /// The protocol's example client request as JSON text; `None` if it takes no requests.
    pub example_request: Option<String>,
    /// Whether the node can be made a traitor (`Protocol::BYZANTINE`).
    pub byzantine: bool,
    /// Why the declared model forbids each action on the node now, by the action's name
    /// (`"restart"`, `"pause"`, …).
    pub forbidden: Vec<(&'static str, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkInspect {
    pub a: NodeId,
    pub b: NodeId,
    pub forward: LinkConfig,
    pub backward: LinkConfig,
    pub forward_state: LinkState,
    pub backward_state: LinkState,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageInspect {
    pub send: EventId,
    /// Why the declared model forbids each action on the message now (`drop`, `duplicate`,
    /// `delay`, `corrupt`).
    pub forbidden: Vec<(&'static str, String)>,
    /// The protocol's messages can be forged, so a link can corrupt them.
    pub forgeable: bool,
    /// Still in the network (its first copy).
    pub in_flight: Option<InFlight>,
    /// How many copies of it are in the network: two or more once it has been duplicated.
    pub copies: usize,
    pub details: Details,
    /// What became of it, when it is no longer in flight.
    pub outcome: Option<String>,
}

/// What is selected in the page (and shown in the inspector).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    None,
    Node(NodeId),
    Link(NodeId, NodeId),
    /// A message, named by its send event.
    Message(EventId),
    Event(EventId),
    /// A client operation, picked in the history.
    Operation(OpId),
}

/// The visible window of true time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeView {
    pub start_us: u64,
    pub span_us: u64,
    /// Keep "now" in view as the run advances.
    pub follow: bool,
}

impl TimeView {
    /// Stops following now and puts true time `time_us` in the middle of the window.
    pub fn center_on(&mut self, time_us: u64) {
        self.follow = false;
        self.start_us = time_us.saturating_sub(self.span_us / 2);
    }
}

/// What a frame shows of the run besides the UI's choices: the run itself, read only, and what it
/// was opened as.
pub struct FrameSource<'a> {
    pub run: &'a dyn Run,
    /// The run's trace index, up to date.
    pub index: &'a TraceIndex,
    pub name: &'a str,
    pub description: &'a str,
    /// The preset it came from, if any.
    pub preset: Option<&'static str>,
    pub seed: u64,
    /// The lesson plot its protocol gets, if any.
    pub plot: Option<PlotKind>,
    /// The clients' history, up to date.
    pub history: &'a HistoryIndex,
}

/// The UI choices a frame depends on besides the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameKey {
    pub generation: u64,
    pub view: TimeView,
    pub selection: Selection,
    pub stamps: Stamps,
    pub size: (f64, f64),
    /// The history panel's width, when it is open.
    pub history: Option<f64>,
    /// Whether the table of consistency models is open, so the models are judged.
    pub models: bool,
    /// Whether the page is playing (a long history keeps its last verdict meanwhile).
    pub live: bool,
}

/// The events a violation points at, sorted; none for any other event.
pub fn involved(run: &dyn Run, event: EventId) -> Vec<EventId> {
    match run.events().get(event.index()).map(|e| &e.kind) {
        Some(crate::engine::trace::EventKind::Violation(violation)) => {
            let mut involved = violation.involved.clone();
            involved.sort();
            involved
        }
        _ => Vec::new(),
    }
}

/// Why the declared model forbids each action a student can take on `node` now.
fn forbidden(run: &dyn Run, node: NodeId) -> Vec<(&'static str, String)> {
    [
        ("crash", Action::Crash { node }),
        ("restart", Action::Restart { node }),
        ("pause", Action::Pause { node }),
        ("expire", Action::ExpireTimers { node }),
        (
            "traitor",
            Action::Traitor {
                node,
                strategy: Strategy::TwoFaced,
            },
        ),
    ]
    .into_iter()
    .filter_map(|(name, action)| run.forbids(&action).map(|why| (name, why)))
    .collect()
}

/// Why the declared model forbids each action a student can take on the message sent by `send`.
fn message_forbidden(run: &dyn Run, send: EventId) -> Vec<(&'static str, String)> {
    [
        ("drop", Action::DropMessage { send }),
        ("duplicate", Action::DuplicateMessage { send }),
        (
            "delay",
            Action::DelayMessage {
                send,
                by_us: 50_000,
            },
        ),
        ("corrupt", Action::CorruptMessage { send }),
    ]
    .into_iter()
    .filter_map(|(name, action)| run.forbids(&action).map(|why| (name, why)))
    .collect()
}

pub fn build(session: &FrameSource<'_>, key: &FrameKey) -> Frame {
    let snapshot = session.run.snapshot();
    let now = snapshot.now.0;
    let lanes: Vec<LaneInfo> = snapshot
        .nodes
        .iter()
        .map(|n| LaneInfo {
            role: n.view.as_ref().and_then(|v| v.role.clone()),
            status: n.status,
            traitor: n.traitor,
        })
        .collect();

    let highlight = highlight(session, key.selection);
    let timers: Vec<_> = match key.selection {
        Selection::Node(node) => snapshot
            .nodes
            .get(node.index())
            .map(|n| {
                n.timers
                    .iter()
                    .map(|t| (t.set, t.fires_at, t.name))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let span = key.view.span_us.max(1);
    // Coordinates count from a round origin a few windows back, so panning rarely moves it.
    let block = span.saturating_mul(8);
    let origin_us = key.view.start_us - key.view.start_us % block;
    let mut layout = {
        let run = session.run;
        let input = DiagramInput {
            events: run.events(),
            index: session.index,
            nodes: &lanes,
            in_flight: &snapshot.in_flight,
            now: snapshot.now,
            start_us: key.view.start_us,
            span_us: span,
            origin_us,
            width_px: key.size.0,
            height_px: key.size.1,
            highlight: &highlight,
            stamps: key.stamps,
            timers: &timers,
        };
        diagram::layout(&input, &mut |msg| run.message_label(msg))
    };
    if key.stamps != Stamps::None && session.run.own_clock().is_some() {
        diagram::add_own_stamps(&mut layout, session.run, key.stamps);
    } else if key.stamps == Stamps::Vector {
        diagram::add_vector_stamps(&mut layout, &session.run.causality());
    }
    let topology = topology::layout(&snapshot, TOPOLOGY_SIZE);
    let inspect = inspect(session, key.selection, &snapshot, key.live);
    let plot = session
        .plot
        .map(|kind| Rc::new(lesson_plot(session, kind, &snapshot)));
    Frame {
        name: session.name.to_string(),
        description: session.description.to_string(),
        preset: session.preset,
        protocol: session.run.protocol(),
        own_clock: session.run.own_clock(),
        seed: session.seed,
        now,
        horizon: session.run.horizon().0,
        finished: session.run.finished(),
        stats: snapshot.stats,
        events: session.run.events().len(),
        in_flight: snapshot.in_flight.len(),
        diagram: Rc::new(layout),
        topology: Rc::new(topology),
        properties: Rc::new(snapshot.properties.clone()),
        inspect: Rc::new(inspect),
        partitioned: !snapshot.blocked.is_empty(),
        model: session.run.model().map(|m| m.label()),
        no_partitions: session
            .run
            .forbids(&Action::Partition { groups: Vec::new() }),
        plot,
        logs: session
            .run
            .log_words()
            .map(|words| Rc::new(logs::matrix(&snapshot, words))),
        interventions: Rc::new(session.run.interventions()),
        has_history: !session.history.ops().is_empty(),
        availability: session.history.availability(),
        models: key
            .history
            .filter(|_| key.models && !session.history.ops().is_empty())
            .map(|_| session.history.models(session.run, key.live)),
        history: key
            .history
            .filter(|_| !session.history.ops().is_empty())
            .map(|width| {
                let verdict = session.history.verdict(session.run, key.live);
                Rc::new(history::layout(&history::HistoryInput {
                    history: session.history,
                    verdict: verdict.0.clone(),
                    judged_at: verdict.1,
                    now_us: now,
                    start_us: key.view.start_us,
                    span_us: span,
                    origin_us,
                    width_px: width,
                    height_px: key.size.1,
                    selected: match key.selection {
                        Selection::Operation(op) => Some(op),
                        _ => None,
                    },
                }))
            }),
    }
}

/// The lesson plot of the run up to now.
fn lesson_plot(session: &FrameSource<'_>, kind: PlotKind, snapshot: &Snapshot) -> Plot {
    let run = session.run;
    let now = snapshot.now.0;
    match kind {
        PlotKind::ClockError => {
            let clocks_now: Vec<Option<i64>> = snapshot
                .nodes
                .iter()
                .map(|n| (n.status != NodeStatus::Crashed).then_some(n.clock_us))
                .collect();
            let roles: Vec<Option<String>> = snapshot
                .nodes
                .iter()
                .map(|n| n.view.as_ref().and_then(|v| v.role.clone()))
                .collect();
            let clocks = plot::clock_errors(run.events(), run.facts(), now, &clocks_now);
            plot::clock_plot(&clocks, now, run.horizon().0, &roles)
        }
        PlotKind::Gossip => {
            let in_flight: Vec<(NodeId, u32)> = snapshot
                .in_flight
                .iter()
                .filter_map(|m| plot::carried_broadcast(&run.message_json(m.msg)))
                .collect();
            let spreads = plot::gossip_spread(run.events(), run.facts(), &in_flight);
            plot::gossip_plot(&spreads, snapshot.nodes.len(), now)
        }
        PlotKind::Reads => {
            let roles: Vec<Option<String>> = snapshot
                .nodes
                .iter()
                .map(|n| n.view.as_ref().and_then(|v| v.role.clone()))
                .collect();
            let answers_get = |event| {
                run.response_json(event)
                    .is_some_and(|r| r.get("value").is_some())
            };
            let reads = plot::reads_served(run.events(), snapshot.nodes.len(), answers_get);
            plot::reads_plot(&reads, now, run.horizon().0, &roles)
        }
    }
}

fn highlight(session: &FrameSource<'_>, selection: Selection) -> Highlight {
    let events = session.run.events();
    let event = match selection {
        Selection::Event(e) | Selection::Message(e) if e.index() < events.len() => e,
        Selection::Operation(op) => {
            let Some(op) = session.history.op(op) else {
                return Highlight::default();
            };
            return Highlight {
                selected: Some(op.invoked),
                involved: op.events.clone(),
                ..Highlight::default()
            };
        }
        _ => return Highlight::default(),
    };
    let involved = involved(session.run, event);
    if !involved.is_empty() {
        return Highlight {
            selected: Some(event),
            involved,
            ..Highlight::default()
        };
    }
    Highlight {
        selected: Some(event),
        past: causal_past(events, event),
        future: causal_future(events, event),
        involved: Vec::new(),
    }
}

fn inspect(
    session: &FrameSource<'_>,
    selection: Selection,
    snapshot: &crate::engine::sim::Snapshot,
    live: bool,
) -> Inspect {
    match selection {
        Selection::None => Inspect::None,
        Selection::Node(node) => {
            let Some(node_snapshot) = snapshot.nodes.get(node.index()).cloned() else {
                return Inspect::None;
            };
            let vector = node_snapshot
                .last_event
                .and_then(|e| session.run.causality().vector_clock(e))
                .map(|v| format::vector(&v));
            Inspect::Node(NodeInspect {
                node: node_snapshot,
                now: snapshot.now.0,
                vector,
                example_request: session.run.example_request().map(|r| r.to_string()),
                byzantine: session.run.byzantine(),
                forbidden: forbidden(session.run, node),
            })
        }
        Selection::Link(a, b) => Inspect::Link(LinkInspect {
            a,
            b,
            forward: topology::link_config(snapshot, a, b),
            backward: topology::link_config(snapshot, b, a),
            forward_state: topology::link_state(snapshot, a, b),
            backward_state: topology::link_state(snapshot, b, a),
        }),
        Selection::Message(send) => {
            let Some(details) = details::event(session.run, send) else {
                return Inspect::None;
            };
            let in_flight = snapshot.in_flight.iter().find(|m| m.send == send).cloned();
            let copies = snapshot.in_flight.iter().filter(|m| m.send == send).count();
            let outcome = if in_flight.is_some() {
                None
            } else {
                Some(outcome(session, send))
            };
            Inspect::Message(MessageInspect {
                send,
                forbidden: message_forbidden(session.run, send),
                forgeable: session.run.byzantine(),
                in_flight,
                copies,
                details,
                outcome,
            })
        }
        Selection::Event(e) => match details::event(session.run, e) {
            Some(details) => Inspect::Event(e, details),
            None => Inspect::None,
        },
        Selection::Operation(op) => session.history.op(op).map_or(Inspect::None, |op| {
            Inspect::Operation(inspect_op(session, op, live))
        }),
    }
}

/// A client operation for the inspector: its requests and answers, and the verdict's word on it.
fn inspect_op(session: &FrameSource<'_>, op: &ClientOp, live: bool) -> OpInspect {
    use crate::engine::trace::EventKind;
    let events = session.run.events();
    let steps = op
        .events
        .iter()
        .filter_map(|&e| {
            let event = events.get(e.index())?;
            let node = event.node.map_or_else(String::new, |n| n.to_string());
            let text = match &event.kind {
                EventKind::Request { attempt, .. } => {
                    format!("request (attempt {attempt}) to {node}")
                }
                EventKind::RequestDrop { node: to, .. } => {
                    format!("request to {to} lost: it is down")
                }
                EventKind::Response { .. } => match session.run.response_json(e) {
                    Some(reply) => format!("{node} answers {}", history::words(&reply)),
                    None => format!("{node} answers"),
                },
                _ => return None,
            };
            Some((e, event.time.0, text))
        })
        .collect();
    let verdict = match &*session.history.verdict(session.run, live).0 {
        history::HistoryVerdict::NotLinearizable { order, stuck, .. } => {
            let index = session.history.ops().iter().position(|o| o.op == op.op);
            if index == Some(*stuck) {
                Some("The operation that cannot be placed: no order of its key's operations that respects real time explains its answer.".to_string())
            } else {
                order.iter().position(|p| Some(p.index) == index).map(|n| {
                    format!(
                        "Takes effect {} in the longest order that works, at {}.",
                        n + 1,
                        format::time(order[n].at_us)
                    )
                })
            }
        }
        _ => None,
    };
    OpInspect {
        op: op.clone(),
        client: session.history.client_name(op.client),
        invoked_us: op.invoked_us,
        finished_us: op.finished_us,
        steps,
        verdict,
    }
}

/// What became of the message sent by `send`: delivered or dropped, and when.
fn outcome(session: &FrameSource<'_>, send: EventId) -> String {
    use crate::engine::trace::EventKind;
    let events = session.run.events();
    let mut outcomes = Vec::new();
    for event in events.iter().skip(send.index() + 1) {
        match &event.kind {
            EventKind::Deliver { send: s, .. } if *s == send => {
                outcomes.push(format!("delivered at {}", format::time(event.time.0)));
            }
            EventKind::Drop {
                send: s, reason, ..
            } if *s == send => outcomes.push(format!(
                "dropped at {}: {}",
                format::time(event.time.0),
                reason.describe()
            )),
            _ => {}
        }
        if outcomes.len() >= 3 {
            break;
        }
    }
    if outcomes.is_empty() {
        "no longer in flight".to_string()
    } else {
        outcomes.join("; ")
    }
}
