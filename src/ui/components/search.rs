//! "Find a counterexample": the open scenario's `sim sweep` seeds, each with its random fault
//! schedule, run in a Web Worker (`src/bin/worker.rs`) so the page stays responsive. A progress
//! bar shows seeds done, seeds per second, violations so far and the time left; Cancel terminates
//! the worker at once. Each seed that violates a promised property is offered: Open runs it as an
//! ordinary run (shareable by link), on to the violation, which is selected.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::engine::ids::EventId;
use crate::engine::time::SimTime;
use crate::scenario::Scenario;
use crate::scenario::search::{
    Found, MAX_SEEDS, SearchRequest, SearchUpdate, ShrinkRequest, WorkerRequest, seed_scenario,
};
use crate::scenario::shrink::{DEFAULT_BUDGET, Size};
use crate::ui::state::{UiAction, use_app};
use crate::ui::worker::{self, Running, stop_all};
use crate::view::format;

/// The seeds a search tries unless told otherwise.
const DEFAULT_SEEDS: u64 = 1_000;
/// The counterexamples listed (the count goes on).
const LISTED: usize = 5;

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Loading,
    Running,
    Done,
    Cancelled,
    Failed(String),
}

/// One worker's part of a search.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Share {
    done: u64,
    failed: u64,
    elapsed_ms: u64,
    finished: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct SearchState {
    phase: Phase,
    total: u64,
    /// Each worker's progress; the search's is their sum.
    shares: Vec<Share>,
    /// The lowest seeds found so far, in seed order.
    found: Vec<Found>,
    /// The scenario searched, and whether beyond its model, to open what was found.
    base: Option<Rc<(Scenario, bool)>>,
    /// The shrink of a seed found, if one was asked for.
    shrink: Option<Shrinking>,
}

/// A seed's run being shrunk in a worker, or shrunk.
#[derive(Clone, Debug, PartialEq)]
struct Shrinking {
    seed: u64,
    property: String,
    /// Runs spent, of the budget, and the smallest failing run so far.
    progress: Option<(u64, u64, Size)>,
    result: Option<Shrunk>,
    /// Why it stopped early: cancelled, or failed.
    stopped: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct Shrunk {
    scenario: Rc<Scenario>,
    before: Size,
    after: Size,
    runs: u64,
    at_us: u64,
    event: u32,
}

impl SearchState {
    fn done(&self) -> u64 {
        self.shares.iter().map(|s| s.done).sum()
    }

    fn failed(&self) -> u64 {
        self.shares.iter().map(|s| s.failed).sum()
    }

    fn elapsed_ms(&self) -> u64 {
        self.shares.iter().map(|s| s.elapsed_ms).max().unwrap_or(0)
    }
}

enum SearchAction {
    /// A search of `total` seeds split among `workers`.
    Start {
        total: u64,
        workers: usize,
        base: Rc<(Scenario, bool)>,
    },
    /// What worker `i` said.
    Update(usize, SearchUpdate),
    Cancel,
    Failed(String),
    /// Shrink `found`'s run.
    ShrinkStart(Found),
    /// What the shrinking worker said.
    ShrinkUpdate(SearchUpdate),
    /// The shrink stopped early, for this reason.
    ShrinkStopped(String),
}

impl Reducible for SearchState {
    type Action = SearchAction;

