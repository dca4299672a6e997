//! The centre: the space-time (sequence) diagram of the run.

use yew::prelude::*;

use super::empty_state::EmptyState;
use super::icons;

#[function_component]
pub fn DiagramPanel() -> Html {
    html! {
        <section id="diagram" class="panel panel-diagram" aria-labelledby="diagram-title" data-region="diagram">
            <div class="panel-head">
                <h2 id="diagram-title" class="panel-title">{ "Sequence diagram" }</h2>
            </div>
            <div class="diagram-canvas">
                <EmptyState
                    large=true
                    icon={icons::lanes()}
                    title="No simulation yet"
                    body="Open a scenario and its run is drawn here: one lane per node, time flowing \
                          down, and an arrow for every message, so you can see which events caused which."
                />
            </div>
        </section>
    }
}
