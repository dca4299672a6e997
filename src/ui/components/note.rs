//! A one-line message about the last intervention or error, with a dismiss button; and the question
//! asked before another scenario replaces a run the user changed.

use yew::prelude::*;

use crate::ui::state::{Note, NoteKind, PendingOpen, UiAction, use_app};

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

#[derive(Properties, PartialEq)]
pub struct ConfirmOpenProps {
    pub pending: PendingOpen,
}

/// Asks before a new scenario replaces a run with the user's changes, which would otherwise be
/// lost without a word. Focus moves to "Keep this run", the safe answer.
#[function_component]
pub fn ConfirmOpenBar(props: &ConfirmOpenProps) -> Html {
    let app = use_app();
    let keep_ref = use_node_ref();
    {
        let keep_ref = keep_ref.clone();
        use_effect_with((), move |()| {
            if let Some(button) = keep_ref.cast::<web_sys::HtmlElement>() {
                // Focus is a convenience; nothing depends on it succeeding.
                let _ = button.focus();
            }
        });
    }
    let answer = |replace: bool| {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ConfirmOpen(replace)))
    };
    let changes = props.pending.changes;
    let plural = if changes == 1 { "" } else { "s" };
    html! {
        <div class="note note-confirm" role="alertdialog" aria-labelledby="confirm-open-text" data-testid="confirm-open">
            <span id="confirm-open-text">
                { format!(
                    "Open \u{201c}{}\u{201d}? It replaces this run and your {changes} change{plural} to it. \
                     To keep them, copy a link or save the scenario first.",
                    props.pending.name()
                ) }
            </span>
            <span class="note-actions">
                <button type="button" class="button button-small" ref={keep_ref}
                    data-action="keep-run" onclick={answer(false)}>{ "Keep this run" }</button>
                <button type="button" class="button button-small button-danger"
                    data-action="replace-run" onclick={answer(true)}>{ "Open it" }</button>
            </span>
        </div>
    }
}
