//! `claude_code_usage_report`: `GET /v1/organizations/usage_report/claude_code`,
//! one UTC day per request (`starting_at=YYYY-MM-DD`), page tokens within a day.
//!
//! A run walks the days from `watermark − lookback` (default 48 hours: the data
//! lags about an hour and is revised) or the configured start (30 days back) to
//! today. The watermark is the first day not yet closed and read: a day counts
//! as closed an hour after it ends, when the API serves all of it.
//!
//! The state also records the first day its history holds (`covered_from`):
//! a start date earlier than that is a gap, whose days are read first, before
//! the run goes on from the lookback ([`crate::streams::incremental::plan_run`]).
//!
//! Rows are split by terminal and remote flag, so the key is the date, the
//! actor (email address or API key name), `terminal_type` and `is_remote`.

use crate::error::{ConnectorError, Result};
use crate::http::{ApiClient, ApiError, Query};
use crate::json::{self, Canonical, Fields, Object};
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::incremental::{
    Coverage, Saved, committed_coverage, cursor_walk, mid_walk, plan_run, saved_state,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

const PATH: &str = "/v1/organizations/usage_report/claude_code";
const STREAM: &str = "claude_code_usage_report";
const MAX_LIMIT: u32 = 1000;
/// Only data older than this is served.
const SETTLE: Duration = Duration::hours(1);
/// Re-read when the lookback setting gives none: the data is revised for a while.
const DEFAULT_LOOKBACK: Duration = Duration::hours(48);
/// Where a first run starts when no start date is set.
const DEFAULT_HISTORY: Duration = Duration::days(30);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    /// The first day not yet read in full.
    watermark: NaiveDate,
    /// The first day of the history the state holds; absent from states
    /// written before it was recorded (unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    covered_from: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Walk {
    day: NaiveDate,
    last_day: NaiveDate,
    page: Option<String>,
    watermark: Option<NaiveDate>,
    /// What the state may claim, and the gap read first.
    #[serde(default)]
    coverage: Coverage<NaiveDate>,
}

fn is_closed(day: NaiveDate, now: DateTime<Utc>) -> bool {
    day.succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .is_some_and(|end| end.and_utc() + SETTLE <= now)
}

pub fn read(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let now = Utc::now();
    let walk: Walk = match cursor_walk(request)? {
        Some(walk) => walk,
        None => first_walk(ctx, request, now)?,
    };
    let query = Query::new()
        .set("starting_at", walk.day.format("%Y-%m-%d"))
        .set("limit", ctx.settings.page_size(MAX_LIMIT))
        .set_opt("page", walk.page.as_deref());
    let client = ApiClient::new(ctx.host, ctx.connection, KeyKind::Admin)?;
    let into_error = |e: ApiError| e.into_connector_error(client.field());
    let response = client.get(PATH, &query).map_err(into_error)?;
    let page = Scheme::PageToken.page(client.read_list(&response).map_err(into_error)?)?;
    let records = page
        .data
        .into_iter()
        .map(shape)
        .collect::<Result<Vec<_>>>()?;

    if let Some(token) = page.next {
        let next = Walk {
            page: Some(token),
            ..walk
        };
        return Ok(mid_walk(records, &next, Vec::new()));
    }
    let day_after = walk.day + Duration::days(1);
    // Days of a backfilled gap are before the old watermark, which stays.
    let watermark = match (walk.watermark, is_closed(walk.day, now)) {
        (previous, true) => Some(previous.map_or(day_after, |p| p.max(day_after))),
        (previous, false) => previous,
    };
    let (coverage, resume_at) = walk.coverage.advance(day_after);
    let next_day = resume_at.unwrap_or(day_after);
    let next_cursor = (next_day <= walk.last_day).then(|| {
        serde_json::to_string(&Walk {
            day: next_day,
            last_day: walk.last_day,
            page: None,
            watermark,
            coverage,
        })
        .expect("walk serialises")
    });
    let state = watermark.map(|watermark| State {
        watermark,
        covered_from: coverage.covered_from,
    });
    Ok(Page {
        records,
        state_json: state
            .as_ref()
            .map(|state| serde_json::to_string(state).expect("state serialises")),
        next_cursor,
        warnings: Vec::new(),
        coverage: state.and_then(|state| {
            committed_coverage(request, state.covered_from, state.watermark, |day| {
                day.format("%Y-%m-%d").to_string()
            })
        }),
        // A report of days, never the whole of a current set.
        snapshot_complete: false,
    })
}

