//! What the API no longer lists is marked deleted: after a whole full
//! refresh, exactly the rows of users, keys, memberships and group members
//! removed since the last run get `_deleted_at` (and stay in the table); a
//! row listed again is no longer deleted; a run that fails mid-stream marks
//! nothing.

use crate::common::postgres_server::PgSchema;
use crate::common::warehouse::{Db, options, select, sync};
use crate::common::{BOTH, connection, fail_after, mock};
use anthropic_mock::Behaviour;
use host_harness::sync::{Outcome, SyncReport};
use serde_json::Value;

const STREAMS: [&str; 6] = [
    "admin_users",
    "api_keys",
    "organizations",
    "organization_users",
    "groups",
    "group_members",
];

/// The keys of a table's rows marked deleted, each as `a|b` for a compound key.
fn deleted(db: &(impl Db + ?Sized), table: &str, key: &str) -> Vec<String> {
    let mut keys: Vec<String> = select(
        db,
        &format!("SELECT {key} FROM {table} WHERE _deleted_at IS NOT NULL"),
    )
    .into_iter()
    .map(|row| row.join("|"))
    .collect();
    keys.sort();
    keys
}

/// Rows each stream marked deleted, by stream name.
fn deleted_rows(report: &SyncReport) -> Vec<(&str, u64)> {
    let mut counts: Vec<(&str, u64)> = report
        .streams
        .iter()
        .map(|s| (s.stream.as_str(), s.deleted_rows))
        .collect();
    counts.sort();
    counts
}

fn id(record: &Value, field: &str) -> String {
    record[field].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_refresh_marks_exactly_what_was_removed_and_a_failed_run_marks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    removed_rows_are_marked_deleted(&dir.path().join("w.sqlite")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_postgres_too_a_full_refresh_marks_exactly_what_was_removed() {
    removed_rows_are_marked_deleted(&PgSchema::fresh("deletes")).await;
}

async fn removed_rows_are_marked_deleted(db: &(impl Db + ?Sized)) {
    let mock = mock(40, 2).await;
    let connection = connection(&mock.base_url(), BOTH);
    let options = options(&STREAMS, 10);
    let first = sync(&connection, db, &options).await;
    assert!(first.succeeded(), "{first:?}");
    assert!(
        deleted_rows(&first).iter().all(|(_, n)| *n == 0),
        "{first:?}"
    );

    // Between two runs: three users leave, a key goes, a user leaves one
    // organisation (but not the other), a member leaves a group.
    let (gone_users, gone_key, gone_membership, gone_member) = {
        let org = mock.org();
        let users: Vec<String> = org.admin_users[5..8].iter().map(|u| id(u, "id")).collect();
        let key = id(&org.api_keys[0], "id");
        let (uuid, members) = &org.organization_users[0];
        let membership = (uuid.clone(), id(&members[1], "id"));
        let (group, group_members) = org
            .group_members
            .iter()
            .find(|(_, members)| members.len() > 1)
            .unwrap();
        let member = (group.clone(), id(&group_members[0], "user_id"));
        (users, key, membership, member)
    };
    mock.update_org(|org| {
        org.admin_users
            .retain(|u| !gone_users.contains(&id(u, "id")));
        org.api_keys.retain(|k| id(k, "id") != gone_key);
        org.organization_users
            .retain(|uuid, user| (uuid.to_owned(), id(user, "id")) != gone_membership);
        org.group_members
            .retain(|group, member| (group.to_owned(), id(member, "user_id")) != gone_member);
    });
    let second = sync(&connection, db, &options).await;
    assert!(second.succeeded(), "{second:?}");
    assert!(
        STREAMS
            .iter()
            .all(|s| second.stream(s).unwrap().snapshot_complete)
    );
    assert_eq!(
        deleted_rows(&second),
        [
            ("admin_users", 3),
            ("api_keys", 1),
            ("group_members", 1),
            ("groups", 0),
            ("organization_users", 1),
            ("organizations", 0),
        ]
    );
    let mut users = gone_users.clone();
    users.sort();
    assert_eq!(deleted(db, "admin_users", "id"), users);
    assert_eq!(deleted(db, "api_keys", "id"), [gone_key]);
    assert_eq!(
        deleted(db, "organization_users", "organization_uuid, id"),
        [format!("{}|{}", gone_membership.0, gone_membership.1)]
    );
    assert_eq!(
        deleted(db, "group_members", "group_id, user_id"),
        [format!("{}|{}", gone_member.0, gone_member.1)]
    );
    let kept = select(db, "SELECT count(*) FROM admin_users")[0][0].clone();
    assert_eq!(kept, "40", "deleted rows are kept");

    // One more user leaves, but the run fails mid-stream: nothing is marked.
    let leaving = id(&mock.org().admin_users[20], "id");
    mock.update_org(|org| org.admin_users.retain(|u| id(u, "id") != leaving));
    fail_after(&mock, "/v1/organizations/users", 2);
    let failed = sync(&connection, db, &options).await;
    let report = failed.stream("admin_users").unwrap();
    assert!(matches!(report.outcome, Outcome::Failed(_)), "{report:?}");
    assert_eq!((report.deleted_rows, report.snapshot_complete), (0, false));
    assert_eq!(deleted(db, "admin_users", "id"), users, "unchanged");

    // The run after resumes mid-way: still not a whole read, still nothing marked.
    mock.set_behaviour(Behaviour::default());
    let resumed = sync(&connection, db, &options).await;
    assert!(resumed.succeeded(), "{resumed:?}");
    assert_eq!(resumed.stream("admin_users").unwrap().deleted_rows, 0);
    assert_eq!(deleted(db, "admin_users", "id"), users);

    // A user listed again is no longer deleted; the one who left is found gone.
    let returning = mock_user(&first_run_user(db, &gone_users[0]));
    mock.update_org(|org| org.admin_users.push(returning));
    let last = sync(&connection, db, &options).await;
    assert_eq!(last.stream("admin_users").unwrap().deleted_rows, 1);
    let mut expected = vec![gone_users[1].clone(), gone_users[2].clone(), leaving];
    expected.sort();
    assert_eq!(deleted(db, "admin_users", "id"), expected);
}

/// The record the warehouse holds for a user, as the API listed it.
fn first_run_user(db: &(impl Db + ?Sized), user: &str) -> String {
    select(
        db,
        &format!("SELECT _raw FROM admin_users WHERE id = '{user}'"),
    )[0][0]
        .clone()
}

fn mock_user(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap()
}
