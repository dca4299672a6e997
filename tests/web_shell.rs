//! Browser tests for the app shell: mount `App` in headless Chromium and check its regions.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --tests` (the runner is set in
//! `.cargo/config.toml`).

#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_support::{find, mount};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn header_names_the_product() {
    let root = mount().await;
    let header = find(&root, "header[data-region=header]");
    assert_eq!(
        find(&header, "h1").text_content().as_deref(),
        Some("Causeway")
    );
    assert!(
        header
            .text_content()
            .unwrap_or_default()
            .contains("distributed systems")
    );
}

#[wasm_bindgen_test]
async fn all_four_regions_are_present_and_labelled() {
    let root = mount().await;
    for region in ["scenarios", "controls", "diagram", "inspector"] {
        let element = find(&root, &format!("[data-region={region}]"));
        let label_id = element
            .get_attribute("aria-labelledby")
            .unwrap_or_else(|| panic!("region `{region}` has no aria-labelledby"));
        let label = find(&root, &format!("#{label_id}"));
        assert!(
            !label.text_content().unwrap_or_default().is_empty(),
            "region `{region}` has an empty label"
        );
    }
    assert!(
        root.query_selector("main [data-region=diagram]")
            .expect("valid selector")
            .is_some(),
        "the diagram is the main content"
    );
}

#[wasm_bindgen_test]
async fn empty_regions_explain_what_will_appear() {
    let root = mount().await;
    let scenarios = find(&root, "[data-region=scenarios]");
    assert!(
        scenarios
            .text_content()
            .unwrap_or_default()
            .contains("Pick a scenario to start")
    );
    for region in ["diagram", "inspector"] {
        find(&root, &format!("[data-region={region}] .empty-state"));
    }
}

#[wasm_bindgen_test]
async fn controls_wait_for_a_scenario() {
    let root = mount().await;
    let buttons = root
        .query_selector_all("[data-region=controls] button")
        .expect("valid selector");
    assert!(buttons.length() >= 3);
    for index in 0..buttons.length() {
        let button: Element = buttons
            .item(index)
            .expect("a button")
            .dyn_into()
            .expect("an element");
        assert!(button.has_attribute("disabled"));
    }
}
