//! The inspector: whatever is selected, with the interventions that apply to it. A node shows its
//! protocol state, its clocks against true time and its timestamps; a link its configuration; a
//! message its payload and fate; an event its details.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::empty_state::EmptyState;
use super::icons;
use super::text_edit::TextEdit;
use crate::engine::action::Action;
use crate::engine::byzantine::Strategy;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::network::{Delay, LinkConfig};
use crate::engine::protocol::NodeStatus;
use crate::ui::state::{Note, NoteKind, Selection, UiAction, use_app};
use crate::view::details::Details;
use crate::view::format;
use crate::view::frame::{Inspect, LinkInspect, MessageInspect, NodeInspect, OpInspect};

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub inspect: Option<Rc<Inspect>>,
    pub protocol: Option<&'static str>,
}

#[function_component]
pub fn InspectorPanel(props: &InspectorProps) -> Html {
    let content = match props.inspect.as_deref() {
        None | Some(Inspect::None) => html! {
            <EmptyState
                icon={icons::cursor()}
                title="Nothing selected"
                body="Select a node, a message or an event in the diagram to see its state, its clocks \
                      and its causes."
            />
        },
        Some(Inspect::Node(node)) => html! { <NodeView node={node.clone()} /> },
        Some(Inspect::Link(link)) => html! { <LinkView link={link.clone()} /> },
        Some(Inspect::Message(message)) => html! { <MessageView message={message.clone()} /> },
        Some(Inspect::Event(id, details)) => {
            html! { <EventView id={*id} details={details.clone()} /> }
        }
        Some(Inspect::Operation(op)) => html! { <OperationView op={op.clone()} /> },
    };
    html! {
        <aside class="panel panel-inspector" aria-labelledby="inspector-title" data-region="inspector" tabindex="0">
            <div class="panel-head">
                <h2 id="inspector-title" class="panel-title">{ "Inspector" }</h2>
            </div>
            <div class="inspector-body">{ content }</div>
        </aside>
    }
}

fn intervene(app: &crate::ui::state::AppContext, action: Action) -> Callback<MouseEvent> {
    let dispatch = app.dispatch.clone();
    Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Intervene(action.clone())))
}

fn kv(rows: &[(String, String)]) -> Html {
    html! {
        <dl class="kv">
            { for rows.iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
        </dl>
    }
}

/// A control's name as the inspector's button says it.
fn verb(name: &str) -> &'static str {
    match name {
        "crash" => "Crash",
        "restart" => "Restart",
        "pause" => "Pause",
        "expire" => "Force timeout",
        "drop" => "Drop",
        "duplicate" => "Duplicate",
        "delay" => "Delay",
        "corrupt" => "Corrupt",
        _ => "Make traitor",
    }
}

#[derive(Properties, PartialEq)]
struct TraitorProps {
    node: NodeId,
    traitor: Option<Strategy>,
    /// Why the declared model forbids a traitor here, if it does.
    forbidden: Option<String>,
}

