//! The export menu: the trace as JSON Lines, a ShiViz log (with the regular expression ShiViz needs
//! to read it), Mermaid text for Markdown notes, and the diagram as an SVG or PNG picture.

use yew::prelude::*;

use crate::engine::run::write_jsonl;
use crate::export::{SHIVIZ_REGEX, mermaid, shiviz};
use crate::ui::files;
use crate::ui::page;
use crate::ui::picture::{self, Theme};
use crate::ui::session::SessionHandle;
use gloo::events::EventListener;
use wasm_bindgen::JsCast;

use crate::ui::state::{Note, NoteKind, UiAction, use_app};

#[derive(Clone, Copy, PartialEq)]
enum Export {
    Trace,
    ShiViz,
    Mermaid,
    Svg,
    Png,
    Regex,
}

/// The text of an error from the browser.
fn describe(error: &wasm_bindgen::JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(error)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_else(|| "the browser refused".to_string())
}

/// Copies `text`, or downloads it as `fallback` where the clipboard is unavailable.
async fn copy_or_download(text: &str, what: &str, fallback: &str) -> String {
    if page::copy_to_clipboard(text).await {
        return format!("{what} copied to the clipboard.");
    }
    match files::download_text(fallback, "text/plain", text) {
        Ok(()) => format!("The clipboard is unavailable, so {what} was downloaded as {fallback}."),
        Err(error) => format!("{what} could not be copied: {}", describe(&error)),
    }
}

/// Builds the export's text (for the pictures, the standalone SVG in `theme`) and the file name
/// stem, while the session is borrowed. `None` without a session.
fn produce(
    session: &SessionHandle,
    export: Export,
    theme: Theme,
) -> Option<(String, Result<String, String>)> {
    let guard = session.0.borrow();
    let session = guard.as_ref()?;
    let stem = format!("causeway-{}", session.preset.unwrap_or("run"));
    let text = match export {
        Export::Trace => {
            let mut out = Vec::new();
            write_jsonl(&*session.run, &mut out)
                .map(|()| String::from_utf8_lossy(&out).into_owned())
                .map_err(|error| error.to_string())
        }
        Export::ShiViz => Ok(shiviz(&*session.run)),
        Export::Mermaid => Ok(mermaid(&*session.run, session.run.now())),
        Export::Regex => Ok(SHIVIZ_REGEX.to_string()),
        Export::Svg | Export::Png => {
            picture::diagram_svg(&session.scenario().name, theme).map_err(|error| describe(&error))
        }
    };
    Some((stem, text))
}

/// Downloads `text` as `name`; returns what to tell the user.
fn save(name: &str, mime: &str, text: &str, what: &str) -> Result<String, wasm_bindgen::JsValue> {
    files::download_text(name, mime, text).map(|()| format!("Downloaded {what} as {name}."))
}

/// Produces one export; returns what to tell the user.
async fn run_export(session: SessionHandle, export: Export, theme: Theme) -> String {
    let Some((stem, text)) = produce(&session, export, theme) else {
        return "Open a scenario first.".to_string();
    };
    let text = match text {
        Ok(text) => text,
        Err(error) => return format!("The export failed: {error}"),
    };
    let done = match export {
        Export::Trace => save(
            &format!("{stem}.jsonl"),
            "application/x-ndjson",
            &text,
            "the trace",
        ),
        Export::ShiViz => save(
            &format!("{stem}.shiviz.log"),
            "text/plain",
            &text,
            "the ShiViz log",
        ),
        Export::Svg => save(
            &format!("{stem}.svg"),
            "image/svg+xml",
            &text,
            "the diagram",
        ),
        Export::Png => {
            let name = format!("{stem}.png");
            files::download_png(&text, &name)
                .await
                .map(|()| format!("Downloaded the diagram as {name}."))
        }
        Export::Mermaid => {
            Ok(copy_or_download(&text, "The Mermaid diagram", &format!("{stem}.mmd")).await)
        }
        Export::Regex => {
            Ok(copy_or_download(&text, "The regular expression", "shiviz-regex.txt").await)
        }
    };
    done.unwrap_or_else(|error| format!("The export failed: {}", describe(&error)))
}

