//! Web entry point: installs the panic hook and mounts the Yew app, nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    causeway::ui::panic::install_hook();
    yew::Renderer::<causeway::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "the `causeway` binary is the web app; build it with `trunk build`, or run the `sim` CLI"
    );
    std::process::exit(2);
}
