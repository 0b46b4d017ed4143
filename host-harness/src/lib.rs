//! The host harness: runs the connector component under wasmtime and moves its
//! data. A library (used by the tests and the CLI) and the `harness` binary.
//!
//! - [`runtime`]: engine, component, pre-instantiation, sandbox limits
//! - [`egress`]: the outgoing-HTTP policy (allow-list, request log)
//! - [`secrets`]: where keys come from; a type that never prints
//! - [`connections`]: named connections (slugs) and grants of the request functions
//! - [`sync`]: the page loop, parent-first scheduling, state, retries
//! - [`destinations`]: where records land (SQLite)
//! - [`cli`]: commands, progress and output formats
//! - [`printable`]: outside text made safe to echo (control characters escaped)

pub mod airbyte;
pub mod cli;
pub mod connections;
pub mod destinations;
pub mod duration_ms;
pub mod egress;
pub mod printable;
pub mod report;
pub mod runtime;
pub mod secrets;
pub mod sync;
