//! A list response body read in one pass: the fields pagination and the
//! error-envelope check look at, as values, and the items of `data` as the
//! slices of the body they are, in canonical form ([`crate::json`]), never
//! a tree of values for the whole page.
//!
//! What is accepted, and the error a body that is not JSON gets, stay exactly
//! those of parsing the whole body into a `serde_json::Value`: the items are
//! first skimmed (which checks less than a parse), then each is checked as a
//! value on its own ([`Canonical::of`]); when anything is off, the whole body
//! is parsed the strict way and its error is the one given.

use crate::json::{Canonical, CanonicalError};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt;

/// The fields of a list response body that anything reads.
#[derive(Debug, Default)]
pub struct ListBody<'a> {
    /// `data`, when the body has it (even `null`).
    pub data: Option<Data<'a>>,
    pub has_more: Option<Value>,
    pub last_id: Option<Value>,
    pub next_page: Option<Value>,
    /// `type`: `"error"` in the Admin API's error envelope.
    pub kind: Option<Value>,
    /// `error`: the error object of an error envelope.
    pub error: Option<Value>,
}

/// What `data` holds.
#[derive(Debug)]
pub enum Data<'a> {
    /// A list: its items, each in canonical form.
    List(Vec<Canonical<'a>>),
    /// Anything else, by what it is ("a string", "null", …).
    Other(&'static str),
}

impl<'a> ListBody<'a> {
    /// Read `body`. The error is the one a parse of the whole body into a
    /// `Value` gives: the body is not JSON (or not JSON `serde_json` accepts).
    pub fn read(body: &'a [u8]) -> Result<Self, serde_json::Error> {
        let mut strict = StrictParse::new(body);
        if first_byte(body) != Some(b'{') {
            // Not an object: no field to read, nothing to gain from skimming.
            strict.check()?;
            return Ok(Self::default());
        }
        let skimmed = match serde_json::from_slice::<Skimmed<'a>>(body) {
            Ok(skimmed) => skimmed,
            Err(error) => return Err(strict.error_or(error)),
        };
        if skimmed.needs_strict_check {
            strict.check()?;
        }
        let data = match skimmed.data {
            None => None,
            Some(SkimmedData::Other(kind)) => Some(Data::Other(kind)),
            Some(SkimmedData::List(items)) => Some(Data::List(
                items
                    .into_iter()
                    .map(|item| canonical(item.get(), &mut strict))
                    .collect::<Result<_, _>>()?,
            )),
        };
        Ok(Self {
            data,
            has_more: skimmed.has_more,
            last_id: skimmed.last_id,
            next_page: skimmed.next_page,
            kind: skimmed.kind,
            error: skimmed.error,
        })
    }
}

/// One item in canonical form; one `serde_json` refuses gets the whole body's error.
fn canonical<'a>(
    item: &'a str,
    strict: &mut StrictParse<'_>,
) -> Result<Canonical<'a>, serde_json::Error> {
    match Canonical::of(item) {
        Ok(canonical) => Ok(canonical),
        Err(CanonicalError::Invalid(error)) => Err(strict.error_or(error)),
        // Deep enough that only the whole body says whether it is accepted.
        Err(CanonicalError::TooDeep) => {
            strict.check()?;
            Canonical::rewritten(item)
        }
    }
}

fn first_byte(body: &[u8]) -> Option<u8> {
    body.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The parse of the whole body into a `Value`, the judge of what is JSON,
/// done at most once and only when the skim cannot tell.
struct StrictParse<'b> {
    body: &'b [u8],
    passed: bool,
}

impl<'b> StrictParse<'b> {
    fn new(body: &'b [u8]) -> Self {
        Self {
            body,
            passed: false,
        }
    }

    fn check(&mut self) -> Result<(), serde_json::Error> {
        if !self.passed {
            serde_json::from_slice::<Value>(self.body)?;
            self.passed = true;
        }
        Ok(())
    }

    /// The strict parse's error; `fallback` if it finds none (it always
    /// does where the skim or an item's own parse found one).
    fn error_or(&mut self, fallback: serde_json::Error) -> serde_json::Error {
        self.check().err().unwrap_or(fallback)
    }
}

/// The body's top-level fields, `data`'s items as raw slices.
#[derive(Default)]
struct Skimmed<'a> {
    data: Option<SkimmedData<'a>>,
    has_more: Option<Value>,
    last_id: Option<Value>,
    next_page: Option<Value>,
    kind: Option<Value>,
    error: Option<Value>,
    /// Something was only skimmed that a strict parse checks more closely
    /// (a `data` that is not a list, or a second `data`).
    needs_strict_check: bool,
}

enum SkimmedData<'a> {
    List(Vec<&'a RawValue>),
    Other(&'static str),
}

/// The top-level keys read; any other is parsed as a value and dropped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Data,
    HasMore,
    LastId,
    NextPage,
    Type,
    Error,
    #[serde(other)]
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Skimmed<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SkimmedVisitor)
    }
}

struct SkimmedVisitor;

