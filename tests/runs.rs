//! The run history: every sync is a row of `_runs` (when, with which
//! options, what each stream did), every row of a table names the run that
//! last wrote it, and `harness runs` shows the history newest first.

use crate::common::warehouse::{options, refused, select, sync};
use crate::common::{
    BOTH, assert_no_secret, connection, fail_after, harness, mock, stderr, stdout, stream_of,
};
use host_harness::sync::SyncOptions;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn each_run_is_recorded_with_what_its_streams_did_and_rows_name_their_run() {
    let mock = mock(30, 2).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let options = options(&["admin_users", "organizations"], 10);
    let first = sync(&connection, &db, &options).await;
    assert!(first.succeeded());
    // Each stream counts the requests its reads sent.
    let sent_to = |path: &str| mock.requests().iter().filter(|r| r.path == path).count() as u64;
    assert_eq!(
        first.stream("admin_users").unwrap().requests,
        sent_to("/v1/organizations/users")
    );
    assert_eq!(
        first.streams.iter().map(|s| s.requests).sum::<u64>(),
        mock.requests().len() as u64
    );
    fail_after(&mock, "/v1/organizations/users", 2);
    assert!(!sync(&connection, &db, &options).await.succeeded());

    // Rows name the run that last wrote them: the second run rewrote every
    // organisation and the first two pages of users, then failed.
    let by_run = |table: &str| {
        select(
            &db,
            &format!("SELECT _run_id, count(*) FROM {table} GROUP BY _run_id ORDER BY _run_id"),
        )
    };
    assert_eq!(by_run("admin_users"), [["1", "10"], ["2", "20"]]);
    assert_eq!(by_run("organizations"), [["2", "2"]]);

    let db_arg = db.to_str().unwrap();
    let listed = tokio::task::block_in_place(|| harness(&["runs", "--into", db_arg], None, BOTH));
    assert!(listed.status.success(), "{}", stderr(&listed));
    let text = stdout(&listed);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("RUN  STARTED"), "{text}");
    assert!(
        lines[1].starts_with("2 ") && lines[1].ends_with("failed: admin_users"),
        "newest first: {text}"
    );
    assert!(
        lines[2].starts_with("1 ") && lines[2].ends_with(" ok"),
        "{text}"
    );

    let json = tokio::task::block_in_place(|| {
        harness(
            &["--json", "runs", "--into", db_arg, "--last", "1"],
            None,
            BOTH,
        )
    });
    let out = stdout(&json);
    assert_no_secret("the run history", &out);
    let runs: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(runs.len(), 1, "--last 1");
    let run = &runs[0];
    assert_eq!(run["run_id"], 2);
    assert!(run["ended_at"].is_string(), "{run}");
    assert_eq!(
        run["options"]["streams"],
        serde_json::json!(["admin_users", "organizations"])
    );
    assert_eq!(run["options"]["settings"]["page_size"], 10);
    let stream = |name: &str| stream_of(run, name);
    let users = stream("admin_users");
    assert_eq!(
        (
            &users["stream"],
            &users["outcome"],
            &users["rows"],
            &users["pages"]
        ),
        (
            &"admin_users".into(),
            &"failed".into(),
            &20.into(),
            &2.into()
        ),
        "{run}"
    );
    assert!(
        users["error"].as_str().unwrap().contains("HTTP 500"),
        "{users}"
    );
    // Two pages, then the third page's first attempt and its retries, all failed.
    let count = |field: &str| users[field].as_u64().unwrap();
    assert_eq!(count("requests"), 2 + 1 + count("retries"), "{users}");
    assert_eq!(stream("organizations")["outcome"], "succeeded");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_the_plugin_stops_as_a_whole_is_recorded_with_why() {
    let mock = mock(5, 1).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let refused_settings = SyncOptions {
        settings_json: r#"{"activities_overlap_minutes":99999}"#.into(),
        ..SyncOptions::default()
    };
    refused(&connection, &db, &refused_settings).await;
    let recorded = select(
        &db,
        "SELECT ended_at IS NOT NULL, streams, error FROM _runs",
    );
    assert_eq!(
        recorded,
        [[
            "1",
            "[]",
            "the plugin refused the settings: activities_overlap_minutes 99999 is not valid; use \
             a number of minutes up to 10080"
        ]]
    );
    let db_arg = db.to_str().unwrap();
    let listed = tokio::task::block_in_place(|| harness(&["runs", "--into", db_arg], None, BOTH));
    let text = stdout(&listed);
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.contains(" stopped: the plugin refused the settings: ")),
        "{text}"
    );
}
