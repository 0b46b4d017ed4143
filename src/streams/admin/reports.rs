//! `usage_report` and `cost_report`: time-bucketed reports, read in windows
//! that respect the API's buckets-per-page limits, incrementally from a
//! watermark.
//!
//! A run covers `[start, end)`, where `end` is the end of the bucket holding
//! "now" (the open bucket is read too) and `start` is, incrementally,
//! `watermark − lookback` (buckets are revised after the fact; rows are
//! upserted by a deterministic id, so re-reading replaces), or the configured
//! start (30 days back by default). The range is walked one window of at most
//! the page limit at a time; the window and the next page token travel in the
//! page cursor. After each window the watermark moves to the end of its last
//! *closed* bucket, never further, and never back. The state also records the
//! query's configuration: a different granularity or grouping is a different
//! query, so its old watermark is dropped (with a warning).

use crate::error::{ConnectorError, Result};
use crate::host::LogLevel;
use crate::http::{ApiClient, Query};
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::settings::{Dimension, Granularity, Named, Settings};
use crate::streams::ReadContext;
use crate::streams::key_hash::key_hash;
use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a report starts when nothing says otherwise.
const DEFAULT_HISTORY: Duration = Duration::days(30);

/// What differs between the two reports.
struct Report {
    stream: &'static str,
    path: &'static str,
    width: Granularity,
    /// `group_by[]` values sent.
    group_by: Vec<&'static str>,
    /// Fields of a result row that, with the bucket, identify it.
    identity: Vec<&'static str>,
}

impl Report {
    fn usage(settings: &Settings) -> Self {
        Self {
            stream: "usage_report",
            path: "/v1/organizations/usage_report/messages",
            width: settings.granularity,
            group_by: settings.grouping.iter().map(Dimension::name).collect(),
            identity: Dimension::names(),
        }
    }

    /// The API serves cost per day only, whatever the granularity setting.
    fn cost() -> Self {
        Self {
            stream: "cost_report",
            path: "/v1/organizations/cost_report",
            width: Granularity::Day,
            group_by: vec!["workspace_id", "description"],
            identity: vec![
                "workspace_id",
                "description",
                "cost_type",
                "model",
                "token_type",
                "service_tier",
                "context_window",
                "inference_geo",
                "currency",
            ],
        }
    }

    /// The query a watermark belongs to: `{width}|{group_by joined by ,}`.
    fn config(&self) -> String {
        format!("{}|{}", self.width.name(), self.group_by.join(","))
    }
}

/// The lookback when the setting gives none: buckets are revised for a while
/// after they close, so two days of daily buckets, six hours of finer ones.
fn default_lookback(width: Granularity) -> Duration {
    match width {
        Granularity::Day => Duration::hours(48),
        Granularity::Hour | Granularity::Minute => Duration::hours(6),
    }
}

/// Committed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    /// Every bucket before this is closed and has been read.
    watermark: String,
    /// The query this watermark belongs to (width and grouping).
    config: String,
}

/// The walk of one run, carried from page to page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Walk {
    window_start: String,
    range_end: String,
    page: Option<String>,
    /// The watermark before this window, so it never moves back.
    watermark: Option<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_time(text: &str, what: &str, stream: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            ConnectorError::InvalidConfig(format!(
                "unreadable {what} `{text}` ({e}); {}",
                crate::streams::incremental::reset_hint(stream)
            ))
        })
}

fn floor(t: DateTime<Utc>, width: Granularity) -> DateTime<Utc> {
    t.duration_trunc(width.bucket_length()).unwrap_or(t)
}

pub fn usage(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    read(
        ctx,
        request,
        &Report::usage(ctx.settings),
        Vec::new(),
        usage_record,
    )
}

