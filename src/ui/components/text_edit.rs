//! Typing into a node's text (a text CRDT's replica, `Protocol::editable_text`): the field shows
//! the replica's text until the student edits it; **Apply** sends the edit to the node as client
//! requests (`view::edit`), a delete and an insert between the common ends of the two texts.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::action::Action;
use crate::engine::ids::NodeId;
use crate::ui::state::{UiAction, use_app};
use crate::view::edit;

#[derive(Properties, PartialEq)]
pub struct TextEditProps {
    pub node: NodeId,
    /// The node's text now.
    pub text: String,
}

#[function_component]
pub fn TextEdit(props: &TextEditProps) -> Html {
    let app = use_app();
    // The text the edit began from and the edit so far, while the student is editing.
    let draft = use_state(|| None::<(String, String)>);
    let shown = draft
        .as_ref()
        .map_or_else(|| props.text.clone(), |(_, edited)| edited.clone());
    let oninput = {
        let (draft, text) = (draft.clone(), props.text.clone());
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let base = draft
                .as_ref()
                .map_or_else(|| text.clone(), |(base, _)| base.clone());
            draft.set(Some((base, input.value())));
        })
    };
    let onsubmit = {
        let (draft, dispatch, node) = (draft.clone(), app.dispatch.clone(), props.node);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some((base, edited)) = &*draft {
                for op in edit::requests(base, edited) {
                    dispatch.dispatch(UiAction::Intervene(Action::ClientRequest { node, op }));
                }
            }
            draft.set(None);
        })
    };
    let editing = draft.is_some();
    html! {
        <form class="request-form text-edit" {onsubmit} data-testid="text-edit">
            <label class="field">
                <span class="field-label">{ format!("Type into {}'s text", props.node) }</span>
                <input class="input input-code" type="text" spellcheck="false" value={shown} {oninput} />
            </label>
            <button type="submit" class="button button-small" disabled={!editing}>
                { "Apply the edit" }
            </button>
        </form>
    }
}
