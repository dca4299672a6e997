//! The space-time diagram: draws a `DiagramLayout` as SVG. One listener on the SVG handles clicks
//! and hovers for every mark and arrow (each carries `data-k`, its kind, and `data-id`), so a frame
//! with thousands of elements creates no closures per element.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::empty_state::EmptyState;
use super::icons;
use super::size::use_size;
use crate::engine::ids::{EventId, NodeId};
use crate::engine::protocol::NodeStatus;
use crate::ui::state::{Selection, Ui, UiAction, use_app};
use crate::view::details::{self, Details};
use crate::view::diagram::{
    self, ArrowState, BandKind, DiagramLayout, Emphasis, GUTTER_PX, HEADER_PX, Hit, MarkKind,
    SpanKind, Stamps,
};
use crate::view::format::{self, coord};

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub layout: Option<Rc<DiagramLayout>>,
    pub follow: bool,
    pub stamps: Stamps,
    /// The logical clock the protocol keeps itself, whose stamps are printed (`Run::own_clock`).
    #[prop_or_default]
    pub own_clock: Option<&'static str>,
    pub selection: Selection,
    /// Nodes lit up by a guided step or a mention of them.
    #[prop_or_default]
    pub spotlight: Vec<NodeId>,
    /// Whether the run has a client history to show, and whether it is shown.
    #[prop_or_default]
    pub history_available: bool,
    #[prop_or_default]
    pub history_open: bool,
    /// What sits beside the diagram, on its time axis (the history).
    #[prop_or_default]
    pub children: Html,
    /// What sits under the diagram and whatever is beside it (why a history fails).
    #[prop_or_default]
    pub below: Html,
}

/// Scrolling over `element` pans the time axis; Ctrl or ⌘ with the wheel zooms around the pointer.
/// It must be able to cancel the page's own scrolling, so it is registered as a non-passive
/// listener. The diagram and the history beside it both take it.
pub fn wheel_listener(
    element: &web_sys::Element,
    dispatch: UseReducerDispatcher<Ui>,
) -> EventListener {
    let target = element.clone();
    EventListener::new_with_options(
        element,
        "wheel",
        EventListenerOptions::enable_prevent_default(),
        move |event| {
            let Some(wheel) = event.dyn_ref::<web_sys::WheelEvent>() else {
                return;
            };
            let height = f64::from(target.client_height()).max(1.0) - HEADER_PX;
            let rect = target.get_bounding_client_rect();
            let y = f64::from(wheel.client_y()) - rect.top() - HEADER_PX;
            let delta = wheel.delta_y().clamp(-400.0, 400.0);
            if delta == 0.0 {
                return;
            }
            wheel.prevent_default();
            if wheel.ctrl_key() || wheel.meta_key() {
                dispatch.dispatch(UiAction::Zoom {
                    factor: (delta / 300.0).exp(),
                    anchor: y / height.max(1.0),
                });
            } else {
                dispatch.dispatch(UiAction::Pan(delta / height.max(1.0)));
            }
        },
    )
}

/// What the pointer is over.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hover {
    kind: char,
    id: u32,
    x: f64,
    y: f64,
}

/// Reads `data-k` and `data-id` from the nearest marked element under an event.
fn target_of(event: &web_sys::Event) -> Option<(char, u32)> {
    let element = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let marked = element.closest("[data-k]").ok()??;
    let kind = marked.get_attribute("data-k")?.chars().next()?;
    let id = marked.get_attribute("data-id")?.parse().ok()?;
    Some((kind, id))
}

/// The action for clicking (or pressing Enter on) a marked element.
fn choose(target: Option<(char, u32)>) -> UiAction {
    UiAction::Select(match target {
        Some(('e' | 'd', id)) => Selection::Event(EventId(id)),
        Some(('m', id)) => Selection::Message(EventId(id)),
        Some(('n', id)) => Selection::Node(NodeId(id)),
        Some(('v', id)) => return UiAction::Reveal(EventId(id)),
        _ => Selection::None,
    })
}

