//! claude.ai projects, their attachments and chat metadata land as the mock
//! holds them; chats are read for ten users per request.

use crate::common::warehouse::*;
use crate::common::*;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread")]
async fn projects_and_both_kinds_of_attachments_land_with_their_project_id() {
    let mock = mock(1, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options(&["project_attachments"], 4),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let org = mock.org();
    assert_eq!(rows(&db, "projects", "id"), truth(&org.projects, "id"));
    assert!(
        !select(&db, "SELECT id FROM projects WHERE deleted_at IS NOT NULL").is_empty(),
        "soft-deleted projects stay"
    );
    let expected: BTreeSet<Vec<String>> = org
        .project_attachments
        .iter()
        .flat_map(|(p, items)| {
            items
                .iter()
                .map(move |a| vec![p.clone(), a["id"].as_str().unwrap().to_owned()])
        })
        .collect();
    let landed: BTreeSet<Vec<String>> =
        select(&db, "SELECT project_id, id FROM project_attachments")
            .into_iter()
            .collect();
    assert_eq!(landed, expected);
    let kinds = select(
        &db,
        "SELECT DISTINCT type FROM project_attachments ORDER BY 1",
    );
    assert_eq!(kinds.concat(), ["project_doc", "project_file"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn user_chats_bring_their_ancestors_and_take_ten_users_per_request() {
    let mock = mock(1, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options(&["user_chats"], 1000),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let names: Vec<&str> = report.streams.iter().map(|s| s.stream.as_str()).collect();
    assert_eq!(names, ["organizations", "organization_users", "user_chats"]);
    assert_eq!(
        rows(&db, "user_chats", "id"),
        truth(&mock.org().chats, "id")
    );

    let memberships: usize = mock
        .org()
        .organization_users
        .iter()
        .map(|(_, u)| u.len())
        .sum();
    let chat_requests: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/compliance/apps/chats")
        .collect();
    assert_eq!(
        chat_requests.len(),
        memberships.div_ceil(10),
        "one request per ten users"
    );
    assert!(
        chat_requests
            .iter()
            .all(|r| r.query.matches("user_ids%5B%5D=").count() <= 10)
    );
}
