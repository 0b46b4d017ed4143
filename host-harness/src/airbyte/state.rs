//! The state a `read` emits and is given back: per stream, the plugin's
//! state and the cursor of the next page while a read is under way (the
//! connector's checkpoint), so a later `read --state` resumes exactly.

use crate::destinations::Checkpoint;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
#[error(
    "cannot read the state {path}: {reason}; pass the STATE messages a read emitted, as a JSON list"
)]
pub struct StateError {
    path: String,
    reason: String,
}

/// A checkpoint as a stream's `stream_state`.
pub fn stream_state(checkpoint: &Checkpoint) -> Value {
    let state = checkpoint
        .state_json
        .as_deref()
        .map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_owned())));
    json!({"state": state, "page_cursor": checkpoint.page_cursor})
}

fn checkpoint(stream_state: &Value) -> Checkpoint {
    Checkpoint {
        state_json: match stream_state.get("state") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(state) => Some(state.to_string()),
        },
        page_cursor: stream_state
            .get("page_cursor")
            .and_then(Value::as_str)
            .map(str::to_owned),
    }
}

/// Read a state file: a list of per-stream STATE messages (their `state`
/// objects, or whole messages with `"type": "STATE"`), the last one of a
/// stream winning.
pub fn read(path: &Path) -> Result<HashMap<String, Checkpoint>, StateError> {
    let error = |reason: String| StateError {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    let Value::Array(messages) = value else {
        return Err(error("not a JSON list".into()));
    };
    let mut checkpoints = HashMap::new();
    for message in &messages {
        let state = message.get("state").unwrap_or(message);
        let Some(stream) = state.get("stream") else {
            return Err(error(format!(
                "a state of type {} (only per-stream states are read)",
                state.get("type").unwrap_or(&Value::Null)
            )));
        };
        let name = stream
            .pointer("/stream_descriptor/name")
            .and_then(Value::as_str)
            .ok_or_else(|| error("a stream state without stream_descriptor.name".into()))?;
        let stream_state = stream.get("stream_state").unwrap_or(&Value::Null);
        checkpoints.insert(name.to_owned(), checkpoint(stream_state));
    }
    Ok(checkpoints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_goes_out_and_comes_back_the_same() {
        let original = Checkpoint {
            state_json: Some(r#"{"watermark":"2026-12-01T00:00:00Z"}"#.into()),
            page_cursor: Some("c2".into()),
        };
        let message = json!([{"type": "STATE", "state": {"type": "STREAM", "stream": {
            "stream_descriptor": {"name": "activities"},
            "stream_state": stream_state(&original),
        }}}]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, message.to_string()).unwrap();
        assert_eq!(read(&path).unwrap()["activities"], original);
        std::fs::write(&path, r#"{"activities": {}}"#).unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .contains("as a JSON list")
        );
    }
}
