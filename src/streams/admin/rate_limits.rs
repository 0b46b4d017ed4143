//! `rate_limits`: `GET /v1/organizations/rate_limits`, page tokens without
//! `has_more` (today always one page). `group_type` is not unique (one
//! `model_group` entry per model family), so rows are keyed on the entry's `id`;
//! older responses have none, and then the id is a stable hash of the group type
//! and its models.

use crate::error::Result;
use crate::http::Query;
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::key_hash::key_hash;
use crate::streams::list::{self, ListEndpoint};
use serde_json::Value;

const ENDPOINT: ListEndpoint<'static> = ListEndpoint {
    key: KeyKind::Admin,
    path: "/v1/organizations/rate_limits",
    scheme: Scheme::PageToken,
    max_limit: 1000,
};

pub fn read(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    list::read_page(
        ctx,
        &ENDPOINT,
        Query::new(),
        request.page_cursor.as_deref(),
        with_id,
    )
}

/// Keep the entry's id, or derive one from what identifies the entry.
fn with_id(mut entry: Value) -> Value {
    if entry
        .get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| !id.is_empty())
    {
        return entry;
    }
    let group_type = entry
        .get("group_type")
        .or_else(|| entry.pointer("/group/type"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut models: Vec<String> = entry
        .get("models")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    models.sort();
    let joined = models.join(",");
    let id = format!(
        "rl_{}",
        key_hash([group_type.as_deref(), Some(joined.as_str())])
    );
    if let Value::Object(map) = &mut entry {
        map.insert("id".into(), Value::String(id));
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_without_id_get_a_stable_one_per_group_and_models() {
        let a = with_id(json!({"group_type":"model_group","models":["b","a"]}));
        let b = with_id(json!({"group_type":"model_group","models":["a","b"]}));
        let c = with_id(json!({"group_type":"model_group","models":["c"]}));
        assert_eq!(a["id"], b["id"], "model order does not matter");
        assert_ne!(a["id"], c["id"], "two model groups differ");
        assert_eq!(
            with_id(json!({"id":"rl_1","group_type":"batch"}))["id"],
            "rl_1"
        );
    }
}
