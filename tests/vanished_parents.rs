//! A parent deleted between its listing and the read of its children (a 404
//! on the child endpoint) is skipped with a warning naming it; the child
//! stream succeeds and every other parent's children land.

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::Behaviour;
use host_harness::sync::Outcome;
use serde_json::Value;
use std::collections::BTreeSet;

/// `(parent id, child field)` pairs of a listing, without the `deleted` parent.
fn expected(listing: &[(String, Vec<Value>)], field: &str, deleted: &str) -> BTreeSet<Vec<String>> {
    listing
        .iter()
        .filter(|(parent, _)| parent != deleted)
        .flat_map(|(parent, children)| {
            children
                .iter()
                .map(move |c| vec![parent.clone(), c[field].as_str().unwrap().to_owned()])
        })
        .collect()
}

fn landed(db: &std::path::Path, sql: &str) -> BTreeSet<Vec<String>> {
    select(db, sql).into_iter().collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn children_of_a_parent_deleted_since_it_was_listed_are_skipped_with_a_warning() {
    let mock = mock(1, 4).await;
    let (organization, group, project) = {
        let org = mock.org();
        let second = |listing: &[(String, Vec<Value>)]| listing[1].0.clone();
        (
            second(&org.organization_users),
            second(&org.group_members),
            second(&org.project_attachments),
        )
    };
    {
        let org = mock.org();
        for (listing, id) in [
            (&org.organization_users, &organization),
            (&org.group_members, &group),
            (&org.project_attachments, &project),
        ] {
            let children = listing.iter().find(|(p, _)| p == id).unwrap();
            assert!(!children.1.is_empty(), "{id} has children to lose");
        }
    }
    mock.set_behaviour(Behaviour {
        deleted_parents: vec![organization.clone(), group.clone(), project.clone()],
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let streams = [
        "organization_users",
        "organization_roles",
        "group_members",
        "project_attachments",
    ];
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options(&streams, 5),
    )
    .await;

    assert!(report.succeeded(), "{report:?}");
    let warning = |stream: &str| {
        let stream = report.stream(stream).unwrap();
        assert_eq!(stream.outcome, Outcome::Succeeded);
        stream.warnings.clone()
    };
    assert_eq!(
        warning("organization_users"),
        [format!(
            "organization {organization} was not found (deleted since it was listed): its users \
             were skipped"
        )]
    );
    assert_eq!(
        warning("organization_roles"),
        [format!(
            "organization {organization} was not found (deleted since it was listed): its roles \
             were skipped"
        )]
    );
    assert_eq!(
        warning("group_members"),
        [format!(
            "group {group} was not found (deleted since it was listed): its members were skipped"
        )]
    );
    assert_eq!(
        warning("project_attachments"),
        [format!(
            "project {project} was not found (deleted since it was listed): its attachments were \
             skipped"
        )]
    );

    for stream in streams {
        assert!(
            report.stream(stream).unwrap().snapshot_complete,
            "{stream}: a parent that is gone has no children left, so its read is complete"
        );
    }

    let org = mock.org();
    assert_eq!(
        landed(&db, "SELECT organization_uuid, id FROM organization_users"),
        expected(&org.organization_users, "id", &organization)
    );
    assert_eq!(
        landed(&db, "SELECT organization_uuid, id FROM organization_roles"),
        expected(&org.organization_roles, "id", &organization)
    );
    assert_eq!(
        landed(&db, "SELECT group_id, user_id FROM group_members"),
        expected(&org.group_members, "user_id", &group)
    );
    assert_eq!(
        landed(&db, "SELECT project_id, id FROM project_attachments"),
        expected(&org.project_attachments, "id", &project)
    );
}
