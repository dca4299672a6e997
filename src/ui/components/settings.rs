//! "Change the settings": the open scenario's protocol parameters and system model (as JSON), seed
//! and node count, editable, run again with one button. What a lesson's "set `break_it` back to
//! `none`" or "run it under an asynchronous model" asks for; a mistake is shown here, naming what
//! is wrong, and the run stays as it was.

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::scenario::Settings as Values;
use crate::ui::state::{UiAction, use_app};

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// Why the last settings could not run, if they could not.
    pub error: Option<String>,
}

/// The rows a JSON text area needs for `text`.
fn rows(text: &str) -> String {
    ((text.len() / 36).clamp(2, 8) + 1).to_string()
}

#[function_component]
pub fn Settings(props: &SettingsProps) -> Html {
    let app = use_app();
    let protocol_ref = use_node_ref();
    let model_ref = use_node_ref();
    let seed_ref = use_node_ref();
    let nodes_ref = use_node_ref();
    let saved = {
        let session = app.session.0.borrow();
        let Some(session) = session.as_ref() else {
            return Html::default();
        };
        session.settings()
    };
    // What the student typed, kept across renders (and a failed run) until the scenario changes.
    let draft = use_state(|| None::<Values>);
    {
        let draft = draft.clone();
        use_effect_with(saved.clone(), move |_| draft.set(None));
    }
    let shown = (*draft).clone().unwrap_or_else(|| saved.clone());
    let edit = {
        let draft = draft.clone();
        let refs = (
            protocol_ref.clone(),
            model_ref.clone(),
            seed_ref.clone(),
            nodes_ref.clone(),
        );
        Callback::from(move |_: InputEvent| {
            let area = |r: &NodeRef| {
                r.cast::<HtmlTextAreaElement>()
                    .map(|t| t.value())
                    .unwrap_or_default()
            };
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            draft.set(Some(Values {
                protocol: area(&refs.0),
                model: area(&refs.1),
                seed: input(&refs.2),
                nodes: input(&refs.3),
            }));
        })
    };
    let run = {
        let dispatch = app.dispatch.clone();
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Rerun(shown.clone())))
    };
    html! {
        <details class="settings" data-region="settings" open={props.error.is_some()}>
            <summary>{ "Change the settings" }</summary>
            <label class="field">
                <span class="field-label">{ "Protocol" }</span>
                <textarea ref={protocol_ref} class="input input-code" rows={rows(&saved.protocol)}
                    spellcheck="false" aria-label="Protocol settings as JSON" value={shown.protocol.clone()}
                    oninput={edit.clone()} />
            </label>
            <label class="field">
                <span class="field-label">{ "System model (empty: none)" }</span>
                <textarea ref={model_ref} class="input input-code" rows={rows(&saved.model)}
                    spellcheck="false" aria-label="System model as JSON" value={shown.model.clone()}
                    oninput={edit.clone()} />
            </label>
            <label class="field field-inline">
                <span class="field-label">{ "Seed" }</span>
                <input ref={seed_ref} class="input input-small" type="text" inputmode="numeric"
                    aria-label="Seed" value={shown.seed.clone()} oninput={edit.clone()} />
            </label>
            <label class="field field-inline">
                <span class="field-label">{ "Nodes" }</span>
                <input ref={nodes_ref} class="input input-small" type="text" inputmode="numeric"
                    aria-label="Number of nodes" value={shown.nodes.clone()} oninput={edit} />
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
