//! The left column: the scenarios (lessons) a user can open.

use yew::prelude::*;

use super::empty_state::EmptyState;
use super::icons;

#[function_component]
pub fn ScenarioPanel() -> Html {
    html! {
        <aside class="panel panel-scenarios" aria-labelledby="scenarios-title" data-region="scenarios">
            <div class="panel-head">
                <h2 id="scenarios-title" class="panel-title">{ "Scenarios" }</h2>
            </div>
            <EmptyState
                icon={icons::list()}
                title="Pick a scenario to start"
                body="Scenarios will be listed here. Each is a small, replayable setup: a protocol, a few \
                      nodes, a network and a script of faults to try."
            />
        </aside>
    }
}
