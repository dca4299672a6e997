//! The topology: nodes on a ring coloured by role, links coloured by state, messages in flight as
//! dots moving along them. Click a node to inspect it, a link to change it; gather nodes into a
//! group to partition them from the rest, and heal in one click.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::engine::action::Action;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::protocol::NodeStatus;
use crate::ui::state::{Selection, UiAction, use_app};
use crate::view::format::{self, coord};
use crate::view::topology::{LinkState, TopologyLayout};

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub layout: Rc<TopologyLayout>,
    pub group: Vec<NodeId>,
    pub selected_node: Option<NodeId>,
    pub selected_link: Option<(NodeId, NodeId)>,
    pub partitioned: bool,
    /// Why the declared model forbids partitions now, if it does.
    #[prop_or_default]
    pub no_partitions: Option<String>,
    /// Nodes lit up by a guided step or a mention of them.
    #[prop_or_default]
    pub spotlight: Vec<NodeId>,
}

/// What a click (or Enter) on the topology means: select a node, a link or a message, or with Shift
/// add a node to the group to partition.
fn topology_action(event: &web_sys::Event, shift: bool) -> Option<UiAction> {
    let element = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-k]").ok().flatten())?;
    let number = |name: &str| {
        element
            .get_attribute(name)
            .and_then(|v| v.parse::<u32>().ok())
    };
    match element.get_attribute("data-k").as_deref() {
        Some("n") => number("data-id").map(|id| {
            if shift {
                UiAction::ToggleGroup(NodeId(id))
            } else {
                UiAction::Select(Selection::Node(NodeId(id)))
            }
        }),
        Some("l") => number("data-a")
            .zip(number("data-b"))
            .map(|(a, b)| UiAction::Select(Selection::Link(NodeId(a), NodeId(b)))),
        Some("m") => number("data-id").map(|id| UiAction::Select(Selection::Message(EventId(id)))),
        _ => None,
    }
}

