//! The course map: every lesson in the order of the course, grouped by topic, with what each teaches
//! in one line and how far the student has got (from this browser's local storage), and a control
//! that forgets that progress.

use yew::prelude::*;

use crate::scenario::course::{self, Lesson, Topic};
use crate::ui::fetching::{prefetch_on_focus, prefetch_on_hover};
use crate::ui::progress::{self, Progress};
use crate::ui::state::{UiAction, open_preset, use_app};

/// One lesson as the map lists it.
#[derive(Properties, PartialEq)]
pub struct CourseProps {
    /// The lesson open in the sandbox, if any.
    pub current: Option<&'static str>,
    /// Only the first topics, while the page is first drawn (`app.rs`, `Drawn`).
    #[prop_or(false)]
    pub partial: bool,
}

/// The topics a partly drawn map shows: more than a screen's worth.
const PARTIAL_TOPICS: usize = 3;

#[function_component]
pub fn CoursePage(props: &CourseProps) -> Html {
    let app = use_app();
    let topics = use_memo((), |()| course::topics());
    let progress = use_state(progress::load);
    let confirming = use_state(|| false);
    let open = |id: &'static str| {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| open_preset(&dispatch, id, Vec::new()))
    };
    let total: usize = topics.iter().map(|t| t.lessons.len()).sum();
    let complete = topics
        .iter()
        .flat_map(|t| &t.lessons)
        .filter(|e| progress.get(e.id).is_some_and(|p| p.complete()))
        .count();
    // Where to go on: the first lesson, in course order, begun and not finished, else the first not
    // begun after the last one finished. Offered once the student has started.
    let lessons: Vec<&Lesson> = topics.iter().flat_map(|t| &t.lessons).collect();
    let state = |e: &Lesson| progress.get(e.id).copied().unwrap_or_default();
    let next = lessons
        .iter()
        .find(|e| state(e).done > 0 && !state(e).complete())
        .or_else(|| {
            let after = lessons.iter().rposition(|e| state(e).complete())?;
            lessons[after + 1..].iter().find(|e| state(e).done == 0)
        })
        .filter(|e| props.current != Some(e.id))
        .map(|e| (e.id, e.name.clone()));
    let reset = {
        let (progress, confirming) = (progress.clone(), confirming.clone());
        Callback::from(move |_: MouseEvent| {
            progress::reset();
            progress.set(Progress::new());
            confirming.set(false);
        })
    };
    let ask = |on: bool| {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(on))
    };
    let close = {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::ShowCourse(false)))
    };
    html! {
        <main id="main" class="course" data-region="course" aria-labelledby="course-title">
            <div class="course-inner">
                <div class="course-head">
                    <div>
                        <h2 id="course-title" class="course-title">{ "The course" }</h2>
                        <p class="course-intro">{ course::INTRO }</p>
                    </div>
                    <div class="course-progress" role="group" aria-label="Your progress">
                        <p class="course-count" data-testid="course-count">{ format!("{complete} of {total} lessons complete") }</p>
                        <p class="course-privacy">{ "Kept in this browser only." }</p>
                        if *confirming {
                            <span class="course-confirm">
                                { "Forget all progress? " }
                                <button type="button" class="button button-small button-danger" data-action="reset-progress-yes" onclick={reset}>{ "Reset" }</button>
                                <button type="button" class="button button-small" onclick={ask(false)}>{ "Keep" }</button>
                            </span>
                        } else {
                            <button type="button" class="button button-small" data-action="reset-progress" onclick={ask(true)}
                                disabled={progress.is_empty()}>{ "Reset progress" }</button>
                        }
                        if props.current.is_some() {
                            <button type="button" class="button button-small button-primary" onclick={close}>{ "Back to the lesson" }</button>
                        }
                        if let Some((id, name)) = next {
                            <button type="button" class="button button-small button-primary course-continue"
                                data-action="continue" onclick={open(id)}
                                onpointerenter={prefetch_on_hover(id)} onfocus={prefetch_on_focus(id)}>{ format!("Continue: {name}") }</button>
                        }
                    </div>
                </div>
                { for topics.iter().take(if props.partial { PARTIAL_TOPICS } else { usize::MAX }).enumerate().map(|(t, Topic { topic, lessons })| html! {
                    <section key={t} class="course-topic" aria-labelledby={format!("topic-{t}")}>
                        <h3 id={format!("topic-{t}")} class="course-topic-title">
                            <span class="course-topic-number" aria-hidden="true">{ t + 1 }</span>{ *topic }
                        </h3>
                        <ul class="course-lessons">
                            { for lessons.iter().map(|entry| {
                                let state = progress.get(entry.id).copied().unwrap_or_default();
                                let (mark, label, class) = if state.complete() {
                                    ("✓", "complete".to_string(), "is-complete")
                                } else if state.done > 0 {
                                    ("◐", format!("step {} of {}", state.done, entry.steps), "is-started")
                                } else {
                                    ("", "not started".to_string(), "is-new")
                                };
                                let current = props.current == Some(entry.id);
                                html! {
                                    <li>
                                        <button type="button" class={classes!("course-lesson", class, current.then_some("is-current"))}
                                            data-preset={entry.id} aria-current={current.then_some("true")} onclick={open(entry.id)}
                                            onpointerenter={prefetch_on_hover(entry.id)} onfocus={prefetch_on_focus(entry.id)}>
                                            <span class="course-mark" aria-hidden="true">{ mark }</span>
                                            <span class="course-lesson-text">
                                                <span class="course-lesson-name">{ &entry.name }</span>
                                                if !entry.summary.is_empty() {
                                                    <span class="course-lesson-summary">{ &entry.summary }</span>
                                                }
                                            </span>
                                            <span class="course-state">{ label }</span>
                                        </button>
                                    </li>
                                }
                            }) }
                        </ul>
                    </section>
                }) }
            </div>
        </main>
    }
}
