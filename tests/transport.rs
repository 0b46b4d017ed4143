//! Requests that go wrong on the way: a server that trickles or never answers
//! fails the request in seconds rather than holding the call; broken answers
//! are named for what broke and where; the API's word on retrying is obeyed.

use crate::common::warehouse::{options, sync};
use crate::common::*;
use anthropic_mock::{Behaviour, Fault, FaultKind, MockServer};
use host_harness::egress::HttpTimeouts;
use host_harness::sync::{Outcome, StreamReport};
use std::time::{Duration, Instant};

const USERS: &str = "/v1/organizations/users";

/// Sync `admin_users` with every request to it failing as `kind`.
async fn sync_users_failing(
    mock: &MockServer,
    kind: FaultKind,
    timeouts: HttpTimeouts,
) -> StreamReport {
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: USERS.into(),
            kind,
            after: 0,
            times: None,
        }),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut connection = connection(&mock.base_url(), ADMIN_ONLY);
    connection.http_timeouts = timeouts;
    let report = sync(
        &connection,
        &dir.path().join("w.sqlite"),
        &options(&["admin_users"], 10),
    )
    .await;
    report.stream("admin_users").unwrap().clone()
}

fn failure(report: &StreamReport) -> &str {
    match &report.outcome {
        Outcome::Failed(message) => message,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Short limits, so a slow server is caught in a test's time.
fn impatient() -> HttpTimeouts {
    HttpTimeouts {
        whole_request: Duration::from_millis(800),
        ..HttpTimeouts::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickling_server_fails_the_request_at_its_deadline() {
    let mock = mock(30, 1).await;
    let started = Instant::now();
    let users =
        sync_users_failing(&mock, FaultKind::Trickle { interval_ms: 100 }, impatient()).await;
    let message = failure(&users);
    assert!(
        message.starts_with(
            "page 1 of `admin_users`: transient: GET /v1/organizations/users: the response did not complete in time ("
        ) && message.ends_with(" bytes of the body received)"),
        "{message}"
    );
    // Tried, then retried as transient (the test policy allows 2 retries).
    assert_eq!(users.retries, 2, "{users:?}");
    assert_eq!(mock.requests().len(), 3);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_fails_the_request_at_its_deadline() {
    let mock = mock(30, 1).await;
    let started = Instant::now();
    let users = sync_users_failing(&mock, FaultKind::Stall, impatient()).await;
    assert_eq!(
        failure(&users),
        "page 1 of `admin_users`: transient: GET /v1/organizations/users: the response did not arrive in time"
    );
    assert_eq!(users.retries, 2);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_answers_are_named_for_what_broke() {
    let mock = mock(30, 1).await;
    let dropped = sync_users_failing(&mock, FaultKind::DropMidBody, HttpTimeouts::default()).await;
    let message = failure(&dropped);
    assert!(
        message.starts_with(
            "page 1 of `admin_users`: transient: GET /v1/organizations/users: the connection dropped mid-body, after "
        ),
        "{message}"
    );

    let headers =
        sync_users_failing(&mock, FaultKind::TooManyHeaders, HttpTimeouts::default()).await;
    assert_eq!(
        failure(&headers),
        "page 1 of `admin_users`: transient: GET /v1/organizations/users: the response headers \
         were too many or too large for the client"
    );

    let envelope =
        sync_users_failing(&mock, FaultKind::ErrorEnvelope, HttpTimeouts::default()).await;
    let message = failure(&envelope);
    assert!(
        message.starts_with(
            "page 1 of `admin_users`: upstream: the API answered 200 with an error instead of data: HTTP 200 \
             overloaded_error: Overloaded (request-id req_mock"
        ),
        "{message}"
    );
    assert_eq!(envelope.retries, 0);
    assert_eq!(envelope.rows, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_saying_not_to_retry_is_obeyed() {
    let mock = mock(30, 1).await;
    let spend = sync_users_failing(&mock, FaultKind::SpendLimit, HttpTimeouts::default()).await;
    let message = failure(&spend);
    assert!(
        message.starts_with(
            "page 1 of `admin_users`: upstream: the organization has reached its spend limit, so the API refuses requests \
             until the limit is raised in the Claude Console or the period resets; retrying will \
             not help (HTTP 429 rate_limit_error: "
        ),
        "{message}"
    );
    assert_eq!((spend.retries, mock.requests().len()), (0, 1));

    let refused = sync_users_failing(&mock, FaultKind::NotRetryable, HttpTimeouts::default()).await;
    let message = failure(&refused);
    assert!(
        message.starts_with("page 1 of `admin_users`: upstream: HTTP 500 api_error: This response would have exceeded")
            && message
                .ends_with("; the API said a retry would not succeed (x-should-retry: false)"),
        "{message}"
    );
    assert_eq!((refused.retries, mock.requests().len()), (0, 2));
}
