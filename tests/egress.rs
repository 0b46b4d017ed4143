//! The egress policy is a wall the component cannot pass: a request to a host
//! the connection does not allow is refused and reported, and never arrives.

use crate::common::*;
use host_harness::egress::{EgressPolicy, Origin};
use host_harness::runtime::model::{ReadRequest, SyncStrategy};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread")]
async fn a_host_outside_the_allow_list_is_refused_and_never_reached() {
    let mock = mock(10, 1).await;
    let mut conn = connection(&mock.base_url(), ADMIN_ONLY);
    // The connection allows another origin only: the mock is now "elsewhere".
    conn.egress = Arc::new(EgressPolicy::allow([Origin::parse(
        "https://api.anthropic.com",
    )
    .unwrap()]));
    let request = ReadRequest {
        stream_name: "admin_users",
        strategy: SyncStrategy::FullRefresh,
        settings_json: "{}",
        state_json: None,
        page_cursor: None,
        parents: &[],
    };
    let sent = host_harness::egress::RequestCount::default();
    let err = runtime()
        .read_page(&conn, &request, &sent)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("invalid-config: the host refused the request"),
        "{err}"
    );
    assert!(err.contains("HttpRequestDenied"), "{err}");
    assert_eq!(sent.take(), 0, "a denied request is not sent");
    assert!(mock.requests().is_empty(), "the mock must see nothing");
    // Refused before any connection: none opened, none counted.
    assert_eq!(mock.connections_accepted(), 0);
    let stats = conn.http_stats();
    assert_eq!(
        (stats.requests, stats.connections_opened),
        (0, 0),
        "{stats:?}"
    );
    let denied = format!("{}/v1/organizations/users?limit=1000", mock.base_url());
    let log = runtime().egress_log().lock().unwrap().clone();
    assert!(log.iter().any(|r| !r.allowed && r.url == denied), "{log:?}");

    let checks = runtime().check_connection(&conn).await.unwrap();
    assert!(
        checks[0]
            .message
            .starts_with("Connection failed: the host refused the request"),
        "{checks:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_base_url_origin_is_allowed_and_logged() {
    let mock = mock(3, 1).await;
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    assert!(runtime().check_connection(&conn).await.unwrap()[0].ok);
    let allowed = format!("{}/v1/organizations/users?limit=1", mock.base_url());
    let log = runtime().egress_log().lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|r| r.allowed && r.url == allowed && r.method == "GET"),
        "{log:?}"
    );
}
