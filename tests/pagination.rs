//! A server whose pagination never ends, by handing back cursors in a loop or
//! a new one every time, fails only that stream, within the page bound; the
//! next stream still syncs, and the failed one keeps its last good
//! checkpoint (the position inside the loop is not kept to resume from).

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{Behaviour, Fault, FaultKind};
use host_harness::sync::Outcome;

fn endless(path: &str, kind: FaultKind) -> Behaviour {
    Behaviour {
        fault: Some(Fault {
            path: path.into(),
            kind,
            after: 0,
            times: None,
        }),
        ..Behaviour::default()
    }
}

fn requests_to(mock: &anthropic_mock::MockServer, path: &str, since: usize) -> usize {
    mock.requests()[since..]
        .iter()
        .filter(|r| r.path == path)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_cursors_in_turn_fail_only_that_stream_on_the_first_repeat() {
    let mock = mock(120, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let options = options(&["admin_users", "workspaces"], 50);
    let good = sync(&conn, &db, &options).await;
    assert!(good.succeeded(), "{good:?}");
    let last_good = checkpoint(&db, "admin_users");

    let path = "/v1/organizations/users";
    mock.set_behaviour(endless(path, FaultKind::AlternatingCursors));
    let before = mock.requests().len();
    let report = sync(&conn, &db, &options).await;

    let users = report.stream("admin_users").unwrap();
    assert_eq!(
        users.outcome,
        Outcome::Failed(
            "page 3 of `admin_users` pointed back to the cursor of page 2: the API is paginating \
             in a loop, stopped instead of reading it again"
                .into()
        )
    );
    assert_eq!(users.pages, 2, "the page that loops back is not committed");
    assert_eq!(requests_to(&mock, path, before), 3);
    assert_eq!(
        report.stream("workspaces").unwrap().outcome,
        Outcome::Succeeded,
        "the next stream still syncs"
    );
    assert_eq!(
        rows(&db, "workspaces", "id"),
        truth(&mock.org().workspaces, "id")
    );
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&mock.org().admin_users, "id"),
        "the rows of the good run are intact"
    );
    assert_eq!(checkpoint(&db, "admin_users"), last_good);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_cursor_every_time_fails_only_that_stream_at_the_page_bound() {
    let mock = mock(1, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), COMPLIANCE_ONLY);
    let mut options = options(&["groups", "projects"], 2);
    options.max_pages = 20;
    let good = sync(&conn, &db, &options).await;
    assert!(good.succeeded(), "{good:?}");
    let last_good = checkpoint(&db, "groups");

    let path = "/v1/compliance/groups";
    mock.set_behaviour(endless(path, FaultKind::FreshCursor));
    let before = mock.requests().len();
    let report = sync(&conn, &db, &options).await;

    let groups = report.stream("groups").unwrap();
    assert_eq!(
        groups.outcome,
        Outcome::Failed(
            "`groups` still had more pages after 20: stopped there in case the API is paginating \
             without end; if the stream really is that long, raise --max-pages (now 20)"
                .into()
        )
    );
    assert_eq!(
        requests_to(&mock, path, before),
        20,
        "no request past the bound"
    );
    assert_eq!(groups.pages, 19);
    assert_eq!(
        report.stream("projects").unwrap().outcome,
        Outcome::Succeeded
    );
    assert_eq!(
        rows(&db, "projects", "id"),
        truth(&mock.org().projects, "id")
    );
    assert_eq!(rows(&db, "groups", "id"), truth(&mock.org().groups, "id"));
    assert_eq!(checkpoint(&db, "groups"), last_good);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_bound_is_a_sync_flag_and_a_run_with_a_failed_stream_exits_1() {
    let mock = mock(30, 1).await;
    mock.set_behaviour(endless("/v1/organizations/users", FaultKind::FreshCursor));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let url = mock.base_url();
    let output = tokio::task::block_in_place(|| {
        harness(
            &[
                "--json",
                "sync",
                "--streams",
                "admin_users,invites",
                "--max-pages",
                "5",
                "--into",
                db.to_str().unwrap(),
            ],
            Some(&url),
            ADMIN_ONLY,
        )
    });
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every stdout line is JSON"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let streams = lines[0]["streams"].as_array().unwrap();
    assert_eq!(streams[0]["stream"], "admin_users");
    assert_eq!(streams[0]["outcome"]["status"], "failed");
    assert!(
        streams[0]["outcome"]["detail"]
            .as_str()
            .unwrap()
            .ends_with("raise --max-pages (now 5)"),
        "{lines:?}"
    );
    assert_eq!(streams[1]["outcome"]["status"], "succeeded");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paginated_request_function_stops_on_a_cursor_it_already_followed() {
    let mock = mock(30, 1).await;
    let path = "/v1/organizations/users";
    mock.set_behaviour(endless(path, FaultKind::AlternatingCursors));
    let url = mock.base_url();
    let output = tokio::task::block_in_place(|| {
        harness(
            &[
                "call",
                "claude-api-request",
                "--path",
                path,
                "--paginate",
                "--max-pages",
                "50",
            ],
            Some(&url),
            ADMIN_ONLY,
        )
    });
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert_eq!(
        stderr(&output).trim_end(),
        "error: upstream: page 3 pointed back to a page already read (`after_id=loop_a`): the API \
         is paginating in a loop, so the call stopped instead of reading it again"
    );
    assert_eq!(requests_to(&mock, path, 0), 3, "no page read twice");
}
