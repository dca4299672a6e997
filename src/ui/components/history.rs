//! The clients' history beside the diagram: draws a `HistoryLayout` as SVG on the diagram's time
//! axis (the same window, so it follows the diagram's zoom, scroll and scrubber), with the
//! checker's verdict over it; `HistoryExplain`, under both, says why a history is not linearizable.
//! One listener on the SVG handles clicks and keys for every bar (each carries `data-op`).

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::diagram::wheel_listener;
use super::size::use_size;
use crate::engine::ids::OpId;
use crate::ui::state::{Selection, UiAction, use_app};
use crate::view::diagram::HEADER_PX;
use crate::view::format::coord;
use crate::view::history::{HistoryLayout, HistoryVerdict};

#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub layout: Rc<HistoryLayout>,
}

/// The operation named by the nearest `data-op` element under an event.
fn op_of(event: &web_sys::Event) -> Option<OpId> {
    let element = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let marked = element.closest("[data-op]").ok()??;
    Some(OpId(marked.get_attribute("data-op")?.parse().ok()?))
}

/// The verdict's name, for `data-verdict` and (as `is-NAME`) the verdict's colours.
pub(super) fn verdict_name(verdict: &HistoryVerdict) -> &'static str {
    match verdict {
        HistoryVerdict::NotJudged { .. } => "none",
        HistoryVerdict::Linearizable { .. } => "linearizable",
        HistoryVerdict::NotLinearizable { .. } => "not-linearizable",
        HistoryVerdict::Unknown { .. } => "unknown",
    }
}

#[function_component]
pub fn HistoryPanel(props: &HistoryProps) -> Html {
    let app = use_app();
    let canvas = use_node_ref();

    // Measure the column now and whenever it changes size, and let the wheel pan and zoom the
    // shared time axis here as over the diagram.
    {
        let dispatch = app.dispatch.clone();
        use_size(
            canvas.clone(),
            (),
            Callback::from(move |(w, _)| dispatch.dispatch(UiAction::ResizeHistory(w))),
        );
    }
    {
        let (canvas, dispatch) = (canvas.clone(), app.dispatch.clone());
        use_effect_with((), move |()| {
            let wheel = canvas
                .cast::<web_sys::Element>()
                .map(|element| wheel_listener(&element, dispatch));
            move || drop(wheel)
        });
    }
    let on_pick = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |op| dispatch.dispatch(UiAction::Select(Selection::Operation(op))))
    };
    let layout = &props.layout;
    let verdict = &layout.verdict;
    html! {
        <div class="history" data-region="history" data-verdict={verdict_name(verdict)}>
            <div class="history-canvas" ref={canvas}>
                <HistorySvg layout={layout.clone()} {on_pick} />
                <HistoryNotes layout={layout.clone()} />
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct HistorySvgProps {
    pub layout: Rc<HistoryLayout>,
    /// Called with the operation a click or Enter picks.
    pub on_pick: Callback<OpId>,
}

/// The history's drawing: client columns, bars, faults and the linearization order.
#[function_component]
pub fn HistorySvg(props: &HistorySvgProps) -> Html {
    let layout = &props.layout;
    // A bar that names itself, else (batched bars) the bar under the pointer.
    let onclick = {
        let on_pick = props.on_pick.clone();
        let layout = layout.clone();
        Callback::from(move |e: MouseEvent| {
            let at = || {
                let svg = e.current_target()?.dyn_into::<web_sys::Element>().ok()?;
                let rect = svg.get_bounding_client_rect();
                layout.hit(
                    f64::from(e.client_x()) - rect.left(),
                    f64::from(e.client_y()) - rect.top(),
                )
            };
            if let Some(op) = op_of(&e).or_else(at) {
                on_pick.emit(op);
            }
        })
    };
    let batched = !layout.batches.is_empty();
    let onkeydown = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ")
                && let Some(op) = op_of(&e)
            {
                e.prevent_default();
                on_pick.emit(op);
            }
        })
    };
    let top = HEADER_PX;
    let text_x = |x: f64, w: f64| coord(x + w + 5.0);

    html! {
                <svg class="history-svg" width={coord(layout.width)} height={coord(layout.height)}
                    role="group" aria-label="Client history: one column per client, each operation a bar from its request to its answer"
                    {onclick} {onkeydown}>
                    <defs>
                        <clipPath id="history-clip">
                            <rect x="0" y={coord(top)} width={coord(layout.width)} height={coord((layout.height - top).max(0.0))} />
                        </clipPath>
                        <linearGradient id="history-open" x1="0" x2="0" y1="0" y2="1">
                            <stop offset="0" stop-color="currentColor" stop-opacity="1" />
                            <stop offset="1" stop-color="currentColor" stop-opacity="0.15" />
                        </linearGradient>
                    </defs>
                    <g clip-path="url(#history-clip)">
                        { for layout.columns.iter().enumerate().filter(|(i, _)| i % 2 == 1).map(|(_, (x, _))| html! {
                            <rect class="history-stripe" x={coord(x - layout.column_width / 2.0)} y={coord(top)}
                                width={coord(layout.column_width)} height={coord(layout.height)} />
                        }) }
                        <g class="history-body" transform={format!("translate(0 {})", coord(layout.shift_y))}>
                        { for layout.grid.iter().map(|y| html! {
                            <line class="history-grid" x1="0" x2={coord(layout.width)} y1={coord(*y)} y2={coord(*y)} />
                        }) }
                        { for layout.partitioned.iter().map(|(y1, y2)| html! {
                            <rect class="history-partitioned" x="0" y={coord(*y1)} width={coord(layout.width)}
                                height={coord((y2 - y1).max(1.0))} />
                        }) }
                        { for layout.faults.iter().map(|f| html! {
                            <g class="history-fault">
                                <line x1="0" x2={coord(layout.width)} y1={coord(f.y)} y2={coord(f.y)} />
                                if f.labelled {
                                    <text x={coord(layout.width - 4.0)} y={coord(f.y - 3.0)}>{ &f.label }</text>
                                }
                                <title>{ &f.label }</title>
                            </g>
                        }) }
                        <line class="history-now" x1="0" x2={coord(layout.width)} y1={coord(layout.now_y)} y2={coord(layout.now_y)} />
                        { for layout.batches.iter().map(|b| html! {
                            <path class={b.class.clone()} d={b.d.clone()} />
                        }) }
                        { for layout.bars.iter().filter(|bar| !batched || bar.selected).map(|bar| html! {
                            <g key={bar.op.0} class={classes!("history-op", bar.state.class(), bar.selected.then_some("is-selected"))}
                                data-op={bar.op.0.to_string()} tabindex="0" role="button"
                                aria-pressed={bar.selected.to_string()}>
                                <rect class="history-bar" x={coord(bar.x)} y={coord(bar.y1)} width={coord(bar.width)}
                                    height={coord(bar.y2 - bar.y1)} rx="2"
                                    fill={bar.open.then_some("url(#history-open)")} />
                                if let Some((first, second)) = &bar.text {
                                    <text class="history-text" x={text_x(bar.x, bar.width)} y={coord(bar.y1 + 10.0)}>{ first }</text>
                                    if let Some(second) = second {
                                        <text class="history-text is-answer" x={text_x(bar.x, bar.width)} y={coord(bar.y2 - 3.0)}>{ second }</text>
                                    }
                                }
                                // Its name for screen readers as well as its tooltip.
                                <title>{ &bar.title }</title>
                            </g>
                        }) }
                        if !layout.points.is_empty() {
                            <g class="history-order" aria-hidden="true">
                                <path d={layout.order_path.clone()} />
                                { for layout.points.iter().map(|p| html! {
                                    <g class="history-point">
                                        <circle cx={coord(p.x)} cy={coord(p.y)} r="7" />
                                        <text x={coord(p.x)} y={coord(p.y + 3.5)}>{ p.number }</text>
                                    </g>
                                }) }
                            </g>
                        }
                        </g>
                    </g>
                    <rect class="history-header" x="0" y="0" width={coord(layout.width)} height={coord(top - 4.0)} />
                    { for layout.columns.iter().filter(|_| layout.column_width >= 22.0).map(|(x, name)| html! {
                        <text class="history-client" x={coord(*x)} y={coord(top - 9.0)}>{ name }</text>
                    }) }
                </svg>
    }
}

