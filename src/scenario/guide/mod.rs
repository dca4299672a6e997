//! Guided lessons: a scenario may carry a guide, a sequence of steps that pace its run. Each step
//! has short text, and may pause the run at a moment (a time, or the first event matching a kind or
//! a fact), light up nodes, ask the student to do something (with the action that does it for
//! them), or ask them to predict what happens next. A guide is presentation only: the run, its
//! trace and its hash are the same with or without one.

mod moment;
pub mod text;

pub use moment::{EventName, FactName, Moment, Stop};

use serde::{Deserialize, Serialize};

use super::link::Timestamps;
use super::{Scenario, ScenarioError, err};
use crate::engine::action::Action;
use crate::engine::ids::NodeId;
use crate::engine::run::Run;

/// The most steps a guide may have.
pub const MAX_STEPS: usize = 100;
/// The longest step text, question or choice, in characters.
pub const MAX_TEXT_LEN: usize = 2_000;
/// The longest summary, in characters.
pub const MAX_SUMMARY_LEN: usize = 160;
/// The most choices a prediction question may offer.
pub const MAX_CHOICES: usize = 8;

/// A guided lesson over the scenario's run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    /// What the lesson teaches, in one line, for the course map.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// How the page should show the run while this guide is followed.
    #[serde(default, skip_serializing_if = "GuideView::is_default")]
    pub view: GuideView,
    pub steps: Vec<Step>,
}

/// The view a lesson needs (Lamport stamps in a logical-clocks lesson, a wide window for a slow one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamps: Option<Timestamps>,
    /// The diagram's time window, in µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span_us: Option<u64>,
}

impl GuideView {
    fn is_default(&self) -> bool {
        *self == GuideView::default()
    }
}

/// One step of a guide. On entering it the page shows its text, asks its question (the run waits
/// for an answer), plays the run until its moment and pauses there, then waits for its task.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What to look at, in a little markup (see `text`): `*emphasis*`, `**strong**`, `` `code` ``,
    /// and node names (`n3`) that light up their node on hover.
    pub text: String,
    /// Where the run pauses; none: the step shows the run where the last one left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Moment>,
    /// Nodes lit up while the step is shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<NodeId>,
    /// Something the student does once the run has paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    /// A prediction asked before the run plays on; the run then answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// A task: the step is done when the run shows `done_when`; `do` is the intervention that does it
/// for a student who asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub ask: String,
    pub done_when: Moment,
    #[serde(rename = "do")]
    pub act: Action,
}

/// A prediction question with its choices and the one the run bears out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub ask: String,
    pub choices: Vec<String>,
    /// The index of the right choice, from 0.
    pub answer: usize,
    /// Why, shown once the run has answered.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub explain: String,
}

impl Guide {
    /// Checks the guide against its scenario: bounds, markup, nodes, times and actions.
    pub(super) fn validate(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        if self.steps.is_empty() {
            return err("`guide.steps` is empty: a guide needs at least one step");
        }
        if self.steps.len() > MAX_STEPS {
            return err(format!("`guide.steps` has more than {MAX_STEPS} steps"));
        }
        if self.summary.chars().count() > MAX_SUMMARY_LEN {
            return err(format!(
                "`guide.summary` is longer than {MAX_SUMMARY_LEN} characters: it is one line"
            ));
        }
        if self.summary.contains('\n') {
            return err("`guide.summary` is one line: it has a line break");
        }
        if let Some(span) = self.view.span_us
            && !(500..=super::MAX_HORIZON_US).contains(&span)
        {
            return err(format!(
                "`guide.view.span_us` is {span}, but must be from 500 (half a millisecond) to \
                 3600000000 (an hour)"
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let place = format!("guide.steps[{i}]");
            check_text(&format!("{place}.text"), &step.text, true)?;
            if let Some(moment) = &step.until {
                moment.validate(&format!("{place}.until"), scenario, true)?;
            }
            for node in &step.highlight {
                scenario.check_node(&format!("{place}.highlight"), *node)?;
            }
            if let Some(task) = &step.task {
                check_text(&format!("{place}.task.ask"), &task.ask, true)?;
                task.done_when
                    .validate(&format!("{place}.task.done_when"), scenario, false)?;
                scenario.validate_action(&format!("{place}.task.do"), &task.act)?;
            }
            if let Some(question) = &step.question {
                let place = format!("{place}.question");
                check_text(&format!("{place}.ask"), &question.ask, true)?;
                check_text(&format!("{place}.explain"), &question.explain, false)?;
                if !(2..=MAX_CHOICES).contains(&question.choices.len()) {
                    return err(format!(
                        "{place}.choices has {} choices, but a question offers from 2 to {MAX_CHOICES}",
                        question.choices.len()
                    ));
                }
                for (c, choice) in question.choices.iter().enumerate() {
                    check_text(&format!("{place}.choices[{c}]"), choice, true)?;
                }
                if question.answer >= question.choices.len() {
                    return err(format!(
                        "{place}.answer is {}, but the choices are numbered 0 to {}",
                        question.answer,
                        question.choices.len() - 1
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks what only the built run knows: every property a step pauses at is one of its checkers.
    pub(super) fn check_run(&self, run: &dyn Run) -> Result<(), ScenarioError> {
        let properties = run.properties();
        let names: Vec<&str> = properties.iter().map(|p| p.name).collect();
        let moments = self.steps.iter().enumerate().flat_map(|(i, step)| {
            let until = step
                .until
                .as_ref()
                .map(|m| (format!("guide.steps[{i}].until"), m));
            let task = step
                .task
                .as_ref()
                .map(|t| (format!("guide.steps[{i}].task.done_when"), &t.done_when));
            until.into_iter().chain(task)
        });
        for (place, moment) in moments {
            if let Some(property) = &moment.property
                && !names.contains(&property.as_str())
            {
                return err(format!(
                    "{place} names the property `{property}`, but {}'s checkers are: {}",
                    run.protocol(),
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }
}

fn check_text(place: &str, value: &str, required: bool) -> Result<(), ScenarioError> {
    if required && value.trim().is_empty() {
        return err(format!("{place} is empty"));
    }
    if value.chars().count() > MAX_TEXT_LEN {
        return err(format!("{place} is longer than {MAX_TEXT_LEN} characters"));
    }
    text::parse(value).map_err(|e| ScenarioError(format!("{place}: {e}")))?;
    Ok(())
}
