//! Work that overlaps: the next page read while the current one is written,
//! streams side by side with children after their parents, and the same
//! tables whatever the concurrency.

use crate::common::warehouse::{options, sync, tables};
use crate::common::{BOTH, connection, mock, runtime};
use anthropic_mock::{Behaviour, MockOrg, MockServer, OrgSize};
use async_trait::async_trait;
use host_harness::destinations::{
    Checkpoint, Destination, DestinationError, SqliteDestination, StreamRecord, TableSpec,
    WrittenRows,
};
use host_harness::sync::{Outcome, Silent, SyncEngine, SyncOptions};
use std::sync::Mutex;
use std::time::Duration;

/// SQLite that takes its time over every page, and notes how many requests
/// the mock had served when each write began and when it ended.
struct SlowWrites<'m> {
    inner: SqliteDestination,
    mock: &'m MockServer,
    seen: Mutex<Vec<(usize, usize)>>,
}

#[async_trait]
impl Destination for SlowWrites<'_> {
    async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        self.inner.prepare(table).await
    }

    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        let before = self.mock.requests().len();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let written = self.inner.commit_page(table, records, checkpoint).await;
        let after = self.mock.requests().len();
        self.seen.lock().unwrap().push((before, after));
        written
    }

    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        self.inner.checkpoint(stream).await
    }

    async fn mark_unseen_deleted(&mut self, table: &TableSpec) -> Result<u64, DestinationError> {
        self.inner.mark_unseen_deleted(table).await
    }

    async fn begin_run(&mut self, options_json: &str) -> Result<i64, DestinationError> {
        self.inner.begin_run(options_json).await
    }

    async fn finish_run(
        &mut self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<(), DestinationError> {
        self.inner.finish_run(streams, error).await
    }

    async fn flush(&mut self) -> Result<(), DestinationError> {
        self.inner.flush().await
    }

    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        self.inner.reset(stream).await
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[tokio::test]
async fn the_next_page_is_read_while_the_current_one_is_written() {
    let mock = mock(50, 1).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let mut destination = SlowWrites {
        inner: SqliteDestination::open(&dir.path().join("slow.sqlite")).unwrap(),
        mock: &mock,
        seen: Mutex::new(Vec::new()),
    };
    let report = SyncEngine {
        runtime: runtime(),
        connection: &connection,
        destination: &mut destination,
        progress: &mut Silent,
    }
    .run(&options(&["admin_users"], 10))
    .await
    .unwrap();
    assert_eq!(report.stream("admin_users").unwrap().rows, 50, "{report:?}");
    let seen = destination.seen.into_inner().unwrap();
    assert_eq!(seen.len(), 5, "one write per page: {seen:?}");
    // Every write but the last had the next page requested before it ended.
    for (page, (before, after)) in seen[..4].iter().enumerate() {
        assert!(
            after > before,
            "page {} was written without the next one being read: {seen:?}",
            page + 1
        );
    }
}

#[tokio::test]
async fn streams_run_side_by_side_and_children_wait_for_their_parents() {
    let mock = mock(40, 3).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        streams: None,
        concurrency: 4,
        ..options(&[], 5)
    };
    let report = sync(&connection, &dir.path().join("all.sqlite"), &options).await;
    assert!(report.succeeded(), "{report:?}");
    // Reports come in plan order (parents before their children), whatever
    // order the streams ended in.
    let order: Vec<&str> = report.streams.iter().map(|s| s.stream.as_str()).collect();
    let position = |name: &str| order.iter().position(|s| *s == name).unwrap();
    for (parent, child) in [
        ("groups", "group_members"),
        ("workspaces", "workspace_members"),
        ("organizations", "organization_users"),
        ("organization_users", "user_chats"),
        ("projects", "project_attachments"),
    ] {
        assert!(position(parent) < position(child), "{order:?}");
    }
    // Each child's first request comes after its parent's last one.
    let requests = mock.requests();
    let last = |pred: &dyn Fn(&str) -> bool| requests.iter().rposition(|r| pred(&r.path)).unwrap();
    let first = |pred: &dyn Fn(&str) -> bool| requests.iter().position(|r| pred(&r.path)).unwrap();
    let groups_listed = last(&|p| p == "/v1/compliance/groups");
    let members_read =
        first(&|p| p.starts_with("/v1/compliance/groups/") && p.ends_with("/members"));
    assert!(
        groups_listed < members_read,
        "members read before the groups were all listed"
    );
    let users_listed =
        last(&|p| p.starts_with("/v1/compliance/organizations/") && p.ends_with("/users"));
    let chats_read = first(&|p| p == "/v1/compliance/apps/chats");
    assert!(
        users_listed < chats_read,
        "chats read before the users were all listed"
    );
    assert!(
        report
            .streams
            .iter()
            .all(|s| s.outcome == Outcome::Succeeded)
    );
}

#[tokio::test]
async fn any_concurrency_lands_the_same_tables() {
    let mock = mock(60, 3).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let mut landed = Vec::new();
    for concurrency in [1, 8] {
        let db = dir.path().join(format!("c{concurrency}.sqlite"));
        let options = SyncOptions {
            streams: None,
            concurrency,
            ..options(&[], 7)
        };
        let report = sync(&connection, &db, &options).await;
        assert!(report.succeeded(), "{report:?}");
        landed.push((tables(&db), report.total_rows()));
    }
    assert!(landed[0].1 > 0);
    assert_eq!(landed[0].0.len(), 20, "every stream's table");
    assert_eq!(landed[0], landed[1]);
}

#[tokio::test]
async fn a_childs_parents_are_read_side_by_side_up_to_the_concurrency() {
    let mock = MockServer::start(MockOrg::generate(OrgSize {
        groups: Some(12),
        members_per_group: Some(3),
        seed: 42,
        ..OrgSize::default()
    }))
    .await
    .unwrap();
    mock.set_behaviour(Behaviour {
        latency: Duration::from_millis(40),
        ..Behaviour::default()
    });
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    for concurrency in [1, 3] {
        mock.reset_most_in_flight();
        let options = SyncOptions {
            concurrency,
            ..options(&["group_members"], 100)
        };
        let db = dir.path().join(format!("members{concurrency}.sqlite"));
        let report = sync(&connection, &db, &options).await;
        assert!(report.succeeded(), "{report:?}");
        assert_eq!(report.stream("group_members").unwrap().rows, 36);
        assert_eq!(
            mock.most_in_flight(),
            concurrency,
            "requests in flight at once with --concurrency {concurrency}"
        );
    }
}
