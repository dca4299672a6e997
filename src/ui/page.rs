//! The page around the app: the loading screen that index.html shows until the app mounts, and the
//! URL: its query parameters, its fragment (share links) and the clipboard.

/// The id of the loading screen in index.html. Its inline script turns it into a failure message if
/// the app has not removed it in time, so removing it is how the app says "I am up".
const LOADING_SCREEN_ID: &str = "boot";

/// Removes the loading screen, if it is still there.
pub fn dismiss_loading_screen() {
    let screen = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(LOADING_SCREEN_ID));
    if let Some(screen) = screen {
        screen.remove();
    }
}

/// Whether the address names a run to open: a share link in the fragment, `?preset=` or
/// `?scenario=`.
pub fn names_a_run() -> bool {
    fragment().is_some() || query_param("preset").is_some() || query_param("scenario").is_some()
}

/// The value of the `debug` query parameter. `?debug=panic` makes the app panic once mounted, so the
/// panic panel can be exercised end to end in a release build.
pub fn debug_param() -> Option<String> {
    query_param("debug")
}

/// The value of a query parameter (`Some("")` when present without a value).
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The URL fragment without its `#`, if there is one.
pub fn fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let fragment = hash.strip_prefix('#').unwrap_or(&hash);
    (!fragment.is_empty()).then(|| fragment.to_string())
}

/// The page's address without its query and fragment.
pub fn base_url() -> String {
    web_sys::window()
        .map(|window| window.location())
        .map(|location| {
            format!(
                "{}{}",
                location.origin().unwrap_or_default(),
                location.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// The page's address with the query parameters in `drop` removed.
pub fn url_without(drop: &[&str]) -> String {
    let changes: Vec<_> = drop.iter().map(|&name| (name, None)).collect();
    let hash = web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default();
    format!("{}{}{hash}", base_url(), query_with(&changes))
}

/// The page's query (with its `?`, or empty) with each `(name, value)` set, or removed where the
/// value is `None`.
pub fn query_with(changes: &[(&str, Option<&str>)]) -> String {
    let search = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return String::new();
    };
    for &(name, value) in changes {
        match value {
            Some(value) => params.set(name, value),
            None => params.delete(name),
        }
    }
    let query = String::from(params.to_string());
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

/// The page's address with `fragment` (without `#`) in place of the current one.
pub fn url_with_fragment(fragment: &str) -> String {
    let search = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .unwrap_or_default();
    let base = format!("{}{search}", base_url());
    if fragment.is_empty() {
        base
    } else {
        format!("{base}#{fragment}")
    }
}

/// Puts `fragment` (without `#`; empty removes it) in the address bar without reloading, without
/// a new history entry and without a `hashchange` event.
pub fn replace_fragment(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
        // The address bar is a convenience; the page works the same if the browser refuses.
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&url_with_fragment(fragment)),
        );
    }
}

/// Writes `text` to the clipboard. False if the browser has no clipboard API or refuses.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|window| window.navigator()) else {
        return false;
    };
    if !js_sys::Reflect::has(&navigator, &"clipboard".into()).unwrap_or(false) {
        return false;
    }
    wasm_bindgen_futures::JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}

/// Puts `?preset=ID` in the address bar as a new history entry (keeping the page's other query
/// parameters, dropping any fragment), so the address names the open lesson and Back returns to
/// the one before.
pub fn push_preset(id: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
    else {
        return;
    };
    params.delete("scenario");
    params.set("preset", id);
    let url = format!("{}?{}", base_url(), String::from(params.to_string()));
    if let Ok(history) = window.history() {
        // The address bar is a convenience; the page works the same if the browser refuses.
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
