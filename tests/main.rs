//! End-to-end tests: the connector component built from this workspace, run
//! by the host harness (as a library and as the `harness` binary) against the
//! mock Anthropic API on loopback.

mod common;

mod activities;
mod airbyte;
mod analytics;
mod api_version;
mod apps;
mod check;
mod cleartext;
mod code_cache;
mod concurrency;
mod contract;
mod coverage;
mod deletes;
mod directory;
mod egress;
mod functions;
mod hostile;
mod keep_alive;
mod kill;
mod node_host;
mod pacing;
mod pagination;
mod postgres;
mod proxy;
mod redaction;
mod report;
mod report_memory;
mod reports;
mod reset;
mod run_errors;
mod runs;
mod sandbox_limits;
mod secrets;
mod snapshots;
mod sqlite_file;
mod start_date;
mod streams;
mod sync;
mod transport;
mod vanished_parents;
