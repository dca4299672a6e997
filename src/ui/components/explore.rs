//! "Explore all runs": every order of the open scenario's deliveries between its timers, breadth
//! first, with up to k drops, duplications and crashes (`scenario::explore`), in the search worker
//! so the page stays responsive. The status shows states, states per second, the queue and the
//! depth reached; Cancel terminates the worker at once. It ends at the shortest violation, which
//! Open runs as an ordinary run to the violation, or when every state or a budget is spent, and
//! says which.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::ids::EventId;
use crate::engine::time::SimTime;
use crate::scenario::Scenario;
use crate::scenario::explore::{self, Limits, Progress, Stop};
use crate::scenario::search::{ExploreRequest, Explored, SearchUpdate, WorkerRequest};
use crate::ui::state::{UiAction, use_app};
use crate::ui::worker::{self, Running, stop_all};
use crate::view::format;

/// The states an exploration in the page may see unless told otherwise, and at most.
const DEFAULT_STATES: u64 = 100_000;
const MAX_PAGE_STATES: u64 = 2_000_000;

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Running,
    Done {
        stop: Stop,
        changes: Vec<String>,
        found: Option<Rc<(Scenario, Explored)>>,
    },
    Cancelled,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
struct ExploreState {
    phase: Phase,
    progress: Option<Progress>,
    elapsed_ms: u64,
    budget: u64,
}

enum ExploreAction {
    Start(u64),
    Update(SearchUpdate),
    Cancel,
    Failed(String),
}

impl Reducible for ExploreState {
    type Action = ExploreAction;

    fn reduce(self: Rc<Self>, action: ExploreAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ExploreAction::Start(budget) => {
                next = ExploreState {
                    phase: Phase::Running,
                    progress: None,
                    elapsed_ms: 0,
                    budget,
                };
            }
            ExploreAction::Update(update) => {
                if next.phase != Phase::Running {
                    return self;
                }
                match update {
                    SearchUpdate::Exploring {
                        progress,
                        elapsed_ms,
                    } => {
                        next.progress = Some(progress);
                        next.elapsed_ms = elapsed_ms;
                    }
                    SearchUpdate::ExploreDone {
                        stop,
                        progress,
                        changes,
                        counterexample,
                    } => {
                        next.progress = Some(progress);
                        let found = match counterexample {
                            Some(c) => match Scenario::from_value(c.scenario.clone()) {
                                Ok(scenario) => Some(Rc::new((scenario, *c))),
                                Err(e) => {
                                    next.phase = Phase::Failed(format!(
                                        "the counterexample's scenario is bad: {e}"
                                    ));
                                    return Rc::new(next);
                                }
                            },
                            None => None,
                        };
                        next.phase = Phase::Done {
                            stop,
                            changes,
                            found,
                        };
                    }
                    SearchUpdate::Failed { message } => next.phase = Phase::Failed(message),
                    _ => {}
                }
            }
            ExploreAction::Cancel => next.phase = Phase::Cancelled,
            ExploreAction::Failed(message) => next.phase = Phase::Failed(message),
        }
        Rc::new(next)
    }
}

/// A whole number typed into `input`, if it is one within `range`.
fn number(input: &NodeRef, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
    let text = input.cast::<HtmlInputElement>()?.value();
    let n = text.trim().replace(',', "").parse::<u64>().ok()?;
    range.contains(&n).then_some(n)
}