pub fn cost(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let report = Report::cost();
    let mut warnings = Vec::new();
    if ctx.settings.granularity != report.width {
        let warning = format!(
            "cost_report is served per day only: granularity {} falls back to {} for cost",
            ctx.settings.granularity.name(),
            report.width.name()
        );
        ctx.host.log(LogLevel::Warn, &warning);
        warnings.push(warning);
    }
    read(ctx, request, &report, warnings, |row| row)
}

fn read(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    report: &Report,
    mut warnings: Vec<String>,
    shape: fn(Map<String, Value>) -> Map<String, Value>,
) -> Result<Page> {
    let config = report.config();
    let now = Utc::now();
    let walk = match crate::streams::incremental::cursor_walk(request)? {
        Some(walk) => walk,
        None => first_walk(ctx, request, report, &config, now, &mut warnings)?,
    };
    let window_start = parse_time(&walk.window_start, "window start", report.stream)?;
    let range_end = parse_time(&walk.range_end, "range end", report.stream)?;
    let window_end = (window_start + report.width.page_span()).min(range_end);

    let query = Query::new()
        .set("starting_at", rfc3339(window_start))
        .set("ending_at", rfc3339(window_end))
        .set("bucket_width", report.width.name())
        .set_array("group_by", &report.group_by)
        .set("limit", report.width.max_buckets_per_page())
        .set_opt("page", walk.page.as_deref());
    let client = ApiClient::new(ctx.host, ctx.connection, KeyKind::Admin)?;
    let body = client
        .get_json(report.path, &query)
        .map_err(|e| e.into_connector_error(client.field()))?;
    let page = Scheme::PageToken.parse(body)?;
    let records = bucket_records(page.data, report, shape)?;

    if let Some(token) = page.next {
        let next = Walk {
            page: Some(token),
            ..walk
        };
        return Ok(crate::streams::incremental::mid_walk(
            records, &next, warnings,
        ));
    }
    // The window is read: move the watermark to its last closed bucket.
    let closed = window_end.min(floor(now, report.width));
    let previous = walk
        .watermark
        .as_deref()
        .map(|w| parse_time(w, "watermark", report.stream))
        .transpose()?;
    let watermark = previous.map_or(closed, |p| p.max(closed));
    let state = State {
        watermark: rfc3339(watermark),
        config,
    };
    let next_cursor = (window_end < range_end).then(|| {
        serde_json::to_string(&Walk {
            window_start: rfc3339(window_end),
            range_end: walk.range_end.clone(),
            page: None,
            watermark: Some(state.watermark.clone()),
        })
        .expect("walk serialises")
    });
    Ok(Page {
        records,
        state_json: Some(serde_json::to_string(&state).expect("state serialises")),
        next_cursor,
        warnings,
    })
}

