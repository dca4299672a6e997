//! Browser tests for the sandbox's components: open a preset, step, select, intervene, and check
//! what the diagram, topology, inspector and checkers render. The frame loop is not exercised here
//! (it needs animation frames); stepping drives the run instead. Every check waits for what it
//! needs to see (see `web_support`), so a slow frame never fails a test.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --tests`.

#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_support::{
    click, click_svg, find, mount, open, text, wait_for, wait_for_count, wait_for_text,
    wait_for_value, wait_until,
};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn opening_a_preset_draws_a_lane_per_node_and_its_guided_lesson() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    wait_for_count(&root, "svg.diagram .lane-header", 5).await;
    wait_for_count(&root, "svg.topology .topo-node", 5).await;
    wait_for_count(&root, "svg.topology .topo-link", 10).await;
    wait_until("the lesson's first step", || {
        text(&root, "[data-region=guide] .guide-count") == "Step 1 of 6"
            && !text(&root, "[data-region=guide] .guide-text").is_empty()
    })
    .await;
    wait_for(&root, "[data-region=checkers] .checker").await;
    assert!(
        find(&root, "button[data-preset='heartbeat-basic']").has_attribute("aria-current"),
        "the open preset is marked current"
    );
}

/// The run's event count as the controls bar shows it.
fn events(root: &Element) -> Option<u32> {
    text(root, ".readout-item:nth-child(2) dd")
        .replace(',', "")
        .parse()
        .ok()
}

#[wasm_bindgen_test]
async fn stepping_adds_events_and_stepping_back_removes_them() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    let mut shown = events(&root).expect("an event count");
    for _ in 0..6 {
        click(&root, "button[aria-label='Step forward']").await;
        shown = wait_for_value("a step forward to add events", || {
            events(&root).filter(|&now| now > shown)
        })
        .await;
    }
    let forward = shown;
    click(&root, "button[aria-label='Step back']").await;
    wait_until("a step back to remove events", || {
        events(&root).is_some_and(|now| now < forward)
    })
    .await;
    wait_for(&root, "svg.diagram path.marks").await;
}

#[wasm_bindgen_test]
async fn selecting_a_node_shows_its_state_and_crashing_it_marks_its_lane() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    let mut shown = events(&root).expect("an event count");
    for _ in 0..12 {
        click(&root, "button[aria-label='Step forward']").await;
        shown = wait_for_value("a step forward to add events", || {
            events(&root).filter(|&now| now > shown)
        })
        .await;
    }
    click_svg(&root, "svg.diagram .lane-header[data-node=n2]").await;
    let inspector = find(&root, "[data-region=inspector]");
    wait_for_text(&inspector, "[data-testid=role]", "trusting").await;
    wait_until("the inspector to show Lamport stamps", || {
        inspector
            .text_content()
            .unwrap_or_default()
            .contains("Lamport")
    })
    .await;
    click(&inspector, ".button-danger").await;
    wait_for_count(
        &root,
        "svg.diagram .lane-header.status-crashed[data-node=n2]",
        1,
    )
    .await;
    wait_for_count(&root, "svg.topology .topo-node.status-crashed", 1).await;
    wait_for_text(&root, "[data-testid=note]", "crash n2").await;
    wait_until("the inspector to offer Restart", || {
        find(&root, "[data-region=inspector]")
            .text_content()
            .unwrap_or_default()
            .contains("Restart")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_bad_client_request_is_reported_not_fatal() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    click_svg(&root, "svg.topology .topo-node[data-node=n1]").await;
    let area: web_sys::HtmlTextAreaElement = wait_for(&root, ".request-form textarea")
        .await
        .dyn_into()
        .expect("a textarea");
    area.set_value("{\"nonsense\": 1}");
    click(&root, ".request-form button[type=submit]").await;
    let note = wait_for_text(&root, "[data-testid=note]", "not a valid request").await;
    assert_eq!(note.get_attribute("role").as_deref(), Some("alert"));
}

#[wasm_bindgen_test]
async fn grouping_nodes_partitions_them_and_heal_undoes_it() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    click(&root, ".partition-bar .chip:nth-child(1)").await;
    wait_for(
        &root,
        ".partition-bar .chip:nth-child(1)[aria-pressed=true]",
    )
    .await;
    click(&root, ".partition-bar .chip:nth-child(2)").await;
    wait_for(
        &root,
        ".partition-bar .chip:nth-child(2)[aria-pressed=true]",
    )
    .await;
    click(&root, ".partition-actions button:nth-child(1)").await;
    wait_for_count(&root, "svg.topology .link-partitioned", 6).await;
    click(&root, ".partition-actions button:nth-child(2)").await;
    wait_for_count(&root, "svg.topology .link-partitioned", 0).await;
}

#[wasm_bindgen_test]
async fn the_help_dialog_lists_the_shortcuts() {
    let root = mount().await;
    open(&root, "heartbeat-basic").await;
    click(&root, ".button-help").await;
    wait_for_text(&root, "[role=dialog]", "Space").await;
    click(&root, "[role=dialog] .button-primary").await;
    wait_for_count(&root, "[role=dialog]", 0).await;
}
