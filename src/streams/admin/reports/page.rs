//! One report response read straight into records.
//!
//! A large organisation's page holds tens of thousands of rows, so the body is
//! never turned into a tree of values for the whole page (nor copied): a first
//! pass reads the buckets' bounds, how many rows each holds and the pagination
//! fields, skipping the rows; a second takes the rows one at a time, each as
//! the slice of the body it is ([`crate::json`]), and writes its record
//! directly. Two passes because a row's id needs its bucket's start, and
//! nothing says a bucket's `starting_at` comes before its `results`.
//!
//! A row that is not in canonical form (rare) is parsed and written again;
//! a row the second pass cannot take as it is (not an object, nor JSON
//! `serde_json` accepts) sends the page through that pass again with every
//! row read as a value, so what is refused, and how, is what it always was.

use super::envelope::Envelope;
use super::{Report, Shape};
use crate::error::{ConnectorError, Result};
use crate::json::{self, Canonical, Object};
use crate::settings::Named;
use crate::streams::key_hash::key_hash;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The records of one page and where the walk goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPage {
    /// One per `data[].results[]` row, with its bucket and a deterministic id.
    pub records: Vec<String>,
    /// The token of the next page of the same query, if any.
    pub next_page: Option<String>,
    /// The most rows one bucket of the page held.
    pub densest_bucket: u32,
}

/// Read a report response body into records. An error for a body that is
/// not a report page; the caller asks the body whether it is the API's error
/// envelope, or no JSON at all (see [`crate::http::ApiClient::unreadable`]).
pub fn read_page(body: &[u8], report: &Report, shape: Shape) -> Result<ReportPage> {
    let unreadable = |e: serde_json::Error| {
        ConnectorError::Upstream(if e.is_data() {
            format!("a {} page is not shaped as documented ({e})", report.stream)
        } else {
            crate::http::not_json(&e, body.len())
        })
    };
    let outline: Outline = serde_json::from_slice(body).map_err(unreadable)?;
    if outline.envelope.is_error_envelope() {
        return Err(ConnectorError::Upstream(format!(
            "a {} page is the API's error envelope",
            report.stream
        )));
    }
    let rows: u32 = outline.data.iter().map(|b| b.rows).sum();
    let shaping = Shaping::new(report, shape, &outline.data);
    let mut records = Vec::with_capacity(rows as usize);
    let skimmed = read_rows(body, &shaping, RowReading::Skimmed, &mut records);
    if skimmed.is_err() {
        records.clear();
        read_rows(body, &shaping, RowReading::AsValues, &mut records).map_err(unreadable)?;
    }
    Ok(ReportPage {
        records,
        next_page: outline.envelope.next_page()?,
        densest_bucket: outline.data.iter().map(|b| b.rows).max().unwrap_or(0),
    })
}

/// The second pass over the whole page, into `records`.
fn read_rows(
    body: &[u8],
    shaping: &Shaping<'_>,
    reading: RowReading,
    records: &mut Vec<String>,
) -> serde_json::Result<()> {
    let mut json = serde_json::Deserializer::from_slice(body);
    PageRows {
        shaping,
        reading,
        records,
    }
    .deserialize(&mut json)
}

/// The first pass: everything but the rows.
#[derive(Deserialize)]
struct Outline {
    data: Vec<Bucket>,
    #[serde(flatten)]
    envelope: Envelope,
}

#[derive(Deserialize)]
struct Bucket {
    starting_at: String,
    ending_at: String,
    /// How many rows it holds (counted, not kept). A bucket without usage has
    /// an empty list; a missing or null one is taken as empty too.
    #[serde(default, rename = "results", deserialize_with = "count_rows")]
    rows: u32,
}

fn count_rows<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    struct Count;
    impl<'de> Visitor<'de> for Count {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of result rows")
        }
        fn visit_unit<E>(self) -> Result<u32, E> {
            Ok(0)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u32, A::Error> {
            let mut rows = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                rows += 1;
            }
            Ok(rows)
        }
    }
    deserializer.deserialize_any(Count)
}

