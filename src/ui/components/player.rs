//! The embedded player's controls: play and pause, a scrubber over the whole run, the time, and a
//! link that opens the same run in the full page.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::controls::Controls;
use super::icons;
use crate::ui::state::{UiAction, use_app};
use crate::view::format;

#[derive(Properties, PartialEq)]
pub struct PlayerBarProps {
    pub controls: Option<Controls>,
    /// The full page with the same run.
    pub full_page: String,
}

#[function_component]
pub fn PlayerBar(props: &PlayerBarProps) -> Html {
    let app = use_app();
    let toggle = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::TogglePlay))
    };
    let on_scrub = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = input.value().parse::<u64>() {
                dispatch.dispatch(UiAction::Seek(t));
            }
        })
    };
    let c = props.controls.clone();
    let (now, horizon, playing) = c
        .as_ref()
        .map_or((0, 0, false), |c| (c.now, c.horizon, c.playing));
    html! {
        <section class="player" aria-label="Player" data-region="controls">
            <button type="button" class="button button-primary button-icon" onclick={toggle} disabled={c.is_none()}
                aria-label={if playing { "Pause" } else { "Play" }} data-action="play">
                { if playing { icons::pause() } else { icons::play() } }
            </button>
            <input type="range" class="scrubber" min="0" max={horizon.to_string()} step={(horizon / 2_000).max(1).to_string()}
                value={now.to_string()} oninput={on_scrub} aria-label="Scrub through the run"
                aria-valuetext={format::time(now)} disabled={c.is_none()} />
            <span class="player-time" data-testid="now">{ format::time(now) }<span class="readout-of">{ " / " }{ format::time(horizon) }</span></span>
            <a class="player-open" href={props.full_page.clone()} target="_blank" rel="noopener">{ "Open in Causeway ↗" }</a>
        </section>
    }
}
