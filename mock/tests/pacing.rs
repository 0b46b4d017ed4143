//! Latency and the request budget: the mock answers no sooner than its
//! latency, and past its requests per minute with the API's 429.

use crate::common::*;
use anthropic_mock::{Behaviour, OrgSize};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn latency_holds_every_answer_back() {
    let mock = mock(OrgSize::default()).await;
    let mut client = Client::connect(&mock).await;
    let prompt = client.get(ADMIN, "/v1/organizations/users").await;
    mock.set_behaviour(Behaviour {
        latency: Duration::from_millis(50),
        ..Behaviour::default()
    });
    for (key, path) in [
        (ADMIN, "/v1/organizations/users"),
        (COMPLIANCE, "/v1/compliance/organizations"),
        ("sk-ant-api01-revoked", "/v1/compliance/groups"),
    ] {
        let started = Instant::now();
        let answer = client.get(key, path).await;
        assert!(
            started.elapsed() >= Duration::from_millis(50),
            "{path} answered after {:?}",
            started.elapsed()
        );
        if path == "/v1/organizations/users" {
            assert_eq!(answer.body, prompt.body, "the same answer, later");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn past_the_requests_per_minute_the_answer_is_429_with_retry_after() {
    let mock = mock(OrgSize::default()).await;
    let mut client = Client::connect(&mock).await;
    let unlimited = client.get(ADMIN, "/v1/organizations/users").await;
    assert_eq!(
        unlimited.header("anthropic-ratelimit-requests-limit"),
        None,
        "no budget, no headers"
    );
    mock.set_behaviour(Behaviour {
        requests_per_minute: Some(3),
        ..Behaviour::default()
    });
    // A request failing authentication neither counts nor carries the headers.
    let refused = client
        .get("sk-ant-api01-revoked", "/v1/compliance/groups")
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(
        refused.header("anthropic-ratelimit-requests-remaining"),
        None
    );

    let mut remaining = Vec::new();
    for path in [
        "/v1/compliance/groups",
        "/v1/compliance/organizations",
        "/v1/compliance/apps/projects",
    ] {
        let answer = client.get(COMPLIANCE, path).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(
            answer.header("anthropic-ratelimit-requests-limit"),
            Some("3")
        );
        let reset = answer
            .header("anthropic-ratelimit-requests-reset")
            .expect("a reset time");
        let reset = chrono::DateTime::parse_from_rfc3339(reset).expect("RFC 3339");
        assert!(reset > chrono::Utc::now(), "{reset}");
        remaining.push(
            answer
                .header("anthropic-ratelimit-requests-remaining")
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);

    let limited = client.get(COMPLIANCE, "/v1/compliance/groups").await;
    assert_eq!(limited.status, 429);
    let retry_after: u64 = limited
        .header("retry-after")
        .expect("retry-after")
        .parse()
        .expect("whole seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        limited.header("anthropic-ratelimit-requests-remaining"),
        Some("0")
    );
    assert_eq!(
        limited.body,
        serde_json::json!({"error": {
            "type": "rate_limit_error",
            "message": "Compliance API rate limit of 3 requests per minute per parent organization has been \
                        exceeded. Retry after the time indicated by the retry-after header. Quote the \
                        request-id response header when contacting Anthropic support.",
        }})
    );
    // Every key shares the budget; the Admin API answers in its own shape.
    let admin = client.get(ADMIN, "/v1/organizations/users").await;
    assert_eq!(admin.status, 429);
    assert_eq!(admin.body["type"], "error");
    assert_eq!(admin.body["error"]["type"], "rate_limit_error");
    assert!(admin.body["request_id"].is_string());
    assert!(admin.header("retry-after").is_some());

    // A new behaviour starts a new window.
    mock.set_behaviour(Behaviour {
        requests_per_minute: Some(600),
        ..Behaviour::default()
    });
    let fresh = client.get(ADMIN, "/v1/organizations/users").await;
    assert_eq!(fresh.status, 200);
    assert_eq!(
        fresh.header("anthropic-ratelimit-requests-remaining"),
        Some("599")
    );
}
