//! `rate_limits`: `GET /v1/organizations/rate_limits`, page tokens without
//! `has_more` (today always one page). `group_type` is not unique (one
//! `model_group` entry per model family), so rows are keyed on the entry's `id`;
//! older responses have none, and then the id is a stable hash of the group type
//! and its models.

use crate::error::Result;
use crate::http::Query;
use crate::json::{self, Canonical, Fields, Object};
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

/// Keep the entry's id, or derive one from what identifies the entry. An
/// entry that is no object stays as it is.
fn with_id(mut entry: Canonical<'_>) -> String {
    let Some(object) = entry.object() else {
        return entry.into_string();
    };
    if object.get_str("id").is_some_and(|id| !id.is_empty()) {
        return entry.into_string();
    }
    let group_type = match object.get("group_type") {
        Some(group_type) => json::decoded_string(group_type),
        None => object
            .get("group")
            .and_then(Object::of)
            .and_then(|group| group.get_str("type")),
    };
    // A short list of model names: read as values.
    let mut models: Vec<String> = object
        .get("models")
        .and_then(|models| serde_json::from_str::<Vec<Value>>(models).ok())
        .map(|m| {
            m.into_iter()
                .filter_map(|model| match model {
                    Value::String(name) => Some(name),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    models.sort();
    let joined = models.join(",");
    let id = format!(
        "rl_{}",
        key_hash([group_type.as_deref(), Some(joined.as_str())])
    );
    let mut fields = Fields::from(object);
    fields.insert("id", json::string(&id));
    fields.to_canonical().into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_id(entry: Value) -> Value {
        let text = entry.to_string();
        serde_json::from_str(&super::with_id(Canonical::of(&text).unwrap())).unwrap()
    }

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

    /// The entry as the tree-of-values code gave it its id.
    fn with_id_as_values(mut entry: Value) -> Value {
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

    proptest::proptest! {

        #![proptest_config(crate::properties::config())]

        /// Byte for byte the records the tree-of-values code wrote, whatever
        /// form the entry came in.
        #[test]
        fn records_are_what_the_tree_of_values_wrote(
            text in json::testing::item(&[
                "id", "group_type", "group", "type", "models", "limits", "batch", "m1", "m2",
            ])
        ) {
            if let Some(value) = json::testing::parsed(&text) {
                let record = super::with_id(Canonical::of(&text).unwrap());
                proptest::prop_assert_eq!(record, with_id_as_values(value).to_string());
            }
        }
    }

    /// Pinned: a change here would re-key the table.
    #[test]
    fn the_derived_id_is_the_one_earlier_versions_gave() {
        let nested = with_id(json!({"group":{"type":"batch"},"models":["m2",1,"m1"],"limits":[]}));
        let flat = with_id(json!({"id":"","group_type":"batch","models":["m1","m2"]}));
        assert_eq!(nested["id"], flat["id"]);
        assert_eq!(
            nested["id"],
            format!("rl_{}", key_hash([Some("batch"), Some("m1,m2")]))
        );
        assert_eq!(
            with_id(json!({"group_type":null,"group":{"type":"batch"}}))["id"],
            format!("rl_{}", key_hash([None, Some("")])),
            "a group_type that is there but no text wins over the group's"
        );
        assert_eq!(with_id(json!([1, 2])), json!([1, 2]));
    }
}
