//! The bar above the diagram: run, step and reset the simulation, and read its clock.

use yew::prelude::*;

use super::icons;

#[function_component]
pub fn ControlBar() -> Html {
    html! {
        <section class="controls" aria-labelledby="controls-title" data-region="controls">
            <h2 id="controls-title" class="visually-hidden">{ "Simulation controls" }</h2>
            <div class="control-buttons" role="toolbar" aria-label="Playback">
                <button type="button" class="button button-primary" disabled=true>
                    { icons::play() }<span>{ "Run" }</span>
                </button>
                <button type="button" class="button" disabled=true>
                    { icons::step() }<span>{ "Step" }</span>
                </button>
                <button type="button" class="button" disabled=true>
                    { icons::reset() }<span>{ "Reset" }</span>
                </button>
            </div>
            <dl class="readout">
                <div class="readout-item">
                    <dt>{ "Simulated time" }</dt>
                    <dd>{ "—" }</dd>
                </div>
                <div class="readout-item">
                    <dt>{ "Seed" }</dt>
                    <dd>{ "—" }</dd>
                </div>
            </dl>
            <p class="controls-hint">{ "Open a scenario to begin" }</p>
        </section>
    }
}
