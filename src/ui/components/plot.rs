//! The lesson plot under the diagram: each node's clock error against true time, or how far each
//! gossiped message has spread. It draws a `PlotLayout` as SVG at the size it measures, with an
//! HTML legend that wraps on narrow screens. The data stops at the run's current instant, so the
//! plot follows the scrubber.

use std::rc::Rc;

use gloo::events::EventListener;
use yew::prelude::*;

use crate::view::format::coord;
use crate::view::plot::{self, Plot};

#[derive(Properties, PartialEq)]
pub struct PlotProps {
    pub plot: Rc<Plot>,
}

/// The plot's height for a width and a window height: shorter than wide, a quarter of the window
/// on large screens, never cramped.
fn height_for(width: f64, window_height: f64) -> f64 {
    if width < 560.0 {
        230.0
    } else {
        (window_height * 0.24).clamp(180.0, 320.0)
    }
}

#[function_component]
pub fn PlotPanel(props: &PlotProps) -> Html {
    let canvas = use_node_ref();
    let size = use_state(|| (640.0, 220.0));
    let zoomed = use_state(|| true);

    // Measure the canvas now and whenever the window changes size.
    {
        let canvas = canvas.clone();
        let size = size.clone();
        use_effect_with(props.plot.kind, move |_| {
            let measure = move || {
                let window_height = web_sys::window()
                    .and_then(|w| w.inner_height().ok())
                    .and_then(|h| h.as_f64())
                    .unwrap_or(800.0);
                if let Some(element) = canvas.cast::<web_sys::Element>() {
                    let width = f64::from(element.client_width());
                    if width > 0.0 {
                        size.set((width, height_for(width, window_height)));
                    }
                }
            };
            measure();
            let listener = web_sys::window()
                .map(|window| EventListener::new(&window, "resize", move |_| measure()));
            move || drop(listener)
        });
    }

    let plot = &props.plot;
    let can_zoom = plot.zoom.is_some();
    let layout = plot::layout(plot, size.0, size.1, *zoomed);
    let toggle = {
        let zoomed = zoomed.clone();
        Callback::from(move |_: MouseEvent| zoomed.set(!*zoomed))
    };
    let (left, top, area_w, area_h) = layout.area;
    let bottom = top + area_h;
    let right = left + area_w;
    let label = format!(
        "{}: {}",
        plot.title,
        plot.series
            .iter()
            .map(|s| format!("{} {}", s.name, s.detail))
            .collect::<Vec<_>>()
            .join("; ")
    );

    html! {
        <section class="panel panel-plot" aria-labelledby="plot-title" data-region="plot"
            data-plot={plot.kind.name()}>
            <div class="panel-head">
                <h2 id="plot-title" class="panel-title">{ plot.title }</h2>
                if can_zoom {
                    <button type="button" class={classes!("button", "button-small", zoomed.then_some("is-on"))}
                        aria-pressed={zoomed.to_string()} onclick={toggle} data-action="plot-zoom"
                        title="The error before the first synchronisation dwarfs the rest; zoom in to see the drift between synchronisations">
                        { "Zoom in after sync" }
                    </button>
                }
            </div>
            if let Some(empty) = plot.empty {
                <p class="panel-empty plot-empty">{ empty }</p>
            } else {
                <ul class="plot-legend">
                    { for plot.series.iter().map(|s| html! {
                        <li class={classes!("plot-key", format!("series-{}", s.color))} data-series={s.name.clone()}>
                            <span class="plot-swatch" aria-hidden="true"></span>
                            <span class="plot-key-name">{ &s.name }</span>
                            <span class="plot-key-detail">{ &s.detail }</span>
                        </li>
                    }) }
                </ul>
            }
            <div class="plot-canvas" ref={canvas}>
                if plot.empty.is_none() {
                    <svg class="plot" width={coord(layout.width)} height={coord(layout.height)}
                        viewBox={format!("0 0 {} {}", coord(layout.width), coord(layout.height))}
                        role="img" aria-label={label}>
                        <defs>
                            <clipPath id="plot-clip">
                                <rect x={coord(left)} y={coord(top - 1.0)} width={coord(area_w)} height={coord(area_h + 2.0)} />
                            </clipPath>
                        </defs>
                        <rect class="plot-area" x={coord(left)} y={coord(top)} width={coord(area_w)} height={coord(area_h)} />
                        <g class="plot-grid">
                            { for layout.y_ticks.iter().map(|(y, text, strong)| html! {
                                <g class={classes!("plot-ytick", strong.then_some("is-strong"))}>
                                    <line x1={coord(left)} x2={coord(right)} y1={coord(*y)} y2={coord(*y)} />
                                    <text x={coord(left - 8.0)} y={coord(y + 4.0)}>{ text }</text>
                                </g>
                            }) }
                            { for layout.x_ticks.iter().map(|(x, text)| html! {
                                <g class="plot-xtick">
                                    <line x1={coord(*x)} x2={coord(*x)} y1={coord(top)} y2={coord(bottom + 5.0)} />
                                    <text x={coord(*x)} y={coord(bottom + 18.0)}>{ text }</text>
                                </g>
                            }) }
                        </g>
                        <text class="plot-title-y" x="10" y={coord(top - 12.0)}>{ &layout.y_title }</text>
                        <text class="plot-title-x" x={coord(right)} y={coord(bottom + 34.0)}>{ &layout.x_title }</text>
                        { for layout.guides.iter().map(|g| html! {
                            <g class={classes!("plot-guide", g.color.map(|c| format!("series-{c}")))}>
                                <line x1={coord(g.x1)} x2={coord(g.x2)} y1={coord(g.y1)} y2={coord(g.y2)} />
                                <text x={coord(g.label_x)} y={coord(g.label_y)} text-anchor={g.anchor}>{ &g.label }</text>
                            </g>
                        }) }
                        <g clip-path="url(#plot-clip)">
                            { for layout.series.iter().map(|s| html! {
                                <g class={classes!("plot-series", format!("series-{}", s.color))} data-series={s.name.clone()}>
                                    <path class="plot-line" d={s.d.clone()} />
                                    { for s.marks.iter().map(|(x, y, title)| html! {
                                        <circle class="plot-mark" cx={coord(*x)} cy={coord(*y)} r="3.5">
                                            <title>{ title }</title>
                                        </circle>
                                    }) }
                                </g>
                            }) }
                        </g>
                        { for layout.cursors.iter().map(|c| html! {
                            <g class="plot-cursor">
                                <line x1={coord(c.x1)} x2={coord(c.x2)} y1={coord(c.y1)} y2={coord(c.y2)} />
                                <text x={coord(c.label_x)} y={coord(c.label_y)} text-anchor={c.anchor}>{ &c.label }</text>
                            </g>
                        }) }
                    </svg>
                }
            </div>
            if plot.empty.is_none() {
                <p class="plot-caption">{ plot.caption }</p>
            }
        </section>
    }
}
