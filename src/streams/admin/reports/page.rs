//! One report response read straight into records.
//!
//! A large organisation's page holds tens of thousands of rows, so the body is
//! never turned into a tree of values for the whole page (nor copied): a first
//! pass reads the buckets' bounds, how many rows each holds and the pagination
//! fields, skipping the rows; a second streams the rows one at a time into
//! their records. Two passes because a row's id needs its bucket's start, and
//! nothing says a bucket's `starting_at` comes before its `results`.

use super::{Report, Shape};
use crate::error::{ConnectorError, Result};
use crate::pagination::next_page_token;
use crate::settings::Named;
use crate::streams::key_hash::key_hash;
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
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

/// Read a report response body into records.
pub fn read_page(body: &[u8], report: &Report, shape: Shape) -> Result<ReportPage> {
    let unreadable = |e: serde_json::Error| {
        ConnectorError::Upstream(if e.is_data() {
            format!("a {} page is not shaped as documented ({e})", report.stream)
        } else {
            crate::http::not_json(&e, body.len())
        })
    };
    let outline: Outline = serde_json::from_slice(body).map_err(unreadable)?;
    let rows: u32 = outline.data.iter().map(|b| b.rows).sum();
    let mut records = Vec::with_capacity(rows as usize);
    let mut json = serde_json::Deserializer::from_slice(body);
    PageRows {
        buckets: &outline.data,
        shaping: Shaping { report, shape },
        records: &mut records,
    }
    .deserialize(&mut json)
    .map_err(unreadable)?;
    Ok(ReportPage {
        records,
        next_page: next_page_token(outline.has_more, outline.next_page)?,
        densest_bucket: outline.data.iter().map(|b| b.rows).max().unwrap_or(0),
    })
}

/// The first pass: everything but the rows.
#[derive(Deserialize)]
struct Outline {
    data: Vec<Bucket>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    next_page: Option<String>,
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

/// How a row becomes a record.
#[derive(Clone, Copy)]
struct Shaping<'a> {
    report: &'a Report,
    shape: Shape,
}

impl Shaping<'_> {
    /// The row shaped for its report, with its bucket and an id that a
    /// revised bucket keeps (so a re-read replaces the row).
    fn record(self, row: Map<String, Value>, bucket: &Bucket) -> String {
        let report = self.report;
        let mut row = (self.shape)(row);
        let id = key_hash(
            [Some(bucket.starting_at.as_str()), Some(report.width.name())]
                .into_iter()
                .chain(
                    report
                        .identity
                        .iter()
                        .map(|f| row.get(*f).and_then(Value::as_str)),
                ),
        );
        row.insert("id".into(), Value::String(id));
        row.insert(
            "bucket_start".into(),
            Value::String(bucket.starting_at.clone()),
        );
        row.insert("bucket_end".into(), Value::String(bucket.ending_at.clone()));
        row.insert(
            "bucket_width".into(),
            Value::String(report.width.name().into()),
        );
        Value::Object(row).to_string()
    }
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
struct PageRows<'a, 'r> {
    buckets: &'a [Bucket],
    shaping: Shaping<'a>,
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
                    buckets: self.buckets,
                    shaping: self.shaping,
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
struct BucketsRows<'a, 'r> {
    buckets: &'a [Bucket],
    shaping: Shaping<'a>,
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
        for bucket in self.buckets {
            let rows = BucketRows {
                bucket,
                shaping: self.shaping,
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
struct BucketRows<'a, 'r> {
    bucket: &'a Bucket,
    shaping: Shaping<'a>,
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
                    bucket: self.bucket,
                    shaping: self.shaping,
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

/// `results`: each row read on its own and turned into its record at once.
struct ResultRows<'a, 'r> {
    bucket: &'a Bucket,
    shaping: Shaping<'a>,
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
        while let Some(row) = seq.next_element::<Map<String, Value>>()? {
            self.records.push(self.shaping.record(row, self.bucket));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Dimension, Granularity};
    use serde_json::json;

    fn report() -> Report {
        Report {
            stream: "usage_report",
            path: "/x",
            width: Granularity::Hour,
            group_by: vec!["model"],
            identity: Dimension::names(),
        }
    }

    fn read(body: Value) -> Result<ReportPage> {
        read_page(
            body.to_string().as_bytes(),
            &report(),
            super::super::usage_record,
        )
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
