//! The page's side of the search worker (`src/bin/worker.rs`): spawning one from a blob script
//! beside the page (its files tagged with the page's build), handing it the worker's compiled
//! wasm, posting its request once it says it is ready, handing its updates on, and terminating it.

use std::cell::RefCell;

use js_sys::{Promise, WebAssembly};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Url, Worker};
use yew::Callback;

thread_local! {
    /// The search worker's wasm, compiled once for the page and posted to every worker. Workers
    /// given one module share its machine code, so the code the browser optimises while one search
    /// runs (V8 compiles hot functions again, better, after they have run a while) serves every
    /// later search, explore and shrink on this page: measured in Chromium, a repeated Paxos search
    /// ran at 16,000 to 20,000 seeds/s instead of 6,000 to 7,000 in workers that each loaded
    /// their own.
    static MODULE: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// The worker's compiled module, compiling it from `wasm` the first time.
fn compiled(wasm: &str) -> Option<Promise> {
    MODULE.with(|module| {
        let mut module = module.borrow_mut();
        if module.is_none() {
            let fetched = web_sys::window()?.fetch_with_str(wasm);
            *module = Some(WebAssembly::compile_streaming(&fetched));
        }
        module.clone()
    })
}

/// Sends `worker` the compiled module, or, if it could not be compiled here (a host that serves
/// wasm with the wrong type, say), the wasm's address to load it from itself.
fn hand_module(worker: Worker, wasm: String) {
    wasm_bindgen_futures::spawn_local(async move {
        let module = match compiled(&wasm) {
            Some(promise) => JsFuture::from(promise).await.ok(),
            None => None,
        };
        let message = module.unwrap_or_else(|| {
            MODULE.with(|m| m.borrow_mut().take());
            JsValue::from_str(&wasm)
        });
        // A worker stopped meanwhile is not listening: nothing to do about it.
        let _ = worker.post_message(&message);
    });
}

use crate::scenario::search::{SearchUpdate, WorkerRequest};

/// A running worker and the callbacks it holds.
pub struct Running {
    worker: Worker,
    url: String,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Running {
    pub fn stop(self) {
        // Unhook first: a message already on its way must find no callback, not a dropped one.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        let _ = Url::revoke_object_url(&self.url);
    }
}

/// A worker that loads the search worker's script from beside the page, wherever it is served from
/// (a blob script, since a worker's own URL must be same-origin JavaScript), and its wasm from the
/// page (`hand_module`).
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
    // Trunk does not hash a worker's file names, so the page's own (hashed) wasm name, which
    // static/boot.js puts on the root element, tags them: a browser never pairs this page with a
    // worker cached from another build.
    let build = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|root| root.get_attribute("data-build"))
        .unwrap_or_default();
    let tag = |url: String| format!("{url}?build={}", js_sys::encode_uri_component(&build));
    let quote = |text: String| serde_json::to_string(&text).unwrap_or_default();
    // The worker starts its wasm from the first message, the page's compiled module (or an address).
    let script = format!(
        "importScripts({});onmessage=(e)=>{{onmessage=null;wasm_bindgen({{module_or_path:e.data}});}};",
        quote(tag(at("causeway-worker.js")?)),
    );
    let parts = js_sys::Array::of1(&JsValue::from_str(&script));
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot make the worker's script")?;
    let url =
        Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make the worker's URL")?;
    let worker = Worker::new(&url).map_err(|_| "this browser cannot start a worker")?;
    hand_module(worker.clone(), tag(at("causeway-worker_bg.wasm")?));
    Ok((worker, url))
}

/// Terminates every worker of the search.
pub fn stop_all(running: &RefCell<Vec<Running>>) {
    for worker in running.borrow_mut().drain(..) {
        worker.stop();
    }
}

/// Starts a worker on `request`: it says when it is ready, then gets the request; every update it
/// posts goes to `on_update`, and a failure (its own, or a message this page cannot read) to
/// `on_failed`.
pub fn start(
    request: &WorkerRequest,
    on_update: Callback<SearchUpdate>,
    on_failed: Callback<String>,
) -> Result<Running, String> {
    let (worker, url) = spawn_worker()?;
    let request = serde_json::to_string(request).unwrap_or_default();
    let on_message = {
        let (on_failed, worker) = (on_failed.clone(), worker.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<SearchUpdate>(&text) {
                Ok(update) => {
                    if update == SearchUpdate::Ready {
                        let _ = worker.post_message(&JsValue::from_str(&request));
                    }
                    on_update.emit(update);
                }
                Err(_) => {
                    on_failed.emit("the search worker said something this page cannot read".into())
                }
            }
        })
    };
    let on_error = {
        Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let detail = event.message();
            on_failed.emit(if detail.is_empty() {
                "the search worker stopped (it may have run out of memory)".into()
            } else {
                format!("the search worker stopped: {detail}")
            });
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
