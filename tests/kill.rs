//! A sync killed outright (SIGKILL, no chance to clean up) keeps exactly what
//! its last commit held, rows and checkpoint together, and the next run
//! resumes from there to the exact ground truth.

use crate::common::postgres_server::PgSchema;
use crate::common::warehouse::{Db, checkpoint, rows, select, sync, truth};
use crate::common::{BOTH, connection, harness_command, mock};
use anthropic_mock::Behaviour;
use host_harness::destinations::warehouse::Warehouse;
use host_harness::sync::ResumePoint;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The committed page cursor of a run still under way, once there is one.
fn committed_cursor(db: &(impl Db + ?Sized)) -> Option<String> {
    let has_table = |name: &str| match db.warehouse() {
        Warehouse::Sqlite(path) => {
            path.exists()
                && !select(
                    db,
                    &format!("SELECT 1 FROM sqlite_master WHERE name = '{name}'"),
                )
                .is_empty()
        }
        Warehouse::Postgres(_) => !select(
            db,
            &format!(
                "SELECT 1 FROM information_schema.tables WHERE table_name = '{name}' \
             AND table_schema = current_schema()"
            ),
        )
        .is_empty(),
    };
    if !has_table("_connector_state") {
        return None;
    }
    db.select_nullable("SELECT page_cursor FROM _connector_state WHERE stream = 'admin_users'")
        .pop()?
        .pop()?
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_sync_keeps_its_last_commit_whole_and_the_next_run_resumes_exactly() {
    let dir = tempfile::tempdir().unwrap();
    killed_and_resumed(&dir.path().join("w.sqlite")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_into_postgres_killed_mid_way_resumes_exactly() {
    killed_and_resumed(&PgSchema::fresh("kill")).await;
}

async fn killed_and_resumed(db: &(impl Db + ?Sized)) {
    let mock = mock(2000, 1).await;
    // 100 pages of 20 users, each answered after 40 ms: a run of several
    // seconds, committed every two seconds or so.
    mock.set_behaviour(Behaviour {
        latency: Duration::from_millis(40),
        ..Behaviour::default()
    });
    let url = mock.base_url();
    let mut args = vec!["sync", "--streams", "admin_users", "--set", "page_size=20"];
    let into = db.cli_args();
    args.extend(into.iter().map(String::as_str));
    let mut child = harness_command(&args, Some(&url), BOTH)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let cursor = loop {
        if let Some(cursor) = committed_cursor(db) {
            break cursor;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before a commit mid-way"
        );
        assert!(Instant::now() < deadline, "no commit within a minute");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();

    // What the kill left: the users up to the committed cursor, no more, no less.
    let users = mock.org().admin_users.clone();
    // Users up to and including the one a cursor names.
    let up_to = |cursor: &str| {
        let position: ResumePoint = serde_json::from_str(cursor).unwrap();
        let index = users
            .iter()
            .position(|u| u["id"] == position.cursor.as_str());
        (
            index.expect("the cursor is a user's id") + 1,
            position.cursor,
        )
    };
    let (seen_mid_run, _) = up_to(&cursor);
    let (committed, position) = up_to(&checkpoint(db, "admin_users").1.unwrap());
    assert!(committed >= seen_mid_run, "a commit is never taken back");
    assert!(committed < users.len(), "killed mid-way");
    assert_eq!(
        rows(db, "admin_users", "id"),
        truth(&users[..committed], "id"),
        "the rows of the committed pages, with their checkpoint"
    );

    // The run history shows the killed run as one that never ended.
    assert_eq!(
        select(
            db,
            "SELECT run_id, CASE WHEN ended_at IS NULL THEN 1 ELSE 0 END FROM _runs"
        ),
        [["1", "1"]]
    );

    // The next run reads on from the committed cursor and ends exact.
    mock.set_behaviour(Behaviour::default());
    let before = mock.requests().len();
    let connection = connection(&url, BOTH);
    let mut options = crate::common::warehouse::options(&["admin_users"], 20);
    options.max_pages = 1000;
    let report = sync(&connection, db, &options).await;
    assert!(report.succeeded(), "{report:?}");
    let first = mock.requests()[before..]
        .iter()
        .find(|r| r.path == "/v1/organizations/users")
        .unwrap()
        .clone();
    assert!(
        first.query.contains(&format!("after_id={position}")),
        "{first:?}"
    );
    assert_eq!(rows(db, "admin_users", "id"), truth(&users, "id"));
    assert_eq!(checkpoint(db, "admin_users").1, None);
}
