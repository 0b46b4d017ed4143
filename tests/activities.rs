//! The activity feed, incrementally: new and late events between runs land
//! exactly once, and each run asks only for its window.

use crate::common::warehouse::*;
use crate::common::*;
use host_harness::sync::SyncOptions;
use std::collections::BTreeSet;

fn incremental(page_size: u32) -> SyncOptions {
    let mut options = options(&["activities"], page_size);
    options.settings_json =
        format!(r#"{{"page_size":{page_size},"activities_overlap_minutes":10}}"#);
    options
}

/// The ids of every event of the mock's feed.
fn feed_truth(mock: &anthropic_mock::MockServer) -> BTreeSet<String> {
    mock.org()
        .activities
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

fn landed(db: &std::path::Path) -> (usize, BTreeSet<String>) {
    let ids = select(db, "SELECT id FROM activities");
    (ids.len(), ids.concat().into_iter().collect())
}

#[tokio::test(flavor = "multi_thread")]
async fn three_runs_with_new_and_late_events_land_every_event_exactly_once() {
    let mock = mock(20, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), COMPLIANCE_ONLY);
    let feed_requests = || {
        mock.requests()
            .iter()
            .filter(|r| r.path == "/v1/compliance/activities")
            .count()
    };

    let report = sync(&conn, &db, &incremental(30)).await;
    assert!(report.succeeded(), "{report:?}");
    let first = mock.org().activities.len();
    assert_eq!(
        report.stream("activities").unwrap().pages,
        first.div_ceil(30) as u64
    );
    let (state, cursor) = checkpoint(&db, "activities");
    assert!(
        cursor.is_none() && state.as_deref().is_some_and(|s| s.contains("watermark")),
        "{state:?}"
    );
    let watermark: chrono::DateTime<chrono::Utc> =
        serde_json::from_str::<serde_json::Value>(&state.unwrap()).unwrap()["watermark"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();

    // Events the second run's overlap reads again.
    let overlap_start = watermark - chrono::Duration::minutes(10);
    let reread = mock
        .org()
        .activities
        .iter()
        .filter(|a| {
            a["created_at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                >= overlap_start
        })
        .count() as u64;

    // New events, and one that was indexed late: older than the watermark, within the overlap.
    let now = chrono::Utc::now();
    mock.update_org(|org| {
        for minutes in [5, 4, 3] {
            let a = org.new_activity(now - chrono::Duration::minutes(minutes));
            org.activities.push(a);
        }
        let late = org.new_activity(watermark - chrono::Duration::minutes(2));
        org.activities.push(late);
    });
    let before = feed_requests();
    let report = sync(&conn, &db, &incremental(30)).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        feed_requests() - before,
        1,
        "the second run reads its small window, not the history"
    );
    let second = report.stream("activities").unwrap();
    assert_eq!(
        (second.rows, second.new_rows, second.changed_rows),
        (reread + 4, 4, 0),
        "rows are the distinct events written: the four new ones and the overlap re-read"
    );
    let request = mock
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path == "/v1/compliance/activities")
        .unwrap();
    assert!(request.query.contains("created_at.gte="), "{request:?}");

    mock.update_org(|org| {
        let a = org.new_activity(now - chrono::Duration::minutes(2));
        org.activities.push(a);
    });
    let report = sync(&conn, &db, &incremental(30)).await;
    assert!(report.succeeded(), "{report:?}");

    let truth = feed_truth(&mock);
    assert_eq!(
        landed(&db),
        (truth.len(), truth),
        "every event once, none missing"
    );
    let flattened = select(
        &db,
        "SELECT count(*) FROM activities WHERE actor_type = 'user_actor' AND actor_user_id IS NOT NULL",
    );
    assert_ne!(flattened[0][0], "0");
}

#[tokio::test(flavor = "multi_thread")]
async fn excluded_types_are_filtered_by_the_api() {
    let mock = mock(5, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let mut options = options(&["activities"], 5000);
    options.settings_json = r#"{"activities_exclude_types":"compliance_api_accessed"}"#.into();
    let report = sync(
        &connection(&mock.base_url(), COMPLIANCE_ONLY),
        &db,
        &options,
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        select(
            &db,
            "SELECT count(*) FROM activities WHERE type = 'compliance_api_accessed'"
        )[0][0],
        "0"
    );
    let kept = mock
        .org()
        .activities
        .iter()
        .filter(|a| a["type"] != "compliance_api_accessed")
        .count();
    assert_eq!(landed(&db).0, kept);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_is_read_with_an_admin_key_when_there_is_no_compliance_key() {
    use anthropic_mock::Behaviour;
    use anthropic_mock::auth::KeySeen;
    let mock = mock(20, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let feed_keys = |from: usize| -> BTreeSet<String> {
        mock.requests()[from..]
            .iter()
            .filter(|r| r.path == "/v1/compliance/activities")
            .map(|r| format!("{:?}", r.key))
            .collect()
    };

    let db = dir.path().join("admin.sqlite");
    let report = sync(
        &connection(&mock.base_url(), ADMIN_ONLY),
        &db,
        &incremental(30),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");
    let truth = feed_truth(&mock);
    assert_eq!(landed(&db), (truth.len(), truth.clone()), "the whole feed");
    assert_eq!(feed_keys(0), [format!("{:?}", KeySeen::Admin)].into());

    // With both keys the Compliance key reads it.
    let before = mock.requests().len();
    let both = dir.path().join("both.sqlite");
    let report = sync(&connection(&mock.base_url(), BOTH), &both, &incremental(30)).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(landed(&both).1, truth);
    assert_eq!(
        feed_keys(before),
        [format!("{:?}", KeySeen::Compliance)].into()
    );

    // An Admin key made before the Compliance API was enabled lacks the scope.
    mock.set_behaviour(Behaviour {
        admin_feed_scope: false,
        ..Behaviour::default()
    });
    let report = sync(
        &connection(&mock.base_url(), ADMIN_ONLY),
        &dir.path().join("unscoped.sqlite"),
        &incremental(30),
    )
    .await;
    let outcome = format!("{:?}", report.stream("activities").unwrap().outcome);
    assert!(
        outcome.contains("403") && outcome.contains("read:compliance_activities"),
        "{outcome}"
    );
    assert_no_secret("the outcome", &outcome);
}
