//! The export menu: the trace as JSON Lines, a ShiViz log (with the regular expression ShiViz needs
//! to read it), Mermaid text for Markdown notes, and the diagram as an SVG or PNG picture, of the
//! visible window or of the whole run.

use std::rc::Rc;

use yew::prelude::*;

use super::diagram::{DiagramPicture, PictureProps};
use crate::engine::ids::NodeId;
use crate::engine::run::write_jsonl;
use crate::export::{SHIVIZ_REGEX, mermaid, shiviz};
use crate::ui::files;
use crate::ui::page;
use crate::ui::picture::{self, Theme};
use crate::ui::session::SessionHandle;
use crate::view::diagram::DiagramLayout;
use crate::view::frame::{self, FrameKey, TimeView};
use gloo::events::EventListener;
use wasm_bindgen::{JsCast, JsValue};

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

/// What the diagram on the page is drawn with, so the whole run can be drawn the same way.
#[derive(Clone, PartialEq)]
pub struct Showing {
    pub key: FrameKey,
    pub spotlight: Vec<NodeId>,
}

/// The tallest picture of the whole run, in CSS pixels.
const WHOLE_MAX_PX: f64 = 2400.0;

/// `showing`'s choices with the window widened to the whole run up to `now` (and a twentieth
/// more, so the last events are not on the edge), and the diagram made taller, up to
/// `WHOLE_MAX_PX`, as far as the run is longer than the window.
fn whole_run(showing: &Showing, now: u64) -> FrameKey {
    let mut key = showing.key;
    let span = (now + now / 20).max(1_000);
    let (width, height) = key.size;
    let longer = span as f64 / key.view.span_us.max(1) as f64;
    key.size = (
        width,
        (height * longer).clamp(height, WHOLE_MAX_PX.max(height)),
    );
    key.view = TimeView {
        start_us: 0,
        span_us: span,
        follow: false,
    };
    key.models = false;
    key.live = false;
    key
}

/// Where the picture is drawn, out of sight inside the diagram's canvas, so the panel's style
/// sheets and theme apply to it.
fn picture_host() -> Result<web_sys::Element, JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let canvas = document
        .query_selector(".panel-diagram .diagram-canvas")?
        .ok_or_else(|| JsValue::from_str("there is no diagram to export"))?;
    let host = document.create_element("div")?;
    host.set_attribute("aria-hidden", "true")?;
    host.set_attribute(
        "style",
        "position:absolute;left:-100000px;top:0;pointer-events:none",
    )?;
    canvas.append_child(&host)?;
    Ok(host)
}

/// The picture of `layout`, drawn on its own root out of sight and read like the panel's.
async fn draw_apart(
    layout: Rc<DiagramLayout>,
    showing: &Showing,
    title: &str,
    theme: Theme,
) -> Result<String, JsValue> {
    let host = picture_host()?;
    let props = PictureProps {
        layout,
        selection: showing.key.selection,
        spotlight: showing.spotlight.clone(),
    };
    let app = yew::Renderer::<DiagramPicture>::with_root_and_props(host.clone(), props).render();
    // Yew draws on its scheduler's next turn; a few turns are plenty.
    let mut svg = None;
    for _ in 0..50 {
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
        svg = host.query_selector("svg.diagram")?;
        if svg.is_some() {
            break;
        }
    }
    let result = match svg {
        Some(svg) => picture::diagram_svg(&svg, title, theme),
        None => Err(JsValue::from_str("the whole run could not be drawn")),
    };
    app.destroy();
    host.remove();
    result
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

/// The picture of the diagram: the panel's own, or with `whole`, the whole run drawn apart.
async fn diagram(
    session: &SessionHandle,
    whole: Option<&Showing>,
    theme: Theme,
) -> Result<String, String> {
    let page_svg = || {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(".panel-diagram svg.diagram")
                    .ok()
                    .flatten()
            })
            .ok_or_else(|| "there is no diagram to export".to_string())
    };
    let (title, whole) = {
        let guard = session.0.borrow();
        let session = guard
            .as_ref()
            .ok_or_else(|| "there is no run to export".to_string())?;
        let whole = whole.map(|showing| {
            let key = whole_run(showing, session.run.now().0);
            (
                frame::build(&session.source(), &key).diagram.clone(),
                showing,
            )
        });
        (session.scenario().name.clone(), whole)
    };
    match whole {
        Some((layout, showing)) => draw_apart(layout, showing, &title, theme).await,
        None => picture::diagram_svg(&page_svg()?, &title, theme),
    }
    .map_err(|error| describe(&error))
}

