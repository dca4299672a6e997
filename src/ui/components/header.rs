//! The top bar: product name and what it is for.

use yew::prelude::*;

use super::icons;

#[function_component]
pub fn Header() -> Html {
    html! {
        <header class="app-header" data-region="header">
            <div class="brand">
                { icons::logo() }
                <div class="brand-text">
                    <h1 class="brand-name">{ "Causeway" }</h1>
                    <p class="brand-tagline">{ "A deterministic sandbox for distributed systems" }</p>
                </div>
            </div>
            <p class="header-note">{ "Runs entirely in your browser · every run replays from its seed" }</p>
        </header>
    }
}
