//! What a run did, per stream: rows, pages, time, outcome and warnings.

use super::timings::RunTimings;
use crate::destinations::WrittenRows;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Outcome {
    Succeeded,
    Failed(String),
    /// Not read: its parent did not complete.
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamReport {
    pub stream: String,
    pub strategy: String,
    /// Distinct rows written: each key once however often it was read in the
    /// run (incremental overlaps and lookbacks re-read keys).
    pub rows: u64,
    /// Of those, rows whose key the table did not have.
    pub new_rows: u64,
    /// Of those, rows the table had with another record. The rest were
    /// re-read unchanged.
    pub changed_rows: u64,
    pub pages: u64,
    pub retries: u32,
    #[serde(serialize_with = "crate::duration_ms::serialize")]
    pub duration: Duration,
    pub outcome: Outcome,
    pub warnings: Vec<String>,
    /// The full diagnostic of a failure when it has more than its one-line
    /// outcome (wasmtime's report with the wasm backtrace), for `--verbose`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
}

impl StreamReport {
    /// A report of nothing done yet, succeeding so far.
    pub fn new(stream: &str, strategy: &str) -> Self {
        Self {
            stream: stream.to_owned(),
            strategy: strategy.to_owned(),
            rows: 0,
            new_rows: 0,
            changed_rows: 0,
            pages: 0,
            retries: 0,
            duration: Duration::ZERO,
            outcome: Outcome::Succeeded,
            warnings: Vec::new(),
            diagnostic: None,
        }
    }

    /// Add what one committed page wrote.
    pub fn count(&mut self, written: WrittenRows) {
        self.rows += written.total();
        self.new_rows += written.new;
        self.changed_rows += written.changed;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub destination: String,
    pub streams: Vec<StreamReport>,
    /// Warnings about the run as a whole (a setting none of its streams reads).
    pub warnings: Vec<String>,
    #[serde(serialize_with = "crate::duration_ms::serialize")]
    pub duration: Duration,
    /// Where the run's time went, and its peak memory.
    pub timings: RunTimings,
}

impl SyncReport {
    pub fn succeeded(&self) -> bool {
        self.streams
            .iter()
            .all(|s| !matches!(s.outcome, Outcome::Failed(_)))
    }

    pub fn total_rows(&self) -> u64 {
        self.streams.iter().map(|s| s.rows).sum()
    }

    pub fn stream(&self, name: &str) -> Option<&StreamReport> {
        self.streams.iter().find(|s| s.stream == name)
    }

    /// The report without the streams' diagnostics (wasm backtraces), as
    /// shown unless `--verbose` asks for them.
    pub fn without_diagnostics(&self) -> Self {
        let mut report = self.clone();
        for stream in &mut report.streams {
            stream.diagnostic = None;
        }
        report
    }
}
