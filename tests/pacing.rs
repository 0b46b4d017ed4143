//! The connection's request budget: a connection over its own rate waits for
//! the window; the API saying no requests remain holds requests until its
//! reset; a 429's `retry-after` holds the next call's requests too. Every wait
//! is counted. Only lower bounds on time are asserted.

use crate::common::warehouse::{options, sync};
use crate::common::*;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use clap::Parser;
use host_harness::cli::{Cli, Command};
use host_harness::egress::RequestRate;
use host_harness::runtime::ConnectionConfig;
use host_harness::runtime::model::{ApiRequest, HttpMethod, RequestFunction};
use host_harness::sync::Outcome;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_over_its_rate_waits_for_the_window() {
    let mock = mock(30, 1).await;
    let mut connection = connection(&mock.base_url(), ADMIN_ONLY);
    let per = Duration::from_millis(1500);
    connection.request_rate = RequestRate::Limit {
        requests: NonZeroU32::new(2).unwrap(),
        per,
    };
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let report = sync(
        &connection,
        &dir.path().join("w.sqlite"),
        &options(&["admin_users"], 10),
    )
    .await;
    assert_eq!(
        report.stream("admin_users").unwrap().outcome,
        Outcome::Succeeded
    );
    // Three pages: the third request waited for the first to leave the window.
    let stats = connection.http_stats();
    assert!(stats.requests >= 3, "{stats:?}");
    assert!(started.elapsed() >= per, "{:?}", started.elapsed());
    assert!(stats.paced > Duration::ZERO, "{stats:?}");
}

