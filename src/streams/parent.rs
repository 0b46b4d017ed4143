//! What a child stream's reader takes from its parent: the one parent record
//! the host passes, the parent's id in it, and that id added to each child
//! record where the API leaves it out (so the child's key joins to its parent).

use crate::error::{ConnectorError, Result};
use crate::json::{self, Canonical, Fields};
use crate::model::ReadRequest;
use serde_json::Value;

/// The one parent record of a child read, and the text field `field` of it.
pub fn parent_field(request: &ReadRequest, field: &str) -> Result<(Value, String)> {
    let [parent] = request.parents.as_slice() else {
        return Err(ConnectorError::InvalidConfig(format!(
            "stream `{}` reads one parent at a time, got {}",
            request.stream_name,
            request.parents.len()
        )));
    };
    let parent: Value = serde_json::from_str(parent)
        .map_err(|e| ConnectorError::InvalidConfig(format!("parent record is not JSON: {e}")))?;
    let id = parent
        .get(field)
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            ConnectorError::InvalidConfig(format!(
                "the parent record of `{}` has no `{field}`",
                request.stream_name
            ))
        })?;
    Ok((parent, id))
}

/// A parent's id as a path segment, percent-encoded: an id is data, never a path.
pub fn segment(id: &str) -> String {
    crate::http::percent_encode(id)
}

/// Add `name: value` to a record (the API omits the parent's id); a record
/// that is no object stays as it is.
pub fn with_field(mut record: Canonical<'_>, name: &str, value: &str) -> String {
    if let Some(object) = record.object() {
        let mut fields = Fields::from(object);
        fields.insert(name, json::string(value));
        return fields.to_canonical().into_string();
    }
    record.into_string()
}
