//! The time-bucketed reports, read in windows, incrementally from a
//! watermark: the legacy `usage_report` and `cost_report`, and their
//! successors on the Usage and Cost Analytics API, `usage_analytics` and
//! `cost_analytics` ([`Api`] says what differs).
//!
//! A run covers `[start, end)`, where `end` is the end of the bucket holding
//! "now" (the open bucket is read too) and `start` is, incrementally,
//! `watermark − lookback` (buckets are revised after the fact; rows are
//! upserted by a deterministic id, so re-reading replaces), or the configured
//! start (30 days back by default). The range is walked one window at a time,
//! each as many buckets as keep a page near the page size ([`window`]), and
//! each response is read straight into records ([`page`]); the window and the
//! next page token travel in the page cursor. After each window the watermark
//! moves to the end of its last *closed* bucket, never further, and never back.
//!
//! The state also records where its history begins (`covered_from`): a start
//! date earlier than that is a gap, read first, before the run goes on from
//! the lookback ([`crate::streams::incremental::plan_run`]). And it records
//! the query's configuration: a different granularity or grouping is a
//! different query, so its old watermark is dropped (with a warning).

mod analytics_page;
mod envelope;
mod page;
mod window;

use crate::error::Result;
use crate::host::LogLevel;
use crate::http::{ApiClient, ApiError, Query};
use crate::json::{Fields, Name, Object};
use crate::model::{KeyKind, Page, ReadRequest};
use crate::settings::{AnalyticsDimension, Dimension, Granularity, Grouping, Named, Settings};
use crate::streams::ReadContext;
use crate::streams::incremental::{
    Coverage, Saved, committed_coverage, cursor_walk, mid_walk, plan_run, saved_state,
};
use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use window::{DEFAULT_ROWS_PER_PAGE, WindowSizer};

/// Where a report starts when nothing says otherwise.
const DEFAULT_HISTORY: Duration = Duration::days(30);

/// The beta the usage report's `speed` (fast mode) requires, sent only with it.
pub const FAST_MODE_BETA: &str = "fast-mode-2026-02-01";

/// The beta the Usage and Cost Analytics API requires on every request.
pub const ANALYTICS_BETA: &str = "analytics-usage-cost-2026-08-24";

/// The analytics API's largest `limit` (rows a page), as far as known: the
/// docs give none, so the largest of the Admin API's lists.
const ANALYTICS_MAX_LIMIT: u32 = 1000;

/// How far back the analytics API serves: 365 days, taken as 364 whole days
/// before today so a request sent a moment later is still within them.
const ANALYTICS_HISTORY_DAYS: i64 = 364;

/// The analytics API serves nothing before 2026-01-01T00:00:00Z.
fn analytics_epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).expect("2026-01-01 is a valid instant")
}

/// How a report's result row becomes the record's fields.
type Shape = for<'a> fn(Object<'a>) -> Fields<'a>;

/// Which API a report is read from: how its request is written and its page read.
#[derive(Clone, Copy)]
enum Api {
    /// `usage_report/messages` and `cost_report`: `bucket_width`, `limit`
    /// counting buckets (so windows are sized from the densest bucket seen),
    /// rows nested in their buckets and shaped by the [`Shape`].
    Legacy(Shape),
    /// `/analytics/usage` and `/analytics/cost`: `time_bucket_width`, `limit`
    /// counting rows (so a window is always the widest, paged by rows), one
    /// flat row per bucket and group ([`analytics_page`]), behind the beta
    /// header, and nothing before the API's earliest start.
    Analytics,
}

