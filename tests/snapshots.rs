//! A stream's report says whether its read in the run was a whole snapshot of
//! what the API holds: only for directory streams, only when read from the
//! first page to the last (every parent's children, for a child), never for
//! a read that resumed an interrupted one, and never for reports or feeds.

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::Behaviour;
use host_harness::sync::{Outcome, SyncReport};

fn snapshot_complete(report: &SyncReport, stream: &str) -> bool {
    report.stream(stream).unwrap().snapshot_complete
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_read_whole_is_a_complete_snapshot_and_a_resumed_one_is_not() {
    let mock = mock(500, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), BOTH);
    let streams = ["admin_users", "usage_report", "organization_users"];
    let options = options(&streams, 50);

    let whole = sync(&conn, &db, &options).await;
    assert!(whole.succeeded(), "{whole:?}");
    assert_eq!(whole.stream("admin_users").unwrap().pages, 10);
    assert!(snapshot_complete(&whole, "admin_users"));
    assert!(
        snapshot_complete(&whole, "organization_users"),
        "every organisation's users, to the last page"
    );
    assert!(
        snapshot_complete(&whole, "organizations"),
        "the parent, read whole for its children"
    );
    assert!(
        !snapshot_complete(&whole, "usage_report"),
        "a report is a time window, never a snapshot"
    );

    // Interrupted after three pages, then resumed at the fourth.
    fail_after(&mock, "/v1/organizations/users", 3);
    let interrupted = sync(&conn, &db, &options).await;
    assert!(matches!(
        interrupted.stream("admin_users").unwrap().outcome,
        Outcome::Failed(_)
    ));
    assert!(!snapshot_complete(&interrupted, "admin_users"));
    assert!(
        checkpoint(&db, "admin_users").1.is_some(),
        "a position to resume from"
    );

    mock.set_behaviour(Behaviour::default());
    let resumed = sync(&conn, &db, &options).await;
    assert!(resumed.succeeded(), "{resumed:?}");
    assert_eq!(
        resumed.stream("admin_users").unwrap().pages,
        7,
        "resumed after page 3 of 10"
    );
    assert!(
        !snapshot_complete(&resumed, "admin_users"),
        "the first three pages were read by another run"
    );
    assert!(snapshot_complete(&resumed, "organization_users"));

    let again = sync(&conn, &db, &options).await;
    assert!(again.succeeded(), "{again:?}");
    assert_eq!(again.stream("admin_users").unwrap().pages, 10);
    assert!(
        snapshot_complete(&again, "admin_users"),
        "from the first page again"
    );
    assert!(!snapshot_complete(&again, "usage_report"));
}
