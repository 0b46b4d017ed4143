//! Each incremental stream's report says what history its committed state
//! covers: from the start date to the watermark after a first run, widened
//! once a backfill of an earlier start date has read its gap, and nothing on
//! a full refresh. The command line prints it on the stream's line.

use crate::common::truth::*;
use crate::common::warehouse::*;
use crate::common::*;
use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use host_harness::runtime::model::Coverage;
use host_harness::sync::{SyncOptions, SyncReport};
use serde_json::{Value, json};
use std::path::Path;

fn with_start_date(streams: &[&str], start_date: &str) -> SyncOptions {
    let mut options = options(streams, 1000);
    options.settings_json = json!({ "start_date": start_date }).to_string();
    options
}

/// The stream's committed watermark, as the state writes it.
fn watermark(db: &Path, stream: &str) -> String {
    let state: Value =
        serde_json::from_str(&checkpoint(db, stream).0.expect("a committed state")).unwrap();
    state["watermark"].as_str().unwrap().to_owned()
}

fn coverage(report: &SyncReport, stream: &str) -> Option<Coverage> {
    report.stream(stream).unwrap().coverage.clone()
}

fn range(start: impl ToString, end: impl ToString) -> Coverage {
    Coverage {
        start: start.to_string(),
        end: end.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_cover_the_start_date_to_the_watermark_and_a_backfill_widens_it() {
    let mock = mock(30, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let day = Duration::days(1);
    let today = Utc::now().duration_trunc(day).unwrap();
    let (d1, d0) = (today - day * 5, today - day * 12);
    let streams = ["usage_report", "cost_report"];

    let first = sync(&conn, &db, &with_start_date(&streams, &rfc3339(d1))).await;
    assert!(first.succeeded(), "{first:?}");
    for stream in streams {
        let end = watermark(&db, stream);
        assert_eq!(
            DateTime::parse_from_rfc3339(&end).unwrap().to_utc(),
            today,
            "{stream}: every closed day is read"
        );
        assert_eq!(
            coverage(&first, stream),
            Some(range(rfc3339(d1), &end)),
            "{stream}"
        );
        assert!(!first.stream(stream).unwrap().snapshot_complete, "{stream}");
    }
    // What it says it covers is there: the mock's usage, bucket for bucket.
    let landed = int(
        &db,
        &format!(
            "SELECT count(*) FROM usage_report WHERE bucket_start >= '{}' AND bucket_start < '{}'",
            rfc3339(d1),
            rfc3339(today)
        ),
    ) as usize;
    let grouping = ["api_key_id", "workspace_id", "model", "service_tier"];
    assert_eq!(landed, usage_truth(&mock, d1, today, day, &grouping).0);

    let second = sync(&conn, &db, &with_start_date(&streams, &rfc3339(d0))).await;
    assert!(second.succeeded(), "{second:?}");
    for stream in streams {
        assert_eq!(
            coverage(&second, stream),
            Some(range(rfc3339(d0), watermark(&db, stream))),
            "{stream}: widened to the earlier start date"
        );
    }

    let mut full_refresh = with_start_date(&streams, &rfc3339(d0));
    full_refresh.full_refresh = true;
    let third = sync(&conn, &db, &full_refresh).await;
    assert!(third.succeeded(), "{third:?}");
    for stream in streams {
        assert_eq!(
            coverage(&third, stream),
            None,
            "{stream}: a full refresh says nothing"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn claude_code_and_activities_cover_in_the_format_of_their_watermarks() {
    let mock = mock(20, 2).await;
    let conn = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let start = Utc::now().date_naive() - Duration::days(4);

    let claude_code = sync(
        &conn,
        &db,
        &with_start_date(&["claude_code_usage_report"], &start.to_string()),
    )
    .await;
    assert!(claude_code.succeeded(), "{claude_code:?}");
    let end = watermark(&db, "claude_code_usage_report");
    assert!(end.parse::<NaiveDate>().unwrap() > start, "{end}");
    assert_eq!(
        coverage(&claude_code, "claude_code_usage_report"),
        Some(range(start, end)),
        "dates, as its watermark"
    );

    // The mock's feed begins 2024-01-01T00:00Z.
    let activities = sync(
        &conn,
        &db,
        &with_start_date(&["activities"], "2024-01-01T03:00:00Z"),
    )
    .await;
    assert!(activities.succeeded(), "{activities:?}");
    let covered = coverage(&activities, "activities").expect("a coverage");
    let instant = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
    assert_eq!(covered.start, "2024-01-01T03:00:00Z");
    assert_eq!(
        instant(&covered.end),
        instant(&watermark(&db, "activities")),
        "instants, up to its watermark"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_prints_the_covered_range_and_json_carries_it() {
    let mock = mock(30, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let day = Duration::days(1);
    let today = Utc::now().duration_trunc(day).unwrap();
    let start = rfc3339(today - day * 3);
    let run = |json: bool| {
        let mut args = vec![
            "sync",
            "--streams",
            "usage_report,admin_users",
            "--into",
            db.to_str().unwrap(),
        ];
        let setting = format!("start_date={start}");
        args.extend(["--set", &setting]);
        if json {
            args.push("--json");
        }
        let output =
            tokio::task::block_in_place(|| harness(&args, Some(&mock.base_url()), ADMIN_ONLY));
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };

    let summary = run(false);
    let covered = format!("covered {start} to {}", rfc3339(today));
    let usage_line = summary
        .lines()
        .find(|line| line.starts_with("usage_report"))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(usage_line.contains(&covered), "{summary}");
    let users_line = summary
        .lines()
        .find(|line| line.starts_with("admin_users"))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(!users_line.contains("covered"), "{summary}");

    let report: Value = serde_json::from_str(run(true).trim()).unwrap();
    let stream = |name: &str| stream_of(&report, name);
    assert_eq!(
        stream("usage_report")["coverage"],
        json!({ "start": start, "end": rfc3339(today) })
    );
    assert_eq!(stream("usage_report")["snapshot_complete"], false);
    assert_eq!(stream("admin_users").get("coverage"), None);
    assert_eq!(stream("admin_users")["snapshot_complete"], true);
}
