//! A one-line message about the last intervention or error, with a dismiss button.

use yew::prelude::*;

use crate::ui::state::{Note, NoteKind, UiAction, use_app};

#[derive(Properties, PartialEq)]
pub struct NoteProps {
    pub note: Note,
}

#[function_component]
pub fn NoteBar(props: &NoteProps) -> Html {
    let app = use_app();
    let (class, role) = match props.note.kind {
        NoteKind::Info => ("note note-info", "status"),
        NoteKind::Error => ("note note-error", "alert"),
    };
    let dismiss = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Note(None)))
    };
    html! {
        <div class={class} role={role} data-testid="note">
            <span>{ &props.note.text }</span>
            <button type="button" class="note-dismiss" aria-label="Dismiss" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