#[function_component]
pub fn Explore() -> Html {
    let app = use_app();
    let state = use_reducer(|| ExploreState {
        phase: Phase::Idle,
        progress: None,
        elapsed_ms: 0,
        budget: DEFAULT_STATES,
    });
    let running: Rc<RefCell<Vec<Running>>> = use_mut_ref(Vec::new);
    let (drops, duplicates, crashes, states) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    {
        let running = running.clone();
        use_effect_with((), move |_| move || stop_all(&running));
    }
    {
        let running = running.clone();
        let over = !matches!(state.phase, Phase::Running | Phase::Idle);
        use_effect_with(over, move |over| {
            if *over {
                stop_all(&running);
            }
        });
    }
    let start = {
        let (app, state, running) = (app.clone(), state.clone(), running.clone());
        let inputs = (
            drops.clone(),
            duplicates.clone(),
            crashes.clone(),
            states.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(scenario) = app.session.0.borrow().as_ref().map(|s| s.scenario()) else {
                return;
            };
            let k = |input: &NodeRef| number(input, 0..=u64::from(explore::MAX_FAULTS));
            let (Some(drops), Some(duplicates), Some(crashes)) =
                (k(&inputs.0), k(&inputs.1), k(&inputs.2))
            else {
                state.dispatch(ExploreAction::Failed(format!(
                    "Drops, duplicates and crashes must each be a whole number from 0 to {}.",
                    explore::MAX_FAULTS
                )));
                return;
            };
            let Some(budget) = number(&inputs.3, 1..=MAX_PAGE_STATES) else {
                state.dispatch(ExploreAction::Failed(format!(
                    "The state budget must be a whole number from 1 to {}.",
                    format::count(MAX_PAGE_STATES)
                )));
                return;
            };
            let limits = Limits {
                drops: drops as u32,
                duplicates: duplicates as u32,
                crashes: crashes as u32,
                max_states: budget,
                ..Limits::default()
            };
            if let Err(message) = explore::plan(&scenario, &limits) {
                state.dispatch(ExploreAction::Failed(message));
                return;
            }
            stop_all(&running);
            state.dispatch(ExploreAction::Start(budget));
            let request = WorkerRequest::Explore(ExploreRequest {
                scenario: serde_json::to_value(&scenario).unwrap_or_default(),
                limits,
            });
            let on_update = {
                let state = state.clone();
                Callback::from(move |u| state.dispatch(ExploreAction::Update(u)))
            };
            let on_failed = {
                let state = state.clone();
                Callback::from(move |m| state.dispatch(ExploreAction::Failed(m)))
            };
            match worker::start(&request, on_update, on_failed) {
                Ok(worker) => running.borrow_mut().push(worker),
                Err(message) => state.dispatch(ExploreAction::Failed(message)),
            }
        })
    };
    let cancel = {
        let (state, running) = (state.clone(), running.clone());
        Callback::from(move |_| {
            stop_all(&running);
            state.dispatch(ExploreAction::Cancel);
        })
    };
    let busy = state.phase == Phase::Running;
    let field = |label: &str, input: &NodeRef, value: String, max: u64, hint: &str| {
        html! {
            <label class="field field-inline" title={hint.to_string()}>
                <span class="field-label">{ label.to_string() }</span>
                <input ref={input.clone()} type="number" min="0" max={max.to_string()} value={value}
                    class="input input-small" disabled={busy} />
            </label>
        }
    };
    let k = u64::from(explore::MAX_FAULTS);
    html! {
        <div class="search explore" data-region="explore">
            <h3 class="section-title">{ "Explore all runs" }</h3>
            <p class="muted explore-hint">
                { "Every order of the messages between the timers, breadth first: the shortest violation, or proof that none is within reach." }
            </p>
            <form class="search-form" onsubmit={start} novalidate=true>
                { field("Drops", &drops, "0".into(), k, "Messages the network may drop in one run") }
                { field("Duplicates", &duplicates, "0".into(), k, "Messages the network may duplicate in one run") }
                { field("Crashes", &crashes, "0".into(), k, "Nodes that may crash in one run; crashed nodes may restart where the model allows") }
                { field("States", &states, DEFAULT_STATES.to_string(), MAX_PAGE_STATES, "Stop after this many distinct states: the bound on memory") }
                <button type="button" class="button button-small" data-action="explore-cancel" hidden={!busy}
                    onclick={cancel}>{ "Cancel" }</button>
                <button type="submit" class="button button-small button-primary" data-action="explore-start" hidden={busy}
                    title="Try every order of the messages in the background">{ "Explore" }</button>
            </form>
            if state.phase != Phase::Idle {
                <progress class="search-progress" max={state.budget.max(1).to_string()}
                    value={state.progress.map_or(0, |p| p.states).to_string()} aria-label="States explored" />
            }
            { status(&state) }
            if let Phase::Done { found: Some(found), .. } = &state.phase {
                { counterexample(&app, found) }
            }
        </div>
    }
}

/// The status line: figures while running, how it ended once over.
fn status(state: &ExploreState) -> Html {
    let figures = state.progress.map(|p| {
        let mut parts = vec![
            format!("{} states", format::count(p.states)),
            format!("{} queued", format::count(p.queue)),
            format!("depth {}", p.depth),
        ];
        if let Some(rate) = (p.states * 1_000).checked_div(state.elapsed_ms) {
            parts.insert(1, format!("{} states/s", format::count(rate)));
        }
        parts.push(format!(
            "{} move{} at the start",
            p.branching,
            if p.branching == 1 { "" } else { "s" }
        ));
        parts.push(format!("budget {} states", format::count(state.budget)));
        parts.join(" · ")
    });
    let (text, error) = match &state.phase {
        Phase::Idle => return Html::default(),
        Phase::Running => (figures.unwrap_or_else(|| "Loading…".into()), false),
        Phase::Done { stop, .. } => {
            let why = match stop {
                Stop::States => {
                    "reached the state budget: a larger one explores further".to_string()
                }
                stop => stop.describe().to_string(),
            };
            (format!("{why} · {}", figures.unwrap_or_default()), false)
        }
        Phase::Cancelled => (
            format!("cancelled · {}", figures.unwrap_or_default()),
            false,
        ),
        Phase::Failed(message) => (format!("The exploration stopped: {message}"), true),
    };
    let changes = match &state.phase {
        Phase::Done { changes, .. } => changes.clone(),
        _ => Vec::new(),
    };
    html! {
        <>
            <p class={classes!("search-status", error.then_some("is-error"))} role="status"
                data-testid="explore-status">{ text }</p>
            if !changes.is_empty() {
                <ul class="explore-changes" aria-label="How the scenario was explored">
                    { for changes.iter().map(|c| html! { <li>{ c }</li> }) }
                </ul>
            }
        </>
    }
}

fn counterexample(app: &crate::ui::state::AppContext, found: &Rc<(Scenario, Explored)>) -> Html {
    let (_, explored) = &**found;
    let open = {
        let (app, found) = (app.clone(), found.clone());
        Callback::from(move |_: MouseEvent| {
            let (scenario, explored) = &*found;
            app.dispatch.dispatch(UiAction::OpenFound(
                Box::new(scenario.clone()),
                SimTime(explored.at_us),
                EventId(explored.event),
            ));
        })
    };
    html! {
        <div class="search-shrink explore-found" data-testid="explore-found">
            <p class="search-status">
                <strong>{ format!("{} violated", explored.property) }</strong>
                { format!(" after {} moves, at {}: {}", explored.depth, format::time(explored.at_us), explored.message) }
            </p>
            <details class="explore-moves">
                <summary>{ format!("The {} moves", explored.depth) }</summary>
                <ol tabindex="0" aria-label="Moves to the violation">{ for explored.moves.iter().map(|m| html! { <li>{ m }</li> }) }</ol>
            </details>
            <button type="button" class="button button-small button-primary" data-action="explore-open"
                title="Run this order of events to its violation" onclick={open}>{ "Open" }</button>
        </div>
    }
}
