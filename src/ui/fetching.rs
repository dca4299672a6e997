//! Fetching a lesson's preset before it opens. The web build does not compile the presets in
//! (`scenario::presets`): opening one fetches `presets/ID.json` beside the page, or takes the copy
//! the poster fetched already (`static/boot.js` keeps its requests in `window.causewayFetched`),
//! hands it to `presets::remember`, then dispatches. A link that leaves out its lesson's text
//! fetches that lesson first the same way.

use std::cell::Cell;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use super::engines;
use super::opening::preset_action;
use super::state::{Ui, UiAction};
use crate::scenario::link::Unfinished;
use crate::scenario::presets;

thread_local! {
    /// The latest opening asked for: of several lessons clicked in quick succession, only the
    /// last one opens, whichever file arrives first.
    static LATEST: Cell<u64> = const { Cell::new(0) };
}

fn take_ticket() -> u64 {
    LATEST.with(|latest| {
        latest.set(latest.get() + 1);
        latest.get()
    })
}

fn is_latest(ticket: u64) -> bool {
    LATEST.with(|latest| latest.get() == ticket)
}

/// The text of a failed request.
fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the network request failed".to_string())
}

/// The requests the poster and prefetches made, by URL (`window.causewayFetched`), made empty if
/// there is none yet.
fn requests() -> Option<JsValue> {
    let window = web_sys::window()?;
    let key = JsValue::from_str("causewayFetched");
    match js_sys::Reflect::get(&window, &key) {
        Ok(fetched) if fetched.is_object() => Some(fetched),
        _ => {
            let fetched = JsValue::from(js_sys::Object::new());
            js_sys::Reflect::set(&window, &key, &fetched).ok()?;
            Some(fetched)
        }
    }
}

/// The request for `url` the poster or a prefetch already made, if one did.
fn poster_request(url: &str) -> Option<js_sys::Promise> {
    js_sys::Reflect::get(&requests()?, &JsValue::from_str(url))
        .ok()?
        .dyn_into()
        .ok()
}

/// Where preset `id`'s file is, relative to the page.
fn preset_url(id: &str) -> String {
    format!("presets/{id}.json")
}

/// The text at `url`, relative to the page: from the request the poster or a prefetch made, if that
/// one succeeded, else from a request of its own.
async fn fetch_text(url: &str) -> Result<String, String> {
    if let Some(request) = poster_request(url)
        && let Ok(text) = JsFuture::from(request).await
        && let Some(text) = text.as_string()
    {
        return Ok(text);
    }
    request_text(url).await
}

/// Starts fetching preset `id`'s file when the pointer rests on a link to it or the link takes the
/// focus, so that a click opens the lesson without waiting for the network. The request joins the
/// poster's (`window.causewayFetched`), where `fetch_text` looks first. It never fails: a request
/// that went wrong leaves nothing, and the click asks again and says what went wrong.
pub fn prefetch(id: &str) {
    let Some(preset) = presets::find(id) else {
        return;
    };
    let url = preset_url(preset.id);
    if preset.json().is_some() || poster_request(&url).is_some() {
        return;
    }
    let Some(fetched) = requests() else {
        return;
    };
    let request = wasm_bindgen_futures::future_to_promise({
        let url = url.clone();
        async move {
            Ok(request_text(&url)
                .await
                .map_or(JsValue::NULL, JsValue::from))
        }
    });
    let _ = js_sys::Reflect::set(&fetched, &JsValue::from_str(&url), &request);
}

/// Prefetches preset `id` when the pointer enters its link (see `prefetch`).
pub fn prefetch_on_hover(id: &'static str) -> Callback<PointerEvent> {
    Callback::from(move |_: PointerEvent| prefetch(id))
}

/// Prefetches preset `id` when its link takes the focus (see `prefetch`).
pub fn prefetch_on_focus(id: &'static str) -> Callback<FocusEvent> {
    Callback::from(move |_: FocusEvent| prefetch(id))
}

