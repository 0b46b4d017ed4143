//! End-to-end tests: the connector component built from this workspace, run
//! by the host harness (as a library and as the `harness` binary) against the
//! mock Anthropic API on loopback.

mod common;

mod check;
mod contract;
mod egress;
mod secrets;
mod streams;
mod sync;
