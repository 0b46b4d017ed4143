//! One page of the Usage and Cost Analytics API read into records.
//!
//! A page is `{"data": [row…], "has_more", "next_page"}` where each row is one
//! time bucket and group: `{"starting_at", "ending_at", "group": {…},
//! "usage": {…}}` (or `"cost"`). A record is the row flattened: the bucket as
//! `bucket_start` / `bucket_end` / `bucket_width`, each group dimension as a
//! field of its own (`actor` stays an object), the metrics with nested
//! counters dotted (`cache_creation.ephemeral_5m_input_tokens`). Pages are cut
//! by rows (`limit`), so one is read whole.
//!
//! The docs leave much open (the reference's "uncertain" list), so the reader
//! takes whatever the documented shape holds rather than a fixed list: any
//! group dimension, any metric, any other field of the row kept as it is.
//! Money stays exact: an amount sent as a number is kept as its digits, as
//! text, like the decimal strings of the legacy cost report.

use super::Report;
use super::envelope::Envelope;
use super::page::ReportPage;
use crate::error::{ConnectorError, Result};
use crate::json::{self, Canonical, Fields, Name, Object, decoded_string};
use crate::settings::Named;
use crate::streams::key_hash::key_hash;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    data: Vec<&'a RawValue>,
    #[serde(flatten)]
    envelope: Envelope,
}

/// The amounts of a row's `cost` as the response wrote them: a number is
/// kept as its digits, which parsing it (into a float) would not.
#[derive(Deserialize, Default)]
struct ExactCost<'a> {
    #[serde(borrow, default)]
    amount: Option<&'a RawValue>,
    #[serde(borrow, default)]
    list_amount: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ExactRow<'a> {
    #[serde(borrow, default)]
    cost: Option<ExactCost<'a>>,
}

impl<'a> ExactCost<'a> {
    /// The amounts of `raw` (a row); none where the row has no cost object.
    fn of(raw: &'a str) -> Self {
        serde_json::from_str::<ExactRow<'a>>(raw)
            .ok()
            .and_then(|row| row.cost)
            .unwrap_or_default()
    }

    /// The digits of amount `name`, when the response sent a number.
    fn digits(&self, name: &str) -> Option<&'a str> {
        let raw = match name {
            "amount" => self.amount,
            "list_amount" => self.list_amount,
            _ => None,
        }?;
        let text = raw.get().trim();
        text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
            .then_some(text)
    }
}