/// How a row becomes a record: what every row of the page shares, written
/// as JSON once per page (the width) or once per bucket (its bounds).
struct Shaping<'a> {
    report: &'a Report,
    shape: Shape,
    buckets: Vec<BucketBounds<'a>>,
    width: String,
}

/// A bucket's start, as the id hashes it, and its bounds as JSON strings.
struct BucketBounds<'a> {
    start: &'a str,
    start_json: String,
    end_json: String,
}

impl<'a> Shaping<'a> {
    fn new(report: &'a Report, shape: Shape, buckets: &'a [Bucket]) -> Self {
        Self {
            report,
            shape,
            buckets: buckets
                .iter()
                .map(|b| BucketBounds {
                    start: &b.starting_at,
                    start_json: json::string(&b.starting_at),
                    end_json: json::string(&b.ending_at),
                })
                .collect(),
            width: json::string(report.width.name()),
        }
    }

    /// The row (an object in canonical form) shaped for its report, with its
    /// bucket and an id that a revised bucket keeps (so a re-read replaces it).
    fn record(&self, row: Object<'_>, bucket: &BucketBounds<'_>) -> String {
        let report = self.report;
        let mut record = (self.shape)(row);
        let id = key_hash(
            [
                Some(Cow::Borrowed(bucket.start)),
                Some(Cow::Borrowed(report.width.name())),
            ]
            .into_iter()
            .chain(
                report
                    .identity
                    .iter()
                    .map(|f| record.get(f).and_then(json::decoded_string)),
            ),
        );
        // Hex digits: a JSON string as they are.
        let mut id_json = String::with_capacity(id.len() + 2);
        id_json.push('"');
        id_json.push_str(&id);
        id_json.push('"');
        record.insert("id", id_json);
        record.insert("bucket_start", bucket.start_json.as_str());
        record.insert("bucket_end", bucket.end_json.as_str());
        record.insert("bucket_width", self.width.as_str());
        record.to_canonical().into_string()
    }
}

/// How the second pass takes each row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowReading {
    /// As the slice of the body it is; any row not taken as it is fails the pass.
    Skimmed,
    /// Parsed into a map of values, as the page was always read.
    AsValues,
}

/// The keys the second pass looks into; everything else is skipped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum PageField {
    Data,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum BucketField {
    Results,
    #[serde(other)]
    Other,
}