#[function_component]
pub fn TopologyPanel(props: &TopologyProps) -> Html {
    let app = use_app();
    let layout = &props.layout;
    let onkeydown = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ")
                && let Some(action) = topology_action(&e, e.shift_key())
            {
                e.prevent_default();
                dispatch.dispatch(action);
            }
        })
    };
    let onclick = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(action) = topology_action(&e, e.shift_key()) {
                dispatch.dispatch(action);
            }
        })
    };
    let n = layout.nodes.len();
    // Neighbours on a big ring sit closer than two full-size circles: shrink them so they never touch.
    let spacing = std::f64::consts::TAU * layout.radius / n.max(1) as f64;
    let node_r = if n > 12 {
        (spacing * 0.42).clamp(2.5, 9.0)
    } else {
        16.0
    };
    // Past a few dozen links, full-weight lines and dots would fill the ring solid.
    let dense = layout.links.len() > 60;
    let message_r = if dense { "2" } else { "3.2" };
    let group = props.group.clone();
    let partition = {
        let dispatch = app.dispatch.clone();
        let group = group.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(UiAction::Intervene(Action::Partition {
                groups: vec![group.clone()],
            }));
        })
    };
    let heal = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Intervene(Action::Heal)))
    };
    let can_partition = !group.is_empty() && group.len() < n;
    // A legend for the link states on show other than healthy (a slow or lossy link, a held one,
    // a cut one).
    let mut unusual: Vec<LinkState> = layout
        .links
        .iter()
        .map(|l| l.state())
        .filter(|s| *s != LinkState::Healthy)
        .collect();
    unusual.sort();
    unusual.dedup();
    let traitors = layout.nodes.iter().any(|node| node.traitor.is_some());

    html! {
        <section class="panel panel-topology" aria-labelledby="topology-title" data-region="topology">
            <div class="panel-head">
                <h2 id="topology-title" class="panel-title">{ "Topology" }</h2>
                <span class="panel-hint">{ "shift-click: group" }</span>
            </div>
            <svg class={classes!("topology", dense.then_some("is-dense"))} viewBox={format!("0 0 {0} {0}", coord(layout.size))} role="group"
                aria-label="Nodes and links" {onclick} {onkeydown}>
                { for layout.links.iter().map(|link| {
                    let selected = props.selected_link == Some((link.a, link.b));
                    html! {
                        <g key={format!("{}-{}", link.a.0, link.b.0)}
                            class={classes!("topo-link", link.state().class(), selected.then_some("is-selected"))}
                            data-k="l" data-a={link.a.0.to_string()} data-b={link.b.0.to_string()}
                            tabindex="0" role="button" aria-label={format!("link {} ⇄ {}: inspect", link.a, link.b)}>
                            <line class="hit" x1={coord(link.x1)} y1={coord(link.y1)} x2={coord(link.x2)} y2={coord(link.y2)} />
                            <line class="stroke" x1={coord(link.x1)} y1={coord(link.y1)} x2={coord(link.x2)} y2={coord(link.y2)} />
                            <title>{ format!("{} ⇄ {}: {}", link.a, link.b, link.state().describe()) }</title>
                        </g>
                    }
                }) }
                { for layout.messages.iter().map(|m| html! {
                    <circle key={m.send.0} class={classes!("topo-message", m.held.then_some("is-held"), m.doomed.then_some("is-doomed"))}
                        cx={coord(m.x)} cy={coord(m.y)} r={message_r} data-k="m" data-id={m.send.0.to_string()} />
                }) }
                { for layout.nodes.iter().map(|node| {
                    let tone = node.role.as_deref().map_or("none", format::role_tone);
                    let status = match node.status {
                        NodeStatus::Up => "up",
                        NodeStatus::Crashed => "crashed",
                        NodeStatus::Paused => "paused",
                        NodeStatus::NotStarted => "idle",
                    };
                    let grouped = props.group.contains(&node.node);
                    let selected = props.selected_node == Some(node.node);
                    html! {
                        <g key={node.node.0} class={classes!("topo-node", format!("tone-{tone}"), format!("status-{status}"),
                                grouped.then_some("is-grouped"), selected.then_some("is-selected"), node.traitor.is_some().then_some("is-traitor"),
                                props.spotlight.contains(&node.node).then_some("is-spotlit"))}
                            data-k="n" data-id={node.node.0.to_string()} data-node={node.name.clone()}
                            tabindex="0" role="button" aria-label={format!("{}: inspect", node.name)}>
                            if grouped {
                                <circle class="group-ring" cx={coord(node.x)} cy={coord(node.y)} r={coord(node_r + 5.0)} />
                            }
                            if node.traitor.is_some() {
                                <circle class="traitor-ring" cx={coord(node.x)} cy={coord(node.y)} r={coord(node_r + 4.0)} />
                            }
                            <circle class="body" cx={coord(node.x)} cy={coord(node.y)} r={coord(node_r)} />
                            if n <= 16 {
                                <text x={coord(node.x)} y={coord(node.y + 4.0)}>{ &node.name }</text>
                            }
                            <title>{ match node.traitor {
                                Some(strategy) => format!("{} · {} · {} · traitor ({})", node.name, node.role.as_deref().unwrap_or("no role"), status, strategy.label()),
                                None => format!("{} · {} · {}", node.name, node.role.as_deref().unwrap_or("no role"), status),
                            } }</title>
                        </g>
                    }
                }) }
            </svg>
            if !unusual.is_empty() || traitors {
                <ul class="topo-legend" aria-label="Link states and traitors shown">
                    if traitors {
                        <li class="topo-traitor">
                            <svg width="22" height="12" aria-hidden="true"><circle class="traitor-ring" cx="11" cy="6" r="5" /></svg>
                            { "traitor: lies in what it sends" }
                        </li>
                    }
                    { for unusual.iter().map(|state| html! {
                        <li class={classes!("topo-link", state.class())}>
                            <svg width="22" height="8" aria-hidden="true"><line class="stroke" x1="1" y1="4" x2="21" y2="4" /></svg>
                            { state.describe() }
                        </li>
                    }) }
                </ul>
            }
            <div class="partition-bar">
                <div class="chips" role="group" aria-label="Nodes in the group to partition">
                    { for layout.nodes.iter().map(|node| {
                        let on = props.group.contains(&node.node);
                        let dispatch = app.dispatch.clone();
                        let id = node.node;
                        html! {
                            <button type="button" class={classes!("chip", on.then_some("is-on"))} aria-pressed={on.to_string()}
                                onclick={Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ToggleGroup(id)))}>
                                { &node.name }
                            </button>
                        }
                    }) }
                </div>
                <div class="partition-actions">
                    <button type="button" class="button button-small" disabled={!can_partition || props.no_partitions.is_some()} onclick={partition}
                        title={props.no_partitions.clone().unwrap_or_else(|| "Cut the chosen nodes off from the rest".to_string())}>{ "Partition" }</button>
                    <button type="button" class="button button-small" disabled={!props.partitioned} onclick={heal}
                        title="Remove every partition">{ "Heal" }</button>
                </div>
            </div>
        </section>
    }
}
