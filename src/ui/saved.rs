//! Scenarios saved in the browser's local storage, one entry per name under `causeway.saved.NAME`,
//! each holding scenario JSON (with its interventions). An entry that cannot be read is reported
//! and skipped; it is never changed or removed unless the user deletes it.

use super::state::UiAction;
use crate::scenario::Scenario;

/// The prefix of every saved scenario's storage key.
pub const PREFIX: &str = "causeway.saved.";
/// The longest name a saved scenario may have.
const MAX_NAME_CHARS: usize = 80;

/// What local storage holds: the names that load, and what is wrong with the others.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shelf {
    pub names: Vec<String>,
    pub problems: Vec<String>,
}

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or_else(|| "this browser does not allow local storage here".to_string())
}

/// Every saved scenario, by name, with a message for each entry that cannot be read.
pub fn list() -> Shelf {
    let mut shelf = Shelf::default();
    let storage = match storage() {
        Ok(storage) => storage,
        Err(error) => {
            shelf.problems.push(error);
            return shelf;
        }
    };
    let count = storage.length().unwrap_or(0);
    for i in 0..count {
        let Some(name) = storage
            .key(i)
            .ok()
            .flatten()
            .and_then(|key| key.strip_prefix(PREFIX).map(str::to_string))
        else {
            continue;
        };
        match load(&name) {
            Ok(_) => shelf.names.push(name),
            Err(error) => shelf.problems.push(format!(
                "The saved scenario “{name}” cannot be opened and was skipped: {error}"
            )),
        }
    }
    shelf.names.sort();
    shelf
}

/// The action that opens the scenario saved as `name`.
pub fn load(name: &str) -> Result<UiAction, String> {
    let text = storage()?
        .get_item(&format!("{PREFIX}{name}"))
        .map_err(|_| "local storage could not be read".to_string())?
        .ok_or_else(|| format!("there is no saved scenario called “{name}”"))?;
    super::engines::opening(&text).map_err(|error| error.0)
}

/// Saves `scenario` as `name`, replacing any scenario saved under that name.
pub fn save(name: &str, scenario: &Scenario) -> Result<(), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("give the scenario a name to save it under".to_string());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("a name is at most {MAX_NAME_CHARS} characters"));
    }
    storage()?
        .set_item(&format!("{PREFIX}{name}"), &scenario.to_json_pretty())
        .map_err(|_| "local storage is full or not allowed here".to_string())
}

/// Removes the scenario saved as `name`.
pub fn delete(name: &str) -> Result<(), String> {
    storage()?
        .remove_item(&format!("{PREFIX}{name}"))
        .map_err(|_| "local storage could not be changed".to_string())
}
