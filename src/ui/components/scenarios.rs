//! The scenarios (lessons), grouped by topic, then the ones saved in this browser; and the open
//! one's lesson text.

use yew::prelude::*;

use super::saved::SavedScenarios;
use super::settings::Settings;
use crate::scenario::course;
use crate::ui::fetching::{prefetch_on_focus, prefetch_on_hover};
use crate::ui::state::{open_preset, use_app};

#[derive(Properties, PartialEq)]
pub struct ScenarioProps {
    pub current: Option<&'static str>,
    /// Whether a run is open, so it can be saved.
    pub loaded: bool,
}

#[derive(Properties, PartialEq)]
pub struct LessonProps {
    pub name: AttrValue,
    pub description: AttrValue,
    /// The declared system model in words, if any.
    #[prop_or_default]
    pub model: Option<String>,
    /// Why the last change of settings could not run.
    #[prop_or_default]
    pub settings_error: Option<String>,
}

/// The open scenario's lesson: what to watch, why it matters, what to try.
#[function_component]
pub fn LessonPanel(props: &LessonProps) -> Html {
    html! {
        <section class="panel panel-lesson" aria-labelledby="lesson-title" data-region="lesson" tabindex="0">
            <div class="panel-head">
                <h2 id="lesson-title" class="panel-title">{ "Lesson" }</h2>
            </div>
            <article class="lesson">
                <h3 class="lesson-title">{ &props.name }</h3>
                if let Some(model) = &props.model {
                    <p class="model-line" data-testid="model"><span class="model-label">{ "Model" }</span>{ model }</p>
                }
                <p class="lesson-text">{ &props.description }</p>
            </article>
            <Settings error={props.settings_error.clone()} />
        </section>
    }
}

/// Each preset's topic, id and name, grouped by topic in the order of the course.
fn catalogue() -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    course::topics()
        .into_iter()
        .map(|topic| {
            let lessons = topic.lessons.into_iter().map(|l| (l.id, l.name)).collect();
            (topic.topic, lessons)
        })
        .collect()
}

#[function_component]
pub fn ScenarioPanel(props: &ScenarioProps) -> Html {
    let app = use_app();
    let topics = use_memo((), |()| catalogue());
    let open = |id: &'static str| {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| open_preset(&dispatch, id, Vec::new()))
    };
    html! {
        <section class="panel panel-scenarios" aria-labelledby="scenarios-title" data-region="scenarios">
            <div class="panel-head">
                <h2 id="scenarios-title" class="panel-title">{ "Scenarios" }</h2>
            </div>
            if props.current.is_none() {
                <p class="panel-intro">
                    <strong>{ "Pick a scenario to start" }</strong>
                    { ". Each is a small, replayable setup: a protocol, a few nodes, a network and a script of faults to try." }
                </p>
            }
            <nav class="scenario-list" aria-label="Scenarios by topic">
                { for topics.iter().map(|(topic, list)| html! {
                    <div class="topic">
                        <h3 class="topic-title">{ *topic }</h3>
                        <ul>
                            { for list.iter().map(|(id, name)| {
                                let current = props.current == Some(*id);
                                html! {
                                    <li>
                                        <button type="button" class={classes!("scenario", current.then_some("is-current"))}
                                            aria-current={current.then_some("true")} data-preset={*id} onclick={open(id)}
                                            onpointerenter={prefetch_on_hover(id)} onfocus={prefetch_on_focus(id)}>
                                            { name }
                                        </button>
                                    </li>
                                }
                            }) }
                        </ul>
                    </div>
                }) }
                <SavedScenarios loaded={props.loaded} />
            </nav>
        </section>
    }
}
