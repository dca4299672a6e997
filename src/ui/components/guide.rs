//! The guided lesson: the current step's text, its question or task, where the run is, and the
//! step controls. Shown beside the diagram in the sandbox and above it in an embed.

use yew::prelude::*;

use super::settings::Settings;
use crate::engine::ids::NodeId;
use crate::scenario::guide::text::{self, Span};
use crate::ui::guide::GuideAction;
use crate::ui::state::{Selection, UiAction, use_app};
use crate::view::tour::{Phase, Tour};

#[derive(Properties, PartialEq)]
pub struct GuideProps {
    pub tour: Tour,
    /// The lesson's name.
    pub name: AttrValue,
    /// The declared system model in words, if any.
    #[prop_or_default]
    pub model: Option<String>,
    /// How many nodes the run has (a name beyond them is plain text).
    pub nodes: u32,
    /// The whole lesson text, offered behind a disclosure.
    #[prop_or_default]
    pub description: AttrValue,
    /// Whether the run's settings can be changed here (not in an embed).
    #[prop_or_default]
    pub editable: bool,
    /// Why the last change of settings could not run.
    #[prop_or_default]
    pub settings_error: Option<String>,
}

/// Guide text as HTML: paragraphs of spans, node names as buttons that light up their node.
fn rich_text(
    source: &str,
    nodes: u32,
    dispatch: &UseReducerDispatcher<super::super::state::Ui>,
) -> Html {
    let Ok(paragraphs) = text::parse(source) else {
        return html! { <p>{ source }</p> };
    };
    let node = |node: NodeId| {
        let name = node.to_string();
        if node.0 >= nodes {
            return html! { { name } };
        }
        let light = |on: bool| {
            let dispatch = dispatch.clone();
            move || dispatch.dispatch(UiAction::Spotlight(on.then_some(node)))
        };
        let (enter, leave, focus, blur) = (light(true), light(false), light(true), light(false));
        let select = {
            let dispatch = dispatch.clone();
            Callback::from(move |_: MouseEvent| {
                dispatch.dispatch(UiAction::Select(Selection::Node(node)))
            })
        };
        html! {
            <button type="button" class="node-ref" title={format!("{name}: light up, click to inspect")}
                onmouseenter={Callback::from(move |_: MouseEvent| enter())}
                onmouseleave={Callback::from(move |_: MouseEvent| leave())}
                onfocus={Callback::from(move |_: FocusEvent| focus())}
                onblur={Callback::from(move |_: FocusEvent| blur())}
                onclick={select}>{ name }</button>
        }
    };
    html! {
        { for paragraphs.into_iter().map(|spans| html! {
            <p>{ for spans.into_iter().map(|span| match span {
                Span::Plain(s) => html! { { s } },
                Span::Emphasis(s) => html! { <em>{ s }</em> },
                Span::Strong(s) => html! { <strong>{ s }</strong> },
                Span::Code(s) => html! { <code>{ s }</code> },
                Span::Node(n) => node(n),
            }) }</p>
        }) }
    }
}

/// A question's or task's short text inline (inside a legend or a button): its markup styled, node
/// names as plain text, paragraphs run together.
fn inline_text(source: &str) -> Html {
    let Ok(paragraphs) = text::parse(source) else {
        return html! { { source } };
    };
    html! {
        { for paragraphs.into_iter().flatten().map(|span| match span {
            Span::Plain(s) => html! { { s } },
            Span::Emphasis(s) => html! { <em>{ s }</em> },
            Span::Strong(s) => html! { <strong>{ s }</strong> },
            Span::Code(s) => html! { <code>{ s }</code> },
            Span::Node(n) => html! { { n.to_string() } },
        }) }
    }
}

