//! Web entry point: installs the panic hook and mounts the Yew app, nothing else.

/// Mounts the app on `#app` (Yew empties the element it mounts on, so not on the body, which also
/// holds the loading screen the app removes once it shows what the address opens), or on the body
/// of a page without one.
#[cfg(target_arch = "wasm32")]
fn main() {
    causeway::ui::panic::install_hook();
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<causeway::ui::App>::with_root(root).render(),
        None => yew::Renderer::<causeway::ui::App>::new().render(),
    };
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "the `causeway` binary is the web app; build it with `trunk build`, or run the `sim` CLI"
    );
    std::process::exit(2);
}