/// What is under the pointer: an element that names itself, else the nearest batched mark or arrow,
/// found in the layout.
fn pick(event: &MouseEvent, canvas: &NodeRef, layout: &DiagramLayout) -> Option<(char, u32)> {
    if let Some(found) = target_of(event) {
        return Some(found);
    }
    let rect = canvas
        .cast::<web_sys::Element>()?
        .get_bounding_client_rect();
    let x = f64::from(event.client_x()) - rect.left();
    let y = f64::from(event.client_y()) - rect.top();
    if y < HEADER_PX {
        return None;
    }
    match layout.hit(x, y - layout.shift_y)? {
        Hit::Event(e) => Some(('e', e.0)),
        Hit::Message(send) => Some(('m', send.0)),
    }
}

#[function_component]
pub fn DiagramPanel(props: &DiagramProps) -> Html {
    let app = use_app();
    let canvas = use_node_ref();
    let hover = use_state(|| None::<Hover>);

    // Measure the canvas now and whenever it changes size: with the window, and with whatever
    // shares the stage (the lesson plot, a note).
    {
        let dispatch = app.dispatch.clone();
        use_size(
            canvas.clone(),
            props.layout.is_some(),
            Callback::from(move |(w, h)| dispatch.dispatch(UiAction::Resize(w, h))),
        );
    }

    // Wheel: pans and zooms the time axis.
    {
        let canvas = canvas.clone();
        let dispatch = app.dispatch.clone();
        let loaded = props.layout.is_some();
        use_effect_with(loaded, move |_| {
            let listener = canvas
                .cast::<web_sys::Element>()
                .map(|element| wheel_listener(&element, dispatch));
            move || drop(listener)
        });
    }

    let Some(layout) = props.layout.clone() else {
        return html! {
            <section id="diagram" class="panel panel-diagram" aria-labelledby="diagram-title" data-region="diagram">
                <div class="panel-head">
                    <h2 id="diagram-title" class="panel-title">{ "Space-time diagram" }</h2>
                </div>
                <div class="diagram-canvas" ref={canvas}>
                    <EmptyState
                        large=true
                        icon={icons::lanes()}
                        title="No simulation yet"
                        body="Open a scenario and its run is drawn here: one lane per node, time flowing \
                              down, and an arrow for every message, so you can see which events caused which."
                    />
                </div>
            </section>
        };
    };

    let onclick = {
        let dispatch = app.dispatch.clone();
        let canvas = canvas.clone();
        let layout = layout.clone();
        Callback::from(move |e: MouseEvent| {
            dispatch.dispatch(choose(pick(&e, &canvas, &layout)));
        })
    };
    // Lane headers, messages in flight, drops and violations are focusable: Enter or Space on one
    // selects it, as a click would.
    let onkeydown = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ")
                && let Some(target) = target_of(&e)
            {
                e.prevent_default();
                dispatch.dispatch(choose(Some(target)));
            }
        })
    };
    let onmousemove = {
        let hover = hover.clone();
        let canvas = canvas.clone();
        let layout = layout.clone();
        Callback::from(move |e: MouseEvent| {
            let next = pick(&e, &canvas, &layout).and_then(|(kind, id)| {
                let element = canvas.cast::<web_sys::Element>()?;
                let rect = element.get_bounding_client_rect();
                Some(Hover {
                    kind,
                    id,
                    x: f64::from(e.client_x()) - rect.left(),
                    y: f64::from(e.client_y()) - rect.top(),
                })
            });
            let same = match (&next, &*hover) {
                (Some(a), Some(b)) => a.kind == b.kind && a.id == b.id,
                (None, None) => true,
                _ => false,
            };
            if !same {
                hover.set(next);
            }
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };

    let card = (*hover).and_then(|h| {
        let details = match h.kind {
            'e' | 'm' | 'd' | 'v' => {
                let session = app.session.0.borrow();
                let session = session.as_ref()?;
                details::event(session.run.as_ref(), EventId(h.id))
            }
            _ => None,
        }?;
        Some(hover_card(&details, h, layout.width, layout.height))
    });

    html! {
        <section id="diagram" class="panel panel-diagram" aria-labelledby="diagram-title" data-region="diagram">
            <div class="panel-head">
                <h2 id="diagram-title" class="panel-title">{ "Space-time diagram" }</h2>
                <div class="diagram-tools">
                    <Legend stamps={props.stamps} own_clock={props.own_clock}
                        in_doubt={props.layout.as_ref().is_some_and(|l| l.spans.iter().any(|s| s.kind == SpanKind::InDoubt))}
                        forged={props.layout.as_ref().is_some_and(|l| l.arrows.iter().any(|a| a.state == ArrowState::Forged))} />
                    if props.history_available {
                        <button type="button" class={classes!("button", "button-small", props.history_open.then_some("is-on"))}
                            aria-pressed={props.history_open.to_string()} data-action="history"
                            title="The clients' operations beside the diagram, with the linearizability checker's verdict (H)"
                            onclick={{
                                let dispatch = app.dispatch.clone();
                                Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ToggleHistory))
                            }}>{ "History" }</button>
                    }
                </div>
            </div>
            <div class="diagram-row">
            <div class="diagram-canvas" ref={canvas} {onmouseleave}>
                <svg class="diagram"
                    width={coord(layout.width)} height={coord(layout.height)}
                    data-start-us={layout.start_us.to_string()} data-span-us={layout.span_us.to_string()}
                    role="group" aria-label="Space-time diagram: one lane per node, time flowing down"
                    {onclick} {onmousemove} {onkeydown}>
                    { drawing(&layout, props.selection, &props.spotlight) }
                </svg>
                { card.unwrap_or_default() }
                if layout.truncated {
                    <p class="diagram-notice">{ "Too much to draw at this zoom: zoom in to see every event." }</p>
                }
                if !props.follow {
                    <button type="button" class="button button-small diagram-follow"
                        onclick={{
                            let dispatch = app.dispatch.clone();
                            Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Follow))
                        }}>{ "↓ Back to now" }</button>
                }
            </div>
            { props.children.clone() }
            </div>
            { props.below.clone() }
        </section>
    }
}