#[function_component]
pub fn ExportMenu() -> Html {
    let app = use_app();
    let open = use_state(|| false);
    // Pictures are light whatever the page's theme, unless asked for dark.
    let dark = use_state(|| false);
    let wrapper = use_node_ref();
    let button = use_node_ref();
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    // A choice closes the menu; what came of it shows in the note bar.
    let item = |export: Export| {
        let session = app.session.clone();
        let dispatch = app.dispatch.clone();
        let open = open.clone();
        let theme = if *dark { Theme::Dark } else { Theme::Light };
        Callback::from(move |_: MouseEvent| {
            let (session, dispatch) = (session.clone(), dispatch.clone());
            open.set(false);
            yew::platform::spawn_local(async move {
                let text = run_export(session, export, theme).await;
                let kind = if text.starts_with("The export failed") {
                    NoteKind::Error
                } else {
                    NoteKind::Info
                };
                dispatch.dispatch(UiAction::Note(Some(Note { kind, text })));
            });
        })
    };
    let on_dark = {
        let dark = dark.clone();
        Callback::from(move |_: Event| dark.set(!*dark))
    };
    // Esc closes the menu and gives the focus back to its button.
    let onkeydown = {
        let (open, button) = (open.clone(), button.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *open {
                event.stop_propagation();
                open.set(false);
                if let Some(button) = button.cast::<web_sys::HtmlElement>() {
                    // Focus is a convenience; nothing depends on it succeeding.
                    let _ = button.focus();
                }
            }
        })
    };
    // A press anywhere outside the menu closes it.
    {
        let (open, wrapper) = (open.clone(), wrapper.clone());
        use_effect_with(*open, move |showing| {
            let listener = (*showing)
                .then(|| web_sys::window().and_then(|w| w.document()))
                .flatten()
                .map(|document| {
                    EventListener::new(&document, "pointerdown", move |event| {
                        let inside = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                            .zip(wrapper.get())
                            .is_some_and(|(target, wrapper)| wrapper.contains(Some(&target)));
                        if !inside {
                            open.set(false);
                        }
                    })
                });
            move || drop(listener)
        });
    }
    html! {
        <div class="export" ref={wrapper} {onkeydown}>
            <button ref={button} type="button" class={classes!("button", "button-small", open.then_some("is-on"))}
                aria-expanded={open.to_string()} aria-controls="export-menu" onclick={toggle}
                data-action="export">{ "Export" }</button>
            if *open {
                <div id="export-menu" class="export-menu" role="group" aria-label="Export">
                    <p class="export-heading">{ "Trace" }</p>
                    <button type="button" class="export-item" onclick={item(Export::Trace)} data-export="trace">
                        <span>{ "JSON Lines" }</span><small>{ "every event, one JSON object a line" }</small>
                    </button>
                    <button type="button" class="export-item" onclick={item(Export::ShiViz)} data-export="shiviz">
                        <span>{ "ShiViz log" }</span><small>{ "open it in ShiViz with this expression:" }</small>
                    </button>
                    <div class="export-regex">
                        <input class="input input-small" type="text" readonly=true value={SHIVIZ_REGEX}
                            aria-label="ShiViz log parsing regular expression" data-testid="shiviz-regex" />
                        <button type="button" class="button button-small" onclick={item(Export::Regex)}
                            data-export="regex">{ "Copy" }</button>
                    </div>
                    <button type="button" class="export-item" onclick={item(Export::Mermaid)} data-export="mermaid">
                        <span>{ "Copy Mermaid" }</span><small>{ "a sequenceDiagram up to now, for Markdown" }</small>
                    </button>
                    <p class="export-heading">{ "Diagram" }</p>
                    <button type="button" class="export-item" onclick={item(Export::Svg)} data-export="svg">
                        <span>{ "SVG" }</span><small>{ "the visible window with its title, times and legend" }</small>
                    </button>
                    <button type="button" class="export-item" onclick={item(Export::Png)} data-export="png">
                        <span>{ "PNG" }</span><small>{ "the same, at twice its size" }</small>
                    </button>
                    <label class="export-option">
                        <input type="checkbox" checked={*dark} onchange={on_dark} data-testid="export-dark" />
                        { "Dark background" }
                    </label>
                </div>
            }
        </div>
    }
}
