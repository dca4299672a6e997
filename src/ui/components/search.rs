//! "Find a counterexample": the open scenario's `sim sweep` seeds, each with its random fault
//! schedule, run in a Web Worker (`src/bin/worker.rs`) so the page stays responsive. A progress
//! bar shows seeds done, seeds per second, violations so far and the time left; Cancel terminates
//! the worker at once. Each seed that violates a promised property is offered: Open runs it as an
//! ordinary run (shareable by link), on to the violation, which is selected.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, HtmlInputElement, MessageEvent, Url, Worker};
use yew::prelude::*;

use crate::engine::ids::EventId;
use crate::engine::time::SimTime;
use crate::scenario::Scenario;
use crate::scenario::search::{Found, MAX_SEEDS, SearchRequest, SearchUpdate, seed_scenario};
use crate::ui::state::{UiAction, use_app};
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
    elapsed_ms: f64,
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
}

impl SearchState {
    fn done(&self) -> u64 {
        self.shares.iter().map(|s| s.done).sum()
    }

    fn failed(&self) -> u64 {
        self.shares.iter().map(|s| s.failed).sum()
    }

    fn elapsed_ms(&self) -> f64 {
        self.shares.iter().map(|s| s.elapsed_ms).fold(0.0, f64::max)
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
                }
            }
            SearchAction::Cancel => next.phase = Phase::Cancelled,
            SearchAction::Failed(message) => next.phase = Phase::Failed(message),
        }
        Rc::new(next)
    }
}

/// How many workers a search uses: one per core the browser reports, up to eight.
fn worker_count(seeds: u64) -> usize {
    let cores = web_sys::window().map_or(1.0, |w| w.navigator().hardware_concurrency());
    (cores as usize).clamp(1, 8).min(seeds as usize).max(1)
}

/// A running worker and the callbacks it holds.
struct Running {
    worker: Worker,
    url: String,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Running {
    fn stop(self) {
        // Unhook first: a message already on its way must find no callback, not a dropped one.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        let _ = Url::revoke_object_url(&self.url);
    }
}

/// A worker that loads the search worker's script and wasm from beside the page, wherever it is
/// served from (a blob script, since a worker's own URL must be same-origin JavaScript).
fn spawn_worker() -> Result<(Worker, String), String> {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .ok_or("the page has no base address")?;
    let at = |file: &str| {
        Url::new_with_base(file, &base)
            .map(|u| u.href())
            .map_err(|_| format!("cannot place {file} beside the page"))
    };
    // Trunk does not hash a worker's file names, so the page's own (hashed) wasm name tags them:
    // a browser never pairs this page with a worker cached from another build.
    let build = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("link[rel=preload][href$='_bg.wasm']")
                .ok()
                .flatten()
        })
        .and_then(|l| l.get_attribute("href"))
        .unwrap_or_default();
    let tag = |url: String| format!("{url}?build={}", js_sys::encode_uri_component(&build));
    let quote = |text: String| serde_json::to_string(&text).unwrap_or_default();
    let script = format!(
        "importScripts({});wasm_bindgen({});",
        quote(tag(at("causeway-worker.js")?)),
        quote(tag(at("causeway-worker_bg.wasm")?))
    );
    let parts = js_sys::Array::of1(&JsValue::from_str(&script));
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot make the worker's script")?;
    let url =
        Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make the worker's URL")?;
    let worker = Worker::new(&url).map_err(|_| "this browser cannot start a worker")?;
    Ok((worker, url))
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

/// Terminates every worker of the search.
fn stop_all(running: &RefCell<Vec<Running>>) {
    for worker in running.borrow_mut().drain(..) {
        worker.stop();
    }
}

/// Starts worker `i` on `request`: it says when it is ready, then gets the request, and every
/// update it posts goes to the search's state.
fn start_worker(
    i: usize,
    request: &SearchRequest,
    state: &UseReducerHandle<SearchState>,
) -> Result<Running, String> {
    let (worker, url) = spawn_worker()?;
    let request = serde_json::to_string(request).unwrap_or_default();
    let on_message = {
        let (state, worker) = (state.clone(), worker.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<SearchUpdate>(&text) {
                Ok(update) => {
                    if update == SearchUpdate::Ready {
                        let _ = worker.post_message(&JsValue::from_str(&request));
                    }
                    state.dispatch(SearchAction::Update(i, update));
                }
                Err(_) => state.dispatch(SearchAction::Failed(
                    "the search worker said something this page cannot read".into(),
                )),
            }
        })
    };
    let on_error = {
        let state = state.clone();
        Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let detail = event.message();
            state.dispatch(SearchAction::Failed(if detail.is_empty() {
                "the search worker stopped (it may have run out of memory)".into()
            } else {
                format!("the search worker stopped: {detail}")
            }));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Running {
        worker,
        url,
        _on_message: on_message,
        _on_error: on_error,
    })
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
    });
    let running: Rc<RefCell<Vec<Running>>> = use_mut_ref(Vec::new);
    let seeds = use_state(|| DEFAULT_SEEDS.to_string());
    let beyond = use_node_ref();
    {
        // Leaving the page (or this panel) stops the worker.
        let running = running.clone();
        use_effect_with((), move |_| move || stop_all(&running));
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
    // Bring the status and what was found into view in the checkers' scrolling panel.
    let region = use_node_ref();
    {
        let region = region.clone();
        let key = (state.phase != Phase::Idle, state.found.len());
        use_effect_with(key, move |_| {
            if let Some(element) = region.cast::<web_sys::Element>() {
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
                let request = SearchRequest {
                    scenario: scenario.clone(),
                    from: i as u64,
                    to: count,
                    step: workers as u64,
                    beyond_model,
                };
                match start_worker(i, &request, &state) {
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
    let rate = (elapsed_ms > 0.0).then(|| done as f64 * 1_000.0 / elapsed_ms);
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
                            <button type="button" class="button button-small" data-action="search-open"
                                title={f.message.clone()} onclick={open(f)}>{ "Open" }</button>
                        </li>
                    }) }
                </ul>
            }
        </div>
    }
}
