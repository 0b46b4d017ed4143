//! One record as a destination reads it: the top level of the JSON object
//! split into fields whose values stay the record's own text. A table reads
//! only the columns it has, strings without escapes are borrowed rather than
//! copied, and no tree of values is built for a record that is written whole
//! as `_raw` anyway.

use super::table::ColumnKind;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The top-level fields of one record, in the record's order.
#[derive(Debug)]
pub struct RecordFields<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// What one column of one record holds, borrowed from the record where it can be.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl<'a> RecordFields<'a> {
    /// Split `record`, which must be one JSON object.
    pub fn parse(record: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(record)
    }

    /// The text of a (possibly dotted) column's value: a field of that very
    /// name first (the last one, if the record repeats it, as a JSON parser
    /// keeps), else a path through nested objects.
    pub fn lookup(&self, column: &str) -> Option<&'a RawValue> {
        if let Some(value) = self.field(column) {
            return Some(value);
        }
        let (first, rest) = column.split_once('.')?;
        let mut value = self.field(first)?;
        for part in rest.split('.') {
            value = RecordFields::parse(value.get()).ok()?.field(part)?;
        }
        Some(value)
    }

    fn field(&self, name: &str) -> Option<&'a RawValue> {
        self.fields
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| *value)
    }

    /// The column's value as its kind stores it.
    pub fn cell(&self, column: &str, kind: ColumnKind) -> Cell<'a> {
        self.lookup(column)
            .map_or(Cell::Null, |raw| cell(raw, kind))
    }
}

/// A JSON value in the shape of a column: booleans as 0 or 1, integers of an
/// integer column as integers, other numbers of a numeric column as reals,
/// numbers of a text column as written (a decimal keeps every digit),
/// strings unescaped, and nested objects and lists as compact JSON text.
fn cell(raw: &RawValue, kind: ColumnKind) -> Cell<'_> {
    let text = raw.get();
    match text.as_bytes().first() {
        None | Some(b'n') => Cell::Null,
        Some(b't') => Cell::Integer(1),
        Some(b'f') => Cell::Integer(0),
        Some(b'"') => serde_json::from_str::<Text<'_>>(text).map_or_else(
            |_| Cell::Text(Cow::Borrowed(text)),
            |Text(text)| Cell::Text(text),
        ),
        Some(b'{' | b'[') => compact(text),
        Some(_) => number(text, kind),
    }
}

fn number(text: &str, kind: ColumnKind) -> Cell<'_> {
    let real = || text.parse::<f64>().ok().filter(|r| r.is_finite());
    match kind {
        ColumnKind::Integer => match text.parse::<i64>() {
            Ok(integer) => Cell::Integer(integer),
            Err(_) => real().map_or(Cell::Text(Cow::Borrowed(text)), Cell::Real),
        },
        ColumnKind::Number => real().map_or(Cell::Text(Cow::Borrowed(text)), Cell::Real),
        _ => Cell::Text(Cow::Borrowed(text)),
    }
}

/// Nested JSON without the whitespace a server may have put in it; as it
/// is when it has none (APIs answer compact JSON), without parsing it again.
fn compact(text: &str) -> Cell<'_> {
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return Cell::Text(Cow::Borrowed(text));
    }
    Cell::Text(Cow::Owned(
        serde_json::from_str::<serde_json::Value>(text)
            .map_or_else(|_| text.to_owned(), |value| value.to_string()),
    ))
}

/// A JSON string, borrowed when it has no escapes.
#[derive(serde::Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Text::deserialize(deserializer).map(|Text(text)| Key(text))
    }
}

impl<'de> Deserialize<'de> for RecordFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = RecordFields<'de>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((Key(key), value)) = map.next_entry::<Key<'_>, &RawValue>()? {
                    fields.push((key, value));
                }
                Ok(RecordFields { fields })
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(record: &str, columns: &[(&str, ColumnKind)]) -> Vec<Cell<'static>> {
        let fields = RecordFields::parse(record).unwrap();
        columns
            .iter()
            .map(|(name, kind)| match fields.cell(name, *kind) {
                Cell::Text(text) => Cell::Text(Cow::Owned(text.into_owned())),
                Cell::Null => Cell::Null,
                Cell::Integer(i) => Cell::Integer(i),
                Cell::Real(r) => Cell::Real(r),
            })
            .collect()
    }

    fn text(s: &str) -> Cell<'static> {
        Cell::Text(Cow::Owned(s.to_owned()))
    }

    #[test]
    fn each_kind_reads_its_value_in_the_shape_its_column_stores() {
        use ColumnKind::*;
        let record = r#"{"id":"a\"b","n":7,"big":18446744073709551615,"r":1.5,"ok":true,
            "no":false,"amount":"12.3400","cost":0.10000000000000001,"tags":[ 1, {"x" : 2} ],
            "gone":null}"#;
        assert_eq!(
            cells(
                record,
                &[
                    ("id", Text),
                    ("n", Integer),
                    ("big", Integer),
                    ("r", Number),
                    ("ok", Boolean),
                    ("no", Boolean),
                    ("amount", Decimal),
                    ("cost", Text),
                    ("tags", Json),
                    ("gone", Text),
                    ("absent", Integer),
                ]
            ),
            [
                text("a\"b"),
                Cell::Integer(7),
                Cell::Real(18446744073709551615.0),
                Cell::Real(1.5),
                Cell::Integer(1),
                Cell::Integer(0),
                text("12.3400"),
                text("0.10000000000000001"),
                text(r#"[1,{"x":2}]"#),
                Cell::Null,
                Cell::Null,
            ]
        );
    }

    #[test]
    fn strings_without_escapes_are_borrowed_from_the_record() {
        let fields = RecordFields::parse(r#"{"id":"plain","e":"tab\t"}"#).unwrap();
        assert!(matches!(
            fields.cell("id", ColumnKind::Text),
            Cell::Text(Cow::Borrowed("plain"))
        ));
        assert_eq!(fields.cell("e", ColumnKind::Text), text("tab\t"));
    }

    #[test]
    fn dotted_columns_read_nested_fields_and_a_literal_dotted_name_first() {
        let fields = RecordFields::parse(
            r#"{"cache_creation":{"ephemeral_5m_input_tokens":5},"a.b":1,"a":{"b":2}}"#,
        )
        .unwrap();
        assert_eq!(
            fields.cell(
                "cache_creation.ephemeral_5m_input_tokens",
                ColumnKind::Integer
            ),
            Cell::Integer(5)
        );
        assert_eq!(fields.cell("a.b", ColumnKind::Integer), Cell::Integer(1));
        assert!(fields.lookup("missing.x").is_none());
        assert!(fields.lookup("a.b.c").is_none());
    }

    #[test]
    fn a_repeated_key_reads_as_its_last_value_and_escaped_keys_are_matched_unescaped() {
        let fields = RecordFields::parse(r#"{"id":"first","id":"last","\u0069d2":3}"#).unwrap();
        assert_eq!(fields.cell("id", ColumnKind::Text), text("last"));
        assert_eq!(fields.cell("id2", ColumnKind::Integer), Cell::Integer(3));
    }

    #[test]
    fn anything_but_an_object_is_refused() {
        for bad in ["[1]", "\"x\"", "{", "{\"a\":}", ""] {
            assert!(RecordFields::parse(bad).is_err(), "{bad}");
        }
    }
}
