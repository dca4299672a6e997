//! The page's search worker: a Web Worker that runs the seeds of a counterexample search,
//! shrinks a counterexample, or explores every run of a small scenario (`scenario::search`,
//! `scenario::explore`), off the main thread, so the page stays
//! responsive. It says `ready` once loaded, takes one `WorkerRequest` (JSON), and reports progress
//! every 50 ms, each seed that violates a promised property or the shrunk scenario, and the end.
//! The page cancels by terminating the worker.
//! Trunk builds it for the web (`data-type="worker"` in `index.html`); natively it does nothing.

/// talc rather than dlmalloc, Rust's default on the web: a run allocates and frees on every step.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("causeway-worker runs in the browser, as the page's search worker");
}

#[cfg(target_arch = "wasm32")]
mod web {
    use causeway::scenario::search::{
        SearchRequest, SearchUpdate, WorkerRequest, counts, explore_request, run_seed, seed_base,
        shrink_request, unpromised,
    };
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    /// How often progress is reported, in milliseconds.
    const PROGRESS_MS: f64 = 50.0;

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let post = {
            let scope = scope.clone();
            move |update: &SearchUpdate| {
                let text = serde_json::to_string(update).unwrap_or_default();
                // A page that went away is not listening: nothing to do about it.
                let _ = scope.post_message(&JsValue::from_str(&text));
            }
        };
        let on_message = {
            let post = post.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let text = event.data().as_string().unwrap_or_default();
                if let Err(message) = search(&text, &post) {
                    post(&SearchUpdate::Failed { message });
                }
            })
        };
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        post(&SearchUpdate::Ready);
    }

    fn search(text: &str, post: &dyn Fn(&SearchUpdate)) -> Result<(), String> {
        let request: WorkerRequest = serde_json::from_str(text)
            .map_err(|e| format!("the search request is malformed: {e}"))?;
        match request {
            WorkerRequest::Search(request) => seeds(&request, post),
            WorkerRequest::Shrink(request) => {
                let mut reported = js_sys::Date::now();
                let shrunk = shrink_request(&request, &mut |progress| {
                    let now = js_sys::Date::now();
                    if now - reported >= PROGRESS_MS {
                        reported = now;
                        post(&SearchUpdate::Shrinking {
                            runs: progress.runs,
                            budget: progress.budget,
                            best: progress.best,
                        });
                    }
                    true
                })?;
                post(&shrunk);
                Ok(())
            }
            WorkerRequest::Explore(request) => {
                let started = js_sys::Date::now();
                let mut reported = f64::NEG_INFINITY;
                let done = explore_request(&request, &mut |progress| {
                    let now = js_sys::Date::now();
                    if now - reported >= PROGRESS_MS {
                        reported = now;
                        post(&SearchUpdate::Exploring {
                            progress: *progress,
                            elapsed_ms: (now - started) as u64,
                        });
                    }
                    true
                })?;
                post(&done);
                Ok(())
            }
        }
    }

    fn seeds(request: &SearchRequest, post: &dyn Fn(&SearchUpdate)) -> Result<(), String> {
        let base = seed_base(&request.base()?)?;
        let unpromised = unpromised(&base)?;
        let started = js_sys::Date::now();
        let mut reported = started;
        let (mut done, mut failed) = (0, 0);
        for seed in request.seeds() {
            let outcome = run_seed(&base, seed, request.beyond_model)?;
            done += 1;
            if let Some(found) = counts(&outcome, &unpromised) {
                failed += 1;
                post(&SearchUpdate::Found(found.clone()));
            }
            let now = js_sys::Date::now();
            if now - reported >= PROGRESS_MS {
                reported = now;
                post(&SearchUpdate::Progress {
                    done,
                    failed,
                    elapsed_ms: (now - started) as u64,
                });
            }
        }
        post(&SearchUpdate::Done {
            done,
            failed,
            elapsed_ms: (js_sys::Date::now() - started) as u64,
        });
        Ok(())
    }
}