/// What the diagram's SVG holds: the hatch pattern, lanes, events and arrows, and lane headers.
fn drawing(layout: &DiagramLayout, selection: Selection, spotlight: &[NodeId]) -> Html {
    html! {
        <>
            <defs>
                <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="6" height="6" class="hatch-bg" />
                    <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
                </pattern>
            </defs>
            { lanes_and_axis(layout, spotlight) }
            <g class="diagram-body" transform={format!("translate(0 {})", coord(layout.shift_y))}>
                { body(layout) }
            </g>
            { headers(layout, selection, spotlight) }
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct PictureProps {
    pub layout: Rc<DiagramLayout>,
    pub selection: Selection,
    pub spotlight: Vec<NodeId>,
}

/// The diagram drawn for an export only (the whole run, say): the same SVG as the panel's, with no
/// listeners, mounted on its own root away from the app, so it needs no app context.
#[function_component]
pub fn DiagramPicture(props: &PictureProps) -> Html {
    let layout = &props.layout;
    html! {
        <svg class="diagram" width={coord(layout.width)} height={coord(layout.height)}
            data-start-us={layout.start_us.to_string()} data-span-us={layout.span_us.to_string()}>
            { drawing(layout, props.selection, &props.spotlight) }
        </svg>
    }
}

/// The distance between two lanes (a lone lane gets room for a full header).
fn lane_width(layout: &DiagramLayout) -> f64 {
    layout
        .lanes
        .get(1)
        .zip(layout.lanes.first())
        .map_or(120.0, |(b, a)| b.x - a.x)
}

/// The static parts: lane lines and the gutter.
fn lanes_and_axis(layout: &DiagramLayout, spotlight: &[NodeId]) -> Html {
    let lane_w = lane_width(layout);
    html! {
        <g class="lanes">
            <rect class="gutter" x="0" y="0" width={coord(GUTTER_PX - 8.0)} height={coord(layout.height)} />
            { for layout.lanes.iter().filter(|lane| spotlight.contains(&lane.node)).map(|lane| html! {
                <rect key={format!("s{}", lane.node.0)} class="lane-spotlight"
                    x={coord(lane.x - lane_w * 0.4)} width={coord(lane_w * 0.8)}
                    y={coord(HEADER_PX)} height={coord((layout.height - HEADER_PX).max(0.0))} />
            }) }
            { for layout.lanes.iter().map(|lane| html! {
                <line key={lane.node.0} class="lane-line" x1={coord(lane.x)} x2={coord(lane.x)}
                    y1={coord(HEADER_PX)} y2={coord(layout.height)} />
            }) }
        </g>
    }
}

/// How much of a lane header fits its lane.
#[derive(Clone, Copy, PartialEq)]
enum HeaderFit {
    /// The name over the role (or crashed, paused).
    Full,
    /// The name alone; the role shows as the header's colour.
    Name,
    /// The name on its side, on every `every`-th lane (1: all of them); the rest are bare.
    Sideways { every: usize },
}

impl HeaderFit {
    fn for_lane(lane_w: f64) -> HeaderFit {
        if lane_w >= 44.0 {
            HeaderFit::Full
        } else if lane_w >= 26.0 {
            HeaderFit::Name
        } else {
            // A name on its side is about 11 px across.
            HeaderFit::Sideways {
                every: (12.0 / lane_w.max(1.0)).ceil() as usize,
            }
        }
    }

    fn width(self, lane_w: f64) -> f64 {
        match self {
            HeaderFit::Full => (lane_w - 8.0).clamp(36.0, 120.0),
            HeaderFit::Name => lane_w - 4.0,
            HeaderFit::Sideways { .. } => (lane_w - 2.0).max(2.0),
        }
    }
}

/// The lane headers, drawn last so the body scrolls under them. Narrow lanes get smaller headers
/// (see `HeaderFit`) so neighbours never overlap; every header keeps its full name and role in a
/// tooltip and its label.
fn headers(layout: &DiagramLayout, selection: Selection, spotlight: &[NodeId]) -> Html {
    let lane_w = lane_width(layout);
    let fit = HeaderFit::for_lane(lane_w);
    let w = fit.width(lane_w);
    html! {
        <g class={classes!("lane-headers", (fit != HeaderFit::Full).then_some("is-compact"))}>
            <rect class="header-bg" x="0" y="0" width={coord(layout.width)} height={coord(HEADER_PX - 4.0)} />
            { for layout.lanes.iter().enumerate().map(|(i, lane)| {
                let tone = lane.role.as_deref().map_or("none", format::role_tone);
                let status = match lane.status {
                    NodeStatus::Up => "up",
                    NodeStatus::Crashed => "crashed",
                    NodeStatus::Paused => "paused",
                    NodeStatus::NotStarted => "idle",
                };
                let selected = selection == Selection::Node(lane.node);
                let subtitle = match lane.status {
                    NodeStatus::Up if lane.traitor.is_some() => "traitor".to_string(),
                    NodeStatus::Up => lane.role.clone().unwrap_or_default(),
                    NodeStatus::Crashed => "crashed".to_string(),
                    NodeStatus::Paused => "paused".to_string(),
                    NodeStatus::NotStarted => "not started".to_string(),
                };
                let x = coord(lane.x);
                let label = match fit {
                    // The space after the name keeps it apart from the role in the header's text, which
                    // its accessible name repeats ("n1 follower").
                    HeaderFit::Full => html! {
                        <>
                            <text class="lane-name" x={x.clone()} y="19">{ format!("{} ", lane.name) }</text>
                            <text class="lane-role" {x} y="31">{ &subtitle }</text>
                        </>
                    },
                    HeaderFit::Name => html! {
                        <text class="lane-name" {x} y="25">{ &lane.name }</text>
                    },
                    HeaderFit::Sideways { every } if i % every == 0 => html! {
                        <text class="lane-name is-sideways" transform={format!("rotate(-90 {x} 21)")}
                            {x} y="21">{ &lane.name }</text>
                    },
                    HeaderFit::Sideways { .. } => html! {},
                };
                // The name a screen reader hears is the header's text, and so is its tooltip.
                let tooltip = match (lane.traitor, &lane.role) {
                    (Some(strategy), Some(role)) => format!("{} {subtitle} ({}), {role}", lane.name, strategy.label()),
                    _ => format!("{} {subtitle}", lane.name).trim_end().to_string(),
                };
                html! {
                    <g key={lane.node.0} class={classes!("lane-header", format!("tone-{tone}"), format!("status-{status}"), selected.then_some("is-selected"),
                        lane.traitor.is_some().then_some("is-traitor"),
                        spotlight.contains(&lane.node).then_some("is-spotlit"))}
                        data-k="n" data-id={lane.node.0.to_string()} data-node={lane.name.clone()}
                        tabindex="0" role="button" aria-pressed={selected.to_string()}
                        aria-label={tooltip.clone()}>
                        <rect x={coord(lane.x - w / 2.0)} y="5" width={coord(w)} height="32"
                            rx={if fit == HeaderFit::Full { "7" } else { "3" }} />
                        { label }
                        <title>{ tooltip }</title>
                    </g>
                }
            }) }
        </g>
    }
}

fn body(layout: &DiagramLayout) -> Html {
    let x_right = layout.width - 8.0;
    let bands = layout.bands.iter().map(|band| {
        let class = match band.kind {
            BandKind::Partition => "band band-partition",
            BandKind::Hold => "band band-hold",
        };
        html! {
            <g key={format!("b{}", band.event.0)} class={class} data-k="e" data-id={band.event.0.to_string()}>
                <rect x={coord(GUTTER_PX - 8.0)} y={coord(band.y0)} width={coord(x_right - GUTTER_PX + 8.0)}
                    height={coord((band.y1 - band.y0).max(1.0))} />
                <text x={coord(x_right - 6.0)} y={coord(band.y0 + 14.0)}>{ &band.label }</text>
            </g>
        }
    });
    let ticks = layout.ticks.iter().map(|(y, tick)| {
        html! {
            <g key={tick.time_us} class="tick">
                <line x1={coord(GUTTER_PX - 12.0)} x2={coord(x_right)} y1={coord(*y)} y2={coord(*y)} />
                <text x={coord(GUTTER_PX - 16.0)} y={coord(*y + 4.0)}>{ &tick.label }</text>
            </g>
        }
    });
    let spans = layout.spans.iter().map(|span| {
        let class = match span.kind {
            SpanKind::Crashed => "span span-crashed",
            SpanKind::Paused => "span span-paused",
            SpanKind::InDoubt => "span span-doubt",
        };
        html! {
            <rect class={class} x={coord(span.x - 5.0)} y={coord(span.y0)} width="10"
                height={coord((span.y1 - span.y0).max(1.0))} rx="3" data-node={span.node.to_string()} />
        }
    });
    let timers = layout.timers.iter().map(|timer| {
        html! {
            <g class="timer-span">
                <line x1={coord(timer.x)} x2={coord(timer.x)} y1={coord(timer.y0)} y2={coord(timer.y1)} />
                <circle cx={coord(timer.x)} cy={coord(timer.y1)} r="2.5" />
                <text x={coord(timer.x + 5.0)} y={coord(timer.y1 + 3.0)}>{ timer.name }</text>
            </g>
        }
    });
    // Delivered and dropped arrows and common marks are batched into a few paths; messages in
    // flight are drawn one by one above the marks, since they are what a user grabs to intervene.
    let arrows = diagram::arrow_batches(layout)
        .into_iter()
        .map(|batch| html! { <path class={batch.class} d={batch.d} /> })
        .collect::<Html>();
    let labels = layout
        .arrows
        .iter()
        .filter_map(|a| {
            let text = a.label.as_ref()?;
            let (mx, my) = ((a.x1 + a.x2) / 2.0, (a.y1 + a.y2) / 2.0);
            Some(html! { <text class={classes!("arrow-label", a.emphasis.class())} x={coord(mx)} y={coord(my - 3.0)}>{ text }</text> })
        })
        .collect::<Html>();
    let in_flight = layout
        .arrows
        .iter()
        .filter(|a| matches!(a.state, ArrowState::InFlight | ArrowState::Held))
        .map(flying_arrow)
        .collect::<Html>();
    let drops = layout.drops.iter().map(|drop| {
        let (x, y) = (drop.x, drop.y);
        let d = format!(
            "M{} {}L{} {}M{} {}L{} {}",
            coord(x - 4.5),
            coord(y - 4.5),
            coord(x + 4.5),
            coord(y + 4.5),
            coord(x - 4.5),
            coord(y + 4.5),
            coord(x + 4.5),
            coord(y - 4.5)
        );
        html! {
            <g key={drop.event.0} class={classes!("drop-mark", drop.emphasis.class())} data-k="d"
                data-id={drop.event.0.to_string()} data-send={drop.send.0.to_string()}>
                <circle cx={coord(x)} cy={coord(y)} r="9" class="hit" />
                <path d={d} />
            </g>
        }
    });
    let marks = diagram::mark_batches(layout)
        .into_iter()
        .map(|batch| html! { <path class={batch.class} d={batch.d} /> })
        .collect::<Html>();
    // Rare kinds get their own shapes; selected and involved events are drawn again on top so
    // they stand out (and can be found by tests and assistive tools).
    let special = layout
        .marks
        .iter()
        .filter(|m| {
            !diagram::batched(m.kind)
                || matches!(m.emphasis, Emphasis::Selected | Emphasis::Involved)
        })
        .map(mark)
        .collect::<Html>();
    let stamps = layout
        .marks
        .iter()
        .filter_map(|m| {
            let text = m.stamp.as_ref()?;
            Some(html! { <text class="stamp" x={coord(m.x + 7.0)} y={coord(m.y - 4.0)}>{ text }</text> })
        })
        .collect::<Html>();
    let violations = layout.violations.iter().map(|v| {
        html! {
            <g key={v.event.0} class="violation-line" data-k="v" data-id={v.event.0.to_string()}
                tabindex="0" role="button" aria-label={format!("{} violated: show", v.label)}>
                <line x1={coord(GUTTER_PX - 8.0)} x2={coord(x_right)} y1={coord(v.y)} y2={coord(v.y)} />
                <text x={coord(GUTTER_PX + v.label_dx)} y={coord(v.y - 4.0)}>{ format!("✕ {}", v.label) }</text>
            </g>
        }
    });
    html! {
        <>
            <g class="bands">{ for bands }</g>
            <g class="ticks">{ for ticks }</g>
            <g class="spans">{ for spans }</g>
            <g class="timers">{ for timers }</g>
            <g class="arrows">{ arrows }</g>
            <g class="labels">{ labels }</g>
            <g class="drops">{ for drops }</g>
            <g class="marks">{ marks }{ special }</g>
            <g class="stamps">{ stamps }</g>
            <g class="arrows-flying">{ in_flight }</g>
            <g class="violations">{ for violations }</g>
            <g class="now-line">
                <line x1={coord(GUTTER_PX - 8.0)} x2={coord(x_right)} y1={coord(layout.now_y)} y2={coord(layout.now_y)} />
                <text x={coord(GUTTER_PX - 16.0)} y={coord(layout.now_y + 4.0)}>{ "now" }</text>
            </g>
        </>
    }
}

/// A message in flight: the path so far, a head where it is now, and a faint line to where it
/// will arrive.
fn flying_arrow(a: &crate::view::diagram::Arrow) -> Html {
    let class = classes!("arrow", a.state.class(), a.emphasis.class());
    let planned = a.planned.map(|(px, py)| {
        html! { <line class="arrow-planned" x1={coord(a.x2)} y1={coord(a.y2)} x2={coord(px)} y2={coord(py)} /> }
    });
    html! {
        <g key={a.send.0} class={class} data-k="m" data-id={a.send.0.to_string()}
            tabindex="0" role="button" aria-label={format!("message {} in flight: inspect", a.send.0)}>
            { planned.unwrap_or_default() }
            <line class="hit" x1={coord(a.x1)} y1={coord(a.y1)} x2={coord(a.x2)} y2={coord(a.y2)} />
            <line class="stroke" x1={coord(a.x1)} y1={coord(a.y1)} x2={coord(a.x2)} y2={coord(a.y2)} />
            <circle class="head" cx={coord(a.x2)} cy={coord(a.y2)} r="4.5" />
        </g>
    }
}

fn mark(m: &crate::view::diagram::Mark) -> Html {
    let (x, y) = (m.x, m.y);
    let class = classes!("mark", m.kind.class(), m.emphasis.class());
    let id = m.event.0.to_string();
    let shape = match m.kind {
        MarkKind::Crash => html! {
            <path class="shape" d={format!("M{} {}l10 10m0 -10l-10 10", coord(x - 5.0), coord(y - 5.0))} />
        },
        MarkKind::Restart | MarkKind::Resume => html! {
            <path class="shape" d={format!("M{} {}l5 8h-10z", coord(x), coord(y - 5.0))} />
        },
        MarkKind::Pause => html! {
            <path class="shape" d={format!("M{} {}v8m4 -8v8", coord(x - 2.0), coord(y - 4.0))} />
        },
        MarkKind::TimerFire => html! {
            <path class="shape" d={format!("M{} {}l4 4l-4 4l-4 -4z", coord(x), coord(y - 4.0))} />
        },
        MarkKind::Request | MarkKind::Response => html! {
            <rect class="shape" x={coord(x - 4.5)} y={coord(y - 4.5)} width="9" height="9" rx="1.5" />
        },
        MarkKind::ClockChange => html! {
            <circle class="shape" cx={coord(x)} cy={coord(y)} r="5" />
        },
        MarkKind::Send | MarkKind::Deliver | MarkKind::Other => html! {
            <circle class="shape" cx={coord(x)} cy={coord(y)} r="3" />
        },
    };
    html! {
        <g key={m.event.0} class={class} data-k="e" data-id={id}>
            <circle class="hit" cx={coord(x)} cy={coord(y)} r="7" />
            { shape }
        </g>
    }
}

fn hover_card(details: &Details, h: Hover, width: f64, height: f64) -> Html {
    let left = if h.x > width - 300.0 {
        (h.x - 290.0).max(4.0)
    } else {
        h.x + 14.0
    };
    let top = if h.y > height - 220.0 {
        (h.y - 200.0).max(4.0)
    } else {
        h.y + 14.0
    };
    html! {
        <div class="hover-card" role="tooltip" style={format!("left:{}px;top:{}px", coord(left), coord(top))}>
            <p class="hover-title">{ &details.title }</p>
            <dl class="kv">
                { for details.rows.iter().map(|(k, v)| html! {
                    <><dt>{ k }</dt><dd>{ v }</dd></>
                }) }
            </dl>
            if let Some(payload) = &details.payload {
                <pre class="payload">{ payload }</pre>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    stamps: Stamps,
    own_clock: Option<&'static str>,
    /// Whether some lane in view is in doubt.
    in_doubt: bool,
    /// Whether some message in view arrived forged.
    forged: bool,
}

/// The diagram's key, which also says whose clock the printed stamps come from.
#[function_component]
fn Legend(props: &LegendProps) -> Html {
    let stamps = match (props.stamps, props.own_clock) {
        (Stamps::None, _) => None,
        (_, Some(clock)) => Some((
            "stamps: the protocol's clocks",
            format!("Printed beside events: {clock}."),
        )),
        (_, None) => Some((
            "stamps: the simulator's",
            "Printed beside events: the simulator's happens-before timestamps, which count every event the trace records.".to_string(),
        )),
    };
    html! {
        <ul class="legend" aria-label="Legend">
            <li><span class="swatch swatch-delivered"></span>{ "delivered" }</li>
            <li><span class="swatch swatch-inflight"></span>{ "in flight" }</li>
            <li><span class="swatch swatch-dropped"></span>{ "dropped" }</li>
            if props.forged {
                <li title="A link altered it on the way: what arrived is not what was sent">
                    <span class="swatch swatch-forged"></span>{ "forged" }
                </li>
            }
            <li><span class="swatch swatch-crashed"></span>{ "crashed" }</li>
            if props.in_doubt {
                <li title="Blocked: it promised to abide by a decision and may not take it alone">
                    <span class="swatch swatch-doubt"></span>{ "in doubt" }
                </li>
            }
            <li><span class="swatch swatch-partition"></span>{ "partition" }</li>
            <li><span class="swatch swatch-request"></span>{ "client" }</li>
            if let Some((text, title)) = stamps {
                <li class="legend-stamps" {title}>{ text }</li>
            }
        </ul>
    }
}
