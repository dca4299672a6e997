//! Shared helpers for the browser tests: mount the app, find elements, click them, and wait for
//! the condition a test needs by polling it against a generous deadline. Nothing here sleeps a fixed
//! time in place of a condition: Yew renders when the browser lets it, and a loaded machine only
//! makes the wait longer, never the test wrong.

#![allow(dead_code)]

use std::time::Duration;

use causeway::ui::App;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// How long a wait may take before the test fails. Far above what an idle machine needs (a few
/// frames), so that a busy one still passes.
const DEADLINE_MS: f64 = 20_000.0;

/// How long to yield to the browser between two looks at the condition.
const POLL: Duration = Duration::from_millis(10);

/// Polls `condition` until it returns `Some`, yielding to the browser between looks, and panics
/// naming `what` if the deadline passes first.
pub async fn wait_for_value<T>(what: &str, mut condition: impl FnMut() -> Option<T>) -> T {
    let started = js_sys::Date::now();
    loop {
        if let Some(value) = condition() {
            return value;
        }
        if js_sys::Date::now() - started > DEADLINE_MS {
            panic!("waited {DEADLINE_MS} ms for {what}");
        }
        yew::platform::time::sleep(POLL).await;
    }
}

/// Polls `condition` until it holds; see [`wait_for_value`].
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    wait_for_value(what, || condition().then_some(())).await
}

/// Waits until an element matches `selector` under `root` and returns it.
pub async fn wait_for(root: &Element, selector: &str) -> Element {
    wait_for_value(&format!("an element matching `{selector}`"), || {
        root.query_selector(selector).ok().flatten()
    })
    .await
}

/// Waits until the element matching `selector` contains `needle` in its text.
pub async fn wait_for_text(root: &Element, selector: &str, needle: &str) -> Element {
    wait_for_value(&format!("`{selector}` to say \"{needle}\""), || {
        root.query_selector(selector)
            .ok()
            .flatten()
            .filter(|e| e.text_content().unwrap_or_default().contains(needle))
    })
    .await
}

/// Waits until exactly `expected` elements match `selector`.
pub async fn wait_for_count(root: &Element, selector: &str, expected: u32) {
    wait_until(
        &format!("{expected} elements matching `{selector}`"),
        || count(root, selector) == expected,
    )
    .await
}

/// Mounts a fresh `App` in its own 1280 × 800 element and waits for its controls to render.
pub async fn mount() -> Element {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .expect("a browser document");
    let root = document.create_element("div").expect("create root");
    root.set_attribute("style", "width:1280px;height:800px")
        .expect("style");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("attach root");
    yew::Renderer::<App>::with_root(root.clone()).render();
    // The page is first drawn in steps (`app.rs`, `Drawn`); the scenario list comes last.
    wait_for(&root, "[data-region=controls]").await;
    wait_for(&root, "[data-region=scenarios]").await;
    root
}

/// The element matching `selector`, which must exist now.
pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("no element matches `{selector}`"))
}

pub fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("valid selector")
        .length()
}

pub fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

/// Waits for an enabled element matching `selector`, then clicks it.
pub async fn click(root: &Element, selector: &str) {
    let enabled = format!("{selector}:not([disabled])");
    wait_for(root, &enabled)
        .await
        .dyn_into::<HtmlElement>()
        .expect("an HTML element")
        .click();
}

/// Clicks an SVG element by dispatching a bubbling click, as SVG elements have no `click()`.
pub async fn click_svg(root: &Element, selector: &str) {
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &{
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("a click event");
    wait_for(root, selector)
        .await
        .dispatch_event(&event)
        .expect("dispatch");
}

/// Opens a preset from the scenario list and waits until its diagram shows its lanes.
pub async fn open(root: &Element, preset: &str) {
    click(root, &format!("button[data-preset='{preset}']")).await;
    wait_for(
        root,
        &format!("button[data-preset='{preset}'][aria-current]"),
    )
    .await;
    wait_for(root, "svg.diagram .lane-header").await;
}
