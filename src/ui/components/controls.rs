//! The time controls: play and pause, speed, step forward and back, a scrubber over the whole run,
//! jump to a time, zoom, and which logical timestamps to print.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::icons;
use crate::engine::time::parse_duration_us;
use crate::ui::state::{Note, NoteKind, SPEEDS, UiAction, use_app};
use crate::view::diagram::Stamps;
use crate::view::format;

/// What the controls show about the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Controls {
    pub now: u64,
    pub horizon: u64,
    pub finished: bool,
    pub playing: bool,
    pub speed: usize,
    pub follow: bool,
    pub stamps: Stamps,
    /// The logical clock the protocol keeps itself, whose stamps the diagram prints instead of
    /// the simulator's.
    pub own_clock: Option<&'static str>,
    pub seed: u64,
    pub events: usize,
    pub in_flight: usize,
    /// How many checkers the run has violated so far.
    pub violations: usize,
}

#[derive(Properties, PartialEq)]
pub struct ControlBarProps {
    pub controls: Option<Controls>,
}

#[function_component]
pub fn ControlBar(props: &ControlBarProps) -> Html {
    let app = use_app();
    let jump_ref = use_node_ref();
    let send = |action: fn() -> UiAction| {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(action()))
    };
    let Some(c) = props.controls.clone() else {
        return html! {
            <section class="controls" aria-labelledby="controls-title" data-region="controls">
                <h2 id="controls-title" class="visually-hidden">{ "Simulation controls" }</h2>
                <div class="control-buttons" role="toolbar" aria-label="Playback">
                    <button type="button" class="button button-primary" disabled=true>
                        { icons::play() }<span>{ "Play" }</span>
                    </button>
                    <button type="button" class="button" disabled=true aria-label="Step back">
                        { icons::step_back() }
                    </button>
                    <button type="button" class="button" disabled=true aria-label="Step forward">
                        { icons::step() }
                    </button>
                </div>
                <p class="controls-hint">{ "Open a scenario to begin" }</p>
            </section>
        };
    };

    let on_speed = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = select.value().parse::<usize>() {
                dispatch.dispatch(UiAction::SetSpeed(i));
            }
        })
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
    let on_jump = {
        let dispatch = app.dispatch.clone();
        let jump_ref = jump_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(input) = jump_ref.cast::<HtmlInputElement>() else {
                return;
            };
            match parse_duration_us(input.value().trim()) {
                Ok(t) => {
                    dispatch.dispatch(UiAction::Seek(t));
                    input.set_value("");
                }
                Err(error) => dispatch.dispatch(UiAction::Note(Some(Note {
                    kind: NoteKind::Error,
                    text: format!("Jump to: {error}"),
                }))),
            }
        })
    };
    let on_stamps = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let stamps = match select.value().as_str() {
                "lamport" => Stamps::Lamport,
                "vector" => Stamps::Vector,
                _ => Stamps::None,
            };
            dispatch.dispatch(UiAction::SetStamps(stamps));
        })
    };
    let step = (c.horizon / 2_000).max(1);
    let play_label = if c.playing { "Pause" } else { "Play" };

    let (stamps_label, stamps_title) = match c.own_clock {
        Some(clock) => (
            "Protocol stamps",
            format!("The protocol's own clocks: {clock}."),
        ),
        None => (
            "Stamps",
            "The simulator's happens-before timestamps: every event the trace records counts."
                .to_string(),
        ),
    };
    html! {
        <section class="controls" aria-labelledby="controls-title" data-region="controls">
            <h2 id="controls-title" class="visually-hidden">{ "Simulation controls" }</h2>
            <div class="controls-row">
                <div class="control-buttons" role="toolbar" aria-label="Playback">
                    <button type="button" class="button button-primary button-play" onclick={send(|| UiAction::TogglePlay)}
                        aria-keyshortcuts="Space" title="Play or pause (Space)" data-action="play">
                        { if c.playing { icons::pause() } else { icons::play() } }<span>{ play_label }</span>
                    </button>
                    <button type="button" class="button button-icon" onclick={send(|| UiAction::StepBack)}
                        aria-label="Step back" title="Step back (←)" aria-keyshortcuts="ArrowLeft" disabled={c.now == 0 && c.events <= 1}>
                        { icons::step_back() }
                    </button>
                    <button type="button" class="button button-icon" onclick={send(|| UiAction::StepForward)}
                        aria-label="Step forward" title="Step to the next event (→)" aria-keyshortcuts="ArrowRight" disabled={c.finished}>
                        { icons::step() }
                    </button>
                    <button type="button" class="button button-icon" onclick={send(|| UiAction::Restart)}
                        aria-label="Back to the start" title="Back to the start (Home)">
                        { icons::reset() }
                    </button>
                </div>
                <label class="field field-inline">
                    <span class="field-label">{ "Speed" }</span>
                    <select class="select" onchange={on_speed} aria-label="Playback speed">
                        { for SPEEDS.iter().enumerate().map(|(i, (_, label))| html! {
                            <option value={i.to_string()} selected={i == c.speed}>{ *label }</option>
                        }) }
                    </select>
                </label>
                <dl class="readout">
                    <div class="readout-item">
                        <dt>{ "Time" }</dt>
                        <dd data-testid="now">{ format::time(c.now) }<span class="readout-of">{ " / " }{ format::time(c.horizon) }</span></dd>
                    </div>
                    <div class="readout-item readout-secondary">
                        <dt>{ "Events" }</dt>
                        <dd>{ format::count(c.events as u64) }</dd>
                    </div>
                    <div class="readout-item readout-secondary">
                        <dt>{ "Seed" }</dt>
                        <dd>{ c.seed }</dd>
                    </div>
                </dl>
                if c.violations > 0 {
                    <button type="button" class="button button-small button-violations" onclick={send(|| UiAction::NextViolation)}
                        aria-keyshortcuts="x" title="Show the next violation (X)" data-action="next-violation">
                        <span aria-hidden="true">{ "✕ " }</span>
                        { format!("{} violation{}", c.violations, if c.violations == 1 { "" } else { "s" }) }
                    </button>
                }
            </div>
            <div class="controls-row controls-row-time">
                <input type="range" class="scrubber" min="0" max={c.horizon.to_string()} step={step.to_string()}
                    value={c.now.to_string()} oninput={on_scrub} aria-label="Scrub through the run"
                    aria-valuetext={format::time(c.now)} />
                <form class="jump" onsubmit={on_jump}>
                    <input ref={jump_ref} class="input input-small" type="text" inputmode="decimal"
                        placeholder="Jump to… 1.5s" aria-label="Jump to a time, such as 1.5s or 250ms" />
                </form>
                <div class="control-buttons" role="toolbar" aria-label="Time axis">
                    <button type="button" class="button button-icon" aria-label="Zoom in" title="Zoom in (+)"
                        onclick={send(|| UiAction::Zoom { factor: 0.5, anchor: 0.5 })}>{ icons::zoom_in() }</button>
                    <button type="button" class="button button-icon" aria-label="Zoom out" title="Zoom out (−)"
                        onclick={send(|| UiAction::Zoom { factor: 2.0, anchor: 0.5 })}>{ icons::zoom_out() }</button>
                    <button type="button" class={classes!("button", "button-small", c.follow.then_some("is-on"))}
                        aria-pressed={c.follow.to_string()} title="Keep now in view (F)"
                        onclick={send(|| UiAction::Follow)}>{ "Follow now" }</button>
                </div>
                <label class="field field-inline" title={stamps_title}>
                    <span class="field-label">{ stamps_label }</span>
                    <select class="select" onchange={on_stamps} aria-label={format!("{stamps_label}: timestamps shown on events")}>
                        <option value="none" selected={c.stamps == Stamps::None}>{ "None" }</option>
                        <option value="lamport" selected={c.stamps == Stamps::Lamport}>{ "Lamport" }</option>
                        <option value="vector" selected={c.stamps == Stamps::Vector}>{ "Vector" }</option>
                    </select>
                </label>
            </div>
        </section>
    }
}