/// A new request for the text at `url`.
async fn request_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("there is no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| describe(&e))?
        .dyn_into()
        .map_err(|_| "the answer was not a response".to_string())?;
    if !response.ok() {
        return Err(format!(
            "the server answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let text = response.text().map_err(|e| describe(&e))?;
    JsFuture::from(text)
        .await
        .map_err(|e| describe(&e))?
        .as_string()
        .ok_or_else(|| "the answer was not text".to_string())
}

/// Makes sure the page has preset `id`'s JSON, fetching it if need be.
async fn load(id: &str) -> Result<(), String> {
    let preset = presets::find(id).ok_or_else(|| format!("There is no preset called `{id}`."))?;
    if preset.json().is_some() {
        return Ok(());
    }
    let text = fetch_text(&preset_url(preset.id))
        .await
        .map_err(|error| format!("The lesson `{id}` could not be loaded: {error}."))?;
    presets::remember(preset.id, text);
    Ok(())
}

/// Dispatches `action` (made once `id` is loaded), then `then`, unless a later opening was asked for
/// meanwhile. Without a fetch to wait for, it all happens now.
fn after_loading(
    dispatch: &UseReducerDispatcher<Ui>,
    id: Option<String>,
    action: impl FnOnce(Result<(), String>) -> UiAction + 'static,
    then: Vec<UiAction>,
) {
    let ticket = take_ticket();
    let preset = id.clone();
    let finish = move |dispatch: &UseReducerDispatcher<Ui>, loaded: Result<(), String>| {
        if !is_latest(ticket) {
            return;
        }
        // A lesson whose protocol is in another of the page's engines opens there.
        let elsewhere = preset.as_deref().filter(|_| loaded.is_ok());
        if let Some(leave) = elsewhere.and_then(engines::preset) {
            dispatch.dispatch(leave);
        } else if !engines::leaving() {
            dispatch.dispatch(action(loaded));
            for next in then {
                dispatch.dispatch(next);
            }
        }
    };
    let missing = id.filter(|id| presets::find(id).is_none_or(|p| p.json().is_none()));
    match missing {
        None => finish(dispatch, Ok(())),
        Some(id) => {
            let dispatch = dispatch.clone();
            yew::platform::spawn_local(async move {
                let loaded = load(&id).await;
                finish(&dispatch, loaded);
            });
        }
    }
}

/// Opens preset `id`, then dispatches `then` (an embed's autoplay, say).
pub fn open_preset(dispatch: &UseReducerDispatcher<Ui>, id: &str, then: Vec<UiAction>) {
    let wanted = id.to_string();
    after_loading(
        dispatch,
        Some(id.to_string()),
        move |loaded| match loaded {
            Ok(()) => preset_action(&wanted),
            Err(error) => UiAction::Fail(error),
        },
        then,
    );
}

/// Switches to the design in preset `id`, at the same moment of the run.
pub fn switch_design(dispatch: &UseReducerDispatcher<Ui>, id: &'static str) {
    after_loading(
        dispatch,
        Some(id.to_string()),
        move |loaded| match loaded {
            Ok(()) => UiAction::SwitchDesign(id),
            Err(error) => UiAction::Fail(error),
        },
        Vec::new(),
    );
}

/// Opens a share link once its lesson's text is here, then dispatches `then`.
pub fn open_link(dispatch: &UseReducerDispatcher<Ui>, link: Unfinished, then: Vec<UiAction>) {
    if let Some(leave) = engines::link(&link) {
        dispatch.dispatch(leave);
        return;
    }
    let lesson = link.lesson().map(str::to_string);
    after_loading(
        dispatch,
        lesson,
        move |loaded| match loaded.and_then(|()| link.finish().map_err(|error| error.0)) {
            Ok(link) => UiAction::OpenLink(Box::new(link)),
            Err(error) => UiAction::LinkFailed(error),
        },
        then,
    );
}