/// The verdict over the history, and why some bars are not drawn one by one.
#[function_component]
pub fn HistoryNotes(props: &HistoryProps) -> Html {
    let layout = &props.layout;
    let verdict = &layout.verdict;
    html! {
        <>
            <p class={classes!("history-verdict", format!("is-{}", verdict_name(verdict)))} title={layout.summary.clone()}>
                { &layout.summary }
            </p>
            if layout.truncated {
                <p class="history-notice">{ "Too many operations at this zoom: zoom in to see them all." }</p>
            } else if !layout.batches.is_empty() {
                <p class="history-notice">{ "Zoom in to read each operation and pick it with the keyboard." }</p>
            }
        </>
    }
}

/// Why the history is not linearizable, under the diagram and the history, the width of both.
#[function_component]
pub fn HistoryExplain(props: &HistoryProps) -> Html {
    let explained = use_state(|| true);
    let toggle = {
        let explained = explained.clone();
        Callback::from(move |_: MouseEvent| explained.set(!*explained))
    };
    let layout = &props.layout;
    if layout.explanation.is_empty() {
        return html! {};
    }
    html! {
        <div class="history-explain" data-region="history-explain">
            <div class="history-explain-head">
                <p class="history-explain-title">{ "Why it is not linearizable" }</p>
                <button type="button" class="button button-small" aria-expanded={explained.to_string()}
                    onclick={toggle} data-action="history-why">
                    { if *explained { "Hide" } else { "Show" } }
                </button>
            </div>
            if *explained {
                { for layout.explanation.iter().map(|line| html! { <p>{ line }</p> }) }
            }
        </div>
    }
}
