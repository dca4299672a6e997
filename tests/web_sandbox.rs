//! Browser tests for the sandbox's components: open a preset, step, select, intervene, and check
//! what the diagram, topology, inspector and checkers render. The frame loop is not exercised here
//! (it needs animation frames); stepping drives the run instead.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --tests`.

#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use causeway::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

async fn mount() -> Element {
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
    settle().await;
    root
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("no element matches `{selector}`"))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("valid selector")
        .length()
}

async fn click(root: &Element, selector: &str) {
    for _ in 0..50 {
        if root.query_selector(selector).ok().flatten().is_some() {
            break;
        }
        settle().await;
    }
    find(root, selector)
        .dyn_into::<HtmlElement>()
        .expect("an HTML element")
        .click();
    settle().await;
}

/// Clicks an SVG element by dispatching a bubbling click, as SVG elements have no `click()`.
async fn click_svg(root: &Element, selector: &str) {
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &{
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("a click event");
    find(root, selector)
        .dispatch_event(&event)
        .expect("dispatch");
    settle().await;
}

async fn open(root: &Element, preset: &str) {
    click(root, &format!("button[data-preset='{preset}']")).await;
    settle().await;
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn opening_a_preset_draws_a_lane_per_node_and_its_lesson() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    assert_eq!(count(&root, "svg.diagram .lane-header"), 5);
    assert_eq!(count(&root, "svg.topology .topo-node"), 5);
    assert_eq!(count(&root, "svg.topology .topo-link"), 10);
    assert!(!text(&root, "[data-region=lesson] .lesson-text").is_empty());
    assert!(count(&root, "[data-region=checkers] .checker") >= 1);
    assert!(
        find(&root, "button[data-preset='heartbeat-basic']").has_attribute("aria-current"),
        "the open preset is marked current"
    );
}

#[wasm_bindgen_test]
async fn stepping_adds_events_and_stepping_back_removes_them() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    let events = |root: &Element| -> u32 {
        text(root, ".readout-item:nth-child(2) dd")
            .replace(',', "")
            .parse()
            .expect("an event count")
    };
    for _ in 0..6 {
        click(&root, "button[aria-label='Step forward']").await;
    }
    let forward = events(&root);
    assert!(forward > 0);
    click(&root, "button[aria-label='Step back']").await;
    assert!(events(&root) < forward);
    assert!(
        count(&root, "svg.diagram path.marks") >= 1,
        "events are drawn"
    );
}

#[wasm_bindgen_test]
async fn selecting_a_node_shows_its_state_and_crashing_it_marks_its_lane() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    for _ in 0..12 {
        click(&root, "button[aria-label='Step forward']").await;
    }
    click_svg(&root, "svg.diagram .lane-header[data-node=n2]").await;
    let inspector = find(&root, "[data-region=inspector]");
    assert_eq!(text(&inspector, "[data-testid=role]"), "trusting");
    assert!(
        inspector
            .text_content()
            .unwrap_or_default()
            .contains("Lamport")
    );
    click(&inspector, ".button-danger").await;
    assert_eq!(
        count(
            &root,
            "svg.diagram .lane-header.status-crashed[data-node=n2]"
        ),
        1
    );
    assert_eq!(count(&root, "svg.topology .topo-node.status-crashed"), 1);
    assert!(text(&root, "[data-testid=note]").contains("crash n2"));
    assert!(
        find(&root, "[data-region=inspector]")
            .text_content()
            .unwrap_or_default()
            .contains("Restart")
    );
}

#[wasm_bindgen_test]
async fn a_bad_client_request_is_reported_not_fatal() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    click_svg(&root, "svg.topology .topo-node[data-node=n1]").await;
    let area: web_sys::HtmlTextAreaElement = find(&root, ".request-form textarea")
        .dyn_into()
        .expect("a textarea");
    area.set_value("{\"nonsense\": 1}");
    click(&root, ".request-form button[type=submit]").await;
    let note = find(&root, "[data-testid=note]");
    assert_eq!(note.get_attribute("role").as_deref(), Some("alert"));
    assert!(
        note.text_content()
            .unwrap_or_default()
            .contains("not a valid request")
    );
}

#[wasm_bindgen_test]
async fn grouping_nodes_partitions_them_and_heal_undoes_it() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    click(&root, ".partition-bar .chip:nth-child(1)").await;
    click(&root, ".partition-bar .chip:nth-child(2)").await;
    click(&root, ".partition-actions button:nth-child(1)").await;
    assert_eq!(count(&root, "svg.topology .link-partitioned"), 6);
    click(&root, ".partition-actions button:nth-child(2)").await;
    assert_eq!(count(&root, "svg.topology .link-partitioned"), 0);
}

#[wasm_bindgen_test]
async fn the_help_dialog_lists_the_shortcuts() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    click(&root, ".button-help").await;
    let dialog = find(&root, "[role=dialog]");
    assert!(dialog.text_content().unwrap_or_default().contains("Space"));
    click(&root, "[role=dialog] .button-primary").await;
    assert_eq!(count(&root, "[role=dialog]"), 0);
}