    fn reduce(self: Rc<Self>, action: SearchAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SearchAction::Start {
                total,
                workers,
                base,
            } => {
                next = SearchState {
                    phase: Phase::Loading,
                    total,
                    shares: vec![Share::default(); workers],
                    found: Vec::new(),
                    base: Some(base),
                    shrink: None,
                };
            }
            SearchAction::Update(i, update) => {
                let Some(share) = next.shares.get_mut(i) else {
                    return self;
                };
                match update {
                    SearchUpdate::Ready if next.phase == Phase::Loading => {
                        next.phase = Phase::Running;
                    }
                    SearchUpdate::Ready => {}
                    SearchUpdate::Progress {
                        done,
                        failed,
                        elapsed_ms,
                    } => {
                        (share.done, share.failed, share.elapsed_ms) = (done, failed, elapsed_ms);
                    }
                    SearchUpdate::Found(found) => {
                        share.failed += 1;
                        let at = next.found.partition_point(|f| f.seed < found.seed);
                        next.found.insert(at, found);
                        next.found.truncate(LISTED);
                    }
                    SearchUpdate::Done {
                        done,
                        failed,
                        elapsed_ms,
                    } => {
                        *share = Share {
                            done,
                            failed,
                            elapsed_ms,
                            finished: true,
                        };
                        if next.shares.iter().all(|s| s.finished) {
                            next.phase = Phase::Done;
                        }
                    }
                    SearchUpdate::Failed { message } => next.phase = Phase::Failed(message),
                    SearchUpdate::Shrinking { .. }
                    | SearchUpdate::Shrunk { .. }
                    | SearchUpdate::Exploring { .. }
                    | SearchUpdate::ExploreDone { .. } => {}
                }
            }
            SearchAction::Cancel => next.phase = Phase::Cancelled,
            SearchAction::Failed(message) => next.phase = Phase::Failed(message),
            SearchAction::ShrinkStart(found) => {
                next.shrink = Some(Shrinking {
                    seed: found.seed,
                    property: found.property,
                    progress: None,
                    result: None,
                    stopped: None,
                });
            }
            SearchAction::ShrinkUpdate(update) => {
                let Some(shrink) = next.shrink.as_mut() else {
                    return self;
                };
                match update {
                    SearchUpdate::Shrinking { runs, budget, best } => {
                        shrink.progress = Some((runs, budget, best));
                    }
                    SearchUpdate::Shrunk {
                        scenario,
                        before,
                        after,
                        runs,
                        at_us,
                        event,
                    } => match Scenario::from_value(scenario) {
                        Ok(scenario) => {
                            shrink.result = Some(Shrunk {
                                scenario: Rc::new(scenario),
                                before,
                                after,
                                runs,
                                at_us,
                                event,
                            });
                        }
                        Err(e) => shrink.stopped = Some(format!("the shrunk scenario is bad: {e}")),
                    },
                    SearchUpdate::Failed { message } => shrink.stopped = Some(message),
                    _ => {}
                }
            }
            SearchAction::ShrinkStopped(why) => {
                if let Some(shrink) = next.shrink.as_mut() {
                    shrink.stopped = Some(why);
                }
            }
        }
        Rc::new(next)
    }
}

/// How many workers a search uses: one per core the browser reports, up to eight.
fn worker_count(seeds: u64) -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (cores as usize).clamp(1, 8).min(seeds as usize).max(1)
}

/// A time left, as people say it: "40 s", "9 min", "2 h".
fn eta(seconds: f64) -> String {
    let s = seconds.ceil().max(1.0) as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=5_999 => format!("{} min", s.div_ceil(60)),
        _ => format!("{} h", s.div_ceil(3_600)),
    }
}

