//! A panic hook that still works when Yew cannot: it logs to the console and puts an error panel in
//! the page with plain DOM calls.
//!
//! Release builds use `panic = "abort"`, so the hook is the last Rust code to run before the module
//! traps. It therefore builds the panel itself, sets every piece of text through text nodes (the panic
//! message is untrusted text, never markup) and gives the Reload button a listener that only asks the
//! browser to reload.

use std::panic::PanicHookInfo;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Document, Element, HtmlElement};

/// The id of the error panel, so a second panic does not stack a second panel.
const PANEL_ID: &str = "panic-panel";

/// Installs the hook through Yew, which otherwise replaces any hook with its own when it mounts.
pub fn install_hook() {
    yew::set_custom_panic_hook(Box::new(report));
}

fn report(info: &PanicHookInfo<'_>) {
    let message = info.to_string();
    // An `Error` object makes the console show a stack trace along with the message.
    web_sys::console::error_1(&js_sys::Error::new(&format!("Causeway crashed: {message}")).into());
    if let Some(document) = web_sys::window().and_then(|window| window.document())
        && let Err(error) = show_panel(&document, &message)
    {
        web_sys::console::error_2(&"Causeway could not show its error panel:".into(), &error);
    }
}

fn show_panel(document: &Document, message: &str) -> Result<(), wasm_bindgen::JsValue> {
    if document.get_element_by_id(PANEL_ID).is_some() {
        return Ok(());
    }
    super::page::dismiss_loading_screen();

    let panel = element(document, "div", "panic-panel", None)?;
    panel.set_id(PANEL_ID);
    panel.set_attribute("role", "alertdialog")?;
    panel.set_attribute("aria-modal", "true")?;
    panel.set_attribute("aria-labelledby", "panic-title")?;
    panel.set_attribute("aria-describedby", "panic-summary")?;

    let card = element(document, "div", "panic-card", None)?;
    let title = element(document, "h2", "panic-title", Some("Causeway stopped"))?;
    title.set_id("panic-title");
    let summary = element(
        document,
        "p",
        "panic-summary",
        Some("An internal error stopped the app. Reloading the page starts it again."),
    )?;
    summary.set_id("panic-summary");
    let details = element(document, "pre", "panic-message", Some(message))?;
    let button = element(document, "button", "button button-primary", Some("Reload"))?;
    button.set_attribute("type", "button")?;
    let reload = Closure::<dyn FnMut()>::new(|| {
        if let Some(window) = web_sys::window() {
            // Nothing sensible is left to do if even reloading fails.
            let _ = window.location().reload();
        }
    });
    button.add_event_listener_with_callback("click", reload.as_ref().unchecked_ref())?;
    // The listener must outlive this function, and the page never removes the panel.
    reload.forget();

    card.append_child(&title)?;
    card.append_child(&summary)?;
    card.append_child(&details)?;
    card.append_child(&button)?;
    panel.append_child(&card)?;
    document
        .body()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("the page has no body"))?
        .append_child(&panel)?;
    if let Ok(button) = button.dyn_into::<HtmlElement>() {
        button.focus()?;
    }
    Ok(())
}

/// Creates `<tag class=…>` with optional text, set as a text node so it is never parsed as HTML.
fn element(
    document: &Document,
    tag: &str,
    class: &str,
    text: Option<&str>,
) -> Result<Element, wasm_bindgen::JsValue> {
    let element = document.create_element(tag)?;
    element.set_class_name(class);
    if let Some(text) = text {
        element.append_child(&document.create_text_node(text))?;
    }
    Ok(element)
}
