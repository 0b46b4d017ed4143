//! Syncs into SQLite land exactly the mock's ground truth, page after page,
//! and a failed run keeps what it committed and resumes where it stopped.

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{Behaviour, Fault, FaultKind, MockServer};
use host_harness::destinations::SqliteDestination;
use host_harness::sync::{Outcome, Silent, SyncEngine};
use rusqlite::Connection;

#[tokio::test(flavor = "multi_thread")]
async fn many_pages_land_exactly_the_ground_truth_and_a_second_run_upserts_the_same_rows() {
    let mock = mock(2_345, 37).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("warehouse.sqlite");
    let connection = connection(&mock.base_url(), BOTH);
    let options = options(&["admin_users", "organizations"], 100);

    let report = sync(&connection, &db, &options).await;
    assert!(report.succeeded(), "{report:?}");
    let users = report.stream("admin_users").unwrap();
    assert_eq!((users.rows, users.pages), (2_345, 24));
    assert_eq!(report.stream("organizations").unwrap().pages, 1);
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );
    assert_eq!(
        rows(&db, "organizations", "uuid"),
        truth(&mock.org().organizations, "uuid")
    );

    // Typed columns hold the documented fields.
    let first = mock.org().admin_users[0].clone();
    let (email, role, added_at): (String, String, String) = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT email, role, added_at FROM admin_users WHERE id = ?1",
            [first["id"].as_str().unwrap()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (email.as_str(), role.as_str(), added_at.as_str()),
        (
            first["email"].as_str().unwrap(),
            first["role"].as_str().unwrap(),
            first["added_at"].as_str().unwrap()
        )
    );

    // Every request carried the version header and the page size asked for.
    let requests = mock.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.anthropic_version.as_deref() == Some("2023-06-01"))
    );
    let user_requests: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/v1/organizations/users")
        .collect();
    assert_eq!(user_requests.len(), 24);
    assert!(user_requests.iter().all(|r| r.query.contains("limit=100")));
    assert!(
        user_requests[1..]
            .iter()
            .all(|r| r.query.contains("after_id=user_"))
    );

    let again = sync(&connection, &db, &options).await;
    assert!(again.succeeded());
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );
    assert_eq!(rows(&db, "organizations", "uuid").len(), 37);
    assert_eq!(checkpoint(&db, "admin_users"), (None, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn older_unpaginated_organizations_responses_are_read_too() {
    let mock = mock(1, 12).await;
    mock.set_behaviour(Behaviour {
        organizations_unpaginated: true,
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options(&["organizations"], 5),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        rows(&db, "organizations", "uuid"),
        truth(&mock.org().organizations, "uuid")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_failing_mid_way_keeps_its_committed_pages_and_the_next_run_resumes_there() {
    let mock = mock(500, 3).await;
    let path = "/v1/organizations/users";
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: path.into(),
            kind: FaultKind::ServerError,
            after: 3,
            times: None,
        }),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let connection = connection(&mock.base_url(), BOTH);
    let options = options(&["admin_users", "organizations"], 50);

    let report = sync(&connection, &db, &options).await;
    let users = report.stream("admin_users").unwrap();
    assert!(
        matches!(&users.outcome, Outcome::Failed(m) if m.contains("HTTP 500 api_error")),
        "{users:?}"
    );
    assert_eq!((users.rows, users.pages, users.retries), (150, 3, 2));
    assert_eq!(
        report.stream("organizations").unwrap().outcome,
        Outcome::Succeeded,
        "the others go on"
    );
    assert_eq!(rows(&db, "admin_users", "id").len(), 150);
    let (_, cursor) = checkpoint(&db, "admin_users");
    let third_page_last = mock.org().admin_users[149]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stored: host_harness::sync::ResumePoint = serde_json::from_str(&cursor.unwrap()).unwrap();
    assert_eq!(
        stored.cursor, third_page_last,
        "the position is committed with the rows"
    );
    assert!(
        stored
            .context
            .ends_with(r#"|full_refresh|{"page_size":50}"#),
        "{stored:?}"
    );

    mock.set_behaviour(Behaviour::default());
    let before = mock.requests().len();
    let report = sync(&connection, &db, &options).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        report.stream("admin_users").unwrap().pages,
        7,
        "resumed after page 3 of 10"
    );
    let resumed = mock.requests()[before..]
        .iter()
        .find(|r| r.path == path)
        .unwrap()
        .clone();
    assert!(
        resumed
            .query
            .contains(&format!("after_id={third_page_last}")),
        "{resumed:?}"
    );
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );
    assert_eq!(checkpoint(&db, "admin_users").1, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_waited_out_and_broken_bodies_fail_the_stream_without_writing() {
    let mock = mock(30, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let connection = connection(&mock.base_url(), ADMIN_ONLY);
    let path = "/v1/organizations/users";

    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: path.into(),
            kind: FaultKind::RateLimited {
                retry_after_seconds: 0,
            },
            after: 1,
            times: Some(1),
        }),
        ..Behaviour::default()
    });
    let report = sync(&connection, &db, &options(&["admin_users"], 10)).await;
    let users = report.stream("admin_users").unwrap();
    assert_eq!(
        (users.outcome.clone(), users.rows, users.retries),
        (Outcome::Succeeded, 30, 1)
    );

    for (kind, expected) in [
        (FaultKind::TruncatedBody, "not valid JSON"),
        (
            FaultKind::MissingCursor,
            "`has_more` is true but `last_id` is missing",
        ),
    ] {
        let fresh = dir.path().join(format!("{kind:?}.sqlite"));
        mock.set_behaviour(Behaviour {
            fault: Some(Fault {
                path: path.into(),
                kind,
                after: 0,
                times: None,
            }),
            ..Behaviour::default()
        });
        let report = sync(&connection, &fresh, &options(&["admin_users"], 10)).await;
        let users = report.stream("admin_users").unwrap();
        assert!(
            matches!(&users.outcome, Outcome::Failed(m) if m.contains(expected)),
            "{users:?}"
        );
        assert_eq!(users.rows, 0);
        assert_eq!(rows(&fresh, "admin_users", "id").len(), 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_selections_and_settings_are_refused_with_what_to_do() {
    let mock: MockServer = mock(5, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let admin_only = connection(&mock.base_url(), ADMIN_ONLY);
    let mut destination = SqliteDestination::open(&db).unwrap();
    let mut engine = SyncEngine {
        runtime: runtime(),
        connection: &admin_only,
        destination: &mut destination,
        progress: &mut Silent,
    };

    let err = engine
        .run(&options(&["users"], 10))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("unknown stream `users`; the streams are: activities, organizations"),
        "{err}"
    );
    let err = engine
        .run(&options(&["organizations"], 10))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "stream `organizations` needs the Compliance Access Key (ANTHROPIC_COMPLIANCE_ACCESS_KEY), which this connection does not have"
    );

    let mut bad = options(&["admin_users"], 10);
    bad.settings_json = r#"{"usage_report_granularity":"2h"}"#.into();
    let err = engine.run(&bad).await.unwrap_err().to_string();
    assert_eq!(
        err, r#"usage_report_granularity "2h" is not valid; use one of: 1d, 1h, 1m"#,
        "refused once, before any stream runs"
    );
    assert!(mock.requests().is_empty(), "refused before any request");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_command_syncs_the_built_in_mock_into_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let output = tokio::task::block_in_place(|| {
        harness(
            &[
                "sync",
                "--mock",
                "--mock-users",
                "1200",
                "--into",
                db.to_str().unwrap(),
            ],
            None,
            Keys {
                admin: None,
                compliance: None,
            },
        )
    });
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("admin_users") && out.contains("1200"), "{out}");
    let count: i64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM admin_users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_parent_is_read_whole_and_a_position_of_other_settings_is_not_reused() {
    let mock = mock(30, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), BOTH);
    let orgs = "/v1/compliance/organizations";
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: orgs.into(),
            kind: FaultKind::ServerError,
            after: 1,
            times: None,
        }),
        ..Behaviour::default()
    });
    let report = sync(&conn, &db, &options(&["organization_users"], 1)).await;
    assert!(matches!(
        report.stream("organizations").unwrap().outcome,
        Outcome::Failed(_)
    ));
    assert_eq!(
        checkpoint(&db, "organizations").1,
        None,
        "a parent keeps no position to resume from"
    );

    mock.set_behaviour(Behaviour::default());
    let report = sync(&conn, &db, &options(&["organization_users"], 1)).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        report.stream("organizations").unwrap().pages,
        3,
        "read from the start"
    );
    let memberships: usize = mock
        .org()
        .organization_users
        .iter()
        .map(|(_, u)| u.len())
        .sum();
    assert_eq!(
        report.stream("organization_users").unwrap().rows as usize,
        memberships,
        "every parent's children"
    );

    let users = "/v1/organizations/users";
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: users.into(),
            kind: FaultKind::ServerError,
            after: 1,
            times: None,
        }),
        ..Behaviour::default()
    });
    let report = sync(&conn, &db, &options(&["admin_users"], 10)).await;
    assert_eq!(report.stream("admin_users").unwrap().rows, 10);
    mock.set_behaviour(Behaviour::default());
    let report = sync(&conn, &db, &options(&["admin_users"], 15)).await;
    let users_report = report.stream("admin_users").unwrap();
    assert_eq!(
        (users_report.rows, users_report.pages),
        (30, 2),
        "read from the start with the new page size"
    );
    assert!(
        users_report.warnings[0]
            .contains("belonged to another strategy, setting or plugin version"),
        "{users_report:?}"
    );
}
