//! Causeway: a deterministic distributed-systems sandbox.
//!
//! The engine, protocols, scenarios and the view model are plain Rust with no web dependencies; the `ui` module is the
//! only part that knows about the browser and is compiled for `wasm32` only.

#[cfg(feature = "all-protocols")]
pub mod bench;
pub mod checks;
pub mod engine;
pub mod export;
pub mod protocols;
pub mod scenario;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod ui;
