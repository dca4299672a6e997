//! The course: every preset, grouped by topic in the order of the course, with the name and summary
//! its lesson shows. The page's course map draws it, and `presets/course.json` (checked against it
//! by `tests/presets.rs`) lists it for the poster the page shows before its engine is up
//! (`static/boot.js`) and for the web build, which does not compile the presets in.

use super::presets::{self, PRESETS};
use serde::{Deserialize, Serialize};

/// What the course map says above the lessons.
pub const INTRO: &str = "Pick a lesson to start. Each is a live, replayable run that pauses where \
                         it matters; break it, and the checkers tell you what went wrong. The order \
                         follows a university course on distributed systems.";

/// One lesson of the course: a preset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lesson {
    pub id: &'static str,
    pub name: String,
    /// Its guide's summary (empty without a guide).
    pub summary: String,
    /// Its guide's steps.
    pub steps: u32,
}

/// A topic of the course and its lessons, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Topic {
    pub topic: &'static str,
    pub lessons: Vec<Lesson>,
}

/// The course: topics in order, each with its lessons in order. Natively it is read from the
/// presets themselves; the web build, which has not got them, reads `presets/course.json`.
pub fn topics() -> Vec<Topic> {
    #[cfg(not(target_arch = "wasm32"))]
    let topics = from_presets();
    #[cfg(target_arch = "wasm32")]
    let topics = from_index(include_str!("presets/course.json"));
    topics
}

/// The lesson `id`, as the course lists it.
pub fn lesson(id: &str) -> Option<Lesson> {
    topics()
        .into_iter()
        .flat_map(|t| t.lessons)
        .find(|l| l.id == id)
}

/// Adds `lesson` to the end of `topic`, a new topic at the end if it is not there yet.
fn add(topics: &mut Vec<Topic>, topic: &'static str, lesson: Lesson) {
    match topics.iter_mut().find(|t| t.topic == topic) {
        Some(existing) => existing.lessons.push(lesson),
        None => topics.push(Topic {
            topic,
            lessons: vec![lesson],
        }),
    }
}

/// The course as the presets say it.
pub fn from_presets() -> Vec<Topic> {
    let mut topics: Vec<Topic> = Vec::new();
    for preset in PRESETS {
        let Ok(scenario) = preset.scenario() else {
            continue;
        };
        let lesson = Lesson {
            id: preset.id,
            summary: scenario
                .guide
                .as_ref()
                .map(|g| g.summary.clone())
                .unwrap_or_default(),
            steps: scenario.guide.as_ref().map_or(0, |g| g.steps.len() as u32),
            name: scenario.name,
        };
        add(&mut topics, preset.topic, lesson);
    }
    topics
}

/// The course as `presets/course.json`'s text lists it; lessons that are not presets, and a text
/// that does not parse, are left out (`tests/presets.rs` keeps the file equal to the presets).
pub fn from_index(text: &str) -> Vec<Topic> {
    #[derive(Deserialize)]
    struct Index {
        topics: Vec<IndexTopic>,
    }
    #[derive(Deserialize)]
    struct IndexTopic {
        lessons: Vec<IndexLesson>,
    }
    #[derive(Deserialize)]
    struct IndexLesson {
        id: String,
        name: String,
        summary: String,
        steps: u32,
    }
    let index: Index = serde_json::from_str(text).unwrap_or(Index { topics: Vec::new() });
    let mut topics: Vec<Topic> = Vec::new();
    for entry in index.topics.into_iter().flat_map(|t| t.lessons) {
        let Some(preset) = presets::find(&entry.id) else {
            continue;
        };
        let lesson = Lesson {
            id: preset.id,
            name: entry.name,
            summary: entry.summary,
            steps: entry.steps,
        };
        add(&mut topics, preset.topic, lesson);
    }
    topics
}

/// The text of `presets/course.json`: the intro and the topics, for the page's poster and the web
/// build's course map.
pub fn index_json() -> String {
    #[derive(Serialize)]
    struct Index {
        intro: &'static str,
        topics: Vec<Topic>,
    }
    let index = Index {
        intro: INTRO,
        topics: from_presets(),
    };
    serde_json::to_string_pretty(&index).expect("the course serialises") + "\n"
}
