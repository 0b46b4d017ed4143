//! The Anthropic Admin & Compliance connector: a plugin that knows the Anthropic
//! Admin API (`/v1/organizations/*`) and Compliance API (`/v1/compliance/*`) and
//! hands their records, page by page, to a host that owns the sync loop.
//!
//! The logic here is plain Rust over a [`host::Host`] trait, so it builds and
//! tests natively; `component.rs` binds it to the WIT contract in `wit/` when
//! built for `wasm32-wasip2`.

pub mod check;
pub mod connection;
pub mod error;
pub mod functions;
pub mod host;
pub mod http;
pub mod json;
pub mod list_body;
pub mod manifest;
pub mod model;
pub mod pagination;
pub mod plugin;
#[cfg(test)]
mod properties;
pub mod redact;
pub mod retry_after;
pub mod settings;
pub mod streams;
pub mod transport;

// The generated bindings are unsafe FFI; nothing else in the guest may be.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod component;
#[cfg(target_arch = "wasm32")]
mod wasi_http;
