//! Column lists of the streams, turned into the JSON Schema the manifest carries.
//! The schema's top-level `properties` are the typed columns a destination
//! creates; the whole record is kept as JSON besides them.

use serde_json::{Map, Value, json};

/// The type of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Text,
    Integer,
    /// A decimal kept as its exact text (cost amounts).
    Decimal,
    Number,
    Boolean,
    /// RFC 3339 timestamp, kept as text.
    Timestamp,
    /// `YYYY-MM-DD`.
    Date,
    /// Nested object or list, kept as JSON.
    Json,
}

/// A stream's columns: name and type, in table order.
pub type Columns = &'static [(&'static str, Col)];

/// The JSON Schema of a record with these columns. Every column may be null:
/// the API omits fields across revisions.
pub fn json_schema(columns: Columns, primary_key: &[&str]) -> String {
    let properties: Map<String, Value> = columns
        .iter()
        .map(|(name, col)| ((*name).to_owned(), column_schema(*col)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": primary_key,
        "properties": properties,
        "additionalProperties": true,
    })
    .to_string()
}

fn column_schema(col: Col) -> Value {
    match col {
        Col::Text => json!({"type": ["string", "null"]}),
        Col::Integer => json!({"type": ["integer", "null"]}),
        Col::Decimal => json!({"type": ["string", "null"], "format": "decimal"}),
        Col::Number => json!({"type": ["number", "null"]}),
        Col::Boolean => json!({"type": ["boolean", "null"]}),
        Col::Timestamp => json!({"type": ["string", "null"], "format": "date-time"}),
        Col::Date => json!({"type": ["string", "null"], "format": "date"}),
        Col::Json => json!({"type": ["object", "array", "null"]}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_lists_columns_and_requires_the_key() {
        let schema: Value = serde_json::from_str(&json_schema(
            &[("id", Col::Text), ("n", Col::Integer)],
            &["id"],
        ))
        .unwrap();
        assert_eq!(schema["required"], json!(["id"]));
        assert_eq!(
            schema["properties"]["n"]["type"],
            json!(["integer", "null"])
        );
    }
}
