//! The page's engines. A release build has one engine per group of protocols
//! (`scripts/engines.sh`), and `static/boot.js` loads the one the URL's scenario needs. Asked to
//! open a scenario whose protocol another engine has (a lesson from the course map, a pasted link,
//! a saved or imported file), this engine reloads the page at an address that opens that scenario
//! (after asking, as any opening does, if the run has changes), and `boot.js` picks its engine.

use std::cell::Cell;

use super::state::UiAction;
use crate::scenario::link::{Link, Unfinished};
use crate::scenario::{self, ProtocolConfig, Scenario, ScenarioError, course, presets};

thread_local! {
    /// Whether the page is reloading into another engine: what it was doing is moot.
    static LEAVING: Cell<bool> = const { Cell::new(false) };
}

/// Whether the page is reloading into another engine.
pub fn leaving() -> bool {
    LEAVING.with(Cell::get)
}

/// Whether this engine runs every protocol (a development build, or the fallback build).
fn has_all() -> bool {
    ProtocolConfig::NAMES.len() == ProtocolConfig::ALL.len()
}

/// The action that opens preset `id` (its JSON already here) in another engine, if its protocol
/// is not in this one.
pub fn preset(id: &str) -> Option<UiAction> {
    let preset = presets::find(id).filter(|_| !has_all())?;
    let value = serde_json::from_str(preset.json()?).ok()?;
    scenario::elsewhere(&value)?;
    let name = course::lesson(id).map_or_else(|| id.to_string(), |lesson| lesson.name);
    let query = super::page::query_with(&[("preset", Some(id))]);
    let url = format!("{}{query}", super::page::base_url());
    Some(UiAction::Leave { name, url })
}

/// The action that opens the share link `link` in another engine, if its protocol is not in this
/// one.
pub fn link(link: &Unfinished) -> Option<UiAction> {
    if has_all() {
        return None;
    }
    scenario::elsewhere(link.scenario_json())?;
    Some(UiAction::Leave {
        name: name_of(link.scenario_json()),
        url: link_url(&link.encode()),
    })
}

/// The action that opens the scenario in `json` (a saved or imported file): here, or in the
/// engine that has its protocol.
pub fn opening(json: &str) -> Result<UiAction, ScenarioError> {
    if !has_all()
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(json)
        && scenario::elsewhere(&value).is_some()
    {
        let name = name_of(&value);
        let url = link_url(&Link::fragment_of(value));
        return Ok(UiAction::Leave { name, url });
    }
    Ok(UiAction::Open(Box::new(Scenario::from_json(json)?), None))
}

/// A scenario's name, from its JSON.
fn name_of(scenario: &serde_json::Value) -> String {
    let name = scenario.get("name").and_then(serde_json::Value::as_str);
    name.unwrap_or("the scenario").to_string()
}

/// The address that opens share link `fragment` (without `#`), keeping the URL's settings (an
/// embed's, say).
fn link_url(fragment: &str) -> String {
    let query = super::page::query_with(&[("preset", None), ("scenario", None)]);
    format!("{}{query}#{fragment}", super::page::base_url())
}

/// Leaves for `url`, reloading the page even where only its fragment differs from the address now.
pub fn leave(url: &str) {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return;
    };
    LEAVING.with(|leaving| leaving.set(true));
    let page = |href: &str| href.split('#').next().unwrap_or_default().to_string();
    let now = location.href().unwrap_or_default();
    if location.assign(url).is_ok() && page(&now) == page(url) {
        // Only the fragment changed, which does not load a page: load it.
        let _ = location.reload();
    }
}
