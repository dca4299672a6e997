//! The top bar: product name and what it is for, and what can be done with the run as a whole
//! (sharing and exporting it).

use yew::prelude::*;

use super::exports::{ExportMenu, Showing};
use super::icons;
use crate::ui::state::{UiAction, use_app};

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// Whether a run is open, so there is something to share.
    pub loaded: bool,
    /// Whether the course map is showing.
    pub course: bool,
    /// What the diagram shows, for the exported pictures.
    pub showing: Option<Showing>,
}

#[function_component]
pub fn Header(props: &HeaderProps) -> Html {
    let app = use_app();
    let share = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Share(true)))
    };
    let course = {
        let dispatch = app.dispatch.clone();
        let showing = props.course;
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ShowCourse(!showing)))
    };
    let help = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ToggleHelp(None)))
    };
    html! {
        <header class="app-header" data-region="header">
            <div class="brand">
                { icons::logo() }
                <div class="brand-text">
                    <h1 class="brand-name">{ "Causeway" }</h1>
                    <p class="brand-tagline">{ "A deterministic sandbox for distributed systems" }</p>
                </div>
            </div>
            <div class="header-actions">
                <p class="header-note">{ "Runs entirely in your browser · every run replays from its seed" }</p>
                <button type="button" class={classes!("button", "button-small", props.course.then_some("is-on"))} onclick={course}
                    data-action="course" aria-pressed={props.course.to_string()}
                    title="Every lesson in the order of the course, with your progress">{ "Course" }</button>
                if props.loaded && !props.course {
                    <button type="button" class="button button-small" onclick={share} data-action="share"
                        title="Copy a link that opens this run at this moment">{ "Copy link" }</button>
                    <ExportMenu showing={props.showing.clone()} />
                    <button type="button" class="button button-ghost button-help" onclick={help}
                        aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{ "?" }</button>
                }
            </div>
        </header>
    }
}
