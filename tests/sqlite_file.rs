//! The SQLite file is shared with others: a sync writes only into tables the
//! connector created, and only one sync writes into a file at a time.

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{MockOrg, OrgSize};
use host_harness::sync::Outcome;
use rusqlite::Connection;

#[tokio::test(flavor = "multi_thread")]
async fn a_table_someone_else_made_under_a_stream_name_is_refused_before_it_is_touched() {
    let mock = mock(20, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.sqlite");
    Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TABLE admin_users (id TEXT PRIMARY KEY, note TEXT);
             INSERT INTO admin_users VALUES ('mine', 'not the connector''s');",
        )
        .unwrap();
    let report = sync(
        &connection(&mock.base_url(), BOTH),
        &db,
        &options(&["admin_users", "organizations"], 100),
    )
    .await;

    assert_eq!(
        report.stream("admin_users").unwrap().outcome,
        Outcome::Failed(format!(
            "table `admin_users` in {} was not created by this connector, so it is left as it \
             is: sync into another file (--into FILE), or rename or drop that table, then sync \
             again",
            db.display()
        ))
    );
    assert_eq!(
        select(&db, "SELECT name FROM pragma_table_info('admin_users')"),
        [["id"], ["note"]],
        "no column added"
    );
    assert_eq!(
        select(&db, "SELECT id, note FROM admin_users"),
        [["mine", "not the connector's"]]
    );
    assert!(
        !mock
            .requests()
            .iter()
            .any(|r| r.path == "/v1/organizations/users"),
        "refused before reading"
    );
    assert_eq!(
        report.stream("organizations").unwrap().outcome,
        Outcome::Succeeded,
        "the connector's own tables go on"
    );
    assert_eq!(
        rows(&db, "organizations", "uuid"),
        truth(&mock.org().organizations, "uuid")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_syncs_into_one_file_at_once_one_writes_and_the_other_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("one.sqlite");
    let no_keys = Keys {
        admin: None,
        compliance: None,
    };
    let args = ["sync", "--mock", "--into", db.to_str().unwrap()];
    let (first, second) = tokio::task::block_in_place(|| {
        let start = || {
            harness_command(&args, None, no_keys)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("harness starts")
        };
        let (a, b) = (start(), start());
        let ids = (a.id(), b.id());
        (
            (ids.0, a.wait_with_output().unwrap()),
            (ids.1, b.wait_with_output().unwrap()),
        )
    });
    let ((winner_pid, winner), (_, loser)) = if first.1.status.success() {
        (first, second)
    } else {
        (second, first)
    };
    assert!(winner.status.success(), "{}", stderr(&winner));
    assert_eq!(loser.status.code(), Some(2), "{}", stderr(&loser));
    let refused = |holder: &str| {
        format!(
            "error: another sync is writing to {} ({holder}); wait for it or use another --into\n",
            db.display()
        )
    };
    let message = stderr(&loser);
    assert!(
        message == refused(&format!("pid {winner_pid}")) || message == refused("pid unknown"),
        "{message}"
    );
    assert_eq!(stdout(&loser), "", "the refused sync did nothing");

    // What landed is exactly the mock's data, once.
    let org = MockOrg::generate(OrgSize::default());
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&org.admin_users, "id")
    );
    assert_eq!(
        rows(&db, "organizations", "uuid"),
        truth(&org.organizations, "uuid")
    );
    assert_eq!(
        select(&db, "SELECT count(*) - count(DISTINCT id) FROM activities"),
        [["0"]]
    );
}