#[function_component]
pub fn Search() -> Html {
    let app = use_app();
    let state = use_reducer(|| SearchState {
        phase: Phase::Idle,
        total: 0,
        shares: Vec::new(),
        found: Vec::new(),
        base: None,
        shrink: None,
    });
    let running: Rc<RefCell<Vec<Running>>> = use_mut_ref(Vec::new);
    let shrinker: Rc<RefCell<Vec<Running>>> = use_mut_ref(Vec::new);
    let seeds = use_state(|| DEFAULT_SEEDS.to_string());
    let beyond = use_node_ref();
    {
        // Leaving the page (or this panel) stops the worker.
        let running = running.clone();
        let shrinker = shrinker.clone();
        use_effect_with((), move |_| {
            move || {
                stop_all(&running);
                stop_all(&shrinker);
            }
        });
    }
    {
        // A finished or failed search lets its worker go.
        let running = running.clone();
        use_effect_with(state.phase.clone(), move |phase| {
            if matches!(phase, Phase::Done | Phase::Failed(_)) {
                stop_all(&running);
            }
        });
    }
    {
        // A finished shrink lets its worker go.
        let shrinker = shrinker.clone();
        let over = state
            .shrink
            .as_ref()
            .is_some_and(|s| s.result.is_some() || s.stopped.is_some());
        use_effect_with(over, move |over| {
            if *over {
                stop_all(&shrinker);
            }
        });
    }
    // Bring the status and what was found into view in the checkers' scrolling panel.
    let region = use_node_ref();
    {
        let region = region.clone();
        let shrunk = state
            .shrink
            .as_ref()
            .map(|s| (s.seed, s.result.is_some() || s.stopped.is_some()));
        let key = (state.phase != Phase::Idle, state.found.len(), shrunk);
        use_effect_with(key, move |&(searching, found, shrunk)| {
            // Not when the panel first renders idle: on a phone that would scroll the whole page.
            let something = searching || found > 0 || shrunk.is_some();
            if let Some(element) = region.cast::<web_sys::Element>().filter(|_| something) {
                element.scroll_into_view_with_bool(false);
            }
        });
    }
    let has_model = app
        .session
        .0
        .borrow()
        .as_ref()
        .is_some_and(|s| s.scenario().model.is_some());

    let start = {
        let (app, state, running, seeds, beyond) = (
            app.clone(),
            state.clone(),
            running.clone(),
            seeds.clone(),
            beyond.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(scenario) = app.session.0.borrow().as_ref().map(|s| s.scenario()) else {
                return;
            };
            let count = seeds
                .trim()
                .replace(',', "")
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=MAX_SEEDS).contains(n));
            let Some(count) = count else {
                state.dispatch(SearchAction::Failed(format!(
                    "The number of seeds must be a whole number from 1 to {}.",
                    format::count(MAX_SEEDS)
                )));
                return;
            };
            let beyond_model = beyond
                .cast::<HtmlInputElement>()
                .is_some_and(|i| i.checked());
            stop_all(&running);
            let workers = worker_count(count);
            state.dispatch(SearchAction::Start {
                total: count,
                workers,
                base: Rc::new((scenario.clone(), beyond_model)),
            });
            let scenario = serde_json::to_value(&scenario).unwrap_or_default();
            for i in 0..workers {
                let request = WorkerRequest::Search(SearchRequest {
                    scenario: scenario.clone(),
                    from: i as u64,
                    to: count,
                    step: workers as u64,
                    beyond_model,
                });
                let on_update = {
                    let state = state.clone();
                    Callback::from(move |u| state.dispatch(SearchAction::Update(i, u)))
                };
                let on_failed = {
                    let state = state.clone();
                    Callback::from(move |m| state.dispatch(SearchAction::Failed(m)))
                };
                match worker::start(&request, on_update, on_failed) {
                    Ok(worker) => running.borrow_mut().push(worker),
                    Err(message) => {
                        stop_all(&running);
                        state.dispatch(SearchAction::Failed(message));
                        return;
                    }
                }
            }
        })
    };
    let on_seeds = {
        let seeds = seeds.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                seeds.set(input.value());
            }
        })
    };
    let cancel = {
        let (state, running) = (state.clone(), running.clone());
        Callback::from(move |_| {
            stop_all(&running);
            state.dispatch(SearchAction::Cancel);
        })
    };
    let shrink = |found: &Found| {
        let (state, shrinker, found) = (state.clone(), shrinker.clone(), found.clone());
        Callback::from(move |_| {
            let Some(base) = &state.base else { return };
            stop_all(&shrinker);
            let (scenario, _) = seed_scenario(&base.0, found.seed, base.1);
            let request = WorkerRequest::Shrink(ShrinkRequest {
                scenario: serde_json::to_value(&scenario).unwrap_or_default(),
                property: found.property.clone(),
                budget: DEFAULT_BUDGET,
            });
            state.dispatch(SearchAction::ShrinkStart(found.clone()));
            let on_update = {
                let state = state.clone();
                Callback::from(move |u| state.dispatch(SearchAction::ShrinkUpdate(u)))
            };
            let on_failed = {
                let state = state.clone();
                Callback::from(move |m| state.dispatch(SearchAction::ShrinkStopped(m)))
            };
            match worker::start(&request, on_update, on_failed) {
                Ok(worker) => shrinker.borrow_mut().push(worker),
                Err(message) => state.dispatch(SearchAction::ShrinkStopped(message)),
            }
        })
    };
    let cancel_shrink = {
        let (state, shrinker) = (state.clone(), shrinker.clone());
        Callback::from(move |_| {
            stop_all(&shrinker);
            state.dispatch(SearchAction::ShrinkStopped("cancelled".into()));
        })
    };
    let open_shrunk = state
        .shrink
        .as_ref()
        .and_then(|s| s.result.clone())
        .map(|r| {
            let app = app.clone();
            Callback::from(move |_| {
                app.dispatch.dispatch(UiAction::OpenFound(
                    Box::new((*r.scenario).clone()),
                    SimTime(r.at_us),
                    EventId(r.event),
                ));
            })
        });
    let open = |found: &Found| {
        let (app, base, found) = (app.clone(), state.base.clone(), found.clone());
        Callback::from(move |_| {
            let Some(base) = &base else { return };
            let (scenario, _) = seed_scenario(&base.0, found.seed, base.1);
            app.dispatch.dispatch(UiAction::OpenFound(
                Box::new(scenario),
                SimTime(found.at_us),
                EventId(found.event),
            ));
        })
    };

    let busy = matches!(state.phase, Phase::Loading | Phase::Running);
    let (done, failed, elapsed_ms) = (state.done(), state.failed(), state.elapsed_ms());
    let rate = (elapsed_ms > 0).then(|| done as f64 * 1_000.0 / elapsed_ms as f64);
    let left = rate
        .filter(|r| *r > 0.0 && state.phase == Phase::Running)
        .map(|r| (state.total.saturating_sub(done)) as f64 / r);
    let status = match &state.phase {
        Phase::Idle => None,
        Phase::Loading => Some("Loading the search…".to_string()),
        Phase::Running | Phase::Done | Phase::Cancelled => {
            let mut parts = vec![format!(
                "{} of {} seeds",
                format::count(done),
                format::count(state.total)
            )];
            if let Some(rate) = rate {
                parts.push(format!("{} seeds/s", format::count(rate.round() as u64)));
            }
            parts.push(format!("{} violating", format::count(failed)));
            if let Some(left) = left {
                parts.push(format!("about {} left", eta(left)));
            }
            match state.phase {
                Phase::Done => parts.push("done".into()),
                Phase::Cancelled => parts.push("cancelled".into()),
                _ => {}
            }
            Some(parts.join(" · "))
        }
        Phase::Failed(message) => Some(format!("The search stopped: {message}")),
    };
    html! {
        <div class="search" data-region="search" ref={region}>
            <h3 class="section-title">{ "Find a counterexample" }</h3>
            <form class="search-form" onsubmit={start} novalidate=true>
                <label class="field field-inline">
                    <span class="field-label">{ "Seeds" }</span>
                    <input type="number" min="1" max={MAX_SEEDS.to_string()} value={(*seeds).clone()}
                        class="input input-small" disabled={busy} oninput={on_seeds} />
                </label>
                if has_model {
                    <label class="field field-check">
                        <input ref={beyond} type="checkbox" disabled={busy} />
                        { "also faults outside the model" }
                    </label>
                }
                // Both always there, one hidden: one button swapped for the other under the
                // pointer would take the click that cancelled as a submit.
                <button type="button" class="button button-small" data-action="search-cancel" hidden={!busy}
                    onclick={cancel}>{ "Cancel" }</button>
                <button type="submit" class="button button-small button-primary" data-action="search-start" hidden={busy}
                    title="Run the sweep's seeds, each with its own random faults, in the background">{ "Search" }</button>
            </form>
            if state.phase != Phase::Idle {
                <progress class="search-progress" max={state.total.max(1).to_string()} value={done.to_string()}
                    aria-label="Seeds searched" />
            }
            if let Some(status) = status {
                <p class={classes!("search-status", matches!(state.phase, Phase::Failed(_)).then_some("is-error"))}
                    role="status" data-testid="search-status">{ status }</p>
            }
            if !state.found.is_empty() {
                <ul class="search-found" aria-label="Counterexamples found">
                    { for state.found.iter().map(|f| html! {
                        <li data-seed={f.seed.to_string()}>
                            <span class="search-found-text">
                                <strong>{ format!("Seed {}", f.seed) }</strong>
                                { format!(": {} at {}", f.property, format::time(f.at_us)) }
                            </span>
                            <span class="search-found-actions">
                                <button type="button" class="button button-small" data-action="search-shrink"
                                    title="Make this run as small as it will go while it still violates the property"
                                    onclick={shrink(f)}>{ "Shrink" }</button>
                                <button type="button" class="button button-small" data-action="search-open"
                                    title={f.message.clone()} onclick={open(f)}>{ "Open" }</button>
                            </span>
                        </li>
                    }) }
                </ul>
            }
            if let Some(shrinking) = &state.shrink {
                { shrink_view(shrinking, cancel_shrink, open_shrunk) }
            }
        </div>
    }
}