fn first_walk(ctx: &ReadContext<'_>, request: &ReadRequest, now: DateTime<Utc>) -> Result<Walk> {
    let saved: Option<State> = saved_state(request)?;
    let lookback = ctx.settings.lookback.for_stream(STREAM, DEFAULT_LOOKBACK);
    let (start, coverage) = plan_run(
        saved.as_ref().map(|state| Saved {
            covered_from: state.covered_from,
            watermark: state.watermark,
            resume_at: (midnight(state.watermark) - lookback).date_naive(),
        }),
        ctx.settings.start_date.map(|date| date.date_naive()),
        (now - DEFAULT_HISTORY).date_naive(),
    );
    let today = now.date_naive();
    Ok(Walk {
        day: start.min(today),
        last_day: today,
        page: None,
        watermark: saved.map(|s| s.watermark),
        coverage,
    })
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The date as `YYYY-MM-DD` (the API gives it either way), the actor's id and
/// type as columns, and the split fields present so the key is complete.
fn shape(mut row: Canonical<'_>) -> Result<String> {
    let object = row.object();
    let date = object
        .as_ref()
        .and_then(|row| row.get_str("date"))
        .unwrap_or_default();
    let day = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .or_else(|_| {
            DateTime::parse_from_rfc3339(&date).map(|t| t.with_timezone(&Utc).date_naive())
        })
        .map_err(|_| ConnectorError::Upstream(format!("{STREAM}: unreadable date `{date}`")))?;
    let actor = object
        .as_ref()
        .and_then(|row| row.get("actor"))
        .and_then(Object::of);
    let (actor_field, actor_id) = ["email_address", "api_key_name"]
        .into_iter()
        .find_map(|k| Some((k, actor.as_ref()?.get_str(k)?)))
        .ok_or_else(|| {
            ConnectorError::Upstream(format!(
                "{STREAM}: a row on {day} has no actor email or key name"
            ))
        })?;
    let Some(object) = object else {
        return Err(ConnectorError::Upstream(format!(
            "{STREAM}: a row is not an object"
        )));
    };
    // The type is part of the key (an API key may be named like a user's
    // email): taken from the actor, else from which id it has.
    let actor_type = actor
        .as_ref()
        .and_then(|actor| actor.get_str("type"))
        .unwrap_or(Cow::Borrowed(match actor_field {
            "email_address" => "user_actor",
            _ => "api_actor",
        }));
    let mut fields = Fields::from(object);
    fields.insert("date", json::string(&day.format("%Y-%m-%d").to_string()));
    fields.insert("actor_id", json::string(&actor_id));
    fields.insert("actor_type", json::string(&actor_type));
    fields.insert_if_absent("terminal_type", r#""unknown""#);
    fields.insert_if_absent("is_remote", "false");
    Ok(fields.to_canonical().into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn shape(row: Value) -> Result<String> {
        let text = row.to_string();
        super::shape(Canonical::of(&text).unwrap())
    }

    /// The row as the tree-of-values code shaped it.
    fn shaped_as_values(mut row: Value) -> Result<String> {
        let date = row.get("date").and_then(Value::as_str).unwrap_or_default();
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .or_else(|_| {
                DateTime::parse_from_rfc3339(date).map(|t| t.with_timezone(&Utc).date_naive())
            })
            .map_err(|_| ConnectorError::Upstream(format!("{STREAM}: unreadable date `{date}`")))?;
        let actor = row.get("actor").cloned().unwrap_or(Value::Null);
        let (field, actor_id) = ["email_address", "api_key_name"]
            .into_iter()
            .find_map(|k| Some((k, actor.get(k).and_then(Value::as_str)?)))
            .ok_or_else(|| {
                ConnectorError::Upstream(format!(
                    "{STREAM}: a row on {day} has no actor email or key name"
                ))
            })?;
        let actor_id = actor_id.to_owned();
        let actor_type = match actor.get("type").and_then(Value::as_str) {
            Some(kind) => kind,
            None if field == "email_address" => "user_actor",
            None => "api_actor",
        }
        .to_owned();
        let Value::Object(map) = &mut row else {
            return Err(ConnectorError::Upstream(format!(
                "{STREAM}: a row is not an object"
            )));
        };
        map.insert(
            "date".into(),
            Value::String(day.format("%Y-%m-%d").to_string()),
        );
        map.insert("actor_id".into(), Value::String(actor_id));
        map.insert("actor_type".into(), Value::String(actor_type));
        map.entry("terminal_type")
            .or_insert(Value::String("unknown".into()));
        map.entry("is_remote").or_insert(Value::Bool(false));
        Ok(row.to_string())
    }

    proptest::proptest! {

        #![proptest_config(crate::properties::config())]

        /// Byte for byte the record (or the error) the tree-of-values code
        /// gave, whatever form the row came in.
        #[test]
        fn records_are_what_the_tree_of_values_wrote(
            text in json::testing::item(&[
                "date", "2025-08-08", "2025-08-08T00:00:00Z", "actor", "type", "email_address",
                "api_key_name", "terminal_type", "is_remote", "actor_id", "x",
            ])
        ) {
            if let Some(value) = json::testing::parsed(&text) {
                let record = super::shape(Canonical::of(&text).unwrap());
                let expected = shaped_as_values(value);
                proptest::prop_assert_eq!(
                    record.map_err(|e| e.to_string()),
                    expected.map_err(|e| e.to_string())
                );
            }
        }
    }

    /// An Admin API with no Claude Code usage on any day.
    struct NoUsage;

    impl crate::host::Host for NoUsage {
        fn secret(&self, name: &str) -> Option<String> {
            (name == "admin-api-key").then(|| "sk-ant-admin01-test".to_owned())
        }
        fn log(&self, _: crate::host::LogLevel, _: &str) {}
        fn send(
            &self,
            _: &crate::host::HttpRequest,
        ) -> std::result::Result<crate::host::HttpResponse, crate::host::TransportError> {
            Ok(crate::host::HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: br#"{"data":[],"has_more":false,"next_page":null}"#.to_vec(),
            })
        }
    }

    /// Every page of one run, each read with the state the last one committed.
    fn run(
        strategy: crate::model::SyncStrategy,
        state: Option<String>,
        start_date: NaiveDate,
    ) -> Vec<Page> {
        let mut request = ReadRequest {
            stream_name: STREAM.into(),
            strategy,
            settings_json: json!({ "start_date": start_date.to_string() }).to_string(),
            state_json: state,
            page_cursor: None,
            parents: Vec::new(),
        };
        let mut pages = Vec::new();
        loop {
            let page = crate::plugin::read_page(&NoUsage, "https://api.anthropic.com", &request)
                .expect("a page");
            request.page_cursor.clone_from(&page.next_cursor);
            if page.state_json.is_some() {
                request.state_json.clone_from(&page.state_json);
            }
            let done = page.next_cursor.is_none();
            pages.push(page);
            if done {
                return pages;
            }
        }
    }

    /// The coverage a page reports, as dates.
    fn covered(page: &Page) -> Option<(NaiveDate, NaiveDate)> {
        page.coverage
            .as_ref()
            .map(|c| (c.start.parse().unwrap(), c.end.parse().unwrap()))
    }

    fn watermark(page: &Page) -> NaiveDate {
        let state: State = serde_json::from_str(page.state_json.as_deref().unwrap()).unwrap();
        state.watermark
    }

    #[test]
    fn each_page_of_an_incremental_run_reports_what_its_state_covers() {
        let today = Utc::now().date_naive();
        let start = today - Duration::days(5);
        let pages = run(crate::model::SyncStrategy::Incremental, None, start);
        assert_eq!(pages.len(), 6, "one page a day, today included");
        for page in &pages {
            if page.state_json.is_some() && watermark(page) > start {
                assert_eq!(covered(page), Some((start, watermark(page))), "{page:?}");
            } else {
                assert_eq!(covered(page), None, "{page:?}");
            }
            assert!(!page.snapshot_complete, "a report is never a snapshot");
        }
        // Today is not closed: the history ends where the watermark stops.
        let last = pages.last().unwrap();
        assert_eq!(covered(last).map(|(from, _)| from), Some(start));
        assert!(watermark(last) >= today - Duration::days(1));
    }

    #[test]
    fn a_backfill_widens_the_coverage_only_once_its_gap_is_read() {
        let today = Utc::now().date_naive();
        let (d1, d0) = (today - Duration::days(5), today - Duration::days(12));
        let first = run(crate::model::SyncStrategy::Incremental, None, d1);
        let state = first.last().unwrap().state_json.clone();
        let held_until = watermark(first.last().unwrap());

        let pages = run(crate::model::SyncStrategy::Incremental, state, d0);
        let gap_days = (d1 - d0).num_days() as usize;
        for page in &pages[..gap_days - 1] {
            assert_eq!(
                covered(page),
                Some((d1, held_until)),
                "mid-gap, the state claims only what it held"
            );
        }
        assert_eq!(
            covered(&pages[gap_days - 1]),
            Some((d0, held_until)),
            "the page that completes the gap widens it"
        );
        for page in &pages[gap_days..] {
            assert_eq!(covered(page).map(|(from, _)| from), Some(d0), "{page:?}");
        }
    }

    #[test]
    fn a_full_refresh_reports_no_coverage() {
        let start = Utc::now().date_naive() - Duration::days(3);
        let pages = run(crate::model::SyncStrategy::FullRefresh, None, start);
        assert!(pages.iter().any(|page| page.state_json.is_some()));
        assert!(
            pages
                .iter()
                .all(|page| page.coverage.is_none() && !page.snapshot_complete),
            "{pages:?}"
        );
    }

    #[test]
    fn a_state_and_a_walk_written_before_coverage_still_load() {
        let state: State = serde_json::from_str(r#"{"watermark":"2026-01-20"}"#).unwrap();
        assert_eq!(state.covered_from, None);
        let walk: Walk = serde_json::from_str(
            r#"{"day":"2026-01-18","last_day":"2026-01-21","page":null,"watermark":"2026-01-20"}"#,
        )
        .unwrap();
        assert_eq!(walk.coverage, Coverage::default());
    }

    #[test]
    fn dates_in_either_format_and_both_actor_kinds() {
        let a: Value = serde_json::from_str(&shape(json!({"date":"2025-08-08T00:00:00Z","actor":{"type":"user_actor","email_address":"a@x"},"terminal_type":"vscode","is_remote":false})).unwrap()).unwrap();
        assert_eq!(
            (a["date"].as_str(), a["actor_id"].as_str()),
            (Some("2025-08-08"), Some("a@x"))
        );
        let b: Value = serde_json::from_str(
            &shape(json!({"date":"2025-08-08","actor":{"type":"api_actor","api_key_name":"ci"}}))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (b["actor_id"].as_str(), b["is_remote"].as_bool()),
            (Some("ci"), Some(false))
        );
        assert!(shape(json!({"date":"08/08/2025","actor":{"email_address":"a"}})).is_err());
        // The type is part of the key: without one, it follows the id found.
        let untyped = |actor: Value| -> Value {
            serde_json::from_str(&shape(json!({"date": "2025-08-08", "actor": actor})).unwrap())
                .unwrap()
        };
        assert_eq!(
            untyped(json!({"email_address": "a@x"}))["actor_type"],
            "user_actor"
        );
        assert_eq!(
            untyped(json!({"api_key_name": "a@x"}))["actor_type"],
            "api_actor"
        );
    }
}
