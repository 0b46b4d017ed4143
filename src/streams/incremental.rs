//! What the incremental readers share: reading back their saved state and the
//! walk they carry in the page cursor. Both are the plugin's own JSON; a value
//! it cannot read is a configuration problem with one remedy, resetting the
//! stream ([`reset_hint`]).

use crate::error::{ConnectorError, Result};
use crate::model::{Page, ReadRequest, SyncStrategy};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The remedy for a saved state or cursor of `stream` the plugin cannot read:
/// the host command that deletes them, so the next run reads from the start.
pub fn reset_hint(stream: &str) -> String {
    format!("reset it with `harness reset --streams {stream}`")
}

/// The saved state of an incremental run; none on a first run or a full refresh.
pub fn saved_state<T: DeserializeOwned>(request: &ReadRequest) -> Result<Option<T>> {
    match (&request.strategy, &request.state_json) {
        (SyncStrategy::Incremental, Some(json)) => {
            serde_json::from_str(json).map(Some).map_err(|e| {
                ConnectorError::InvalidConfig(format!(
                    "the saved {} state is unreadable ({e}); {}",
                    request.stream_name,
                    reset_hint(&request.stream_name)
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
                    "unreadable {} page cursor ({e}); {}",
                    request.stream_name,
                    reset_hint(&request.stream_name)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(state_json: Option<&str>, page_cursor: Option<&str>) -> ReadRequest {
        ReadRequest {
            stream_name: "usage_report".into(),
            strategy: SyncStrategy::Incremental,
            settings_json: "{}".into(),
            state_json: state_json.map(str::to_owned),
            page_cursor: page_cursor.map(str::to_owned),
            parents: Vec::new(),
        }
    }

    #[test]
    fn an_unreadable_state_or_cursor_names_the_command_that_resets_the_stream() {
        let err = saved_state::<serde_json::Value>(&request(Some("{"), None)).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "the saved usage_report state is unreadable (EOF while parsing an object at \
                 line 1 column 1); reset it with `harness reset --streams usage_report`"
            ),
            "{err}"
        );
        let err = cursor_walk::<serde_json::Value>(&request(None, Some("{"))).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("; reset it with `harness reset --streams usage_report`"),
            "{err}"
        );
    }
}