/// The exported files' name without its extension. `None` without a session.
fn stem(session: &SessionHandle, whole: bool) -> Option<String> {
    let guard = session.0.borrow();
    let name = guard.as_ref()?.preset.unwrap_or("run");
    Some(if whole {
        format!("causeway-{name}-whole")
    } else {
        format!("causeway-{name}")
    })
}

/// Builds a text export, while the session is borrowed. `None` without a session.
fn produce(session: &SessionHandle, export: Export) -> Option<Result<String, String>> {
    let guard = session.0.borrow();
    let session = guard.as_ref()?;
    Some(match export {
        Export::Trace => {
            let mut out = Vec::new();
            write_jsonl(&*session.run, &mut out)
                .map(|()| String::from_utf8_lossy(&out).into_owned())
                .map_err(|error| error.to_string())
        }
        Export::ShiViz => Ok(shiviz(&*session.run)),
        Export::Mermaid => Ok(mermaid(&*session.run, session.run.now())),
        Export::Regex => Ok(SHIVIZ_REGEX.to_string()),
        Export::Svg | Export::Png => Err("a picture is not text".to_string()),
    })
}

/// Downloads `text` as `name`; returns what to tell the user.
fn save(name: &str, mime: &str, text: &str, what: &str) -> Result<String, wasm_bindgen::JsValue> {
    files::download_text(name, mime, text).map(|()| format!("Downloaded {what} as {name}."))
}

/// Produces one export; returns what to tell the user.
async fn run_export(
    session: SessionHandle,
    export: Export,
    theme: Theme,
    whole: Option<Showing>,
) -> String {
    let Some(stem) = stem(&session, whole.is_some()) else {
        return "Open a scenario first.".to_string();
    };
    let text = match export {
        Export::Svg | Export::Png => diagram(&session, whole.as_ref(), theme).await,
        _ => match produce(&session, export) {
            Some(text) => text,
            None => return "Open a scenario first.".to_string(),
        },
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

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// What the diagram shows now; `None` while nothing is drawn.
    pub showing: Option<Showing>,
}

#[function_component]
pub fn ExportMenu(props: &ExportProps) -> Html {
    let app = use_app();
    let open = use_state(|| false);
    // Pictures are light whatever the page's theme, unless asked for dark.
    let dark = use_state(|| false);
    // Pictures are of the visible window, unless asked for the whole run.
    let whole = use_state(|| false);
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
        let picture = matches!(export, Export::Svg | Export::Png);
        let whole = props.showing.clone().filter(|_| *whole && picture);
        Callback::from(move |_: MouseEvent| {
            let (session, dispatch, whole) = (session.clone(), dispatch.clone(), whole.clone());
            open.set(false);
            yew::platform::spawn_local(async move {
                let text = run_export(session, export, theme, whole).await;
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
    let on_whole = |value: bool| {
        let whole = whole.clone();
        Callback::from(move |_: Event| whole.set(value))
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
                        <span>{ "SVG" }</span><small>{ "with its title, time range and legend" }</small>
                    </button>
                    <button type="button" class="export-item" onclick={item(Export::Png)} data-export="png">
                        <span>{ "PNG" }</span><small>{ "the same, at twice its size" }</small>
                    </button>
                    <fieldset class="export-choice">
                        <legend class="visually-hidden">{ "Picture of" }</legend>
                        <label class="export-option">
                            <input type="radio" name="export-extent" checked={!*whole} onchange={on_whole(false)}
                                data-testid="export-window" />
                            { "Visible window" }
                        </label>
                        <label class="export-option">
                            <input type="radio" name="export-extent" checked={*whole} onchange={on_whole(true)}
                                data-testid="export-whole" />
                            { "Whole run" }
                        </label>
                    </fieldset>
                    <label class="export-option">
                        <input type="checkbox" checked={*dark} onchange={on_dark} data-testid="export-dark" />
                        { "Dark background" }
                    </label>
                </div>
            }
        </div>
    }
}
