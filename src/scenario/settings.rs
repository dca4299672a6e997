//! Changing an open scenario's settings in the page: its protocol parameters (the "break it"
//! variant, quorum sizes, timeouts), its seed and its node count, as a student does when a lesson
//! says "set `break_it` back to `none` and run again" or "try seven generals".

use super::{MAX_DESCRIPTION_LEN, MAX_NAME_LEN, Scenario};

/// What marks a scenario whose settings were changed from its lesson's.
const EDITED: &str = " (edited)";

/// Said first in the description of a scenario whose settings were changed.
const CHANGED: &str =
    "You changed this scenario's settings; the text below describes the original. ";

/// What "Change the settings" edits, as the student typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// The `protocol` object as JSON.
    pub protocol: String,
    /// The seed, in decimal.
    pub seed: String,
    /// The node count, in decimal.
    pub nodes: String,
    /// The `model` object as JSON; empty for none.
    pub model: String,
}

impl Scenario {
    /// The settings of this scenario, as "Change the settings" shows them.
    pub fn settings(&self) -> Settings {
        Settings {
            protocol: serde_json::to_string(&self.protocol).unwrap_or_default(),
            seed: self.seed.to_string(),
            nodes: self.nodes.to_string(),
            model: self
                .model
                .map(|m| serde_json::to_string(&m).unwrap_or_default())
                .unwrap_or_default(),
        }
    }

    /// This scenario with the `settings` instead of its own, without its guide (whose moments were written for the old
    /// settings) or interventions, named as edited. Every mistake is a message naming what is
    /// wrong.
    pub fn with_settings(&self, settings: &Settings) -> Result<Scenario, String> {
        let Settings {
            protocol,
            seed,
            nodes,
            model,
        } = settings;
        let seed: u64 = seed.trim().parse().map_err(|_| {
            format!(
                "the seed must be a whole number from 0 to {}, not “{}”",
                u64::MAX,
                seed.trim()
            )
        })?;
        let nodes: u32 = nodes.trim().parse().map_err(|_| {
            format!(
                "the number of nodes must be a whole number from 1 to {}, not “{}”",
                super::MAX_NODES,
                nodes.trim()
            )
        })?;
        let protocol: serde_json::Value = serde_json::from_str(protocol)
            .map_err(|e| format!("the protocol settings are not valid JSON: {e}"))?;
        let mut value = serde_json::to_value(self).map_err(|e| e.to_string())?;
        let Some(object) = value.as_object_mut() else {
            return Err("the scenario cannot be edited".to_string());
        };
        object.insert("protocol".into(), protocol);
        object.insert("seed".into(), seed.into());
        object.insert("nodes".into(), nodes.into());
        if model.trim().is_empty() {
            object.remove("model");
        } else {
            let model: serde_json::Value = serde_json::from_str(model)
                .map_err(|e| format!("the model is not valid JSON: {e}"))?;
            object.insert("model".into(), model);
        }
        object.remove("guide");
        object.remove("interventions");
        let mut name = self.name.clone();
        if !name.ends_with(EDITED) && name.chars().count() + EDITED.len() <= MAX_NAME_LEN {
            name.push_str(EDITED);
        }
        object.insert("name".into(), name.into());
        if !self.description.starts_with(CHANGED)
            && self.description.chars().count() + CHANGED.chars().count() <= MAX_DESCRIPTION_LEN
        {
            object.insert(
                "description".into(),
                format!("{CHANGED}{}", self.description).into(),
            );
        }
        let scenario = Scenario::from_value(value).map_err(|e| e.0)?;
        scenario.build().map_err(|e| e.0)?;
        Ok(scenario)
    }
}