/// The second pass over the whole page: into `data`.
struct PageRows<'s, 'r> {
    shaping: &'s Shaping<'s>,
    reading: RowReading,
    records: &'r mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for PageRows<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageRows<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a report page")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<PageField>()? {
            match field {
                PageField::Data => map.next_value_seed(BucketsRows {
                    shaping: self.shaping,
                    reading: self.reading,
                    records: &mut *self.records,
                })?,
                PageField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `data`: the buckets, in the order the first pass read them.
struct BucketsRows<'s, 'r> {
    shaping: &'s Shaping<'s>,
    reading: RowReading,
    records: &'r mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for BucketsRows<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BucketsRows<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of buckets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // The same bytes as the first pass: as many buckets, in the same order.
        for bucket in &self.shaping.buckets {
            let rows = BucketRows {
                shaping: self.shaping,
                bucket,
                reading: self.reading,
                records: &mut *self.records,
            };
            if seq.next_element_seed(rows)?.is_none() {
                break;
            }
        }
        Ok(())
    }
}

/// One bucket: into `results`.
struct BucketRows<'s, 'r> {
    shaping: &'s Shaping<'s>,
    bucket: &'s BucketBounds<'s>,
    reading: RowReading,
    records: &'r mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for BucketRows<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BucketRows<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bucket")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(field) = map.next_key::<BucketField>()? {
            match field {
                BucketField::Results => map.next_value_seed(ResultRows {
                    shaping: self.shaping,
                    bucket: self.bucket,
                    reading: self.reading,
                    records: &mut *self.records,
                })?,
                BucketField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `results`: each row turned into its record at once.
struct ResultRows<'s, 'r> {
    shaping: &'s Shaping<'s>,
    bucket: &'s BucketBounds<'s>,
    reading: RowReading,
    records: &'r mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for ResultRows<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ResultRows<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of result rows")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let record = |mut row: Canonical<'_>| {
            row.object()
                .map(|object| self.shaping.record(object, self.bucket))
        };
        match self.reading {
            RowReading::Skimmed => {
                while let Some(row) = seq.next_element::<&'de RawValue>()? {
                    let taken = Canonical::of(row.get())
                        .map_err(de::Error::custom)
                        .and_then(|row| {
                            record(row).ok_or_else(|| de::Error::custom("a row is no object"))
                        })?;
                    self.records.push(taken);
                }
            }
            RowReading::AsValues => {
                while let Some(row) = seq.next_element::<Map<String, Value>>()? {
                    let row = Canonical::from_value(&Value::Object(row));
                    self.records
                        .push(record(row).expect("an object is written as one"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Fields;
    use crate::settings::{Dimension, Granularity};
    use proptest::prelude::*;
    use serde_json::json;

    fn report() -> Report {
        Report {
            stream: "usage_report",
            path: "/x",
            api: super::super::Api::Legacy(super::super::usage_record),
            width: Granularity::Hour,
            group_by: vec!["model"],
            filters: Vec::new(),
            identity: Dimension::names(),
            beta: None,
        }
    }

    fn read(body: Value) -> Result<ReportPage> {
        read_page(
            body.to_string().as_bytes(),
            &report(),
            super::super::usage_record,
        )
    }

    /// A usage row as the tree-of-values code flattened it.
    fn usage_record_as_values(row: Map<String, Value>) -> Map<String, Value> {
        let mut record = Map::new();
        for dimension in Dimension::ALL {
            record.insert(dimension.name().into(), Value::Null);
        }
        for (name, value) in row {
            match value {
                Value::Object(nested) => {
                    for (inner, v) in nested {
                        record.insert(format!("{name}.{inner}"), v);
                    }
                }
                v => {
                    record.insert(name, v);
                }
            }
        }
        record
    }

    /// The records of a page as the tree-of-values code wrote them; none
    /// where it refused the page.
    fn records_as_values(body: &str, report: &Report, usage: bool) -> Option<Vec<String>> {
        let page: Value = serde_json::from_str(body).ok()?;
        let mut records = Vec::new();
        for bucket in page.get("data")?.as_array()? {
            let start = bucket.get("starting_at")?.as_str()?;
            let end = bucket.get("ending_at")?.as_str()?;
            let rows = match bucket.get("results") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(rows)) => rows.clone(),
                Some(_) => return None,
            };
            for row in rows {
                let Value::Object(row) = row else {
                    return None;
                };
                let mut row = if usage {
                    usage_record_as_values(row)
                } else {
                    row
                };
                let id = key_hash(
                    [Some(start), Some(report.width.name())].into_iter().chain(
                        report
                            .identity
                            .iter()
                            .map(|f| row.get(*f).and_then(Value::as_str)),
                    ),
                );
                row.insert("id".into(), Value::String(id));
                row.insert("bucket_start".into(), Value::String(start.into()));
                row.insert("bucket_end".into(), Value::String(end.into()));
                row.insert(
                    "bucket_width".into(),
                    Value::String(report.width.name().into()),
                );
                records.push(Value::Object(row).to_string());
            }
        }
        Some(records)
    }

    const ROW_KEYS: &[&str] = &[
        "api_key_id",
        "workspace_id",
        "model",
        "service_tier",
        "account_id",
        "description",
        "cost_type",
        "amount",
        "cache_creation",
        "ephemeral_5m_input_tokens",
        "output_tokens",
        "cache_creation.ephemeral_5m_input_tokens",
        "id",
        "bucket_start",
    ];

    proptest::proptest! {

        #![proptest_config(crate::properties::config())]

        /// Byte for byte the records the tree-of-values code wrote, whatever
        /// form the rows came in; and a page it refused is refused.
        #[test]
        fn records_are_what_the_tree_of_values_wrote(
            rows in prop::collection::vec(json::testing::item(ROW_KEYS), 0..5),
            usage in any::<bool>(),
        ) {
            let body = format!(
                r#"{{"data":[{{"results":[{}],"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-01T01:00:00Z"}}],"has_more":false}}"#,
                rows.join(",")
            );
            let (report, shape): (Report, Shape) = if usage {
                (report(), super::super::usage_record)
            } else {
                (Report::cost(), |row| Fields::from(row))
            };
            let read = read_page(body.as_bytes(), &report, shape).map(|page| page.records);
            match records_as_values(&body, &report, usage) {
                Some(expected) => prop_assert_eq!(read.unwrap(), expected),
                None => prop_assert!(read.is_err()),
            }
        }
    }

    fn records(page: &ReportPage) -> Vec<Value> {
        page.records
            .iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect()
    }

    #[test]
    fn rows_are_flattened_and_keyed_by_bucket_and_grouping() {
        let page = read(json!({"data": [
            {"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-01T01:00:00Z","results":[
                {"model":"m1","cache_creation":{"ephemeral_5m_input_tokens":5},"output_tokens":7},
                {"model":"m2","output_tokens":1}]},
            {"starting_at":"2025-08-01T01:00:00Z","ending_at":"2025-08-01T02:00:00Z","results":[]}],
            "has_more": false, "next_page": null}))
        .unwrap();
        let landed = records(&page);
        assert_eq!(landed.len(), 2, "an empty bucket gives no row");
        assert_eq!(landed[0]["cache_creation.ephemeral_5m_input_tokens"], 5);
        assert!(landed[0]["workspace_id"].is_null());
        assert_eq!(landed[0]["bucket_width"], "1h");
        assert_eq!(landed[0]["bucket_end"], "2025-08-01T01:00:00Z");
        assert_ne!(landed[0]["id"], landed[1]["id"]);
        let again = read(json!({"data": [{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-01T01:00:00Z",
            "results":[{"model":"m1","output_tokens":99}]}]}))
        .unwrap();
        assert_eq!(
            records(&again)[0]["id"],
            landed[0]["id"],
            "a revised bucket keeps its id"
        );
    }

    #[test]
    fn rows_before_their_bucket_bounds_still_get_their_bucket() {
        let page = read(json!({"next_page": "page_2", "has_more": true, "data": [
            {"results":[{"model":"m1"}], "ending_at":"2025-08-01T02:00:00Z", "starting_at":"2025-08-01T01:00:00Z"},
            {"results":[{"model":"m1"},{"model":"m2"},{"model":"m3"}], "starting_at":"2025-08-01T02:00:00Z", "ending_at":"2025-08-01T03:00:00Z"}]}))
        .unwrap();
        let landed = records(&page);
        let starts: Vec<&str> = landed
            .iter()
            .map(|r| r["bucket_start"].as_str().unwrap())
            .collect();
        assert_eq!(
            starts,
            [
                "2025-08-01T01:00:00Z",
                "2025-08-01T02:00:00Z",
                "2025-08-01T02:00:00Z",
                "2025-08-01T02:00:00Z"
            ]
        );
        assert_eq!(
            (page.next_page.as_deref(), page.densest_bucket),
            (Some("page_2"), 3)
        );
    }

    #[test]
    fn a_broken_page_is_an_upstream_error_that_says_what_is_wrong() {
        let truncated = br#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","#;
        let err = read_page(truncated, &report(), super::super::usage_record).unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Upstream(m) if m.starts_with("the response body is not valid JSON") && m.ends_with("47 bytes received")),
            "{err}"
        );
        for (body, expected) in [
            (json!({"items": []}), "missing field `data`"),
            (
                json!({"data": [{"ending_at": "x", "results": []}]}),
                "missing field `starting_at`",
            ),
            (
                json!({"data": [{"starting_at": "a", "ending_at": "b", "results": [1]}]}),
                "expected a map",
            ),
        ] {
            let err = read(body).unwrap_err().to_string();
            assert!(
                err.contains("a usage_report page is not shaped as documented")
                    && err.contains(expected),
                "{err}"
            );
        }
        assert!(matches!(
            read(json!({"data": [], "has_more": true})),
            Err(ConnectorError::Upstream(m)) if m.contains("`next_page` is missing")
        ));
    }
}
