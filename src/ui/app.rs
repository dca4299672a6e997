//! The root component: the header above a workspace of scenarios, controls, diagram and inspector.

use yew::prelude::*;

use super::components::{ControlBar, DiagramPanel, Header, InspectorPanel, ScenarioPanel};
use super::page;

#[function_component]
pub fn App() -> Html {
    use_effect_with((), |()| {
        page::dismiss_loading_screen();
        if page::debug_param().as_deref() == Some("panic") {
            panic!("deliberate panic requested with ?debug=panic");
        }
    });

    html! {
        <div class="app">
            <Header />
            <div class="workspace">
                <ScenarioPanel />
                <main class="stage">
                    <ControlBar />
                    <DiagramPanel />
                </main>
                <InspectorPanel />
            </div>
        </div>
    }
}
