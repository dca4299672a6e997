//! The keyboard shortcuts, shown with `?`.

use yew::prelude::*;

use crate::ui::state::{UiAction, use_app};

const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play or pause"),
    ("→", "step to the next event"),
    ("←", "step back one event"),
    ("Home", "back to the start"),
    ("+ / −", "zoom the time axis in or out"),
    ("wheel", "scroll through time (Ctrl + wheel zooms)"),
    ("F", "follow now"),
    ("X", "jump to the next violation"),
    ("H", "show or hide the clients' history beside the diagram"),
    ("J / K", "select the next or previous event on the lane"),
    ("[ / ]", "select the event on the lane to the left or right"),
    (
        "M",
        "from an event to its message, from a message to its arrival",
    ),
    ("U", "undo your last change to the run"),
    ("T / V", "Lamport or vector timestamps"),
    ("S", "cycle timestamps: none, Lamport, vector"),
    ("N / P", "next or previous step of a guided lesson"),
    ("Esc", "clear the selection, close this"),
    ("?", "show or hide this help"),
];

#[function_component]
pub fn HelpDialog() -> Html {
    let app = use_app();
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |()| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                // Focus moves into the dialog so Esc and Tab work from there.
                let _ = button.focus();
            }
        });
    }
    let close = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ToggleHelp(Some(false))))
    };
    html! {
        <div class="dialog-backdrop" onclick={close.clone()}>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().map(|(key, what)| html! {
                        <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></>
                    }) }
                </dl>
                <p class="dialog-note">{ "Every intervention happens at the current instant. Acting after stepping back starts a new branch; Undo brings back what it cut off." }</p>
                <button ref={close_ref} type="button" class="button button-primary" onclick={close}>{ "Close" }</button>
            </div>
        </div>
    }
}
