//! The student's progress through the course, kept in the browser's local storage under
//! `causeway.progress` (no account, nothing sent anywhere): for each lesson, how many of its steps
//! are done. Unreadable progress counts as none, and is replaced the next time a step is done.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

const KEY: &str = "causeway.progress";

/// One lesson's progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub done: u32,
    pub steps: u32,
}

impl Lesson {
    pub fn complete(&self) -> bool {
        self.steps > 0 && self.done >= self.steps
    }
}

/// Progress by lesson id.
pub type Progress = BTreeMap<String, Lesson>;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|window| window.local_storage().ok().flatten())
}

/// The progress saved in this browser.
pub fn load() -> Progress {
    storage()
        .and_then(|storage| storage.get_item(KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Records that `done` of the lesson's `steps` are done (never fewer than before).
pub fn record(id: &str, done: u32, steps: u32) {
    let mut progress = load();
    let entry = progress.entry(id.to_string()).or_default();
    let updated = Lesson {
        done: done.max(entry.done).min(steps),
        steps,
    };
    if *entry == updated {
        return;
    }
    *entry = updated;
    save(&progress);
}

/// Forgets every lesson's progress.
pub fn reset() {
    if let Some(storage) = storage() {
        // Storage that refuses leaves the progress as it was; the page shows what load() finds.
        let _ = storage.remove_item(KEY);
    }
}

fn save(progress: &Progress) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(progress)) {
        // A full or refusing storage only means progress is not remembered.
        let _ = storage.set_item(KEY, &text);
    }
}