/// A Byzantine protocol's node: how it lies, or a strategy to make it a traitor with.
#[function_component]
fn Traitor(props: &TraitorProps) -> Html {
    let app = use_app();
    let chosen = use_state(|| Strategy::TwoFaced);
    if let Some(strategy) = props.traitor {
        return html! {
            <p class="traitor-note" data-testid="traitor">
                <strong>{ format!("Traitor ({})", strategy.label()) }</strong>
                { format!(": {}.", strategy.describe()) }
            </p>
        };
    }
    let on_choose = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(strategy) = Strategy::from_name(&value) {
                chosen.set(strategy);
            }
        })
    };
    let make = intervene(
        &app,
        Action::Traitor {
            node: props.node,
            strategy: *chosen,
        },
    );
    html! {
        <div class="traitor-form" role="group" aria-label={format!("Make {} a traitor", props.node)}>
            <select class="select" onchange={on_choose} aria-label="How the traitor lies" title={chosen.describe()}>
                { for Strategy::ALL.into_iter().map(|s| html! {
                    <option value={s.name()} selected={s == *chosen}>{ s.label() }</option>
                }) }
            </select>
            <button type="button" class="button button-small button-danger" data-action="make-traitor"
                disabled={props.forbidden.is_some()}
                title={props.forbidden.clone().unwrap_or_else(|| format!("From now on, {} {}", props.node, chosen.describe()))}
                onclick={make}>
                { "Make traitor" }
            </button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NodeProps {
    node: NodeInspect,
}

#[function_component]
fn NodeView(props: &NodeProps) -> Html {
    let app = use_app();
    let request_ref = use_node_ref();
    let n = &props.node.node;
    let id = n.id;
    let tone = n
        .view
        .as_ref()
        .and_then(|v| v.role.as_deref())
        .map_or("none", format::role_tone);
    let (status, status_class) = match n.status {
        NodeStatus::Up => ("up", "pill-up"),
        NodeStatus::Crashed => ("crashed", "pill-crashed"),
        NodeStatus::Paused => ("paused", "pill-paused"),
        NodeStatus::NotStarted => ("not started", "pill-idle"),
    };
    let role = n.view.as_ref().and_then(|v| v.role.clone());
    let send_request = {
        let dispatch = app.dispatch.clone();
        let request_ref = request_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(area) = request_ref.cast::<HtmlTextAreaElement>() else {
                return;
            };
            match serde_json::from_str::<serde_json::Value>(&area.value()) {
                Ok(op) => {
                    dispatch.dispatch(UiAction::Intervene(Action::ClientRequest { node: id, op }))
                }
                Err(error) => dispatch.dispatch(UiAction::Note(Some(Note {
                    kind: NoteKind::Error,
                    text: format!("The request is not valid JSON: {error}"),
                }))),
            }
        })
    };
    let offset = n.clock_us.saturating_sub(props.node.now as i64);
    let clock_rows = vec![
        ("true time".to_string(), format::time(props.node.now)),
        (
            "local clock".to_string(),
            crate::engine::time::format_us(i128::from(n.clock_us)),
        ),
        ("offset".to_string(), format::offset(offset)),
        ("drift".to_string(), format!("{} ppm", n.drift_ppm)),
        ("Lamport".to_string(), n.lamport.to_string()),
        (
            "vector".to_string(),
            props.node.vector.clone().unwrap_or_else(|| "—".to_string()),
        ),
    ];
    let up = n.status == NodeStatus::Up;
    let why = |name: &str| {
        props
            .node
            .forbidden
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, why)| why.clone())
    };
    // Only the reasons for controls on show: Restart while crashed, Crash while not.
    let crashed = n.status == NodeStatus::Crashed;
    let byzantine = props.node.byzantine;
    let shown = move |name: &str| match name {
        "restart" => crashed,
        "crash" => !crashed,
        "traitor" => byzantine,
        _ => true,
    };
    html! {
        <div class="inspect inspect-node" data-node={id.to_string()}>
            <div class="inspect-head">
                <span class={classes!("node-badge", format!("tone-{tone}"))}>{ id.to_string() }</span>
                <div class="inspect-title">
                    <p class="inspect-name" data-testid="role">{ role.clone().unwrap_or_else(|| "node".to_string()) }</p>
                    <span class={classes!("pill", status_class)}>{ status }</span>
                </div>
            </div>
            <div class="action-grid" role="group" aria-label={format!("Interventions on {id}")}>
                if n.status == NodeStatus::Crashed {
                    <button type="button" class="button button-small" disabled={why("restart").is_some()}
                        title={why("restart")} onclick={intervene(&app, Action::Restart { node: id })}>{ "Restart" }</button>
                } else {
                    <button type="button" class="button button-small button-danger" disabled={why("crash").is_some()}
                        title={why("crash")} onclick={intervene(&app, Action::Crash { node: id })}>{ "Crash" }</button>
                }
                if n.status == NodeStatus::Paused {
                    <button type="button" class="button button-small" onclick={intervene(&app, Action::Resume { node: id })}>{ "Resume" }</button>
                } else {
                    <button type="button" class="button button-small" disabled={!up || why("pause").is_some()}
                        title={why("pause")} onclick={intervene(&app, Action::Pause { node: id })}>{ "Pause" }</button>
                }
                <button type="button" class="button button-small" disabled={!up || why("expire").is_some()}
                    title={why("expire").unwrap_or_else(|| "Fire every pending timer now".to_string())}
                    onclick={intervene(&app, Action::ExpireTimers { node: id })}>{ "Force timeout" }</button>
                <button type="button" class="button button-small" title="Set the clock back 100 ms"
                    onclick={intervene(&app, Action::ClockJump { node: id, by_us: -100_000 })}>{ "Clock −100ms" }</button>
                <button type="button" class="button button-small" title="Move the clock on 100 ms"
                    onclick={intervene(&app, Action::ClockJump { node: id, by_us: 100_000 })}>{ "Clock +100ms" }</button>
                <button type="button" class="button button-small" title="Run the clock 1 % fast"
                    onclick={intervene(&app, Action::ClockDrift { node: id, ppm: if n.drift_ppm == 0 { 10_000 } else { 0 } })}>
                    { if n.drift_ppm == 0 { "Skew +1 %" } else { "Sync rate" } }
                </button>
            </div>
            if props.node.byzantine {
                <Traitor node={id} traitor={n.traitor} forbidden={why("traitor")} />
            }
            if !props.node.forbidden.is_empty() {
                <ul class="model-forbids" aria-label="What the system model rules out here">
                    { for props.node.forbidden.iter().filter(|(name, _)| shown(name)).map(|(name, why)| html! {
                        <li><strong>{ verb(name) }</strong>{ format!(": {why}") }</li>
                    }) }
                </ul>
            }
            if let Some(text) = n.text.clone().filter(|_| up) {
                <TextEdit node={id} {text} />
            }
            if let Some(example) = &props.node.example_request {
                <form class="request-form" onsubmit={send_request}>
                    <label class="field">
                        <span class="field-label">{ format!("Client request to {id}") }</span>
                        <textarea ref={request_ref} class="input input-code" rows="2" spellcheck="false"
                            value={example.clone()} />
                    </label>
                    <button type="submit" class="button button-small">{ "Send request" }</button>
                </form>
            } else {
                <p class="panel-empty" data-testid="no-requests">{ "This protocol takes no client requests." }</p>
            }
            <h3 class="section-title">{ "Clocks" }</h3>
            { kv(&clock_rows) }
            if let Some(view) = &n.view {
                <h3 class="section-title">{ "Protocol state" }</h3>
                { kv(&view.fields) }
                { for view.tables.iter().map(|table| html! {
                    // Focusable, so a table wider than the column scrolls from the keyboard too.
                    <div class="table-wrap" tabindex="0" role="region" aria-label={table.title.clone()}>
                        <h4 class="table-title">{ &table.title }</h4>
                        if table.rows.is_empty() {
                            <p class="panel-empty">{ "empty" }</p>
                        } else {
                            <table class="data-table">
                                <thead><tr>{ for table.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                                <tbody>
                                    { for table.rows.iter().map(|row| html! {
                                        <tr>{ for row.iter().map(|cell| html! { <td>{ cell }</td> }) }</tr>
                                    }) }
                                </tbody>
                            </table>
                        }
                    </div>
                }) }
            } else if n.status == NodeStatus::NotStarted {
                <p class="panel-empty">{ "Not started yet: it starts when the run does (press Play or step)." }</p>
            } else {
                <p class="panel-empty">{ "Crashed: its volatile state is gone; stable storage survives until it restarts." }</p>
            }
            if !n.timers.is_empty() {
                <h3 class="section-title">{ "Pending timers" }</h3>
                <ul class="timer-list">
                    { for n.timers.iter().map(|t| html! {
                        <li><span>{ t.name }</span><span class="muted">{ format!("fires at {}", format::time(t.fires_at.0)) }</span></li>
                    }) }
                </ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LinkProps {
    link: LinkInspect,
}

fn percent_to_ppm(text: &str) -> Option<u32> {
    let value: f64 = text.trim().parse().ok()?;
    (0.0..=100.0)
        .contains(&value)
        .then(|| (value * 10_000.0).round() as u32)
}

fn ms_to_us(text: &str) -> Option<u64> {
    let value: f64 = text.trim().parse().ok()?;
    (0.0..=3_600_000.0)
        .contains(&value)
        .then(|| (value * 1_000.0).round() as u64)
}

#[function_component]
fn LinkView(props: &LinkProps) -> Html {
    let app = use_app();
    let link = &props.link;
    let (a, b) = (link.a, link.b);
    let direction = use_node_ref();
    let loss = use_node_ref();
    let duplicate = use_node_ref();
    let delay_min = use_node_ref();
    let delay_max = use_node_ref();
    let fifo = use_node_ref();
    let (min_us, max_us) = link.forward.delay.bounds_us();
    // The editor leaves a link's corruption as it is.
    let corrupt = (link.forward.corrupt_ppm, link.backward.corrupt_ppm);
    let apply = {
        let dispatch = app.dispatch.clone();
        let refs = (
            direction.clone(),
            loss.clone(),
            duplicate.clone(),
            delay_min.clone(),
            delay_max.clone(),
            fifo.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let parsed = (
                percent_to_ppm(&value(&refs.1)),
                percent_to_ppm(&value(&refs.2)),
                ms_to_us(&value(&refs.3)),
                ms_to_us(&value(&refs.4)),
            );
            let (Some(loss_ppm), Some(duplicate_ppm), Some(min_us), Some(max_us)) = parsed else {
                dispatch.dispatch(UiAction::Note(Some(Note {
                    kind: NoteKind::Error,
                    text: "Loss and duplication are percentages from 0 to 100; delays are milliseconds.".into(),
                })));
                return;
            };
            let config = LinkConfig {
                delay: if min_us == max_us {
                    Delay::Constant { us: min_us }
                } else {
                    Delay::Uniform {
                        min_us: min_us.min(max_us),
                        max_us: max_us.max(min_us),
                    }
                },
                loss_ppm,
                duplicate_ppm,
                fifo: refs
                    .5
                    .cast::<HtmlInputElement>()
                    .is_some_and(|i| i.checked()),
                corrupt_ppm: 0,
            };
            let which = refs
                .0
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let pairs: Vec<(NodeId, NodeId)> = match which.as_str() {
                "forward" => vec![(a, b)],
                "backward" => vec![(b, a)],
                _ => vec![(a, b), (b, a)],
            };
            for (from, to) in pairs {
                let corrupt_ppm = if from == a { corrupt.0 } else { corrupt.1 };
                dispatch.dispatch(UiAction::Intervene(Action::SetLink {
                    from,
                    to,
                    link: LinkConfig {
                        corrupt_ppm,
                        ..config
                    },
                }));
            }
        })
    };
    let config_rows = |config: &LinkConfig| {
        let (lo, hi) = config.delay.bounds_us();
        let mut rows = vec![
            (
                "delay".to_string(),
                if lo == hi {
                    format::time(lo)
                } else {
                    format!("{} – {}", format::time(lo), format::time(hi))
                },
            ),
            ("loss".to_string(), format::ppm_percent(config.loss_ppm)),
            (
                "duplication".to_string(),
                format::ppm_percent(config.duplicate_ppm),
            ),
            (
                "FIFO".to_string(),
                if config.fifo { "yes" } else { "no" }.to_string(),
            ),
        ];
        if config.corrupt_ppm > 0 {
            rows.push((
                "corrupted".to_string(),
                format::ppm_percent(config.corrupt_ppm),
            ));
        }
        rows
    };
    let held_forward = link.forward_state == crate::view::topology::LinkState::Held;
    let held_backward = link.backward_state == crate::view::topology::LinkState::Held;
    html! {
        <div class="inspect inspect-link">
            <div class="inspect-head">
                <span class="node-badge tone-none">{ "⇄" }</span>
                <div class="inspect-title">
                    <p class="inspect-name">{ format!("Link {a} ⇄ {b}") }</p>
                </div>
            </div>
            <h3 class="section-title">{ format!("{a} → {b} · {}", link.forward_state.describe()) }</h3>
            { kv(&config_rows(&link.forward)) }
            <h3 class="section-title">{ format!("{b} → {a} · {}", link.backward_state.describe()) }</h3>
            { kv(&config_rows(&link.backward)) }
            <div class="action-grid">
                if held_forward {
                    <button type="button" class="button button-small" onclick={intervene(&app, Action::Release { from: a, to: b })}>{ format!("Release {a}→{b}") }</button>
                } else {
                    <button type="button" class="button button-small" onclick={intervene(&app, Action::Hold { from: a, to: b })}>{ format!("Hold {a}→{b}") }</button>
                }
                if held_backward {
                    <button type="button" class="button button-small" onclick={intervene(&app, Action::Release { from: b, to: a })}>{ format!("Release {b}→{a}") }</button>
                } else {
                    <button type="button" class="button button-small" onclick={intervene(&app, Action::Hold { from: b, to: a })}>{ format!("Hold {b}→{a}") }</button>
                }
            </div>
            <form class="link-form" onsubmit={apply}>
                <h3 class="section-title">{ "Change the link" }</h3>
                <label class="field">
                    <span class="field-label">{ "Direction" }</span>
                    <select ref={direction} class="select">
                        <option value="both">{ "both ways" }</option>
                        <option value="forward">{ format!("{a} → {b}") }</option>
                        <option value="backward">{ format!("{b} → {a}") }</option>
                    </select>
                </label>
                <div class="field-row">
                    <label class="field">
                        <span class="field-label">{ "Loss %" }</span>
                        <input ref={loss} class="input" type="number" min="0" max="100" step="any"
                            value={(f64::from(link.forward.loss_ppm) / 10_000.0).to_string()} />
                    </label>
                    <label class="field">
                        <span class="field-label">{ "Duplicate %" }</span>
                        <input ref={duplicate} class="input" type="number" min="0" max="100" step="any"
                            value={(f64::from(link.forward.duplicate_ppm) / 10_000.0).to_string()} />
                    </label>
                </div>
                <div class="field-row">
                    <label class="field">
                        <span class="field-label">{ "Delay min ms" }</span>
                        <input ref={delay_min} class="input" type="number" min="0" step="any"
                            value={(min_us as f64 / 1_000.0).to_string()} />
                    </label>
                    <label class="field">
                        <span class="field-label">{ "Delay max ms" }</span>
                        <input ref={delay_max} class="input" type="number" min="0" step="any"
                            value={(max_us as f64 / 1_000.0).to_string()} />
                    </label>
                </div>
                <label class="field field-check">
                    <input ref={fifo} type="checkbox" checked={link.forward.fifo} />
                    <span>{ "FIFO: deliver in send order" }</span>
                </label>
                <button type="submit" class="button button-small button-primary">{ "Apply" }</button>
            </form>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct MessageProps {
    message: MessageInspect,
}

#[function_component]
fn MessageView(props: &MessageProps) -> Html {
    let app = use_app();
    let m = &props.message;
    let send = m.send;
    let why = |name: &str| {
        m.forbidden
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, why)| why.clone())
    };
    html! {
        <div class="inspect inspect-message">
            <div class="inspect-head">
                <span class="node-badge tone-none">{ "✉" }</span>
                <div class="inspect-title">
                    <p class="inspect-name">{ &m.details.title }</p>
                    if let Some(flight) = &m.in_flight {
                        <span class="pill pill-up">{ if flight.held { "held" } else { "in flight" } }</span>
                    }
                </div>
            </div>
            if let Some(flight) = &m.in_flight {
                { kv(&[
                    ("from → to".to_string(), format!("{} → {}", flight.from, flight.to)),
                    ("sent at".to_string(), format::time(flight.sent_at.0)),
                    ("arrives at".to_string(), format::time(flight.arrive_at.0)),
                ]) }
                if m.copies > 1 {
                    <p class="muted" data-testid="copies">{ format!("{} copies in flight: delivering one leaves the other on its way.", m.copies) }</p>
                }
                if let Some(reason) = flight.doomed {
                    <p class="muted">{ format!("It will be lost: {}.", reason.describe()) }</p>
                }
                <div class="action-grid" role="group" aria-label="Interventions on this message">
                    <button type="button" class="button button-small button-danger" data-action="drop"
                        disabled={why("drop").is_some()} title={why("drop")}
                        onclick={intervene(&app, Action::DropMessage { send })}>{ "Drop" }</button>
                    <button type="button" class="button button-small" disabled={why("duplicate").is_some()}
                        title={why("duplicate")}
                        onclick={intervene(&app, Action::DuplicateMessage { send })}>{ "Duplicate" }</button>
                    <button type="button" class="button button-small" disabled={why("delay").is_some()}
                        title={why("delay")}
                        onclick={intervene(&app, Action::DelayMessage { send, by_us: 50_000 })}>{ "Delay 50ms" }</button>
                    <button type="button" class="button button-small" onclick={intervene(&app, Action::DeliverMessage { send, one: false })}>{ if m.copies > 1 { "Deliver all now" } else { "Deliver now" } }</button>
                    if m.copies > 1 {
                        <button type="button" class="button button-small" data-action="deliver-one"
                            title="Deliver the copy due first; the other stays in flight"
                            onclick={intervene(&app, Action::DeliverMessage { send, one: true })}>{ "Deliver one copy" }</button>
                    }
                    if m.forgeable {
                        <button type="button" class="button button-small button-danger" data-action="corrupt"
                            disabled={why("corrupt").is_some()}
                            title={why("corrupt").unwrap_or_else(|| "The link rewrites the message on the way; it cannot sign".to_string())}
                            onclick={intervene(&app, Action::CorruptMessage { send })}>{ "Corrupt" }</button>
                    }
                </div>
                if !m.forbidden.is_empty() {
                    <ul class="model-forbids" aria-label="What the system model rules out here">
                        { for m.forbidden.iter().filter(|(name, _)| m.forgeable || *name != "corrupt").map(|(name, why)| html! {
                            <li><strong>{ verb(name) }</strong>{ format!(": {why}") }</li>
                        }) }
                    </ul>
                }
            } else if let Some(outcome) = &m.outcome {
                <p class="outcome" data-testid="outcome">{ outcome }</p>
            }
            { details_body(&m.details) }
        </div>
    }
}

fn details_body(details: &Details) -> Html {
    html! {
        <>
            { kv(&details.rows) }
            if let Some(payload) = &details.payload {
                <h3 class="section-title">{ "Payload" }</h3>
                // Focusable, so a long payload scrolls from the keyboard too.
                <pre class="payload" tabindex="0">{ payload }</pre>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct EventProps {
    id: EventId,
    details: Details,
}

#[function_component]
fn EventView(props: &EventProps) -> Html {
    let app = use_app();
    let id = props.id;
    let show_message = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(UiAction::Select(Selection::Message(id)))
        })
    };
    let is_send = props.details.rows.iter().any(|(k, _)| k == "from → to")
        && !props.details.title.ends_with("delivered")
        && !props.details.title.ends_with("dropped");
    html! {
        <div class="inspect inspect-event">
            <div class="inspect-head">
                <span class="node-badge tone-none">{ "•" }</span>
                <div class="inspect-title">
                    <p class="inspect-name">{ &props.details.title }</p>
                </div>
            </div>
            <p class="muted">{
                if props.details.title.ends_with("violated") {
                    "The events it involves are drawn in red in the diagram."
                } else {
                    "Its causal past is drawn in blue, its causal future in magenta; everything else is concurrent with it."
                }
            }</p>
            if is_send {
                <button type="button" class="button button-small" onclick={show_message}>{ "Show the message" }</button>
            }
            { details_body(&props.details) }
            if !props.details.involved.is_empty() {
                <h3 class="section-title">{ "Events involved" }</h3>
                <ul class="involved">
                    { for props.details.involved.iter().map(|(event, what)| {
                        let event = *event;
                        let dispatch = app.dispatch.clone();
                        let go = Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Reveal(event)));
                        html! {
                            <li><button type="button" class="link-button" onclick={go}
                                title="Go to this event">{ what }</button></li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct OperationProps {
    op: OpInspect,
}

/// A client operation picked in the history: what it asked and got, when, each of its requests
/// and answers (a click goes to it in the diagram), and what the checker's verdict says of it.
#[function_component]
fn OperationView(props: &OperationProps) -> Html {
    let app = use_app();
    let o = &props.op;
    let outcome = match (o.op.answer_text(), o.op.indeterminate()) {
        (Some(answer), _) => answer,
        (None, true) => "gave up: outcome unknown".to_string(),
        (None, false) => "no answer yet".to_string(),
    };
    let mut rows = vec![
        ("client".to_string(), o.client.clone()),
        ("asked".to_string(), o.op.describe()),
        ("answer".to_string(), outcome),
        ("requested at".to_string(), format::time(o.invoked_us)),
    ];
    if let Some(end) = o.finished_us {
        rows.push((
            "took".to_string(),
            format::time(end.saturating_sub(o.invoked_us)),
        ));
    }
    html! {
        <div class="inspect inspect-operation">
            <div class="inspect-head">
                <span class="node-badge tone-none">{ "⇅" }</span>
                <div class="inspect-title">
                    <p class="inspect-name">{ format!("Operation {}", o.op.op) }</p>
                </div>
            </div>
            { kv(&rows) }
            if let Some(verdict) = &o.verdict {
                <p class="outcome" data-testid="op-verdict">{ verdict }</p>
            }
            <p class="muted">{ "Its requests and answers are drawn in red in the diagram." }</p>
            <h3 class="section-title">{ "Requests and answers" }</h3>
            <ul class="involved">
                { for o.steps.iter().map(|(event, at, what)| {
                    let event = *event;
                    let dispatch = app.dispatch.clone();
                    let go = Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Reveal(event)));
                    html! {
                        <li><button type="button" class="link-button" onclick={go}
                            title="Go to this event">{ format!("{}: {what}", format::time(*at)) }</button></li>
                    }
                }) }
            </ul>
        </div>
    }
}
