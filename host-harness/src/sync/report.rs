//! What a run did, per stream: rows, pages, time, outcome and warnings, the
//! history its state covers, and whether it read a whole snapshot.

use super::timings::RunTimings;
use crate::destinations::{StreamRecord, WrittenRows};
use crate::runtime::model::Coverage;
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
    /// Rows this run found gone and marked deleted: only after a whole
    /// snapshot ([`snapshot_complete`](Self::snapshot_complete)) of a full refresh.
    pub deleted_rows: u64,
    pub pages: u64,
    /// HTTP requests its reads sent, retried ones included.
    pub requests: u64,
    pub retries: u32,
    #[serde(serialize_with = "crate::duration_ms::serialize")]
    pub duration: Duration,
    pub outcome: Outcome,
    pub warnings: Vec<String>,
    /// The full diagnostic of a failure when it has more than its one-line
    /// outcome (wasmtime's report with the wasm backtrace), for `--verbose`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostic: Option<String>,
    /// For an incremental stream: the history its committed state holds
    /// without a hole, as the last page committed in this run that said so
    /// reported it. None when no page of the run said anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// Whether this run read every record the API holds for the stream (for
    /// a child: for every parent of the run), so keys it did not see are
    /// gone: see [`WalkEnds::whole_snapshot`].
    pub snapshot_complete: bool,
}

impl StreamReport {
    /// What the destination's run history keeps of this stream.
    pub fn record(&self) -> StreamRecord {
        let (outcome, error) = match &self.outcome {
            Outcome::Succeeded => ("succeeded", None),
            Outcome::Failed(why) => ("failed", Some(why.clone())),
            Outcome::Skipped(why) => ("skipped", Some(why.clone())),
        };
        StreamRecord {
            stream: self.stream.clone(),
            outcome: outcome.to_owned(),
            error,
            rows: self.rows,
            new_rows: self.new_rows,
            changed_rows: self.changed_rows,
            deleted_rows: self.deleted_rows,
            pages: self.pages,
            requests: self.requests,
            retries: self.retries,
            warnings: self.warnings.clone(),
        }
    }

    /// A report of nothing done yet, succeeding so far.
    pub fn new(stream: &str, strategy: &str) -> Self {
        Self {
            stream: stream.to_owned(),
            strategy: strategy.to_owned(),
            rows: 0,
            new_rows: 0,
            changed_rows: 0,
            deleted_rows: 0,
            pages: 0,
            requests: 0,
            retries: 0,
            duration: Duration::ZERO,
            outcome: Outcome::Succeeded,
            warnings: Vec::new(),
            diagnostic: None,
            coverage: None,
            snapshot_complete: false,
        }
    }

    /// Add what one committed page wrote.
    pub fn count(&mut self, written: WrittenRows) {
        self.rows += written.total();
        self.new_rows += written.new;
        self.changed_rows += written.changed;
    }
}

/// How a stream's walks ended in one run (one walk for a stream, one per
/// batch of parents for a child), and whether its read began at the first page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkEnds {
    /// The read went on from a saved page cursor: it did not see the pages
    /// before it, whatever its last page says.
    resumed: bool,
    /// Walks that reached their last page.
    ended: u64,
    /// Of those, the ones whose last page said their read was complete.
    complete: u64,
}

impl WalkEnds {
    /// The read resumed an interrupted one mid-way.
    pub fn resumed(&mut self) {
        self.resumed = true;
    }

    /// A walk committed its last page, which said whether the read was complete.
    pub fn walk_ended(&mut self, snapshot_complete: bool) {
        self.ended += 1;
        self.complete += u64::from(snapshot_complete);
    }

    /// Whether the stream's read was a whole snapshot of what the API holds:
    /// it started from its first page, it succeeded (so every walk ended),
    /// and every walk ended on a page saying it was complete. A child with
    /// no parents walked nothing, and claims nothing.
    pub fn whole_snapshot(&self, outcome: &Outcome) -> bool {
        !self.resumed
            && *outcome == Outcome::Succeeded
            && self.ended > 0
            && self.complete == self.ended
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(walks: &[bool]) -> WalkEnds {
        let mut ends = WalkEnds::default();
        for complete in walks {
            ends.walk_ended(*complete);
        }
        ends
    }

    #[test]
    fn a_snapshot_is_whole_only_when_every_walk_ended_complete_from_the_first_page() {
        assert!(ends(&[true]).whole_snapshot(&Outcome::Succeeded));
        assert!(ends(&[true, true, true]).whole_snapshot(&Outcome::Succeeded));
        assert!(
            !ends(&[true, false, true]).whole_snapshot(&Outcome::Succeeded),
            "one parent's children not all read"
        );
        assert!(
            !ends(&[]).whole_snapshot(&Outcome::Succeeded),
            "nothing walked, nothing claimed"
        );
        assert!(!ends(&[true]).whole_snapshot(&Outcome::Failed("HTTP 500".into())));
        let mut resumed = ends(&[true]);
        resumed.resumed();
        assert!(
            !resumed.whole_snapshot(&Outcome::Succeeded),
            "the pages before the saved cursor were not seen"
        );
    }

    #[test]
    fn the_json_report_carries_coverage_only_when_known_and_always_the_snapshot_flag() {
        let mut report = StreamReport::new("usage_report", "incremental");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json.get("coverage"), None);
        assert_eq!(json["snapshot_complete"], false);
        report.coverage = Some(Coverage {
            start: "2026-01-01T00:00:00Z".into(),
            end: "2026-12-07T00:00:00Z".into(),
        });
        assert_eq!(
            serde_json::to_value(&report).unwrap()["coverage"],
            serde_json::json!({"start": "2026-01-01T00:00:00Z", "end": "2026-12-07T00:00:00Z"})
        );
    }
}