/// Read an analytics response body into records. An error for a body that is
/// not such a page; the caller asks the body whether it is the API's error
/// envelope, or no JSON at all (see [`crate::http::ApiClient::unreadable`]).
pub fn read_page(body: &[u8], report: &Report) -> Result<ReportPage> {
    let unreadable = |e: serde_json::Error| {
        ConnectorError::Upstream(if e.is_data() {
            format!("a {} page is not shaped as documented ({e})", report.stream)
        } else {
            crate::http::not_json(&e, body.len())
        })
    };
    let page: Body<'_> = serde_json::from_slice(body).map_err(unreadable)?;
    if page.envelope.is_error_envelope() {
        return Err(ConnectorError::Upstream(format!(
            "a {} page is the API's error envelope",
            report.stream
        )));
    }
    let records = page
        .data
        .iter()
        .map(|row| {
            record(row.get(), report).map_err(|why| {
                ConnectorError::Upstream(format!(
                    "a {} row is not shaped as documented ({why})",
                    report.stream
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ReportPage {
        // Rows are not counted per bucket here: windows are not sized by them.
        densest_bucket: 0,
        next_page: page.envelope.next_page()?,
        records,
    })
}

/// One row as its record, with an id from its bucket, the width and every
/// grouped (non-null) dimension, named: a re-read of a revised bucket keeps
/// the id, and two groups never share one.
fn record(raw: &str, report: &Report) -> std::result::Result<String, String> {
    let exact = ExactCost::of(raw);
    let mut row = Canonical::of(raw).map_err(|e| e.to_string())?;
    let row = row.object().ok_or("a row is no object")?;
    let text = |name: &str| {
        row.get(name)
            .and_then(decoded_string)
            .ok_or_else(|| format!("`{name}` is missing or not a string"))
    };
    let (start, end) = (text("starting_at")?, text("ending_at")?);
    let width = report.width.name();
    let mut record = Fields::with_capacity(row.len() + 32);
    record.insert("id", String::new());
    record.insert("bucket_start", json::string(&start));
    record.insert("bucket_end", json::string(&end));
    record.insert("bucket_width", json::string(width));
    let mut group: Vec<(&str, Cow<'_, str>)> = Vec::new();
    for (name, value) in row.iter() {
        match name {
            "starting_at" | "ending_at" => {}
            "group" => {
                let dimensions = Object::of(value).ok_or("`group` is no object")?;
                for (dimension, value) in dimensions.iter() {
                    record.insert(dimension, value);
                    if value != "null" {
                        // A string by its text, anything else (the actor) by its JSON.
                        let text = decoded_string(value).unwrap_or(Cow::Borrowed(value));
                        group.push((dimension, text));
                    }
                }
            }
            "usage" | "cost" => {
                let Some(metrics) = Object::of(value) else {
                    record.insert(name, value);
                    continue;
                };
                for (metric, value) in metrics.iter() {
                    match Object::of(value) {
                        Some(nested) => {
                            for (inner, v) in nested.iter() {
                                record.insert(Name::Dotted(metric, inner), v);
                            }
                        }
                        None => match exact.digits(metric) {
                            Some(digits) => record.insert(metric, json::string(digits)),
                            None => record.insert(metric, value),
                        },
                    }
                }
            }
            other => record.insert(other, value),
        }
    }
    group.sort();
    let id = key_hash(
        [Some(start), Some(Cow::Borrowed(width))].into_iter().chain(
            group
                .into_iter()
                .flat_map(|(name, value)| [Some(Cow::Borrowed(name)), Some(value)]),
        ),
    );
    record.insert("id", json::string(&id));
    Ok(record.to_canonical().into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{AnalyticsDimension, Granularity, Grouping};
    use serde_json::{Value, json};

    fn report() -> Report {
        Report::analytics(
            "cost_analytics",
            "/x",
            Granularity::Day,
            &Grouping::from_iter([AnalyticsDimension::Actor, AnalyticsDimension::Model]),
        )
    }

    fn read(body: Value) -> Result<ReportPage> {
        read_page(body.to_string().as_bytes(), &report())
    }

    fn records(page: &ReportPage) -> Vec<Value> {
        page.records
            .iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect()
    }

    fn row(actor: Value, model: &str, cost: Value) -> Value {
        json!({"starting_at": "2026-11-02T00:00:00Z", "ending_at": "2026-11-03T00:00:00Z",
               "group": {"actor": actor, "api_key_id": null, "model": model},
               "cost": cost})
    }

    #[test]
    fn a_row_is_flattened_with_its_bucket_and_its_amounts_kept_exact() {
        let first = row(
            json!({"type": "api_actor", "api_key_id": "apikey_1"}),
            "m1",
            json!({"amount": "1234.5625", "list_amount": "1400.0", "currency": "USD", "requests": 14}),
        );
        // Numbers, one past what a float holds: written as text, not parsed.
        let second = r#"{"starting_at":"2026-11-02T00:00:00Z","ending_at":"2026-11-03T00:00:00Z",
            "group":{"actor":{"type":"user_actor","user_id":"user_1"},"api_key_id":null,"model":"m1"},
            "cost":{"amount":0.1,"list_amount":12345678901234567890.123456,"currency":"USD","requests":null}}"#;
        let body = format!(r#"{{"data":[{first},{second}],"has_more":true,"next_page":"p2"}}"#);
        let page = read_page(body.as_bytes(), &report()).unwrap();
        let landed = records(&page);
        assert_eq!(landed[0]["bucket_start"], "2026-11-02T00:00:00Z");
        assert_eq!(landed[0]["bucket_end"], "2026-11-03T00:00:00Z");
        assert_eq!(landed[0]["bucket_width"], "1d");
        assert_eq!(landed[0]["actor"]["api_key_id"], "apikey_1");
        assert_eq!(landed[0]["model"], "m1");
        assert!(landed[0]["api_key_id"].is_null());
        assert_eq!(landed[0]["amount"], "1234.5625");
        assert_eq!(landed[0]["requests"], 14);
        assert_eq!(landed[1]["amount"], "0.1", "a number is kept as its digits");
        assert_eq!(landed[1]["list_amount"], "12345678901234567890.123456");
        assert!(landed[1]["requests"].is_null());
        assert_ne!(landed[0]["id"], landed[1]["id"], "actors tell groups apart");
        assert_eq!(page.next_page.as_deref(), Some("p2"));
    }

    #[test]
    fn the_id_is_the_bucket_and_the_group_whatever_the_metrics_or_key_order() {
        let first =
            read(json!({"data": [row(json!(null), "m1", json!({"amount": "1"}))]})).unwrap();
        let revised = read(json!({"data": [{"cost": {"amount": "2"}, "group": {"model": "m1", "api_key_id": null, "actor": null},
            "ending_at": "2026-11-03T00:00:00Z", "starting_at": "2026-11-02T00:00:00Z"}]}))
        .unwrap();
        assert_eq!(records(&first)[0]["id"], records(&revised)[0]["id"]);
        let other =
            read(json!({"data": [row(json!(null), "m2", json!({"amount": "1"}))]})).unwrap();
        assert_ne!(records(&first)[0]["id"], records(&other)[0]["id"]);
    }

    #[test]
    fn usage_counters_are_dotted_and_unknown_fields_kept() {
        let page = read(json!({"data": [{"starting_at": "2026-11-02T00:00:00Z", "ending_at": "2026-11-03T00:00:00Z",
            "group": {"model": "m1", "new_dimension": "x"},
            "usage": {"cache_creation": {"ephemeral_5m_input_tokens": 5}, "output_tokens": 7, "requests": null},
            "extra": [1]}]}))
        .unwrap();
        let landed = &records(&page)[0];
        assert_eq!(landed["cache_creation.ephemeral_5m_input_tokens"], 5);
        assert_eq!(landed["output_tokens"], 7);
        assert_eq!(landed["new_dimension"], "x");
        assert_eq!(landed["extra"], json!([1]));
    }

    #[test]
    fn a_page_not_as_documented_says_what_is_wrong() {
        for (body, expected) in [
            (json!({"rows": []}), "missing field `data`"),
            (json!({"data": [1]}), "a row is no object"),
            (
                json!({"data": [{"ending_at": "x", "group": {}}]}),
                "`starting_at` is missing or not a string",
            ),
            (
                json!({"data": [{"starting_at": "a", "ending_at": "b", "group": 3}]}),
                "`group` is no object",
            ),
        ] {
            let err = read(body).unwrap_err().to_string();
            assert!(
                err.contains("cost_analytics") && err.contains(expected),
                "{err}"
            );
        }
        assert!(matches!(
            read(json!({"data": [], "has_more": true})),
            Err(ConnectorError::Upstream(m)) if m.contains("`next_page` is missing")
        ));
    }
}
