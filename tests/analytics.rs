//! The Usage and Cost Analytics API streams: every row of the mock's ground
//! truth lands exactly, full refresh and incremental, with the default and the
//! widest grouping; their cost agrees with the legacy cost report; the beta
//! header goes with every request; a start the API cannot serve is moved.

use crate::common::truth::*;
use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::analytics::{ANALYTICS_BETA, COST_ONLY_GROUP_BY, Metrics, USAGE_GROUP_BY};
use chrono::{DateTime, Duration, DurationRound, Utc};
use host_harness::sync::SyncOptions;
use std::collections::BTreeMap;

fn analytics_options(streams: &[&str], settings: serde_json::Value, full: bool) -> SyncOptions {
    let mut options = options(streams, 7);
    options.settings_json = settings.to_string();
    options.full_refresh = full;
    options
}

/// Ten closed days back from today (never before the API's first day).
fn ten_days() -> (DateTime<Utc>, DateTime<Utc>) {
    let today = Utc::now().duration_trunc(Duration::days(1)).unwrap();
    let first = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
    ((today - Duration::days(10)).max(first.to_utc()), today)
}

#[tokio::test(flavor = "multi_thread")]
async fn both_streams_land_the_ground_truth_with_the_default_and_the_widest_grouping() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let (start, today) = ten_days();
    let cost_widest: Vec<&str> = USAGE_GROUP_BY
        .iter()
        .chain(&COST_ONLY_GROUP_BY)
        .copied()
        .collect();
    for (widest, usage_group, cost_group) in [
        (
            false,
            &["api_key_id", "model"][..],
            &["api_key_id", "model"][..],
        ),
        (true, &USAGE_GROUP_BY[..], &cost_widest[..]),
    ] {
        let db = dir.path().join(format!("widest-{widest}.sqlite"));
        // Pages of a few rows, more for the widest grouping (a few thousand rows).
        let page_size = if widest { 150 } else { 7 };
        let mut settings =
            serde_json::json!({"start_date": rfc3339(start), "page_size": page_size});
        if widest {
            settings["usage_analytics_group_by"] = usage_group.join(",").into();
            settings["cost_analytics_group_by"] = cost_group.join(",").into();
        }
        let report = sync(
            &conn,
            &db,
            &analytics_options(&["usage_analytics", "cost_analytics"], settings, true),
        )
        .await;
        assert!(report.succeeded(), "{report:?}");
        for (table, metrics, group) in [
            ("usage_analytics", Metrics::Usage, usage_group),
            ("cost_analytics", Metrics::Cost, cost_group),
        ] {
            let expected = analytics_truth(&mock, metrics, (start, today), "1d", group);
            let (landed, distinct) = landed_analytics(&db, table, today);
            assert!(expected.len() > 10, "{table}: {} rows", expected.len());
            assert_eq!(landed, expected, "{table}, widest {widest}");
            assert!(distinct, "{table}: one id per row");
            assert!(
                report.stream(table).unwrap().pages > 2,
                "{table}: pages of {page_size} rows"
            );
        }
        let requests = int(
            &db,
            "SELECT count(*) FROM cost_analytics WHERE requests IS NULL",
        );
        match widest {
            // Grouped by cost_type and token_type: no request count.
            true => assert_eq!(requests, int(&db, "SELECT count(*) FROM cost_analytics")),
            false => assert_eq!(requests, 0),
        }
    }
    let analytics: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/organizations/analytics/"))
        .collect();
    assert!(!analytics.is_empty());
    for request in &analytics {
        assert_eq!(request.status, 200, "{request:?}");
        assert_eq!(request.anthropic_beta.as_deref(), Some(ANALYTICS_BETA));
        assert!(
            request.query.contains("time_bucket_width=1d")
                && (request.query.contains("limit=7") || request.query.contains("limit=150")),
            "{request:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn incremental_runs_reread_the_lookback_and_land_revised_buckets_exactly() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let now = Utc::now();
    let hour = now.duration_trunc(Duration::hours(1)).unwrap();
    let start = hour - Duration::hours(60);
    let widest = USAGE_GROUP_BY.join(",");
    let settings = serde_json::json!({
        "analytics_bucket_width": "1h",
        "usage_analytics_group_by": widest,
        "start_date": rfc3339(start),
        "lookback_hours": 6,
        "page_size": 50,
    });
    let options = analytics_options(&["usage_analytics"], settings, false);
    let first = sync(&conn, &db, &options).await;
    assert!(first.succeeded(), "{first:?}");
    let before = mock.requests().len();

    // Revise an hour inside the lookback: the next run reads it again.
    let revised = hour - Duration::hours(3);
    mock.update_org(|org| {
        org.usage_revisions.insert(revised.timestamp(), 1_000_000);
    });
    let second = sync(&conn, &db, &options).await;
    assert!(second.succeeded(), "{second:?}");
    let reread: Vec<_> = mock.requests()[before..].to_vec();
    assert!(
        reread.iter().all(|r| r.query.contains(&format!(
            "starting_at={}",
            rfc3339(hour - Duration::hours(6)).replace(':', "%3A")
        ))),
        "the second run starts at the watermark minus the lookback: {reread:?}"
    );
    let closed = Utc::now().duration_trunc(Duration::hours(1)).unwrap();
    let expected = analytics_truth(
        &mock,
        Metrics::Usage,
        (start, closed),
        "1h",
        &USAGE_GROUP_BY,
    );
    let (landed, distinct) = landed_analytics(&db, "usage_analytics", closed);
    assert_eq!(landed, expected, "both runs together are the ground truth");
    assert!(distinct, "a revised bucket is replaced, not duplicated");
    let output = int(
        &db,
        &format!(
            "SELECT sum(output_tokens) FROM usage_analytics WHERE bucket_start = '{}'",
            rfc3339(revised)
        ),
    );
    assert!(output >= 1_000_000, "the revision landed: {output}");
}

#[tokio::test(flavor = "multi_thread")]
async fn daily_cost_per_workspace_from_cost_analytics_is_the_cost_reports_sum() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let (start, today) = ten_days();
    let settings = serde_json::json!({
        "start_date": rfc3339(start),
        "cost_analytics_group_by": "workspace_id",
    });
    let report = sync(
        &conn,
        &db,
        &analytics_options(&["cost_analytics", "cost_report"], settings, true),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let closed = format!("bucket_end <= '{}'", rfc3339(today));
    let per_day_and_workspace = |sql: &str| -> BTreeMap<(String, String), u64> {
        let mut sums = BTreeMap::new();
        for row in select(&db, sql) {
            *sums.entry((row[0].clone(), row[1].clone())).or_default() += microcents(&row[2]);
        }
        sums
    };
    let analytics = per_day_and_workspace(&format!(
        "SELECT bucket_start, workspace_id, amount FROM cost_analytics WHERE {closed}"
    ));
    let legacy = per_day_and_workspace(&format!(
        "SELECT bucket_start, workspace_id, amount FROM cost_report WHERE {closed}"
    ));
    assert!(analytics.len() >= 10, "{analytics:?}");
    assert!(
        analytics.keys().any(|(_, workspace)| workspace.is_empty()),
        "the default workspace is null in both"
    );
    assert_eq!(analytics, legacy, "the same cost, to the last digit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_before_what_the_api_serves_is_moved_to_its_first_day_with_a_warning() {
    let mock = mock(10, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let now = Utc::now();
    let today = now.duration_trunc(Duration::days(1)).unwrap();
    let earliest = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .to_utc()
        .max(today - Duration::days(364));
    let settings = serde_json::json!({"start_date": "2025-06-01", "page_size": 1000});
    let report = sync(
        &conn,
        &db,
        &analytics_options(&["cost_analytics"], settings, true),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let stream = report.stream("cost_analytics").unwrap();
    assert_eq!(
        stream.warnings,
        [format!(
            "cost_analytics: the API serves nothing before {} (it reads from 2026-01-01 and at \
             most 365 days back), so the read starts there instead of at \
             2025-06-01T00:00:00Z; set start_date to that day or later to read exactly what \
             it serves",
            rfc3339(earliest)
        )]
    );
    let requests: Vec<_> = mock.requests();
    assert!(requests.iter().all(|r| r.status == 200), "{requests:?}");
    assert!(
        requests[0].query.starts_with(&format!(
            "starting_at={}",
            rfc3339(earliest).replace(':', "%3A")
        )),
        "{:?}",
        requests[0]
    );
    let first = select(&db, "SELECT min(bucket_start) FROM cost_analytics");
    assert_eq!(first, [[rfc3339(earliest)]]);
}
