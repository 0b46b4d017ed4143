//! Streams as the Airbyte protocol sees them: the CATALOG a `discover`
//! announces (each stream's JSON Schema, primary key, cursor and sync
//! modes) and the configured catalog a `read` is given back.

use crate::runtime::model::{StreamDescriptor, SyncStrategy};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CatalogError {
    #[error("cannot read the catalog {path}: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "the catalog asks for stream `{stream}`, which these keys do not unlock; discover again \
         and configure the streams it lists"
    )]
    Unknown { stream: String },
}

/// One stream as `discover` announces it.
pub fn stream(descriptor: &StreamDescriptor) -> Value {
    let schema: Value = serde_json::from_str(&descriptor.json_schema).unwrap_or_else(|_| json!({}));
    let incremental = descriptor.strategies.contains(&SyncStrategy::Incremental);
    let mut modes = vec!["full_refresh"];
    if incremental {
        modes.push("incremental");
    }
    let mut stream = json!({
        "name": descriptor.name,
        "json_schema": nested(schema),
        "supported_sync_modes": modes,
        "source_defined_primary_key": descriptor.primary_key.iter().map(|k| vec![k]).collect::<Vec<_>>(),
        "description": descriptor.description,
    });
    if incremental && let Some(cursor) = &descriptor.cursor_field {
        stream["source_defined_cursor"] = json!(true);
        stream["default_cursor_field"] = json!([cursor]);
    }
    stream
}

/// The plugin's schema names nested fields with dots (a column of its
/// own in a warehouse table); a record nests them. Airbyte readers take
/// the schema as the record's shape, so `a.b` becomes `a: {b}`.
fn nested(mut schema: Value) -> Value {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return schema;
    };
    let dotted: Vec<String> = properties
        .keys()
        .filter(|k| k.contains('.'))
        .cloned()
        .collect();
    for name in dotted {
        let property = properties.remove(&name).unwrap_or(Value::Null);
        let mut parts: Vec<&str> = name.split('.').collect();
        let leaf = parts.pop().unwrap_or_default();
        let mut level: &mut Map<String, Value> = properties;
        for part in parts {
            let object = level
                .entry(part.to_owned())
                .or_insert_with(|| json!({"type": ["object", "null"], "properties": {}}));
            level = object
                .as_object_mut()
                .and_then(|o| {
                    o.entry("properties")
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                })
                .expect("a nested object's properties");
        }
        level.insert(leaf.to_owned(), property);
    }
    schema
}

/// What a configured catalog asks of one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured {
    pub name: String,
    /// Full refresh: read from the start whatever the state says.
    pub full_refresh: bool,
}

#[derive(Deserialize)]
struct ConfiguredCatalog {
    streams: Vec<ConfiguredStream>,
}

#[derive(Deserialize)]
struct ConfiguredStream {
    stream: NamedStream,
    sync_mode: String,
}

#[derive(Deserialize)]
struct NamedStream {
    name: String,
}

/// Read a configured catalog; every stream must be one `available` offers.
pub fn configured(
    path: &Path,
    available: &[StreamDescriptor],
) -> Result<Vec<Configured>, CatalogError> {
    let read = |reason: String| CatalogError::Read {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
    let catalog: ConfiguredCatalog =
        serde_json::from_str(&text).map_err(|e| read(e.to_string()))?;
    catalog
        .streams
        .into_iter()
        .map(|s| {
            if !available.iter().any(|d| d.name == s.stream.name) {
                return Err(CatalogError::Unknown {
                    stream: s.stream.name,
                });
            }
            Ok(Configured {
                name: s.stream.name,
                full_refresh: s.sync_mode != "incremental",
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_fields_become_nested_objects() {
        let schema = nested(json!({"type": "object", "properties": {
            "id": {"type": "string"},
            "cache_creation.ephemeral_1h_input_tokens": {"type": ["integer", "null"]},
            "cache_creation.ephemeral_5m_input_tokens": {"type": ["integer", "null"]},
        }}));
        assert_eq!(
            schema["properties"]["cache_creation"]["properties"]["ephemeral_5m_input_tokens"],
            json!({"type": ["integer", "null"]})
        );
        assert!(
            schema["properties"]
                .get("cache_creation.ephemeral_1h_input_tokens")
                .is_none()
        );
        assert_eq!(schema["properties"]["id"], json!({"type": "string"}));
    }
}
