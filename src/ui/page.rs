//! The page around the app: the loading screen that index.html shows until the app mounts, and the
//! query parameters that select debug behaviour.

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