fn first_walk(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    report: &Report,
    config: &str,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<Walk> {
    let saved: Option<State> = crate::streams::incremental::saved_state(request)?;
    let saved = match saved {
        Some(state) if state.config != config => {
            let warning = format!(
                "{}: the query changed (was {}, now {config}); its incremental state was reset and the range is read again",
                report.stream, state.config
            );
            ctx.host.log(LogLevel::Warn, &warning);
            warnings.push(warning);
            None
        }
        other => other,
    };
    let start = match &saved {
        Some(state) => {
            parse_time(&state.watermark, "watermark", report.stream)?
                - ctx
                    .settings
                    .lookback
                    .for_stream(report.stream, default_lookback(report.width))
        }
        None => ctx.settings.start_date.unwrap_or(now - DEFAULT_HISTORY),
    };
    Ok(Walk {
        // A start in the future reads the current bucket only, not a reversed range.
        window_start: rfc3339(floor(start.min(now), report.width)),
        range_end: rfc3339(floor(now, report.width) + report.width.bucket_length()),
        page: None,
        watermark: saved.map(|s| s.watermark),
    })
}

/// One record per `data[].results[]` row, with the bucket and a deterministic id.
fn bucket_records(
    buckets: Vec<Value>,
    report: &Report,
    shape: fn(Map<String, Value>) -> Map<String, Value>,
) -> Result<Vec<String>> {
    let mut records = Vec::new();
    for bucket in buckets {
        let text = |name: &str| bucket.get(name).and_then(Value::as_str).map(str::to_owned);
        let (Some(start), Some(end)) = (text("starting_at"), text("ending_at")) else {
            return Err(ConnectorError::Upstream(format!(
                "a {} bucket has no starting_at/ending_at",
                report.stream
            )));
        };
        let results = bucket
            .get("results")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for result in results {
            let Value::Object(row) = result else {
                return Err(ConnectorError::Upstream(format!(
                    "a {} result is not an object",
                    report.stream
                )));
            };
            let mut row = shape(row);
            let id = key_hash(
                [Some(start.as_str()), Some(report.width.name())]
                    .into_iter()
                    .chain(
                        report
                            .identity
                            .iter()
                            .map(|f| row.get(*f).and_then(Value::as_str)),
                    ),
            );
            row.insert("id".into(), Value::String(id));
            row.insert("bucket_start".into(), Value::String(start.clone()));
            row.insert("bucket_end".into(), Value::String(end.clone()));
            row.insert(
                "bucket_width".into(),
                Value::String(report.width.name().into()),
            );
            records.push(Value::Object(row).to_string());
        }
    }
    Ok(records)
}

/// Every grouping dimension present (null when not grouped), nested counters
/// flattened with dots (`cache_creation.ephemeral_5m_input_tokens`).
fn usage_record(row: Map<String, Value>) -> Map<String, Value> {
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

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn rows_are_flattened_and_keyed_by_bucket_and_grouping() {
        let buckets = vec![
            json!({"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-01T01:00:00Z","results":[
            {"model":"m1","cache_creation":{"ephemeral_5m_input_tokens":5},"output_tokens":7},
            {"model":"m2","output_tokens":1}]}),
            json!({"starting_at":"2025-08-01T01:00:00Z","ending_at":"2025-08-01T02:00:00Z","results":[]}),
        ];
        let records: Vec<Value> = bucket_records(buckets, &report(), usage_record)
            .unwrap()
            .iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect();
        assert_eq!(records.len(), 2, "an empty bucket gives no row");
        assert_eq!(records[0]["cache_creation.ephemeral_5m_input_tokens"], 5);
        assert!(records[0]["workspace_id"].is_null());
        assert_eq!(records[0]["bucket_width"], "1h");
        assert_ne!(records[0]["id"], records[1]["id"]);
        let again: Value = serde_json::from_str(
            &bucket_records(vec![json!({"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-01T01:00:00Z","results":[{"model":"m1","output_tokens":99}]})], &report(), usage_record).unwrap()[0],
        )
        .unwrap();
        assert_eq!(
            again["id"], records[0]["id"],
            "a revised bucket keeps its id"
        );
    }

    #[test]
    fn the_query_of_the_default_settings_keeps_its_config_string() {
        assert_eq!(
            Report::usage(&Settings::default()).config(),
            "1d|api_key_id,workspace_id,model,service_tier"
        );
        assert_eq!(Report::cost().config(), "1d|workspace_id,description");
    }

    #[test]
    fn a_grouping_is_sent_in_canonical_order_whatever_order_it_was_typed_in() {
        let settings = Settings::parse(
            r#"{"usage_report_granularity":"1m","usage_report_grouping":"model,workspace_id"}"#,
            &[],
        )
        .unwrap();
        let report = Report::usage(&settings);
        assert_eq!(report.group_by, ["workspace_id", "model"]);
        assert_eq!(report.config(), "1m|workspace_id,model");
    }

    #[test]
    fn daily_buckets_look_back_two_days_finer_ones_six_hours() {
        assert_eq!(default_lookback(Granularity::Day), Duration::hours(48));
        assert_eq!(default_lookback(Granularity::Hour), Duration::hours(6));
        assert_eq!(default_lookback(Granularity::Minute), Duration::hours(6));
    }
}
