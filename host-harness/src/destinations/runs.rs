//! The history of runs a destination keeps: when each began and ended, with
//! which options, and what each stream did. Rows carry the id of the run
//! that last wrote them, so "where did this row come from" has an answer.

use serde::{Deserialize, Serialize};

/// What one stream did in a run, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamRecord {
    pub stream: String,
    /// `succeeded`, `failed` or `skipped`.
    pub outcome: String,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub rows: u64,
    pub new_rows: u64,
    pub changed_rows: u64,
    pub deleted_rows: u64,
    pub pages: u64,
    /// HTTP requests its reads sent (absent from runs recorded before it was counted).
    #[serde(default)]
    pub requests: u64,
    pub retries: u32,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// One run, as `harness runs` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRecord {
    pub run_id: i64,
    pub started_at: String,
    /// None while the run is under way, or when it was killed.
    pub ended_at: Option<String>,
    /// The run's options (streams, settings, strategy, bounds) as JSON.
    pub options: serde_json::Value,
    pub streams: Vec<StreamRecord>,
    /// Why the run as a whole stopped (the plugin refused its settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl RunRecord {
    /// `ok`, `failed` (some stream failed), `stopped` (the run as a whole,
    /// see [`error`](Self::error)), or `interrupted` (never ended).
    pub fn outcome(&self) -> &'static str {
        if self.ended_at.is_none() {
            "interrupted"
        } else if self.error.is_some() {
            "stopped"
        } else if self.streams.iter().any(|s| s.outcome == "failed") {
            "failed"
        } else {
            "ok"
        }
    }
}
