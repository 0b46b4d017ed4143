//! `harness streams`: the list is gated by the keys the connection has.

use crate::common::*;

fn listed(keys: Keys<'_>) -> Vec<(String, String)> {
    let output = harness(&["streams", "--json"], Some("http://127.0.0.1:9"), keys);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["name"].as_str().unwrap().to_owned(),
                v["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const ADMIN_STREAMS: [&str; 11] = [
    "admin_users",
    "workspaces",
    "workspace_members",
    "api_keys",
    "invites",
    "rate_limits",
    "usage_analytics",
    "cost_analytics",
    "usage_report",
    "cost_report",
    "claude_code_usage_report",
];
const COMPLIANCE_STREAMS: [&str; 9] = [
    "activities",
    "organizations",
    "organization_users",
    "organization_roles",
    "groups",
    "group_members",
    "projects",
    "project_attachments",
    "user_chats",
];

#[test]
fn admin_key_alone_lists_the_eleven_admin_streams_and_the_activity_feed_read_with_it() {
    let streams = listed(ADMIN_ONLY);
    let names: Vec<&str> = streams.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "activities");
    assert_eq!(names[1..], ADMIN_STREAMS);
    assert!(
        streams.iter().all(|(_, key)| key == "admin"),
        "the feed too is read with the Admin key: {streams:?}"
    );
}

#[test]
fn compliance_key_alone_lists_exactly_the_nine_compliance_streams() {
    let names: Vec<String> = listed(COMPLIANCE_ONLY)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, COMPLIANCE_STREAMS);
}

#[test]
fn both_keys_list_all_twenty() {
    let streams = listed(BOTH);
    assert_eq!(streams.len(), 20);
    assert_eq!(streams.iter().filter(|(_, k)| k == "admin").count(), 11);
    assert_eq!(streams.iter().filter(|(_, k)| k == "compliance").count(), 9);
    assert!(
        streams.contains(&("activities".to_owned(), "compliance".to_owned())),
        "with both keys the feed is read with the Compliance key"
    );
}

#[test]
fn no_key_is_a_clear_error_that_says_how_to_set_one() {
    let output = harness(
        &["streams"],
        Some("http://127.0.0.1:9"),
        Keys {
            admin: None,
            compliance: None,
        },
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("no API key found"), "{err}");
    assert!(
        err.contains("ANTHROPIC_ADMIN_API_KEY") && err.contains("ANTHROPIC_COMPLIANCE_ACCESS_KEY"),
        "{err}"
    );
    assert!(err.contains("--mock"), "{err}");
}

#[test]
fn sync_without_keys_refuses_instead_of_syncing_mock_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let output = harness(
        &["sync", "--into", db.to_str().unwrap()],
        None,
        Keys {
            admin: None,
            compliance: None,
        },
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no API key found"));
    assert!(!db.exists(), "nothing may be written without keys");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_library_gates_the_same_way_and_a_wrong_prefix_is_refused_before_any_request() {
    let mock = mock(1, 1).await;
    let streams = runtime()
        .list_streams(&connection(&mock.base_url(), ADMIN_ONLY))
        .await
        .unwrap();
    assert!(streams.iter().all(|s| s.name != "user_chats"));
    let feed = streams.iter().find(|s| s.name == "activities").unwrap();
    assert_eq!(
        feed.required_key,
        host_harness::runtime::model::KeyKind::Admin
    );
    let swapped = Keys {
        admin: Some(COMPLIANCE_KEY),
        compliance: None,
    };
    let err = runtime()
        .list_streams(&connection(&mock.base_url(), swapped))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Admin API Key (`admin-api-key`) does not start with `sk-ant-admin01-`"),
        "{err}"
    );
    assert_no_secret("the error", &err);
    assert!(mock.requests().is_empty());
}
