//! What the incremental readers share: reading back their saved state and the
//! walk they carry in the page cursor. Both are the plugin's own JSON; a value
//! it cannot read is a configuration problem with one remedy, resetting the stream.

use crate::error::{ConnectorError, Result};
use crate::model::{Page, ReadRequest, SyncStrategy};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The saved state of an incremental run; none on a first run or a full refresh.
pub fn saved_state<T: DeserializeOwned>(request: &ReadRequest) -> Result<Option<T>> {
    match (&request.strategy, &request.state_json) {
        (SyncStrategy::Incremental, Some(json)) => {
            serde_json::from_str(json).map(Some).map_err(|e| {
                ConnectorError::InvalidConfig(format!(
                    "the saved {} state is unreadable ({e}); reset the stream",
                    request.stream_name
                ))
            })
        }
        _ => Ok(None),
    }
}

/// The walk carried in the page cursor; none on the first page of a run.
pub fn cursor_walk<T: DeserializeOwned>(request: &ReadRequest) -> Result<Option<T>> {
    request
        .page_cursor
        .as_deref()
        .map(|cursor| {
            serde_json::from_str(cursor).map_err(|e| {
                ConnectorError::InvalidConfig(format!(
                    "unreadable {} page cursor ({e})",
                    request.stream_name
                ))
            })
        })
        .transpose()
}

/// A page in the middle of a walk: its records, no new state yet (the
/// watermark moves only when the walk's window is read), and the walk to go on with.
pub fn mid_walk<T: Serialize>(records: Vec<String>, next: &T, warnings: Vec<String>) -> Page {
    Page {
        records,
        state_json: None,
        next_cursor: Some(serde_json::to_string(next).expect("a walk serialises")),
        warnings,
    }
}