/// What differs between the reports.
struct Report {
    stream: &'static str,
    path: &'static str,
    api: Api,
    width: Granularity,
    /// `group_by[]` values sent.
    group_by: Vec<&'static str>,
    /// Filters sent: the API's array parameter (without `[]`) and its values.
    filters: Vec<(&'static str, Vec<String>)>,
    /// Fields of a legacy result row that, with the bucket, identify it (an
    /// analytics row is identified by its whole `group`).
    identity: Vec<&'static str>,
    /// `anthropic-beta`, when the request needs one.
    beta: Option<&'static str>,
}

impl Report {
    fn usage(settings: &Settings) -> Self {
        let speed = settings.grouping.contains(Dimension::Speed);
        // `speed` identifies a row only when grouped by: the ids of every
        // other row stay what they were before speed could be grouped.
        let identity = Dimension::ALL
            .iter()
            .filter(|d| speed || **d != Dimension::Speed)
            .map(|d| d.name())
            .collect();
        Self {
            stream: "usage_report",
            path: "/v1/organizations/usage_report/messages",
            api: Api::Legacy(usage_record),
            width: settings.granularity,
            group_by: settings.grouping.names(),
            filters: settings
                .usage_filters
                .params()
                .map(|(param, values)| (param, values.to_vec()))
                .collect(),
            identity,
            beta: speed.then_some(FAST_MODE_BETA),
        }
    }

    fn analytics(
        stream: &'static str,
        path: &'static str,
        width: Granularity,
        grouping: &Grouping<AnalyticsDimension>,
    ) -> Self {
        Self {
            stream,
            path,
            api: Api::Analytics,
            width,
            group_by: grouping.names(),
            filters: Vec::new(),
            identity: Vec::new(),
            beta: Some(ANALYTICS_BETA),
        }
    }

