//! Sharing: the bar that offers a link to the run as it is now (copied to the clipboard, or selected
//! for copying by hand) and the code that embeds it, and the panel that says why a link cannot be opened.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::scenario::presets;
use crate::ui::state::{UiAction, open_preset, use_app};
use crate::ui::{embed, page};

#[derive(Clone, Copy, PartialEq)]
enum Copied {
    Pending,
    /// What was copied.
    Yes(&'static str),
    No,
}

/// Copies `text`; where the clipboard is unavailable or refuses, selects the field for copying by
/// hand.
fn copy(text: String, field: NodeRef, copied: UseStateSetter<Copied>, what: &'static str) {
    yew::platform::spawn_local(async move {
        if page::copy_to_clipboard(&text).await {
            copied.set(Copied::Yes(what));
        } else {
            if let Some(input) = field.cast::<HtmlInputElement>() {
                // Focus only helps the selection show; copying by hand works without it.
                let _ = input.focus();
                input.select();
            }
            copied.set(Copied::No);
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    /// The link's fragment, without `#`.
    pub fragment: String,
}

#[function_component]
pub fn ShareBar(props: &ShareBarProps) -> Html {
    let app = use_app();
    let link_field = use_node_ref();
    let embed_field = use_node_ref();
    let copied = use_state(|| Copied::Pending);
    {
        let field = link_field.clone();
        let copied = copied.setter();
        use_effect_with(props.fragment.clone(), move |fragment| {
            page::replace_fragment(fragment);
            copied.set(Copied::Pending);
            copy(page::url_with_fragment(fragment), field, copied, "Link");
        });
    }
    let url = page::url_with_fragment(&props.fragment);
    let code = embed::code(&props.fragment);
    let on_copy = |text: &String, field: &NodeRef, what: &'static str| {
        let (text, field, copied) = (text.clone(), field.clone(), copied.setter());
        Callback::from(move |_: MouseEvent| copy(text.clone(), field.clone(), copied.clone(), what))
    };
    let close = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Share(false)))
    };
    let status = match *copied {
        Copied::Pending => "Copying the link…".to_string(),
        Copied::Yes("Link") => {
            "Link copied. It opens this run at this moment, with every intervention.".to_string()
        }
        Copied::Yes(what) => format!("{what} copied."),
        Copied::No => "Copy the selected text (Ctrl+C or ⌘C).".to_string(),
    };
    html! {
        <div class="share-bar" data-testid="share">
            <div class="share-row">
                <label class="share-field">
                    <span class="field-label">{ "Link" }</span>
                    <input ref={link_field.clone()} class="input input-small share-url" type="text" readonly=true
                        value={url.clone()} aria-label="Link to this run at this moment" data-testid="share-url" />
                </label>
                <button type="button" class="button button-small" onclick={on_copy(&url, &link_field, "Link")}>{ "Copy link" }</button>
                <button type="button" class="note-dismiss" aria-label="Close" onclick={close}>{ "×" }</button>
            </div>
            <div class="share-row">
                <label class="share-field">
                    <span class="field-label">{ "Embed" }</span>
                    <input ref={embed_field.clone()} class="input input-small share-url" type="text" readonly=true
                        value={code.clone()} aria-label="Code that embeds this run in a web page" data-testid="embed-code" />
                </label>
                <button type="button" class="button button-small" onclick={on_copy(&code, &embed_field, "Embed code")}
                    data-action="copy-embed">{ "Copy embed code" }</button>
            </div>
            <span class="share-status" role="status">{ status }</span>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LinkErrorProps {
    /// The decoder's explanation: untrusted text, shown as text.
    pub message: String,
}

#[function_component]
pub fn LinkErrorPanel(props: &LinkErrorProps) -> Html {
    let app = use_app();
    let open_default = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            page::replace_fragment("");
            if let Some(preset) = presets::PRESETS.first() {
                open_preset(&dispatch, preset.id, Vec::new());
            }
        })
    };
    let mut message = props.message.clone();
    if let Some(first) = message.get(..1) {
        message.replace_range(..1, &first.to_uppercase());
    }
    html! {
        <section class="link-error" role="alert" aria-labelledby="link-error-title" data-testid="link-error">
            <h2 id="link-error-title" class="link-error-title">{ "This link cannot be opened" }</h2>
            <p class="link-error-message" data-testid="link-error-message">{ message }{ "." }</p>
            <button type="button" class="button button-primary" onclick={open_default}>
                { "Open the default scenario" }
            </button>
        </section>
    }
}
