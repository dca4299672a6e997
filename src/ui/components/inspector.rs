//! The right column: details of whatever is selected in the diagram.

use yew::prelude::*;

use super::empty_state::EmptyState;
use super::icons;

#[function_component]
pub fn InspectorPanel() -> Html {
    html! {
        <aside class="panel panel-inspector" aria-labelledby="inspector-title" data-region="inspector">
            <div class="panel-head">
                <h2 id="inspector-title" class="panel-title">{ "Inspector" }</h2>
            </div>
            <EmptyState
                icon={icons::cursor()}
                title="Nothing selected"
                body="Select a node, a message or an event in the diagram to see its state, its clocks \
                      and its causes."
            />
        </aside>
    }
}
