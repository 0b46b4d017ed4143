//! `harness reset`: the remedy the plugin names for a saved state it cannot
//! read. It deletes the stream's checkpoint and keeps its rows, so the next
//! sync reads the stream from the start.

use crate::common::warehouse::*;
use crate::common::*;
use rusqlite::Connection;

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_state_names_the_reset_which_makes_the_next_sync_read_from_the_start() {
    let mock = mock(5, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let into = db.to_str().unwrap();
    let base_url = mock.base_url();
    let run = |args: &[&str]| {
        tokio::task::block_in_place(|| harness(args, Some(&base_url), COMPLIANCE_ONLY))
    };
    let sync = ["sync", "--streams", "activities", "--into", into];
    let feed = "/v1/compliance/activities";
    let events = mock.org().activities.len();

    assert!(run(&sync).status.success());
    Connection::open(&db)
        .unwrap()
        .execute(
            r#"UPDATE _connector_state SET state_json = '{"watermark":"yesterday"}' WHERE stream = 'activities'"#,
            [],
        )
        .unwrap();
    let failed = run(&sync);
    assert_eq!(failed.status.code(), Some(1));
    let out = stdout(&failed);
    assert!(
        out.contains("reset it with `harness reset --streams activities`"),
        "{out}"
    );
    assert!(
        out.starts_with("STREAM      STRATEGY     ROWS  NEW  CHANGED  DELETED  PAGES  TIME"),
        "{out}"
    );

    let reset = run(&["reset", "--streams", "activities", "--into", into]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert_eq!(
        stdout(&reset),
        format!(
            "STREAM      CHECKPOINT\nactivities  deleted\nthe next sync into SQLite {into} reads \
             these streams from the start; their rows are kept\n"
        )
    );
    assert_eq!(
        select(
            &db,
            "SELECT count(*) FROM _connector_state WHERE stream = 'activities'"
        ),
        [["0"]]
    );
    assert_eq!(
        select(&db, "SELECT count(*) FROM activities"),
        [[events.to_string()]]
    );

    let before = mock.requests().len();
    let again = run(&["--json", "sync", "--streams", "activities", "--into", into]);
    assert!(again.status.success(), "{}", stderr(&again));
    let request = mock.requests()[before..]
        .iter()
        .find(|r| r.path == feed)
        .unwrap()
        .clone();
    assert!(
        !request.query.contains("created_at.gte"),
        "read from the start: {request:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&again)).unwrap();
    let stream = &report["streams"][0];
    assert_eq!(
        (
            &stream["rows"],
            &stream["new_rows"],
            &stream["changed_rows"]
        ),
        (
            &serde_json::json!(events),
            &serde_json::json!(0),
            &serde_json::json!(0)
        ),
        "every event re-read, none new, none changed: {stream}"
    );
    assert!(checkpoint(&db, "activities").0.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_streams_and_a_missing_file_are_refused_and_nothing_is_reset() {
    let mock = mock(3, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let into = db.to_str().unwrap();
    let base_url = mock.base_url();
    let run =
        |args: &[&str]| tokio::task::block_in_place(|| harness(args, Some(&base_url), ADMIN_ONLY));
    assert!(
        run(&["sync", "--streams", "admin_users", "--into", into])
            .status
            .success()
    );
    let stored = checkpoint(&db, "admin_users");

    let unknown = run(&["reset", "--streams", "admin_users,users", "--into", into]);
    assert_eq!(unknown.status.code(), Some(2));
    let names: Vec<String> = runtime()
        .manifest()
        .await
        .unwrap()
        .streams
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        stderr(&unknown),
        format!(
            "error: unknown stream `users`; the streams are: {}\n",
            names.join(", ")
        )
    );
    assert_eq!(checkpoint(&db, "admin_users"), stored, "nothing was reset");

    let missing = dir.path().join("missing.sqlite");
    let output = run(&[
        "reset",
        "--streams",
        "admin_users",
        "--into",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} does not exist, so no stream has a checkpoint there; pass the file the \
             streams were synced into with --into FILE\n",
            missing.display()
        )
    );
    assert!(!missing.exists(), "not created");
}
