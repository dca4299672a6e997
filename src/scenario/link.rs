//! Share links: the whole scenario (with every intervention), the position in the run and the view
//! options, in a URL fragment. The fragment is a format prefix (`c1.`) followed by the raw-deflate
//! compression of a small JSON document, in URL-safe base64.
//!
//! Every format ever shipped must keep decoding to the same run: `tests/links.rs` holds a corpus of
//! links per format with their trace hashes. Decoding is hostile-input safe: sizes are bounded before
//! and after decompression, and the scenario is validated like any other.

use crate::engine::ids::NodeId;
use crate::engine::time::SimTime;
use crate::scenario::{Scenario, ScenarioError, presets};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The prefix of the current link format.
pub const PREFIX: &str = "c1.";
/// The longest fragment accepted, in characters.
pub const MAX_LINK_CHARS: usize = 100_000;
/// The most a link may expand to: the scenario text limit plus room for the envelope.
const MAX_INFLATED_BYTES: usize = super::MAX_JSON_BYTES + 4_096;

/// Which logical timestamps the diagram shows on events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timestamps {
    #[default]
    None,
    Lamport,
    Vector,
}

/// How the page was showing the run; not part of the run itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewOptions {
    pub timestamps: Timestamps,
    /// Diagram zoom: microseconds of simulated time per pixel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub us_per_px: Option<u64>,
    /// The node open in the inspector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected: Option<NodeId>,
    /// Playback speed: simulated microseconds per second of wall time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speed: Option<u64>,
    /// Whether the clients' history is open beside the diagram.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

/// Everything a share link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub scenario: Scenario,
    /// Where in the run the page was.
    pub at: SimTime,
    pub view: ViewOptions,
}

/// The document inside a `c1.` link. The lesson text of a preset is not repeated: `lesson` names
/// the preset whose description (and guide, unless the link has its own) to use, which keeps
/// links of lessons short.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    scenario: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lesson: Option<String>,
    #[serde(default)]
    at_us: u64,
    #[serde(default)]
    view: ViewOptions,
}

impl Link {
    /// The fragment (without `#`) that opens this exact run.
    pub fn encode(&self) -> String {
        let mut scenario = self.scenario.clone();
        let lesson = presets::PRESETS
            .iter()
            .filter_map(|p| Some((p.id, p.scenario().ok()?)))
            .find(|(_, s)| s.description == scenario.description && s.name == scenario.name)
            .filter(|_| !scenario.description.is_empty());
        let lesson = lesson.map(|(id, preset)| {
            scenario.description.clear();
            if scenario.guide == preset.guide {
                scenario.guide = None;
            }
            id.to_string()
        });
        let envelope = Envelope {
            scenario: serde_json::to_value(&scenario).expect("scenarios serialise"),
            lesson,
            at_us: self.at.0,
            view: self.view.clone(),
        };
        envelope.encode()
    }

    /// The fragment (without `#`) that opens the scenario in `scenario` (its JSON, unchecked: an
    /// engine passes on a scenario for a protocol it has not got) at its start.
    pub fn fragment_of(scenario: serde_json::Value) -> String {
        Envelope {
            scenario,
            lesson: None,
            at_us: 0,
            view: ViewOptions::default(),
        }
        .encode()
    }

    /// Reads a link: a full URL, a fragment with or without `#`, in any format ever shipped.
    pub fn decode(text: &str) -> Result<Link, ScenarioError> {
        Link::read(text)?.finish()
    }

    /// Reads a link as far as it can be read without its lesson's preset, which the web build
    /// fetches before `Unfinished::finish` (see `presets`).
    pub fn read(text: &str) -> Result<Unfinished, ScenarioError> {
        let text = text.trim();
        let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
        if fragment.len() > MAX_LINK_CHARS {
            return Err(ScenarioError(format!(
                "this link is {} characters long; Causeway links are at most {MAX_LINK_CHARS}",
                fragment.len()
            )));
        }
        let Some(body) = fragment.strip_prefix(PREFIX) else {
            return Err(match fragment.split_once('.') {
                Some((version, _)) if version.len() <= 4 && version.starts_with('c') => {
                    ScenarioError(format!(
                        "this link uses format `{version}`, which this version of Causeway does not know; it may \
                     come from a newer Causeway"
                    ))
                }
                _ => {
                    ScenarioError("this is not a Causeway link (it should start with `c1.`)".into())
                }
            });
        };
        let compressed = URL_SAFE_NO_PAD.decode(body).map_err(|e| {
            ScenarioError(format!(
                "this link is damaged (perhaps cut short when copied): {e}"
            ))
        })?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, MAX_INFLATED_BYTES).map_err(|e| {
            ScenarioError(match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    format!("this link expands to more than {MAX_INFLATED_BYTES} bytes, so it was refused")
                }
                _ => "this link is damaged (perhaps cut short when copied): its data does not decompress".into(),
            })
        })?;
        let envelope: Envelope = serde_json::from_slice(&json).map_err(|e| {
            ScenarioError(format!(
                "this link is damaged: its contents are not a Causeway link ({e})"
            ))
        })?;
        Ok(Unfinished { envelope })
    }
}

/// A link read up to its lesson's preset.
pub struct Unfinished {
    envelope: Envelope,
}

impl Envelope {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("links serialise");
        let compressed = miniz_oxide::deflate::compress_to_vec(&json, 10);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(compressed))
    }
}

impl Unfinished {
    /// The link's scenario as it came, unchecked.
    pub fn scenario_json(&self) -> &serde_json::Value {
        &self.envelope.scenario
    }

    /// The link's fragment (without `#`).
    pub fn encode(&self) -> String {
        self.envelope.encode()
    }

    /// The preset whose description and guide the link leaves out, if any.
    pub fn lesson(&self) -> Option<&str> {
        self.envelope.lesson.as_deref()
    }

    /// The link, its lesson's text put back and the whole checked.
    pub fn finish(self) -> Result<Link, ScenarioError> {
        let envelope = self.envelope;
        let mut scenario = Scenario::from_value(envelope.scenario)?;
        if let Some(id) = envelope.lesson {
            let preset = presets::find(&id).ok_or_else(|| {
                ScenarioError(format!(
                    "this link refers to a lesson `{id}` that this Causeway does not have"
                ))
            })?;
            let preset = preset.scenario()?;
            scenario.description = preset.description;
            // The lesson's guide, unless the link carries a guide of its own, or its scenario was
            // changed so much that the guide no longer fits it.
            if scenario.guide.is_none() && preset.protocol.name() == scenario.protocol.name() {
                scenario.guide = preset.guide;
                if scenario.validate().is_err() {
                    scenario.guide = None;
                }
            }
        }
        if envelope.at_us > scenario.horizon_us.0 {
            return Err(ScenarioError(format!(
                "this link's position ({}) is after the end of its run ({})",
                SimTime(envelope.at_us),
                scenario.horizon_us
            )));
        }
        if let Some(node) = envelope.view.selected
            && node.0 >= scenario.nodes
        {
            return Err(ScenarioError(format!(
                "this link selects {node}, which its scenario does not have"
            )));
        }
        Ok(Link {
            scenario,
            at: SimTime(envelope.at_us),
            view: envelope.view,
        })
    }
}
