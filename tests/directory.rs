//! The directory streams of both APIs land their ground truth; children carry
//! their parent's id, come with their parent, and are skipped when it fails.

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{Behaviour, DEFAULT_WORKSPACE_ID};
use host_harness::sync::Outcome;
use std::collections::{BTreeMap, BTreeSet};

#[tokio::test(flavor = "multi_thread")]
async fn admin_directory_streams_land_the_ground_truth_archived_and_default_workspaces_included() {
    let mock = mock(120, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let streams = ["admin_users", "workspaces", "api_keys", "invites"];
    let report = sync(
        &connection(&mock.base_url(), ADMIN_ONLY),
        &db,
        &options(&streams, 7),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let org = mock.org();
    assert_eq!(rows(&db, "workspaces", "id"), truth(&org.workspaces, "id"));
    assert!(org.workspaces.iter().any(|w| !w["archived_at"].is_null()));
    assert_eq!(
        select(
            &db,
            &format!("SELECT name FROM workspaces WHERE id = '{DEFAULT_WORKSPACE_ID}'")
        ),
        [["Default Workspace"]],
        "the default workspace, which the API lists only when asked"
    );
    assert_eq!(rows(&db, "api_keys", "id"), truth(&org.api_keys, "id"));
    assert_eq!(rows(&db, "invites", "id"), truth(&org.invites, "id"));
    let statuses = select(&db, "SELECT DISTINCT status FROM api_keys ORDER BY 1");
    assert_eq!(
        statuses.concat(),
        ["active", "archived", "expired", "inactive"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn compliance_directory_children_carry_their_parent_ids() {
    let mock = mock(1, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let streams = [
        "organizations",
        "organization_users",
        "organization_roles",
        "groups",
        "group_members",
    ];
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options(&streams, 5),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let org = mock.org();

    let expected: BTreeSet<Vec<String>> = org
        .organization_users
        .iter()
        .flat_map(|(uuid, users)| {
            users
                .iter()
                .map(move |u| vec![uuid.clone(), u["id"].as_str().unwrap().to_owned()])
        })
        .collect();
    let landed: BTreeSet<Vec<String>> =
        select(&db, "SELECT organization_uuid, id FROM organization_users")
            .into_iter()
            .collect();
    assert_eq!(landed, expected);
    let shared = select(
        &db,
        "SELECT id FROM organization_users GROUP BY id HAVING count(*) > 1",
    );
    assert!(
        !shared.is_empty(),
        "the same user in two organisations lands twice, keyed by organisation"
    );

    let expected: BTreeSet<Vec<String>> = org
        .group_members
        .iter()
        .flat_map(|(group, members)| {
            members
                .iter()
                .map(move |m| vec![group.clone(), m["user_id"].as_str().unwrap().to_owned()])
        })
        .collect();
    let landed: BTreeSet<Vec<String>> = select(&db, "SELECT group_id, user_id FROM group_members")
        .into_iter()
        .collect();
    assert_eq!(landed, expected);

    let roles: usize = org.organization_roles.iter().map(|(_, r)| r.len()).sum();
    assert_eq!(
        select(
            &db,
            "SELECT organization_uuid FROM organization_roles WHERE organization_uuid IS NOT NULL"
        )
        .len(),
        roles
    );
    assert_eq!(
        report.stream("organization_users").unwrap().pages,
        4 + org
            .organization_users
            .iter()
            .map(|(_, u)| u.len().div_ceil(5) as u64 - 1)
            .sum::<u64>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn selecting_a_child_brings_its_parent_and_a_failed_parent_skips_the_child() {
    let mock = mock(1, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), COMPLIANCE_ONLY);
    let report = sync(&conn, &db, &options(&["group_members"], 100)).await;
    let names: Vec<&str> = report.streams.iter().map(|s| s.stream.as_str()).collect();
    assert_eq!(names, ["groups", "group_members"], "the parent first");
    assert_eq!(
        report.stream("groups").unwrap().rows,
        mock.org().groups.len() as u64
    );
    assert_eq!(rows(&db, "groups", "id"), truth(&mock.org().groups, "id"));

    fail_after(&mock, "/v1/compliance/groups", 0);
    let report = sync(
        &conn,
        &dir.path().join("again.sqlite"),
        &options(&["group_members"], 100),
    )
    .await;
    assert!(matches!(
        report.stream("groups").unwrap().outcome,
        Outcome::Failed(_)
    ));
    assert_eq!(
        report.stream("group_members").unwrap().outcome,
        Outcome::Skipped("parent stream `groups` did not complete".into())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_scope_fails_only_the_streams_that_need_it_and_names_the_scope() {
    let mock = mock(1, 2).await;
    mock.set_behaviour(Behaviour {
        missing_scope: Some("read:compliance_user_data".into()),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let streams = [
        "organizations",
        "groups",
        "organization_users",
        "group_members",
        "projects",
    ];
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options(&streams, 100),
    )
    .await;
    for ok in ["organizations", "groups"] {
        assert_eq!(
            report.stream(ok).unwrap().outcome,
            Outcome::Succeeded,
            "{ok} goes on"
        );
    }
    for failed in ["organization_users", "group_members", "projects"] {
        let outcome = &report.stream(failed).unwrap().outcome;
        assert!(
            matches!(outcome, Outcome::Failed(m) if m.contains("HTTP 403 permission_error") && m.contains("Needed: ['read:compliance_user_data']")),
            "{failed}: {outcome:?}"
        );
    }
    assert_eq!(
        rows(&db, "organizations", "uuid"),
        truth(&mock.org().organizations, "uuid")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workspaces_list_leaves_out_the_default_and_the_archived_unless_asked() {
    let mock = mock(120, 1).await;
    let url = mock.base_url();
    let listed = |query: &[&str]| {
        let mut args = vec![
            "--json",
            "call",
            "claude-api-request",
            "--path",
            "/v1/organizations/workspaces",
            "--query",
            "limit=1000",
        ];
        for q in query {
            args.extend(["--query", q]);
        }
        let out = harness(&args, Some(&url), ADMIN_ONLY);
        let row: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        row["body"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<String>>()
    };
    let (plain, archived, everything) = tokio::task::block_in_place(|| {
        (
            listed(&[]),
            listed(&["include_archived=true"]),
            listed(&["include_archived=true", "include_default=true"]),
        )
    });
    let org = mock.org();
    assert_eq!(everything.len(), org.workspaces.len());
    assert!(!plain.contains(DEFAULT_WORKSPACE_ID) && !archived.contains(DEFAULT_WORKSPACE_ID));
    assert!(everything.contains(DEFAULT_WORKSPACE_ID));
    let archived_count = org
        .workspaces
        .iter()
        .filter(|w| !w["archived_at"].is_null())
        .count();
    assert_eq!(archived.len(), everything.len() - 1);
    assert_eq!(plain.len(), everything.len() - 1 - archived_count);
}

#[tokio::test(flavor = "multi_thread")]
async fn workspace_members_land_every_membership_the_default_workspaces_included() {
    let mock = mock(120, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let report = sync(
        &connection(&mock.base_url(), ADMIN_ONLY),
        &db,
        &options(&["workspace_members"], 7),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let names: Vec<&str> = report.streams.iter().map(|s| s.stream.as_str()).collect();
    assert_eq!(
        names,
        ["workspaces", "workspace_members"],
        "the parent first"
    );
    let org = mock.org();
    let expected: BTreeMap<(String, String), serde_json::Value> = org
        .workspace_members
        .iter()
        .flat_map(|(workspace, members)| {
            members.iter().map(move |m| {
                let user = m["user_id"].as_str().unwrap().to_owned();
                ((workspace.clone(), user), m.clone())
            })
        })
        .collect();
    let landed: BTreeMap<(String, String), serde_json::Value> = select(
        &db,
        "SELECT workspace_id, user_id, _raw FROM workspace_members",
    )
    .into_iter()
    .map(|row| {
        let raw: serde_json::Value = serde_json::from_str(&row[2]).unwrap();
        ((row[0].clone(), row[1].clone()), raw)
    })
    .collect();
    assert_eq!(landed, expected, "every membership, as the API gave it");
    assert_eq!(
        org.workspace_members.len(),
        org.workspaces.len(),
        "every workspace has its members listed"
    );
    let default_members = select(
        &db,
        &format!(
            "SELECT count(*) FROM workspace_members WHERE workspace_id = '{DEFAULT_WORKSPACE_ID}'"
        ),
    );
    assert_ne!(
        default_members,
        [["0"]],
        "the default workspace's members land too"
    );
    let roles = select(
        &db,
        "SELECT DISTINCT workspace_role FROM workspace_members ORDER BY 1",
    );
    assert_eq!(
        roles.concat(),
        [
            "workspace_admin",
            "workspace_billing",
            "workspace_developer",
            "workspace_restricted_developer",
            "workspace_user"
        ]
    );
}