/// Sizes before and after, as "127 → 30 events, 56 → 2 faults, 4 → 2 nodes".
fn sizes(before: &Size, after: &Size) -> String {
    format!(
        "{} → {} events, {} → {} faults, {} → {} nodes",
        format::count(before.events),
        format::count(after.events),
        before.faults,
        after.faults,
        before.nodes,
        after.nodes
    )
}

fn shrink_view(
    shrinking: &Shrinking,
    cancel: Callback<MouseEvent>,
    open: Option<Callback<MouseEvent>>,
) -> Html {
    let head = format!("Seed {} against {}", shrinking.seed, shrinking.property);
    let text = match (&shrinking.result, &shrinking.stopped, &shrinking.progress) {
        (Some(r), _, _) => format!(
            "shrunk in {} runs: {}",
            format::count(r.runs),
            sizes(&r.before, &r.after)
        ),
        (None, Some(why), _) => format!("shrink stopped: {why}"),
        (None, None, Some((runs, budget, best))) => format!(
            "shrinking: {} of at most {} runs; smallest so far {} events, {} faults, {} nodes",
            format::count(*runs),
            format::count(*budget),
            format::count(best.events),
            best.faults,
            best.nodes
        ),
        (None, None, None) => "shrinking…".to_string(),
    };
    let busy = shrinking.result.is_none() && shrinking.stopped.is_none();
    html! {
        <div class="search-shrink" data-testid="search-shrink">
            <p class="search-status" role="status"><strong>{ head }</strong>{ format!(": {text}") }</p>
            if busy {
                <button type="button" class="button button-small" data-action="shrink-cancel" onclick={cancel}>{ "Cancel" }</button>
            }
            if let Some(open) = open {
                <button type="button" class="button button-small button-primary" data-action="shrink-open"
                    title="Run the shrunk scenario to its violation" onclick={open}>{ "Open the shrunk run" }</button>
            }
        </div>
    }
}
