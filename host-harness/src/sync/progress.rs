//! What the sync loop tells whoever watches it.

use super::report::StreamReport;
use std::time::Duration;

/// Observer of a run. Every method has a do-nothing default.
pub trait Progress: Send {
    fn stream_started(&mut self, _stream: &str, _strategy: &str) {}
    /// After each committed page, with the stream's running totals.
    fn page_committed(&mut self, _stream: &str, _rows: u64, _pages: u64) {}
    /// A read failed and is tried again after `wait`; `reason` says why it waits.
    fn retrying(&mut self, _stream: &str, _attempt: u32, _wait: Duration, _reason: &str) {}
    fn stream_finished(&mut self, _report: &StreamReport) {}
}

/// Watches nothing.
pub struct Silent;

impl Progress for Silent {}