impl<'de> Visitor<'de> for SkimmedVisitor {
    type Value = Skimmed<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list response")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skimmed<'de>, A::Error> {
        let mut skimmed = Skimmed::default();
        // As in a parse into a map, a key given twice keeps its last value.
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Data => {
                    let data = map.next_value_seed(DataSeed)?;
                    skimmed.needs_strict_check |=
                        skimmed.data.is_some() || matches!(data, SkimmedData::Other(_));
                    skimmed.data = Some(data);
                }
                Field::HasMore => skimmed.has_more = Some(map.next_value()?),
                Field::LastId => skimmed.last_id = Some(map.next_value()?),
                Field::NextPage => skimmed.next_page = Some(map.next_value()?),
                Field::Type => skimmed.kind = Some(map.next_value()?),
                Field::Error => skimmed.error = Some(map.next_value()?),
                Field::Other => {
                    map.next_value::<Value>()?;
                }
            }
        }
        Ok(skimmed)
    }
}

/// `data`: a list's items as raw slices, or what else it is.
struct DataSeed;

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = SkimmedData<'de>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataSeed {
    type Value = SkimmedData<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            items.push(item);
        }
        Ok(SkimmedData::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(SkimmedData::Other("an object"))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(SkimmedData::Other("null"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(SkimmedData::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(SkimmedData::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(SkimmedData::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(SkimmedData::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(SkimmedData::Other("a string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the body's items are after a parse into a `Value` and back.
    fn items_by_value(body: &[u8]) -> Result<Option<Vec<String>>, String> {
        let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        Ok(value
            .get("data")
            .and_then(Value::as_array)
            .map(|items| items.iter().map(Value::to_string).collect()))
    }

    fn items(body: &[u8]) -> Result<Option<Vec<String>>, String> {
        let list = ListBody::read(body).map_err(|e| e.to_string())?;
        Ok(match list.data {
            Some(Data::List(items)) => {
                Some(items.into_iter().map(Canonical::into_string).collect())
            }
            _ => None,
        })
    }

    #[test]
    fn fields_and_items_are_read_as_a_parse_would_read_them() {
        let body = br#"{"data":[{"id":"a","n":1.50},{"id":"J\u00f6rg"}],"has_more":true,
            "first_id":"a","last_id":"b","type":"list","data2":[1e5]}"#;
        let list = ListBody::read(body).unwrap();
        assert_eq!(list.has_more, Some(Value::Bool(true)));
        assert_eq!(list.last_id, Some(Value::from("b")));
        assert_eq!(list.kind, Some(Value::from("list")));
        assert_eq!(items(body), items_by_value(body));
        assert_eq!(
            items(body).unwrap().unwrap(),
            [r#"{"id":"a","n":1.5}"#, r#"{"id":"Jörg"}"#]
        );
    }

    #[test]
    fn what_data_is_when_it_is_no_list() {
        for (data, kind) in [
            ("null", "null"),
            ("true", "a boolean"),
            ("-1.5", "a number"),
            (r#""x""#, "a string"),
            (r#"{"a":[1]}"#, "an object"),
        ] {
            let body = format!(r#"{{"data":{data}}}"#);
            let list = ListBody::read(body.as_bytes()).unwrap();
            assert!(
                matches!(list.data, Some(Data::Other(k)) if k == kind),
                "{data}"
            );
        }
        assert!(ListBody::read(b"{}").unwrap().data.is_none());
        assert!(ListBody::read(b" [1, 2]").unwrap().data.is_none());
    }

    #[test]
    fn a_body_serde_json_refuses_gets_the_error_of_the_whole_body() {
        let deep = format!(r#"{{"data":[{}1{}]}}"#, "[".repeat(126), "]".repeat(126));
        let deep_but_fine = format!(r#"{{"data":[{}1{}]}}"#, "[".repeat(120), "]".repeat(120));
        for body in [
            &br#"{"data":[{"id":"#[..],
            br#"{"data":[{"n":1e400}]}"#,
            br#"{"data":[{"s":"\ud800"}]}"#,
            br#"{"data":[], "data":{"x":1e400}}"#,
            br#"{"data":"x"} trailing"#,
            br#"{"data":[],"other":[1e999]}"#,
            b"\xff",
            deep.as_bytes(),
        ] {
            let expected = serde_json::from_slice::<Value>(body)
                .unwrap_err()
                .to_string();
            assert_eq!(
                ListBody::read(body).unwrap_err().to_string(),
                expected,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert_eq!(
            items(deep_but_fine.as_bytes()),
            items_by_value(deep_but_fine.as_bytes())
        );
    }

    proptest! {

        #![proptest_config(crate::properties::config())]

        /// Any bytes: accepted exactly when a parse into a `Value` accepts
        /// them, with its error, and with its items written as it writes them.
        #[test]
        fn reads_as_a_parse_into_a_value_would(
            body in prop_oneof![
                r#"\{"data":\[(\{"[a-b]":(-?[0-9]{1,20}(\.[0-9])?|"[a-z\\\\/u0-9]{0,6}"|\[\]|null| )\},?){0,3}\](,"data":1)?\}"#,
                "[\\[\\]{}\",:0-9a-z\\\\ .]{0,30}",
            ].prop_map(String::into_bytes)
        ) {
            prop_assert_eq!(items(&body), items_by_value(&body));
        }
    }
}
