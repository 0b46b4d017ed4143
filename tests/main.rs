//! End-to-end tests: the connector component built from this workspace, run
//! by the host harness (as a library and as the `harness` binary) against the
//! mock Anthropic API on loopback.

mod common;

mod activities;
mod apps;
mod check;
mod code_cache;
mod contract;
mod directory;
mod egress;
mod functions;
mod report_memory;
mod reports;
mod secrets;
mod start_date;
mod streams;
mod sync;
