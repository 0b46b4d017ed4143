//! A large organisation's cost report within a small memory limit: the
//! plugin's memory is bounded by the page size, not by the organisation.
//! Read whole (its 20 days in one response, held as a tree of values and
//! copied), this report needs more than 24 MiB; the limit here is 16.

use crate::common::truth::*;
use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{MockOrg, MockServer, OrgSize};
use chrono::{Duration, DurationRound, Utc};
use host_harness::runtime::{PluginRuntime, RuntimeOptions, SandboxLimits};
use std::sync::Arc;

/// Cost rows a day: about 330 KB of JSON.
const ROWS_PER_DAY: usize = 1_000;
/// Days read, today's open bucket included: 20,000 rows.
const DAYS: i64 = 20;
/// The plugin's memory limit.
const MEMORY_BYTES: usize = 16 << 20;
/// Rows a page aims at without a page size (the reader's default).
const DEFAULT_ROWS_PER_PAGE: usize = 10_000;

/// The `limit` of every cost report request, in order.
fn cost_limits(mock: &MockServer) -> Vec<usize> {
    mock.requests()
        .iter()
        .filter(|r| r.path == "/v1/organizations/cost_report")
        .map(|r| {
            let limit = r.query.split('&').find_map(|p| p.strip_prefix("limit="));
            limit.unwrap().parse().unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_cost_report_lands_whole_and_exact_within_a_small_memory_limit() {
    let mock = MockServer::start(MockOrg::generate(OrgSize {
        cost_rows_per_day: Some(ROWS_PER_DAY),
        seed: 42,
        ..OrgSize::default()
    }))
    .await
    .expect("mock starts");
    let runtime = PluginRuntime::embedded(
        &RuntimeOptions {
            limits: SandboxLimits {
                memory_bytes: MEMORY_BYTES,
                ..SandboxLimits::default()
            },
            ..RuntimeOptions::default()
        },
        Arc::new(|_, _| {}),
    )
    .expect("the embedded component loads");
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let today = Utc::now().duration_trunc(Duration::days(1)).unwrap();
    let start = today - Duration::days(DAYS - 1);
    let mut options = options(&["cost_report"], 1000);
    options.settings_json = serde_json::json!({"start_date": rfc3339(start)}).to_string();

    let report = sync_with(&runtime, &conn, &db, &options).await;
    assert!(report.succeeded(), "{report:?}");
    let (rows, microcents) = cost_truth(&mock, start, today + Duration::days(1));
    assert_eq!(rows, ROWS_PER_DAY * DAYS as usize);
    assert_eq!(
        landed_cost(&db, "true"),
        (rows, microcents),
        "every row, cost to the last digit"
    );
    assert_eq!(
        int(&db, "SELECT count(DISTINCT id) FROM cost_report") as usize,
        rows
    );
    let limits = cost_limits(&mock);
    assert_eq!(limits[0], 1, "a first run probes one bucket: {limits:?}");
    assert!(
        limits
            .iter()
            .all(|buckets| buckets * ROWS_PER_DAY <= DEFAULT_ROWS_PER_PAGE),
        "no page above the rows a page aims at: {limits:?}"
    );
    assert_eq!(limits.iter().sum::<usize>(), DAYS as usize, "each day once");
}