    /// The API serves cost per day only, whatever the granularity setting.
    fn cost() -> Self {
        Self {
            stream: "cost_report",
            path: "/v1/organizations/cost_report",
            api: Api::Legacy(|row| Fields::from(row)),
            width: Granularity::Day,
            group_by: vec!["workspace_id", "description"],
            filters: Vec::new(),
            beta: None,
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

    /// The query a watermark belongs to: `{width}|{group_by joined by ,}`,
    /// then `|{param}={values};…` when filtered (unfiltered, as it always was).
    fn config(&self) -> String {
        let mut config = format!("{}|{}", self.width.name(), self.group_by.join(","));
        if !self.filters.is_empty() {
            let filters: Vec<String> = self
                .filters
                .iter()
                .map(|(param, values)| format!("{param}={}", values.join(",")))
                .collect();
            config.push('|');
            config.push_str(&filters.join(";"));
        }
        config
    }

    /// How many buckets `[start, end)` spans (a part counts as one).
    fn buckets_between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> u16 {
        let span = (end - start).num_seconds().max(0);
        let width = self.width.bucket_length().num_seconds();
        u16::try_from((span + width - 1) / width).unwrap_or(u16::MAX)
    }

    /// The start of the bucket holding `t`.
    fn floor(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        t.duration_trunc(self.width.bucket_length()).unwrap_or(t)
    }

    /// The request for the window `[start, end)` of `buckets` buckets, at `page`.
    fn query(
        &self,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        buckets: u16,
        settings: &Settings,
        page: Option<&str>,
    ) -> Query {
        let query = Query::new()
            .set("starting_at", rfc3339(start))
            .set("ending_at", rfc3339(end));
        let query = match self.api {
            Api::Legacy(_) => self
                .filters
                .iter()
                .fold(
                    query
                        .set("bucket_width", self.width.name())
                        .set_array("group_by", &self.group_by),
                    |query, (param, values)| query.set_array(param, values),
                )
                .set("limit", buckets),
            Api::Analytics => query
                .set("time_bucket_width", self.width.name())
                .set_array("group_by", &self.group_by)
                .set("limit", settings.page_size(ANALYTICS_MAX_LIMIT)),
        };
        query.set_opt("page", page)
    }

    /// The first window of a run: legacy windows are sized from the last
    /// run's densest bucket; analytics pages are cut by rows, so the widest.
    fn first_window(&self, sizer: WindowSizer, densest_bucket: Option<u32>) -> u16 {
        match self.api {
            Api::Legacy(_) => sizer.first(densest_bucket),
            Api::Analytics => sizer.max_buckets,
        }
    }

    /// The window after one of `previous` buckets, as [`Self::first_window`].
    fn next_window(&self, sizer: WindowSizer, previous: u16, densest_bucket: u32) -> u16 {
        match self.api {
            Api::Legacy(_) => sizer.next(previous, densest_bucket),
            Api::Analytics => sizer.max_buckets,
        }
    }

    /// The earliest bucket the API serves at `now`, when it has a limit: the
    /// analytics API reads from 2026-01-01 and at most 365 days back.
    fn earliest(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = now.duration_trunc(Duration::days(1)).unwrap_or(now);
        matches!(self.api, Api::Analytics)
            .then(|| analytics_epoch().max(today - Duration::days(ANALYTICS_HISTORY_DAYS)))
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

/// Committed state. The fields after `config` are absent from states written
/// before they were recorded, and default to "unknown".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    /// Every bucket before this is closed and has been read.
    watermark: DateTime<Utc>,
    /// The query this watermark belongs to (width and grouping).
    config: String,
    /// Where the history the state holds begins: every bucket from here to
    /// the watermark has been read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    covered_from: Option<DateTime<Utc>>,
    /// The most rows one bucket held in the run that wrote the state: the
    /// next run sizes its first window from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    densest_bucket: Option<u32>,
}

/// The walk of one run, carried from page to page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Walk {
    window_start: DateTime<Utc>,
    range_end: DateTime<Utc>,
    /// Buckets this window asks for (`limit`); none in a walk written before
    /// windows were sized, which asked for the API's largest.
    #[serde(default)]
    buckets: Option<u16>,
    page: Option<String>,
    /// The watermark before this window, so it never moves back.
    watermark: Option<DateTime<Utc>>,
    /// The most rows one bucket has held in this run.
    #[serde(default)]
    densest_bucket: Option<u32>,
    #[serde(default)]
    coverage: Coverage<DateTime<Utc>>,
}

impl Walk {
    /// The end of this window: its buckets, but never past the range or the
    /// end of a gap being backfilled.
    fn window_end(&self, report: &Report, buckets: u16) -> DateTime<Utc> {
        let end = (self.window_start + report.width.bucket_length() * i32::from(buckets))
            .min(self.range_end);
        self.coverage
            .read_until()
            .map_or(end, |gap_end| end.min(gap_end))
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn usage(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    read(ctx, request, &Report::usage(ctx.settings), Vec::new())
}

/// `usage_analytics`: `GET /v1/organizations/analytics/usage`.
pub fn usage_analytics(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let report = Report::analytics(
        "usage_analytics",
        "/v1/organizations/analytics/usage",
        ctx.settings.analytics_width,
        &ctx.settings.usage_analytics_grouping,
    );
    read(ctx, request, &report, Vec::new())
}

/// `cost_analytics`: `GET /v1/organizations/analytics/cost`.
pub fn cost_analytics(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let report = Report::analytics(
        "cost_analytics",
        "/v1/organizations/analytics/cost",
        ctx.settings.analytics_width,
        &ctx.settings.cost_analytics_grouping,
    );
    read(ctx, request, &report, Vec::new())
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
    read(ctx, request, &report, warnings)
}

fn read(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    report: &Report,
    mut warnings: Vec<String>,
) -> Result<Page> {
    let now = Utc::now();
    let sizer = WindowSizer {
        target_rows: ctx.settings.page_size(DEFAULT_ROWS_PER_PAGE),
        max_buckets: report.width.max_buckets_per_page(),
    };
    let walk: Walk = match cursor_walk(request)? {
        Some(walk) => walk,
        None => first_walk(ctx, request, report, sizer, now, &mut warnings)?,
    };
    let buckets = walk.buckets.unwrap_or(sizer.max_buckets);
    let window_end = walk.window_end(report, buckets);
    // The last window of a range, or of a gap, may be shorter than asked.
    let limit = report
        .buckets_between(walk.window_start, window_end)
        .min(buckets)
        .max(1);

    let query = report.query(
        (walk.window_start, window_end),
        limit,
        ctx.settings,
        walk.page.as_deref(),
    );
    let client = ApiClient::new(ctx.host, ctx.connection, KeyKind::Admin)?.with_beta(report.beta);
    let into_error = |e: ApiError| e.into_connector_error(client.field());
    let response = client.get(report.path, &query).map_err(into_error)?;
    // A body the reader cannot take may be the API's error envelope, or no
    // JSON at all: then that is the error.
    let page = match report.api {
        Api::Legacy(shape) => page::read_page(&response.body, report, shape),
        Api::Analytics => analytics_page::read_page(&response.body, report),
    }
    .map_err(|error| client.unreadable(&response).map_or(error, into_error))?;
    let densest_bucket = walk.densest_bucket.max(Some(page.densest_bucket));

    if let Some(token) = page.next_page {
        let next = Walk {
            page: Some(token),
            densest_bucket,
            ..walk
        };
        return Ok(mid_walk(page.records, &next, warnings));
    }
    // The window is read: move the watermark to its last closed bucket.
    let closed = window_end.min(report.floor(now));
    let watermark = walk.watermark.map_or(closed, |w| w.max(closed));
    let (coverage, resume_at) = walk.coverage.advance(window_end);
    let state = State {
        watermark,
        config: report.config(),
        covered_from: coverage.covered_from,
        // A run that saw no rows says nothing of the next: it probes again.
        densest_bucket: densest_bucket.filter(|rows| *rows > 0),
    };
    let next_start = resume_at.map_or(window_end, |at| report.floor(at).max(window_end));
    let next_cursor = (next_start < walk.range_end).then(|| {
        serde_json::to_string(&Walk {
            window_start: next_start,
            range_end: walk.range_end,
            buckets: Some(report.next_window(sizer, buckets, densest_bucket.unwrap_or(0))),
            page: None,
            watermark: Some(watermark),
            densest_bucket,
            coverage,
        })
        .expect("walk serialises")
    });
    Ok(Page {
        records: page.records,
        state_json: Some(serde_json::to_string(&state).expect("state serialises")),
        next_cursor,
        warnings,
        coverage: committed_coverage(request, state.covered_from, state.watermark, rfc3339),
        // A report is a time window, never the whole of a current set.
        snapshot_complete: false,
    })
}

fn first_walk(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    report: &Report,
    sizer: WindowSizer,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<Walk> {
    let config = report.config();
    let saved = match saved_state::<State>(request)? {
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
    let lookback = ctx
        .settings
        .lookback
        .for_stream(report.stream, default_lookback(report.width));
    let plan = |earliest: DateTime<Utc>| {
        plan_run(
            saved.as_ref().map(|state| Saved {
                covered_from: state.covered_from,
                watermark: state.watermark,
                resume_at: report.floor(state.watermark - lookback).max(earliest),
            }),
            ctx.settings
                .start_date
                .map(|date| report.floor(date).max(earliest)),
            report.floor(now - DEFAULT_HISTORY).max(earliest),
        )
    };
    let (mut start, mut coverage) = plan(DateTime::<Utc>::MIN_UTC);
    if let Some(earliest) = report.earliest(now).filter(|earliest| start < *earliest) {
        let warning = format!(
            "{}: the API serves nothing before {} (it reads from 2026-01-01 and at most 365 \
             days back), so the read starts there instead of at {}; set start_date to that \
             day or later to read exactly what it serves",
            report.stream,
            rfc3339(earliest),
            rfc3339(start)
        );
        ctx.host.log(LogLevel::Warn, &warning);
        warnings.push(warning);
        (start, coverage) = plan(earliest);
    }
    let open_bucket = report.floor(now);
    Ok(Walk {
        // Never past the open bucket, even if the clock went back since the last run.
        window_start: start.min(open_bucket),
        range_end: open_bucket + report.width.bucket_length(),
        buckets: Some(report.first_window(sizer, saved.as_ref().and_then(|s| s.densest_bucket))),
        page: None,
        watermark: saved.map(|s| s.watermark),
        densest_bucket: None,
        coverage,
    })
}

/// Every grouping dimension present (null when not grouped), nested counters
/// flattened with dots (`cache_creation.ephemeral_5m_input_tokens`).
fn usage_record(row: Object<'_>) -> Fields<'_> {
    let mut record = Fields::with_capacity(Dimension::ALL.len() + row.len() + 8);
    for dimension in Dimension::ALL {
        record.insert(dimension.name(), "null");
    }
    for (name, value) in row.iter() {
        match Object::of(value) {
            Some(nested) => {
                for (inner, v) in nested.iter() {
                    record.insert(Name::Dotted(name, inner), v);
                }
            }
            None => record.insert(name, value),
        }
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_state_and_a_walk_written_before_coverage_and_window_sizing_still_load() {
        let state: State = serde_json::from_str(
            r#"{"watermark":"2026-01-20T00:00:00Z","config":"1d|workspace_id,description"}"#,
        )
        .unwrap();
        assert_eq!((state.covered_from, state.densest_bucket), (None, None));
        let walk: Walk = serde_json::from_str(
            r#"{"window_start":"2026-01-01T00:00:00Z","range_end":"2026-01-21T00:00:00Z",
                "page":"page_3","watermark":"2025-12-31T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(
            (walk.buckets, walk.densest_bucket, walk.coverage),
            (None, None, Coverage::default())
        );
        assert_eq!(
            walk.window_end(&Report::cost(), 31),
            walk.range_end,
            "its page token continues the query it was given for"
        );
    }

    #[test]
    fn a_state_writes_its_coverage_and_density_in_the_format_of_its_watermark() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let state = State {
            watermark: at("2026-01-20T00:00:00Z"),
            config: "1d|workspace_id,description".into(),
            covered_from: Some(at("2025-12-01T00:00:00Z")),
            densest_bucket: Some(4_800),
        };
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(
            json,
            r#"{"watermark":"2026-01-20T00:00:00Z","config":"1d|workspace_id,description","covered_from":"2025-12-01T00:00:00Z","densest_bucket":4800}"#
        );
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), state);
    }

    #[test]
    fn a_window_stops_at_the_end_of_a_gap_being_backfilled() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let walk = Walk {
            window_start: at("2026-01-01T00:00:00Z"),
            range_end: at("2026-03-01T00:00:00Z"),
            buckets: Some(31),
            page: None,
            watermark: Some(at("2026-02-27T00:00:00Z")),
            densest_bucket: None,
            coverage: Coverage {
                covered_from: Some(at("2026-01-10T00:00:00Z")),
                gap: Some(crate::streams::incremental::Gap {
                    from: at("2026-01-01T00:00:00Z"),
                    end: at("2026-01-10T00:00:00Z"),
                    resume_at: at("2026-02-25T00:00:00Z"),
                }),
            },
        };
        let report = Report::cost();
        assert_eq!(walk.window_end(&report, 31), at("2026-01-10T00:00:00Z"));
        assert_eq!(walk.window_end(&report, 3), at("2026-01-04T00:00:00Z"));
        assert_eq!(
            report.buckets_between(walk.window_start, at("2026-01-10T00:00:00Z")),
            9
        );
        assert_eq!(
            report.buckets_between(walk.window_start, at("2026-01-01T05:00:00Z")),
            1,
            "a part of a bucket is a bucket"
        );
    }

    #[test]
    fn speed_sends_its_beta_and_joins_the_id_only_when_grouped_by() {
        let plain = Report::usage(&Settings::default());
        assert_eq!(plain.beta, None);
        assert_eq!(
            plain.identity,
            [
                "api_key_id",
                "workspace_id",
                "model",
                "service_tier",
                "context_window",
                "inference_geo",
                "account_id",
                "service_account_id"
            ],
            "the ids rows always had"
        );
        let settings = Settings::parse(r#"{"usage_report_grouping":"model,speed"}"#, &[]).unwrap();
        let by_speed = Report::usage(&settings);
        assert_eq!(by_speed.beta, Some(FAST_MODE_BETA));
        assert_eq!(by_speed.identity.last(), Some(&"speed"));
        assert_eq!(by_speed.config(), "1d|model,speed");
    }

    #[test]
    fn usage_filters_are_sent_as_arrays_and_belong_to_the_query() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let settings = Settings::parse(
            r#"{"usage_report_grouping":"model","usage_report_service_tiers":"standard,batch",
                "usage_report_context_windows":["0-200k"],"usage_report_models":"claude-opus-5"}"#,
            &[],
        )
        .unwrap();
        let report = Report::usage(&settings);
        assert_eq!(
            report.config(),
            "1d|model|models=claude-opus-5;service_tiers=batch,standard;context_window=0-200k"
        );
        let query = report.query(
            (at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z")),
            1,
            &settings,
            None,
        );
        assert_eq!(
            query.encode(),
            "?starting_at=2026-11-01T00%3A00%3A00Z&ending_at=2026-11-02T00%3A00%3A00Z\
             &bucket_width=1d&group_by%5B%5D=model&models%5B%5D=claude-opus-5\
             &service_tiers%5B%5D=batch&service_tiers%5B%5D=standard\
             &context_window%5B%5D=0-200k&limit=1"
        );
    }

    #[test]
    fn an_analytics_request_pages_by_rows_in_the_widest_window_with_its_beta() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let settings = Settings::parse(
            r#"{"analytics_bucket_width":"1h","cost_analytics_group_by":"workspace_id,actor","page_size":50}"#,
            &[],
        )
        .unwrap();
        let report = Report::analytics(
            "cost_analytics",
            "/v1/organizations/analytics/cost",
            settings.analytics_width,
            &settings.cost_analytics_grouping,
        );
        let query = report.query(
            (at("2026-11-01T00:00:00Z"), at("2026-11-08T00:00:00Z")),
            168,
            &settings,
            Some("p2"),
        );
        assert_eq!(
            query.encode(),
            "?starting_at=2026-11-01T00%3A00%3A00Z&ending_at=2026-11-08T00%3A00%3A00Z\
             &time_bucket_width=1h&group_by%5B%5D=actor&group_by%5B%5D=workspace_id&limit=50&page=p2"
        );
        assert_eq!(report.beta, Some(ANALYTICS_BETA));
        assert_eq!(report.config(), "1h|actor,workspace_id");
        let sizer = WindowSizer {
            target_rows: 10,
            max_buckets: 168,
        };
        assert_eq!(report.first_window(sizer, None), 168);
        assert_eq!(report.next_window(sizer, 168, 5_000), 168);
        assert_eq!(
            Report::usage(&Settings::default()).first_window(sizer, None),
            1,
            "a legacy report still probes"
        );
    }

    #[test]
    fn the_analytics_api_serves_from_2026_and_a_year_back_at_most() {
        let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let report = Report::analytics(
            "usage_analytics",
            "/x",
            Granularity::Minute,
            &AnalyticsDimension::default_grouping(),
        );
        assert_eq!(
            report.earliest(at("2026-12-07T20:00:00Z")),
            Some(at("2026-01-01T00:00:00Z"))
        );
        assert_eq!(
            report.earliest(at("2027-06-01T08:30:00Z")),
            Some(at("2026-06-02T00:00:00Z")),
            "364 whole days before today: within 365 days whenever it is sent"
        );
        assert_eq!(Report::cost().earliest(at("2027-06-01T08:30:00Z")), None);
    }

    #[test]
    fn daily_buckets_look_back_two_days_finer_ones_six_hours() {
        assert_eq!(default_lookback(Granularity::Day), Duration::hours(48));
        assert_eq!(default_lookback(Granularity::Hour), Duration::hours(6));
        assert_eq!(default_lookback(Granularity::Minute), Duration::hours(6));
    }
}
