//! `start_date` on the incremental streams. Set earlier after a first run, the
//! next run backfills exactly the missing history, and of what the state
//! already holds reads only its lookback (or overlap); the state then says it
//! covers the new start. Set in the future, it is refused before any request.

use crate::common::truth::*;
use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{MockRequest, MockServer};
use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use host_harness::runtime::ConnectionConfig;
use host_harness::sync::SyncOptions;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

fn incremental(streams: &[&str], start_date: &str) -> SyncOptions {
    let mut options = options(streams, 1000);
    options.settings_json = json!({ "start_date": start_date }).to_string();
    options
}

/// The requests to `path` from position `since` of the mock's log on.
fn requests_to(mock: &MockServer, path: &str, since: usize) -> Vec<MockRequest> {
    mock.requests()
        .into_iter()
        .skip(since)
        .filter(|r| r.path == path)
        .collect()
}

/// The value of the query parameter `name`.
fn param(request: &MockRequest, name: &str) -> String {
    url::form_urlencoded::parse(request.query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {request:?}"))
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// The stream's committed state.
fn state(db: &Path, stream: &str) -> Value {
    serde_json::from_str(&checkpoint(db, stream).0.expect("a committed state")).unwrap()
}

/// A start date tomorrow refuses the run with a configuration error that
/// names it, and no request reaches the mock.
async fn assert_future_start_is_refused(mock: &MockServer, conn: &ConnectionConfig, stream: &str) {
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive().to_string();
    let dir = tempfile::tempdir().unwrap();
    let before = mock.requests().len();
    let error = refused(
        conn,
        &dir.path().join("future.sqlite"),
        &incremental(&[stream], &tomorrow),
    )
    .await
    .to_string();
    assert!(
        error.contains(&format!(
            "the plugin refused the settings: start_date \"{tomorrow}\" is in the future (now is "
        )) && error.ends_with("); use a date up to today, or leave it unset"),
        "{error}"
    );
    assert_eq!(mock.requests().len(), before, "refused before any request");
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_backfill_an_earlier_start_date_and_refuse_a_future_one() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let streams = ["usage_report", "cost_report"];
    let day = Duration::days(1);
    let today = Utc::now().duration_trunc(day).unwrap();
    let (d1, d0) = (today - day * 5, today - day * 12);
    let usage_landed = |from: DateTime<Utc>, to: DateTime<Utc>| {
        let range = format!(
            "FROM usage_report WHERE bucket_start >= '{}' AND bucket_start < '{}'",
            rfc3339(from),
            rfc3339(to)
        );
        (
            int(&db, &format!("SELECT count(*) {range}")) as usize,
            int(&db, &format!("SELECT sum(output_tokens) {range}")) as u64,
        )
    };
    let cost_landed = |from: DateTime<Utc>, to: DateTime<Utc>| {
        landed_cost(
            &db,
            &format!(
                "bucket_start >= '{}' AND bucket_start < '{}'",
                rfc3339(from),
                rfc3339(to)
            ),
        )
    };
    let grouping = ["api_key_id", "workspace_id", "model", "service_tier"];

    let first = sync(&conn, &db, &incremental(&streams, &rfc3339(d1))).await;
    assert!(first.succeeded(), "{first:?}");
    assert_eq!(usage_landed(d0, d1), (0, 0), "nothing before the start");
    assert_eq!(cost_landed(d0, d1), (0, 0));
    for stream in streams {
        assert_eq!(state(&db, stream)["covered_from"], rfc3339(d1), "{stream}");
    }
    let watermark = time(state(&db, "cost_report")["watermark"].as_str().unwrap());
    let held = (usage_landed(d1, today), cost_landed(d1, today));

    let since = mock.requests().len();
    let second = sync(&conn, &db, &incremental(&streams, &rfc3339(d0))).await;
    assert!(second.succeeded(), "{second:?}");
    assert_eq!(
        usage_landed(d0, d1),
        usage_truth(&mock, d0, d1, day, &grouping),
        "the missing usage, exactly"
    );
    assert_eq!(
        cost_landed(d0, d1),
        cost_truth(&mock, d0, d1),
        "the missing cost, to the last digit"
    );
    assert_eq!(
        (usage_landed(d1, today), cost_landed(d1, today)),
        held,
        "what was held is unchanged"
    );
    assert_eq!(
        usage_landed(d0, today),
        usage_truth(&mock, d0, today, day, &grouping)
    );
    assert_eq!(cost_landed(d0, today), cost_truth(&mock, d0, today));
    // Of what the state held, only the lookback (48 hours of days) is read again.
    let resume_at = watermark - Duration::hours(48);
    for path in [
        "/v1/organizations/usage_report/messages",
        "/v1/organizations/cost_report",
    ] {
        let windows: Vec<(DateTime<Utc>, DateTime<Utc>)> = requests_to(&mock, path, since)
            .iter()
            .map(|r| (time(&param(r, "starting_at")), time(&param(r, "ending_at"))))
            .collect();
        assert_eq!(windows[0].0, d0, "{path}: the gap first");
        assert!(
            windows
                .iter()
                .all(|(start, end)| *end <= d1 || *start >= resume_at),
            "{path}: {windows:?}"
        );
    }
    for stream in streams {
        let state = state(&db, stream);
        assert_eq!(state["covered_from"], rfc3339(d0), "{stream}");
        assert!(time(state["watermark"].as_str().unwrap()) >= watermark);
    }

    for stream in streams {
        assert_future_start_is_refused(&mock, &conn, stream).await;
    }
    // The command line says why, and fails.
    let tomorrow = (Utc::now() + day).date_naive();
    let before = mock.requests().len();
    let output = harness(
        &[
            "sync",
            "--streams",
            "cost_report",
            "--into",
            dir.path().join("cli.sqlite").to_str().unwrap(),
            "--set",
            &format!("start_date={tomorrow}"),
        ],
        Some(&mock.base_url()),
        ADMIN_ONLY,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("start_date \"{tomorrow}\" is in the future")),
        "{}",
        stderr(&output)
    );
    assert_eq!(mock.requests().len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn activities_backfill_an_earlier_start_date_and_refuse_a_future_one() {
    const FEED: &str = "/v1/compliance/activities";
    let mock = mock(20, 2).await;
    let conn = connection(&mock.base_url(), COMPLIANCE_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    // The mock's feed: 200 events from 2024-01-01T00:00Z, one every 97 seconds.
    let (d1, d0) = ("2024-01-01T03:00:00Z", "2024-01-01T01:00:00Z");
    let truth_from = |start: &str| -> BTreeSet<String> {
        mock.org()
            .activities
            .iter()
            .filter(|a| time(a["created_at"].as_str().unwrap()) >= time(start))
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let landed = || -> Vec<String> { select(&db, "SELECT id FROM activities").concat() };

    let first = sync(&conn, &db, &incremental(&["activities"], d1)).await;
    assert!(first.succeeded(), "{first:?}");
    assert_eq!(
        landed().into_iter().collect::<BTreeSet<_>>(),
        truth_from(d1)
    );
    assert_eq!(state(&db, "activities")["covered_from"], d1);
    let watermark = time(state(&db, "activities")["watermark"].as_str().unwrap());

    let since = mock.requests().len();
    let second = sync(&conn, &db, &incremental(&["activities"], d0)).await;
    assert!(second.succeeded(), "{second:?}");
    let ids = landed();
    assert_eq!(ids.len(), truth_from(d0).len(), "every event once");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), truth_from(d0));
    assert!(truth_from(d0).len() > truth_from(d1).len() + 50);
    let windows: Vec<(String, String)> = requests_to(&mock, FEED, since)
        .iter()
        .map(|r| (param(r, "created_at.gte"), param(r, "created_at.lt")))
        .collect();
    let overlap_start = rfc3339(watermark - Duration::minutes(10));
    assert_eq!(
        windows,
        [
            (d0.to_owned(), d1.to_owned()),
            (overlap_start, windows[1].1.clone())
        ],
        "the gap, then the overlap and what is new"
    );
    assert_eq!(state(&db, "activities")["covered_from"], d0);

    assert_future_start_is_refused(&mock, &conn, "activities").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn claude_code_backfills_an_earlier_start_date_and_refuses_a_future_one() {
    const PATH: &str = "/v1/organizations/usage_report/claude_code";
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let now = Utc::now();
    let today = now.date_naive();
    let (d1, d0) = (today - Duration::days(5), today - Duration::days(12));
    // Days the API serves in full: those that ended more than an hour ago.
    let closed_before = (now - Duration::hours(1)).date_naive();
    let landed = |from: NaiveDate, to: NaiveDate| {
        int(
            &db,
            &format!(
                "SELECT count(*) FROM claude_code_usage_report WHERE date >= '{from}' AND date < '{to}'"
            ),
        ) as usize
    };
    let stream = ["claude_code_usage_report"];

    let first = sync(&conn, &db, &incremental(&stream, &d1.to_string())).await;
    assert!(first.succeeded(), "{first:?}");
    assert_eq!(landed(d0, d1), 0);
    assert_eq!(
        landed(d1, closed_before),
        claude_code_truth(&mock, d1, closed_before)
    );
    let saved = state(&db, stream[0]);
    assert_eq!(saved["covered_from"], d1.to_string());
    let watermark: NaiveDate = saved["watermark"].as_str().unwrap().parse().unwrap();

    let since = mock.requests().len();
    let second = sync(&conn, &db, &incremental(&stream, &d0.to_string())).await;
    assert!(second.succeeded(), "{second:?}");
    assert!(
        claude_code_truth(&mock, d0, d1) > 0,
        "the mock has rows to miss"
    );
    assert_eq!(
        landed(d0, d1),
        claude_code_truth(&mock, d0, d1),
        "the missing days, exactly"
    );
    assert_eq!(
        landed(d0, closed_before),
        claude_code_truth(&mock, d0, closed_before)
    );
    // One request per day (each fits a page): the gap, then the 48-hour lookback.
    let days: Vec<NaiveDate> = requests_to(&mock, PATH, since)
        .iter()
        .map(|r| param(r, "starting_at").parse().unwrap())
        .collect();
    let expected: Vec<NaiveDate> = d0
        .iter_days()
        .take_while(|d| *d < d1)
        .chain(
            (watermark - Duration::days(2))
                .iter_days()
                .take_while(|d| *d <= today),
        )
        .collect();
    assert_eq!(days, expected);
    assert_eq!(state(&db, stream[0])["covered_from"], d0.to_string());

    assert_future_start_is_refused(&mock, &conn, stream[0]).await;
}
