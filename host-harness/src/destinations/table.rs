//! A stream's table, as a destination builds it: derived from the stream's
//! descriptor (its JSON Schema's properties and its primary key), so the plugin
//! alone decides the columns.

use crate::runtime::types::StreamDescriptor;
use serde_json::Value;
use thiserror::Error;

/// How a column is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Number,
    Boolean,
    /// Nested object or list, stored as JSON text.
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Name in the record; a dotted name (`cache_creation.ephemeral_5m_input_tokens`)
    /// reads a nested field.
    pub name: String,
    pub kind: ColumnKind,
}

/// The table of one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub name: String,
    pub primary_key: Vec<String>,
    pub columns: Vec<Column>,
}

#[derive(Debug, Error)]
pub enum TableError {
    #[error("stream `{stream}` has an unusable JSON Schema: {reason}")]
    Schema { stream: String, reason: String },
    #[error("a `{stream}` record is not a JSON object: {reason}")]
    NotAnObject { stream: String, reason: String },
    #[error("a `{stream}` record has no value for its primary key column `{column}`")]
    MissingKey { stream: String, column: String },
}

impl TableSpec {
    pub fn from_descriptor(descriptor: &StreamDescriptor) -> Result<Self, TableError> {
        let bad = |reason: String| TableError::Schema {
            stream: descriptor.name.clone(),
            reason,
        };
        let schema: Value =
            serde_json::from_str(&descriptor.json_schema).map_err(|e| bad(e.to_string()))?;
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("no `properties` object".into()))?;
        let columns: Vec<Column> = properties
            .iter()
            .map(|(name, property)| Column {
                name: name.clone(),
                kind: column_kind(property),
            })
            .collect();
        if let Some(reserved) = columns.iter().find(|c| c.name.starts_with('_')) {
            return Err(bad(format!(
                "column `{}` uses the destination's reserved `_` prefix",
                reserved.name
            )));
        }
        for key in &descriptor.primary_key {
            if !columns.iter().any(|c| &c.name == key) {
                return Err(bad(format!("primary key column `{key}` is not a property")));
            }
        }
        Ok(Self {
            name: descriptor.name.clone(),
            primary_key: descriptor.primary_key.clone(),
            columns,
        })
    }

    /// Parse one record and check that its primary key is present.
    pub fn parse_record(&self, record: &str) -> Result<Value, TableError> {
        let value: Value = serde_json::from_str(record).map_err(|e| TableError::NotAnObject {
            stream: self.name.clone(),
            reason: e.to_string(),
        })?;
        if !value.is_object() {
            return Err(TableError::NotAnObject {
                stream: self.name.clone(),
                reason: "not an object".into(),
            });
        }
        for key in &self.primary_key {
            if lookup(&value, key).is_none_or(Value::is_null) {
                return Err(TableError::MissingKey {
                    stream: self.name.clone(),
                    column: key.clone(),
                });
            }
        }
        Ok(value)
    }
}

/// The value of a (possibly dotted) column in a record.
pub fn lookup<'a>(record: &'a Value, column: &str) -> Option<&'a Value> {
    if let Some(v) = record.get(column) {
        return Some(v);
    }
    column
        .split('.')
        .try_fold(record, |value, part| value.get(part))
}

fn column_kind(property: &Value) -> ColumnKind {
    let types: Vec<&str> = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let has = |t: &str| types.contains(&t);
    if has("object") || has("array") {
        ColumnKind::Json
    } else if has("integer") {
        ColumnKind::Integer
    } else if has("number") {
        ColumnKind::Number
    } else if has("boolean") {
        ColumnKind::Boolean
    } else {
        ColumnKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_columns_read_nested_fields() {
        let record = json!({"cache_creation": {"ephemeral_5m_input_tokens": 5}, "a.b": 1});
        assert_eq!(
            lookup(&record, "cache_creation.ephemeral_5m_input_tokens"),
            Some(&json!(5))
        );
        assert_eq!(lookup(&record, "a.b"), Some(&json!(1)));
        assert_eq!(lookup(&record, "missing.x"), None);
    }
}
