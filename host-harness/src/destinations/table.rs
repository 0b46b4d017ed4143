//! A stream's table, as a destination builds it: derived from the stream's
//! descriptor (its JSON Schema's properties and its primary key), so the plugin
//! alone decides the columns.

use super::record::RecordFields;
use crate::runtime::model::StreamDescriptor;
use serde_json::Value;
use thiserror::Error;

/// What a column holds, from the stream's JSON Schema (`type` and `format`).
/// Each destination maps these to its own column types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    /// A floating-point number.
    Number,
    /// An exact decimal, carried as text (`"format": "decimal"`, e.g. cost amounts).
    Decimal,
    Boolean,
    /// An RFC 3339 instant (`"format": "date-time"`).
    Timestamp,
    /// A calendar date, `YYYY-MM-DD` (`"format": "date"`).
    Date,
    /// Nested object or list.
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

    /// Split one record into its fields and check that its primary key is present.
    pub fn fields<'a>(&self, record: &'a str) -> Result<RecordFields<'a>, TableError> {
        let fields = RecordFields::parse(record).map_err(|e| TableError::NotAnObject {
            stream: self.name.clone(),
            reason: e.to_string(),
        })?;
        for key in &self.primary_key {
            if fields.lookup(key).is_none_or(|value| value.get() == "null") {
                return Err(TableError::MissingKey {
                    stream: self.name.clone(),
                    column: key.clone(),
                });
            }
        }
        Ok(fields)
    }
}

fn column_kind(property: &Value) -> ColumnKind {
    let types: Vec<&str> = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let has = |t: &str| types.contains(&t);
    let format = property.get("format").and_then(Value::as_str);
    if has("object") || has("array") {
        ColumnKind::Json
    } else if has("integer") {
        ColumnKind::Integer
    } else if has("number") {
        ColumnKind::Number
    } else if has("boolean") {
        ColumnKind::Boolean
    } else {
        match format {
            Some("date-time") => ColumnKind::Timestamp,
            Some("date") => ColumnKind::Date,
            Some("decimal") => ColumnKind::Decimal,
            _ => ColumnKind::Text,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A small table for the destinations' tests: a text key, an integer, a list.
    pub(crate) fn people() -> TableSpec {
        let column = |name: &str, kind| Column {
            name: name.into(),
            kind,
        };
        TableSpec {
            name: "people".into(),
            primary_key: vec!["id".into()],
            columns: vec![
                column("id", ColumnKind::Text),
                column("age", ColumnKind::Integer),
                column("tags", ColumnKind::Json),
            ],
        }
    }

    #[test]
    fn column_kinds_follow_type_and_format() {
        let kind = |p: Value| column_kind(&p);
        assert_eq!(
            kind(json!({"type": ["string", "null"], "format": "date-time"})),
            ColumnKind::Timestamp
        );
        assert_eq!(
            kind(json!({"type": ["string", "null"], "format": "date"})),
            ColumnKind::Date
        );
        assert_eq!(
            kind(json!({"type": ["string", "null"], "format": "decimal"})),
            ColumnKind::Decimal
        );
        assert_eq!(kind(json!({"type": ["string", "null"]})), ColumnKind::Text);
        assert_eq!(
            kind(json!({"type": ["integer", "null"]})),
            ColumnKind::Integer
        );
        assert_eq!(kind(json!({"type": "number"})), ColumnKind::Number);
        assert_eq!(
            kind(json!({"type": ["boolean", "null"]})),
            ColumnKind::Boolean
        );
        assert_eq!(
            kind(json!({"type": ["object", "array", "null"]})),
            ColumnKind::Json
        );
    }
}
