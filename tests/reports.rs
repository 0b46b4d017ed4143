//! The Admin API's rate limits and reports: full refreshes land the mock's
//! ground truth to the last token and the last digit of cost; incremental runs
//! re-read only the lookback and update revised buckets in place.

use crate::common::truth::*;
use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::Behaviour;
use anthropic_mock::reports::USAGE_DIMENSIONS;
use chrono::{DateTime, Duration, DurationRound, Utc};
use host_harness::sync::SyncOptions;
use std::path::Path;

fn report_options(
    streams: &[&str],
    settings: serde_json::Value,
    full_refresh: bool,
) -> SyncOptions {
    let mut options = options(streams, 1000);
    options.settings_json = settings.to_string();
    options.full_refresh = full_refresh;
    options
}

#[tokio::test(flavor = "multi_thread")]
async fn every_granularity_with_empty_default_and_full_grouping_lands_the_ground_truth() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let default = ["api_key_id", "workspace_id", "model", "service_tier"];
    for (granularity, width, history) in [
        ("1d", Duration::days(1), Duration::days(6)),
        ("1h", Duration::hours(1), Duration::hours(200)),
        ("1m", Duration::minutes(1), Duration::minutes(1500)),
    ] {
        for grouping in [&[][..], &default[..], &USAGE_DIMENSIONS[..]] {
            let now = Utc::now();
            let cutoff = now.duration_trunc(width).unwrap();
            let start = (now - history).duration_trunc(width).unwrap();
            let db = dir
                .path()
                .join(format!("{granularity}-{}.sqlite", grouping.len()));
            let settings = serde_json::json!({
                "usage_report_granularity": granularity,
                "usage_report_grouping": grouping.join(","),
                "start_date": rfc3339(start),
            });
            let report = sync(
                &conn,
                &db,
                &report_options(&["usage_report"], settings, true),
            )
            .await;
            assert!(report.succeeded(), "{granularity} {grouping:?}: {report:?}");
            assert_eq!(
                landed_usage(&db, cutoff),
                usage_truth(&mock, start, cutoff, width, grouping),
                "{granularity} {grouping:?}"
            );
            assert_eq!(
                int(
                    &db,
                    "SELECT count(*) - count(DISTINCT id) FROM usage_report"
                ),
                0
            );
            let windows = (history.num_seconds() / width.num_seconds()) as f64
                / [31.0, 168.0, 1440.0][["1d", "1h", "1m"]
                    .iter()
                    .position(|g| *g == granularity)
                    .unwrap()];
            assert!(
                report.stream("usage_report").unwrap().pages as f64 >= windows.ceil(),
                "split into windows within the bucket limit"
            );
        }
    }
    let usage_requests: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/messages"))
        .collect();
    assert!(
        usage_requests.iter().all(|r| r.status == 200),
        "no request broke the API's limits"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn speed_is_grouped_with_its_beta_header_and_filters_select_the_usage() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let day = Duration::days(1);
    let today = Utc::now().duration_trunc(day).unwrap();
    let start = today - Duration::days(8);
    let closed = format!("FROM usage_report WHERE bucket_end <= '{}'", rfc3339(today));
    let messages = |from: usize| -> Vec<anthropic_mock::MockRequest> {
        mock.requests()[from..]
            .iter()
            .filter(|r| r.path.ends_with("/messages"))
            .cloned()
            .collect()
    };

    let db = dir.path().join("speed.sqlite");
    let settings = serde_json::json!({
        "usage_report_grouping": "model,speed",
        "start_date": rfc3339(start),
    });
    let report = sync(
        &conn,
        &db,
        &report_options(&["usage_report"], settings, true),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        landed_usage(&db, today),
        usage_truth(&mock, start, today, day, &["model", "speed"])
    );
    assert_eq!(
        select(&db, &format!("SELECT DISTINCT speed {closed} ORDER BY 1")).concat(),
        ["fast", "standard"]
    );
    let sent = messages(0);
    assert!(!sent.is_empty());
    assert!(
        sent.iter()
            .all(|r| r.status == 200 && r.anthropic_beta.as_deref() == Some("fast-mode-2026-02-01")),
        "{sent:?}"
    );

    let before = mock.requests().len();
    let db = dir.path().join("filtered.sqlite");
    let filters = "models[]=claude-haiku-4-5&service_tiers[]=batch&service_tiers[]=standard\
                   &context_window[]=0-200k&inference_geos[]=us";
    let settings = serde_json::json!({
        "usage_report_grouping": "model,service_tier,context_window,inference_geo",
        "usage_report_models": "claude-haiku-4-5",
        "usage_report_service_tiers": "standard,batch",
        "usage_report_context_windows": "0-200k",
        "usage_report_inference_geos": ["us"],
        "start_date": rfc3339(start),
    });
    let report = sync(
        &conn,
        &db,
        &report_options(&["usage_report"], settings, true),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let grouping = ["model", "service_tier", "context_window", "inference_geo"];
    let truth = filtered_usage_truth(&mock, (start, today), day, &grouping, filters);
    assert!(truth.0 > 0, "the filters leave some usage");
    assert_eq!(landed_usage(&db, today), truth);
    assert_eq!(
        select(
            &db,
            &format!("SELECT DISTINCT model, context_window, inference_geo {closed} ORDER BY 1")
        ),
        [["claude-haiku-4-5", "0-200k", "us"]]
    );
    let sent = messages(before);
    assert!(
        sent.iter().all(|r| r.anthropic_beta.is_none()
            && r.query.contains("models%5B%5D=claude-haiku-4-5")
            && r.query.contains("context_window%5B%5D=0-200k")),
        "no beta without speed, every filter sent: {sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_refresh_of_every_admin_stream_matches_the_mock_and_a_second_changes_nothing() {
    let mock = mock(60, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let now = Utc::now();
    let today = now.duration_trunc(Duration::days(1)).unwrap();
    let start = today - Duration::days(20);
    let settings = serde_json::json!({"start_date": rfc3339(start)});
    let report = sync(&conn, &db, &{
        let mut o = report_options(&[], settings.clone(), true);
        o.streams = None;
        o
    })
    .await;
    assert!(report.succeeded(), "{report:?}");
    // Every Admin stream, and the activity feed an Admin key reads too.
    assert_eq!(report.streams.len(), 12);

    let org = mock.org().clone();
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&org.admin_users, "id")
    );
    assert_eq!(
        rows(&db, "rate_limits", "id"),
        truth(&org.rate_limits, "id")
    );
    assert_eq!(
        select(
            &db,
            "SELECT count(*) FROM rate_limits WHERE group_type = 'model_group'"
        )[0][0],
        "2"
    );

    // Cost: every closed day, amounts summed exactly (decimal text, in micro-cents).
    let (expected_rows, expected_microcents) = cost_truth(&mock, start, today);
    let (landed_rows, landed) = landed_cost(&db, &format!("bucket_end <= '{}'", rfc3339(today)));
    assert_eq!(landed_rows, expected_rows);
    assert_eq!(landed, expected_microcents, "cost to the last digit");

    // Claude Code: one request per day, every closed day's rows.
    let expected = claude_code_truth(
        &mock,
        start.date_naive(),
        (now - Duration::hours(1)).date_naive(),
    );
    let closed_days = int(
        &db,
        &format!(
            "SELECT count(*) FROM claude_code_usage_report WHERE date < '{}'",
            (now - Duration::hours(1)).date_naive()
        ),
    );
    assert_eq!(closed_days as usize, expected);
    let named_like_a_user = select(
        &db,
        "SELECT date, actor_id FROM claude_code_usage_report \
         GROUP BY date, actor_id, terminal_type, is_remote HAVING count(DISTINCT actor_type) = 2",
    );
    assert!(
        !named_like_a_user.is_empty(),
        "an API key named like a user's email is a row of its own"
    );
    let cc_requests = mock
        .requests()
        .iter()
        .filter(|r| {
            r.path.ends_with("/claude_code")
                && r.query
                    .contains(&format!("starting_at={}", start.date_naive()))
        })
        .count();
    assert!(cc_requests >= 1);

    let snapshot = |db: &Path| -> Vec<Vec<Vec<String>>> {
        [
            "admin_users",
            "workspaces",
            "workspace_members",
            "api_keys",
            "invites",
            "rate_limits",
            "usage_analytics",
            "cost_analytics",
            "usage_report",
            "cost_report",
            "claude_code_usage_report",
        ]
        .iter()
        .map(|t| {
            select(
                db,
                &format!(
                    "SELECT _raw FROM {t} WHERE _raw NOT LIKE '%{}%' ORDER BY 1",
                    today.date_naive()
                ),
            )
        })
        .collect()
    };
    let before = snapshot(&db);
    let again = sync(&conn, &db, &{
        let mut o = report_options(&[], settings, true);
        o.streams = None;
        o
    })
    .await;
    assert!(again.succeeded());
    assert_eq!(
        snapshot(&db),
        before,
        "a second full refresh changes nothing (closed data)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_reports_reread_the_lookback_and_update_revised_buckets_in_place() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let now = Utc::now();
    let start = (now - Duration::days(60))
        .duration_trunc(Duration::hours(1))
        .unwrap();
    let settings = serde_json::json!({"usage_report_granularity": "1h", "start_date": rfc3339(start), "lookback_hours": 6});
    let options = report_options(&["usage_report"], settings.clone(), false);

    let first = sync(&conn, &db, &options).await;
    assert!(first.succeeded(), "{first:?}");
    let first_requests = mock.requests().len();
    assert!(
        first_requests >= 9,
        "60 days of hours need 9 windows of 168: {first_requests}"
    );
    let rows_before = int(&db, "SELECT count(*) FROM usage_report");

    // Revise a bucket three hours back (inside the lookback).
    let revised = now.duration_trunc(Duration::hours(1)).unwrap() - Duration::hours(3);
    mock.update_org(|org| {
        org.usage_revisions.insert(revised.timestamp(), 1_000_000);
    });
    let second = sync(&conn, &db, &options).await;
    assert!(second.succeeded(), "{second:?}");
    let second_requests = mock.requests().len() - first_requests;
    assert_eq!(
        second_requests, 1,
        "the second run reads the lookback window only"
    );
    let request = mock.requests().last().unwrap().clone();
    assert!(request.query.contains("bucket_width=1h"), "{request:?}");

    let bucket = rfc3339(revised);
    let output = int(
        &db,
        &format!("SELECT sum(output_tokens) FROM usage_report WHERE bucket_start = '{bucket}'"),
    );
    assert!(
        output >= 1_000_000,
        "the revised bucket was updated: {output}"
    );
    let counted = second.stream("usage_report").unwrap();
    assert!(
        counted.new_rows + counted.changed_rows >= 1,
        "the revision is counted: {counted:?}"
    );
    assert_eq!(
        int(&db, "SELECT count(*) FROM usage_report"),
        rows_before + counted.new_rows as i64,
        "new rows are the keys the table did not have: {counted:?}"
    );
    assert_eq!(
        int(
            &db,
            "SELECT count(*) - count(DISTINCT id) FROM usage_report"
        ),
        0,
        "no duplicates"
    );
    assert!(int(&db, "SELECT count(*) FROM usage_report") >= rows_before);

    // A different grouping is a different query: its state is reset, with a warning.
    let mut changed = settings;
    changed["usage_report_grouping"] = serde_json::json!("model");
    let third = sync(
        &conn,
        &db,
        &report_options(&["usage_report"], changed, false),
    )
    .await;
    let stream = third.stream("usage_report").unwrap();
    assert!(
        stream
            .warnings
            .iter()
            .any(|w| w.contains("state was reset")),
        "{stream:?}"
    );
    assert!(stream.pages >= 9, "the whole range is read again");
}

#[tokio::test(flavor = "multi_thread")]
async fn cost_falls_back_to_daily_with_a_warning_and_legacy_rate_limits_get_stable_ids() {
    let mock = mock(10, 1).await;
    mock.set_behaviour(Behaviour {
        rate_limits_legacy: true,
        ..Behaviour::default()
    });
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let settings = serde_json::json!({"usage_report_granularity": "1m", "start_date": rfc3339(Utc::now() - Duration::days(2))});
    let report = sync(
        &conn,
        &db,
        &report_options(&["cost_report", "rate_limits"], settings, true),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let cost = report.stream("cost_report").unwrap();
    assert_eq!(
        cost.warnings,
        ["cost_report is served per day only: granularity 1m falls back to 1d for cost"]
    );
    assert!(
        mock.requests()
            .iter()
            .filter(|r| r.path.ends_with("/cost_report"))
            .all(|r| r.query.contains("bucket_width=1d"))
    );
    let ids = select(&db, "SELECT id FROM rate_limits ORDER BY id");
    assert_eq!(ids.len(), 4, "two model groups stay two rows");
    let again = dir.path().join("again.sqlite");
    sync(
        &conn,
        &again,
        &report_options(&["rate_limits"], serde_json::json!({}), true),
    )
    .await;
    assert_eq!(
        select(&again, "SELECT id FROM rate_limits ORDER BY id"),
        ids,
        "hashed ids are stable"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_report_settings_are_refused_before_any_request() {
    let mock = mock(5, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    for (settings, expected) in [
        (
            serde_json::json!({"usage_report_granularity": "2h"}),
            "use one of: 1d, 1h, 1m",
        ),
        (
            serde_json::json!({"usage_report_grouping": "model,region"}),
            "value `region` is not valid; use any of: api_key_id, workspace_id",
        ),
        (
            serde_json::json!({"lookback_hours": {"admin_users": 3}}),
            "it applies to: usage_analytics, cost_analytics, usage_report, cost_report, \
             claude_code_usage_report",
        ),
    ] {
        // Refused once for the whole run, before any stream runs.
        let refusal = refused(
            &conn,
            &dir.path().join("w.sqlite"),
            &report_options(&["usage_report"], settings, false),
        )
        .await
        .to_string();
        assert!(refusal.contains(expected), "{refusal}");
    }
    assert!(mock.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_per_stream_lookback_can_be_given_on_the_command_line_as_json() {
    let mock = mock(5, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let start = format!("start_date={}", rfc3339(Utc::now() - Duration::days(5)));
    let args = [
        "sync",
        "--streams",
        "cost_report",
        "--into",
        db.to_str().unwrap(),
        "--set",
        r#"lookback_hours={"cost_report":24}"#,
        "--set",
        &start,
    ];
    let base_url = mock.base_url();
    let run = || tokio::task::block_in_place(|| harness(&args, Some(&base_url), ADMIN_ONLY));

    let first = run();
    assert!(first.status.success(), "{}", stdout(&first));
    let state: serde_json::Value =
        serde_json::from_str(&checkpoint(&db, "cost_report").0.unwrap()).unwrap();
    let watermark: DateTime<Utc> = state["watermark"].as_str().unwrap().parse().unwrap();

    let before = mock.requests().len();
    let second = run();
    assert!(second.status.success(), "{}", stdout(&second));
    let request = mock.requests()[before..]
        .iter()
        .find(|r| r.path.ends_with("/cost_report"))
        .unwrap()
        .clone();
    let starting_at = url::form_urlencoded::parse(request.query.as_bytes())
        .find(|(name, _)| name == "starting_at")
        .map(|(_, value)| value.into_owned());
    assert_eq!(
        starting_at,
        Some(rfc3339(watermark - Duration::hours(24))),
        "24 hours back, not the daily default of 48"
    );
}