#[function_component]
pub fn GuidePanel(props: &GuideProps) -> Html {
    let app = use_app();
    let tour = &props.tour;
    let send = |action: GuideAction| {
        let dispatch = app.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(UiAction::Guide(action)))
    };
    let step = tour.current();
    let count = tour.steps();

    if !tour.following {
        return html! {
            <section class="panel panel-guide is-left" aria-labelledby="guide-title" data-region="guide">
                <div class="guide-left">
                    <h2 id="guide-title" class="panel-title">{ "Free play" }</h2>
                    <p>{ format!("You left the guide at step {} of {count}. The run is yours: play, scrub and break it.", tour.step + 1) }</p>
                    if let Some(model) = &props.model {
                        <p class="model-line" data-testid="model"><span class="model-label">{ "Model" }</span>{ model }</p>
                    }
                    <button type="button" class="button button-primary" data-action="guide-resume" onclick={send(GuideAction::Resume)}>
                        { format!("Resume step {}", tour.step + 1) }
                    </button>
                    if props.editable {
                        <Settings error={props.settings_error.clone()} />
                    }
                </div>
            </section>
        };
    }

    let status = match tour.phase {
        Phase::Ask => "Answer to play on",
        Phase::Play => "Playing to the next moment…",
        Phase::Task => "Your turn",
        Phase::Done if tour.is_last() => "Lesson complete",
        Phase::Done => "Paused here",
        Phase::Missed => "The run ended before this moment",
    };
    let question = step.question.as_ref().map(|q| {
        let answered = tour.answers[tour.step];
        let revealed = matches!(tour.phase, Phase::Task | Phase::Done | Phase::Missed);
        html! {
            <fieldset class="guide-question">
                <legend>{ inline_text(&q.ask) }</legend>
                <div class="guide-choices">
                    { for q.choices.iter().enumerate().map(|(i, choice)| {
                        let chosen = answered == Some(i);
                        let right = revealed && i == q.answer;
                        let class = classes!("choice", chosen.then_some("is-chosen"), right.then_some("is-right"),
                            (revealed && chosen && !right).then_some("is-wrong"));
                        html! {
                            <button type="button" {class} aria-pressed={chosen.to_string()}
                                disabled={answered.is_some()} onclick={send(GuideAction::Answer(i))}>{ inline_text(choice) }</button>
                        }
                    }) }
                </div>
                if revealed {
                    if let Some(chosen) = answered {
                        <p class={classes!("guide-verdict", if chosen == q.answer { "is-right" } else { "is-wrong" })} role="status">
                            <strong>{ if chosen == q.answer { "Right. " } else { "Not this time. " } }</strong>
                            { if chosen == q.answer { String::new() } else { format!("You said {}; the run says {}. ", text::plain(&q.choices[chosen]), text::plain(&q.choices[q.answer])) } }
                            { inline_text(&q.explain) }
                        </p>
                    }
                }
            </fieldset>
        }
    });
    let task = step.task.as_ref().filter(|_| matches!(tour.phase, Phase::Task | Phase::Done)).map(|t| {
        let done = tour.phase == Phase::Done;
        html! {
            <div class={classes!("guide-task", done.then_some("is-done"))}>
                <p><span class="guide-task-mark" aria-hidden="true">{ if done { "✓" } else { "▸" } }</span>{ inline_text(&t.ask) }</p>
                if !done {
                    <button type="button" class="button button-small" data-action="guide-do" onclick={send(GuideAction::DoTask)}>{ "Do it for me" }</button>
                }
            </div>
        }
    });
    let next_is_primary = matches!(tour.phase, Phase::Done | Phase::Missed);
    html! {
        <section class="panel panel-guide" aria-labelledby="guide-title" data-region="guide">
            <div class="panel-head guide-head">
                <h2 id="guide-title" class="panel-title">{ &props.name }</h2>
                <span class="guide-count">{ format!("Step {} of {count}", tour.step + 1) }</span>
            </div>
            if let Some(model) = &props.model {
                <p class="model-line" data-testid="model"><span class="model-label">{ "Model" }</span>{ model }</p>
            }
            <ol class="guide-progress" aria-label="Steps">
                { for (0..count).map(|i| {
                    let class = classes!("dot", tour.done[i].then_some("is-done"), (i == tour.step).then_some("is-current"));
                    let label = format!("Step {}{}", i + 1, if tour.done[i] { ", done" } else { "" });
                    html! { <li {class} aria-label={label} aria-current={(i == tour.step).then_some("step")}></li> }
                }) }
            </ol>
            <div class="guide-body" tabindex="0" role="region" aria-label="Step text">
                <div class="guide-text" aria-live="polite">{ rich_text(&step.text, props.nodes, &app.dispatch) }</div>
                { question.unwrap_or_default() }
                { task.unwrap_or_default() }
            </div>
            <p class={classes!("guide-status", format!("phase-{:?}", tour.phase).to_lowercase())}>{ status }</p>
            <nav class="guide-nav" aria-label="Lesson steps">
                <button type="button" class="button button-small" data-action="guide-back" disabled={tour.step == 0}
                    title="Back to the step before (P)" onclick={send(GuideAction::Back)}>{ "← Back" }</button>
                <button type="button" class="button button-small" data-action="guide-replay"
                    title="Play this step again" onclick={send(GuideAction::Replay)}>{ "↺ Replay" }</button>
                <button type="button" class={classes!("button", "guide-next", next_is_primary.then_some("button-primary"))}
                    data-action="guide-next" disabled={tour.is_last()}
                    title="On to the next step (N)" onclick={send(GuideAction::Next)}>{ "Next →" }</button>
            </nav>
            <div class="guide-foot">
                if !props.description.is_empty() {
                    <details class="guide-prose">
                        <summary>{ "The lesson as text" }</summary>
                        <p>{ props.description.clone() }</p>
                    </details>
                }
                <button type="button" class="link-button" data-action="guide-leave"
                    title="Leave the guide and explore the run freely" onclick={send(GuideAction::Leave)}>{ "Free play" }</button>
                // The last step is where a lesson says what to try, often with other settings.
                if props.editable && tour.is_last() {
                    <Settings error={props.settings_error.clone()} />
                }
            </div>
        </section>
    }
}