/// A loopback API answering every request with `answer(n)`, n counting from 0.
struct ScriptedApi {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

type Answer = Arc<dyn Fn(usize) -> Response<Full<Bytes>> + Send + Sync>;

impl ScriptedApi {
    async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let served = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answer, served) = (answer.clone(), served.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |_request| {
                        let n = served.fetch_add(1, Ordering::SeqCst);
                        let response = answer(n);
                        async move { Ok::<_, std::convert::Infallible>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, task }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for ScriptedApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const EMPTY_PAGE: &str = r#"{"data":[],"has_more":false,"first_id":null,"last_id":null}"#;

fn answer(status: StatusCode, headers: &[(&str, String)]) -> Response<Full<Bytes>> {
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("request-id", "req_scripted");
    for (name, value) in headers {
        response = response.header(*name, value);
    }
    let body = if status.is_success() {
        EMPTY_PAGE.to_owned()
    } else {
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit exceeded."}}"#
            .to_owned()
    };
    response.body(Full::new(Bytes::from(body))).unwrap()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// One request through the Compliance request function (no retries of its own).
async fn one_request(connection: &ConnectionConfig) {
    let request = ApiRequest {
        method: HttpMethod::Get,
        path: "/v1/compliance/organizations".into(),
        query: vec![],
        body: None,
        paginate: false,
        max_pages: 1,
    };
    // The answer does not matter here (a 429 is an error): when it came does.
    let _ = runtime()
        .call_function(
            connection,
            RequestFunction::ClaudeComplianceApiRequest,
            &request,
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_requests_left_holds_the_next_request_until_the_reset() {
    let reset = Utc::now() + chrono::Duration::milliseconds(1500);
    let api = ScriptedApi::start(Arc::new(move |_| {
        answer(
            StatusCode::OK,
            &[
                ("anthropic-ratelimit-requests-limit", "600".into()),
                ("anthropic-ratelimit-requests-remaining", "0".into()),
                ("anthropic-ratelimit-requests-reset", rfc3339(reset)),
            ],
        )
    }))
    .await;
    let connection = connection(&api.base_url(), COMPLIANCE_ONLY);
    one_request(&connection).await;
    assert_eq!(connection.http_stats().paced, Duration::ZERO);
    let second = Instant::now();
    one_request(&connection).await;
    // Sent no earlier than the reset (a few milliseconds for the two clocks).
    assert!(
        Utc::now() >= reset - chrono::Duration::milliseconds(20),
        "the request went before the reset"
    );
    let stats = connection.http_stats();
    assert_eq!(stats.requests, 2);
    let held = (reset - Utc::now()).to_std().unwrap_or_default();
    assert!(stats.paced >= held, "{stats:?}");
    assert!(
        second.elapsed() >= Duration::from_millis(500),
        "{:?}",
        second.elapsed()
    );
    // The reset has passed: the next request goes at once.
    let third = Instant::now();
    one_request(&connection).await;
    assert!(connection.http_stats().paced < stats.paced + Duration::from_millis(200));
    assert!(third.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_holds_every_call_of_the_connection() {
    let api = ScriptedApi::start(Arc::new(|n| match n {
        0 => answer(
            StatusCode::TOO_MANY_REQUESTS,
            &[("retry-after", "1".into())],
        ),
        _ => answer(StatusCode::OK, &[]),
    }))
    .await;
    let connection = connection(&api.base_url(), COMPLIANCE_ONLY);
    let started = Instant::now();
    one_request(&connection).await;
    // Another call, straight after: it waits out the 429 too.
    one_request(&connection).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let stats = connection.http_stats();
    assert_eq!(stats.requests, 2);
    assert!(stats.paced > Duration::ZERO, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_global_flag_sets_the_connection_rate() {
    for args in [
        &["harness", "--requests-per-minute", "120", "sync", "--mock"][..],
        &["harness", "sync", "--mock", "--requests-per-minute", "120"][..],
    ] {
        let cli = Cli::try_parse_from(args).unwrap();
        assert_eq!(cli.requests_per_minute, Some(120), "{args:?}");
        let Command::Sync(sync) = &cli.command else {
            panic!("{args:?} is a sync");
        };
        let resolved = sync.connection.resolve().await.unwrap();
        assert_eq!(
            resolved.config.request_rate,
            RequestRate::per_minute(120),
            "{args:?}"
        );
    }
    let cli = Cli::try_parse_from(["harness", "sync", "--mock"]).unwrap();
    let Command::Sync(sync) = &cli.command else {
        panic!("a sync");
    };
    let resolved = sync.connection.resolve().await.unwrap();
    assert_eq!(resolved.config.request_rate, RequestRate::ApiDefault);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_global_flag_paces_a_named_connection_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prod.env"),
        format!("ANTHROPIC_ADMIN_API_KEY={ADMIN_KEY}\n"),
    )
    .unwrap();
    let file = dir.path().join("connections.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "connections": {"prod": {"base_url": "http://127.0.0.1:9", "secrets_file": "prod.env"}}
        })
        .to_string(),
    )
    .unwrap();
    let named = |flags: &[&str]| {
        let mut args = vec!["harness"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["call", "claude-api-request", "--path", "/v1/x"]);
        args.extend_from_slice(&["--connection", "prod", "--connections"]);
        args.push(file.to_str().unwrap());
        let Command::Call(call) = Cli::try_parse_from(args).unwrap().command else {
            panic!("a call");
        };
        call
    };
    let (paced, _) = named(&["--requests-per-minute", "120"])
        .connection_config()
        .await
        .unwrap();
    assert_eq!(paced.request_rate, RequestRate::per_minute(120));
    let (default, _) = named(&[]).connection_config().await.unwrap();
    assert_eq!(default.request_rate, RequestRate::ApiDefault);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wait_before_a_retry_says_how_long_and_why() {
    let mock = mock(5, 1).await;
    mock.set_behaviour(anthropic_mock::Behaviour {
        fault: Some(anthropic_mock::Fault {
            path: "/v1/organizations/users".into(),
            kind: anthropic_mock::FaultKind::RateLimited {
                retry_after_seconds: 1,
            },
            after: 0,
            times: Some(1),
        }),
        ..anthropic_mock::Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let url = mock.base_url();
    let out = tokio::task::block_in_place(|| {
        harness(
            &[
                "sync",
                "--streams",
                "admin_users",
                "--into",
                db.to_str().unwrap(),
            ],
            Some(&url),
            ADMIN_ONLY,
        )
    });
    assert!(out.status.success(), "{}", stderr(&out));
    let waited = stderr(&out)
        .lines()
        .find(|l| l.starts_with("admin_users: waiting "))
        .map(str::to_owned);
    let waited = waited.unwrap_or_else(|| panic!("{}", stderr(&out)));
    assert!(
        waited
            .starts_with("admin_users: waiting 1.0 s before retry 1: rate limited (retry-after): "),
        "{waited}"
    );
}
