//! "Change the settings": the open scenario's protocol parameters (as JSON), seed and node count,
//! editable, run again with one button. What a lesson's "set `break_it` back to `none`" asks for; a mistake is
//! shown here, naming what is wrong, and the run stays as it was.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::ui::state::{UiAction, use_app};

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// Why the last settings could not run, if they could not.
    pub error: Option<String>,
}

#[function_component]
pub fn Settings(props: &SettingsProps) -> Html {
    let app = use_app();
    let protocol_ref = use_node_ref();
    let seed_ref = use_node_ref();
    let nodes_ref = use_node_ref();
    let (protocol, seed, nodes) = {
        let session = app.session.0.borrow();
        let Some(session) = session.as_ref() else {
            return Html::default();
        };
        session.settings()
    };
    // What the student typed, kept across renders (and a failed run) until the scenario changes.
    let draft = use_state(|| None::<(String, String, String)>);
    {
        let draft = draft.clone();
        use_effect_with((protocol.clone(), seed, nodes), move |_| draft.set(None));
    }
    let (shown_protocol, shown_seed, shown_nodes) = (*draft)
        .clone()
        .unwrap_or_else(|| (protocol.clone(), seed.to_string(), nodes.to_string()));
    let edit = {
        let draft = draft.clone();
        let protocol_ref = protocol_ref.clone();
        let seed_ref = seed_ref.clone();
        let nodes_ref = nodes_ref.clone();
        Callback::from(move |_: InputEvent| {
            let protocol = protocol_ref
                .cast::<HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            let seed = seed_ref
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let nodes = nodes_ref
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            draft.set(Some((protocol, seed, nodes)));
        })
    };
    let run = {
        let dispatch = app.dispatch.clone();
        let shown = (
            shown_protocol.clone(),
            shown_seed.clone(),
            shown_nodes.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (protocol, seed, nodes) = shown.clone();
            dispatch.dispatch(UiAction::Rerun {
                protocol,
                seed,
                nodes,
            });
        })
    };
    let lines = (protocol.len() / 36).clamp(2, 8) + 1;
    html! {
        <details class="settings" data-region="settings" open={props.error.is_some()}>
            <summary>{ "Change the settings" }</summary>
            <label class="field">
                <span class="field-label">{ "Protocol" }</span>
                <textarea ref={protocol_ref} class="input input-code" rows={lines.to_string()}
                    spellcheck="false" aria-label="Protocol settings as JSON" value={shown_protocol}
                    oninput={edit.clone()} />
            </label>
            <label class="field field-inline">
                <span class="field-label">{ "Seed" }</span>
                <input ref={seed_ref} class="input input-small" type="text" inputmode="numeric"
                    aria-label="Seed" value={shown_seed} oninput={edit.clone()} />
            </label>
            <label class="field field-inline">
                <span class="field-label">{ "Nodes" }</span>
                <input ref={nodes_ref} class="input input-small" type="text" inputmode="numeric"
                    aria-label="Number of nodes" value={shown_nodes} oninput={edit} />
            </label>
            if let Some(error) = &props.error {
                <p class="settings-error" role="alert" data-testid="settings-error">{ error }</p>
            }
            <button type="button" class="button button-small button-primary" data-action="rerun" onclick={run}>
                { "Run with these settings" }
            </button>
        </details>
    }
}
