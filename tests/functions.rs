//! The request functions: hostile paths never leave the intended prefix, keys
//! are chosen as promised, slugs and grants resolve before any request, and
//! pagination is followed within its bound.

use crate::common::*;
use anthropic_mock::MockServer;
use anthropic_mock::auth::KeySeen;
use host_harness::runtime::ConnectionConfig;
use host_harness::runtime::model::{ApiRequest, ApiResponse, HttpMethod, RequestFunction};

const HOSTILE: &[&str] = &[
    "",
    "v1/compliance/activities",
    "/v1/compliance/../organizations/users",
    "/v1/compliance/./activities",
    "/v1/compliance/%2e%2e/organizations/users",
    "/v1/compliance/%2E%2E/organizations/users",
    "/v1/compliance/.%2e/organizations/users",
    "/v1/compliance/%252e%252e/organizations/users",
    "/v1/compliance%2f..%2forganizations/users",
    "/v1/compliance/activities%2f..%2f..",
    "/v1/compliance/activities%5c..%5c..",
    "/v1/compliance\\..\\organizations",
    "/v1/compliance/activities\\",
    "//evil.example/v1/compliance/activities",
    "///v1/compliance/activities",
    "/v1//compliance/activities",
    "/v1/compliance//activities",
    "https://evil.example/v1/compliance/activities",
    "http://127.0.0.1:1/v1/compliance/activities",
    "HTTPS://api.anthropic.com/v1/compliance/activities",
    "/v1/compliance/activities?x=1",
    "/v1/compliance/activities#frag",
    "/v1/compliance/activities\r\nX-Injected: 1",
    "/v1/compliance/activities\n",
    "/v1/compliance/activities\0",
    "/v1/compliance/activities\t",
    "/v1/compliance/ activities",
    "/v1/compliance/\u{2215}..\u{2215}organizations",
    "/v1/compliance/\u{FF0E}\u{FF0E}/organizations",
    "/v1/compliance/\u{2024}\u{2024}/x",
    "/v1/compliance/activit\u{0131}es",
    "/v1/compliance/%",
    "/v1/compliance/%zz",
    "/v1/compliance/%00",
    "/v1/compliance/%0d%0aX:1",
    "/v1/compliance/%40evil",
    "/@evil.example/v1/compliance/activities",
    "/v1/compliance/activities@evil.example",
    "/v1/compliance:443/activities",
    "/V1/COMPLIANCE/activities",
    "/v1/compliance",
    "/v1/compliance/",
    "/v1/organizations/users",
    "/v1/compliancex/activities",
    "/v1/compliance/..",
    "/v1/compliance/activities/..",
    "/v1/compliance/%2e",
    "/%2e%2e/v1/compliance/activities",
    "/v1/compliance/organizations/%2e%2e%2f%2e%2e%2forganizations%2fusers",
    "/v1/compliance/activities;/../x",
    "/v1/compliance/%61ctivities",
    "/v1/compliance/activities",
];

fn get(path: &str) -> ApiRequest {
    ApiRequest {
        method: HttpMethod::Get,
        path: path.into(),
        query: vec![],
        body: None,
        paginate: false,
        max_pages: 1,
    }
}

async fn call(
    conn: &ConnectionConfig,
    f: RequestFunction,
    request: &ApiRequest,
) -> Result<Vec<ApiResponse>, String> {
    runtime()
        .call_function(conn, f, request)
        .await
        .map_err(|e| e.to_string())
}

async fn hostile_paths_stay_within(
    mock: &MockServer,
    function: RequestFunction,
    prefix: &str,
) -> (usize, usize) {
    let conn = connection(&mock.base_url(), BOTH);
    let (mut refused, mut reached) = (0, 0);
    for path in HOSTILE {
        let before = mock.requests().len();
        match call(&conn, function, &get(path)).await {
            Err(e) => {
                assert!(e.contains("refused") || e.contains("path"), "{path:?}: {e}");
                assert_eq!(
                    mock.requests().len(),
                    before,
                    "{path:?} was refused but a request was made"
                );
                refused += 1;
            }
            Ok(rows) => {
                let new = mock.requests()[before..].to_vec();
                assert_eq!(new.len(), rows.len(), "{path:?}");
                for request in new {
                    assert!(
                        request.path.starts_with(prefix),
                        "{path:?} reached {}",
                        request.path
                    );
                    for bad in ["..", "//", "%", "\\", "@", ":", ";"] {
                        assert!(
                            !request.path.contains(bad),
                            "{path:?} reached {}",
                            request.path
                        );
                    }
                    let expected = path.replace("%61", "a");
                    assert_eq!(request.path, expected, "{path:?} reached a different path");
                }
                reached += 1;
            }
        }
    }
    let log = runtime().egress_log().lock().unwrap().clone();
    let elsewhere: Vec<_> = log
        .iter()
        .filter(|r| !r.url.starts_with("http://127.0.0.1:"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests left loopback: {elsewhere:?}"
    );
    let ours: Vec<_> = log
        .iter()
        .filter(|r| r.url.starts_with(&mock.base_url()))
        .collect();
    assert!(ours.iter().all(|r| r.allowed), "{ours:?}");
    (refused, reached)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_paths_of_the_compliance_function_are_refused_or_stay_under_v1_compliance() {
    assert!(HOSTILE.len() >= 50);
    let mock = mock(5, 1).await;
    let (refused, reached) = hostile_paths_stay_within(
        &mock,
        RequestFunction::ClaudeComplianceApiRequest,
        "/v1/compliance/",
    )
    .await;
    assert_eq!(
        reached, 2,
        "only the two legitimate spellings of /v1/compliance/activities pass"
    );
    assert_eq!(refused, HOSTILE.len() - 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_paths_of_the_generic_function_are_refused_or_reach_exactly_their_path() {
    let mock = mock(5, 1).await;
    let (refused, reached) =
        hostile_paths_stay_within(&mock, RequestFunction::ClaudeApiRequest, "/").await;
    assert!(refused >= 40, "{refused} refused");
    assert_eq!(reached, 7, "{reached}");
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_are_chosen_as_promised_for_every_combination() {
    let mock = mock(5, 1).await;
    let cases = [
        (
            ADMIN_ONLY,
            RequestFunction::ClaudeApiRequest,
            Some(KeySeen::Admin),
        ),
        (
            COMPLIANCE_ONLY,
            RequestFunction::ClaudeApiRequest,
            Some(KeySeen::Compliance),
        ),
        (
            BOTH,
            RequestFunction::ClaudeApiRequest,
            Some(KeySeen::Compliance),
        ),
        (
            ADMIN_ONLY,
            RequestFunction::ClaudeComplianceApiRequest,
            None,
        ),
        (
            COMPLIANCE_ONLY,
            RequestFunction::ClaudeComplianceApiRequest,
            Some(KeySeen::Compliance),
        ),
        (
            BOTH,
            RequestFunction::ClaudeComplianceApiRequest,
            Some(KeySeen::Compliance),
        ),
    ];
    for (keys, function, expected) in cases {
        let before = mock.requests().len();
        let result = call(
            &connection(&mock.base_url(), keys),
            function,
            &get("/v1/compliance/organizations"),
        )
        .await;
        match expected {
            Some(kind) => {
                assert!(result.is_ok(), "{keys:?} {function:?}: {result:?}");
                assert_eq!(
                    mock.requests().last().unwrap().key,
                    kind,
                    "{keys:?} {function:?}"
                );
            }
            None => {
                let err = result.unwrap_err();
                assert!(
                    err.contains("no Compliance Access Key on this connection"),
                    "{err}"
                );
                assert_eq!(mock.requests().len(), before);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_are_rows_writes_are_refused_unless_allowed_and_pagination_is_bounded() {
    let mock = mock(35, 1).await;
    let mut conn = connection(&mock.base_url(), ADMIN_ONLY);
    let rows = call(
        &conn,
        RequestFunction::ClaudeApiRequest,
        &get("/v1/organizations/nothing-here"),
    )
    .await
    .unwrap();
    assert_eq!((rows.len(), rows[0].status), (1, 404));
    assert!(rows[0].headers.iter().any(|(k, _)| k == "request-id"));

    let mut delete = get("/v1/organizations/users/user_1");
    delete.method = HttpMethod::Delete;
    let before = mock.requests().len();
    let err = call(&conn, RequestFunction::ClaudeApiRequest, &delete)
        .await
        .unwrap_err();
    assert!(err.contains("does not allow write methods"), "{err}");
    assert_eq!(mock.requests().len(), before);
    conn.allow_writes = true;
    call(&conn, RequestFunction::ClaudeApiRequest, &delete)
        .await
        .unwrap();
    assert_eq!(mock.requests().last().unwrap().method, "DELETE");
    conn.allow_writes = false;

    let mut list = get("/v1/organizations/users");
    list.query = vec![("limit".into(), "10".into())];
    list.paginate = true;
    list.max_pages = 50;
    let rows = call(&conn, RequestFunction::ClaudeApiRequest, &list)
        .await
        .unwrap();
    assert_eq!(rows.len(), 4, "every page of 35 users at 10 a page");
    let ids: usize = rows
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(r.body.json().unwrap()).unwrap()["data"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(ids, 35);
    list.max_pages = 2;
    assert_eq!(
        call(&conn, RequestFunction::ClaudeApiRequest, &list)
            .await
            .unwrap()
            .len(),
        2,
        "bounded"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slugs_give_the_same_result_unknown_slugs_and_ungranted_roles_are_refused() {
    let mock = mock(5, 2).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prod.env"),
        format!("ANTHROPIC_COMPLIANCE_ACCESS_KEY={COMPLIANCE_KEY}\n"),
    )
    .unwrap();
    let file = dir.path().join("connections.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "connections": {"prod": {"base_url": mock.base_url(), "secrets_file": "prod.env"}},
            "roles": {"auditor": ["claude_compliance_api_request"], "platform": ["claude_api_request", "claude_compliance_api_request"]}
        })
        .to_string(),
    )
    .unwrap();
    let file = file.to_str().unwrap().to_owned();
    let url = mock.base_url();
    let path = "/v1/compliance/organizations";
    let body = |out: &std::process::Output| -> Vec<serde_json::Value> {
        stdout(out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["body"].clone())
            .collect()
    };
    let (by_slug, by_env, unknown, refused, granted) = tokio::task::block_in_place(|| {
        let none = Keys {
            admin: None,
            compliance: None,
        };
        (
            harness(
                &[
                    "--json",
                    "call",
                    "claude-compliance-api-request",
                    "--path",
                    path,
                    "--connection",
                    "prod",
                    "--connections",
                    &file,
                    "--role",
                    "auditor",
                ],
                None,
                none,
            ),
            harness(
                &[
                    "--json",
                    "call",
                    "claude-compliance-api-request",
                    "--path",
                    path,
                ],
                Some(&url),
                COMPLIANCE_ONLY,
            ),
            harness(
                &[
                    "call",
                    "claude-api-request",
                    "--path",
                    path,
                    "--connection",
                    "staging",
                    "--connections",
                    &file,
                ],
                None,
                none,
            ),
            harness(
                &[
                    "call",
                    "claude-api-request",
                    "--path",
                    "/v1/organizations/users",
                    "--connection",
                    "prod",
                    "--connections",
                    &file,
                    "--role",
                    "auditor",
                ],
                None,
                none,
            ),
            harness(
                &[
                    "--json",
                    "call",
                    "claude-api-request",
                    "--path",
                    path,
                    "--connection",
                    "prod",
                    "--connections",
                    &file,
                    "--role",
                    "platform",
                ],
                None,
                none,
            ),
        )
    });
    assert!(by_slug.status.success(), "{}", stderr(&by_slug));
    assert_eq!(
        body(&by_slug),
        body(&by_env),
        "slug and connection give the same rows"
    );
    assert!(
        stderr(&unknown).contains("unknown connection `staging`; the connections are: prod"),
        "{}",
        stderr(&unknown)
    );
    assert!(
        stderr(&refused)
            .contains("role `auditor` may not call claude_api_request: it is not granted"),
        "{}",
        stderr(&refused)
    );
    assert!(granted.status.success(), "{}", stderr(&granted));
    let admin_requests = mock
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/organizations/"))
        .count();
    assert_eq!(admin_requests, 0, "the refused role made no request");
    for output in [&by_slug, &by_env, &unknown, &refused, &granted] {
        assert_no_secret("call output", &stdout(output));
        assert_no_secret("call errors", &stderr(output));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_method_outside_the_contract_is_refused_with_the_valid_ones_before_any_request() {
    let mock = mock(5, 1).await;
    let url = mock.base_url();
    let out = tokio::task::block_in_place(|| {
        harness(
            &[
                "call",
                "claude-api-request",
                "--method",
                "TRACE",
                "--path",
                "/v1/organizations/users",
            ],
            Some(&url),
            BOTH,
        )
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "method `TRACE` is not supported; use one of: GET, HEAD, POST, PUT, PATCH, DELETE"
        ),
        "{}",
        stderr(&out)
    );
    assert!(mock.requests().is_empty(), "nothing may reach the API");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_both_keys_claude_api_request_reaches_both_apis() {
    let mock = mock(7, 2).await;
    let url = mock.base_url();
    let call = |path: &str| {
        let out = harness(
            &["--json", "call", "claude-api-request", "--path", path],
            Some(&url),
            BOTH,
        );
        let row: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        (
            row["status"].as_u64().unwrap(),
            row["body"]["data"].as_array().map(Vec::len),
        )
    };
    let (admin, compliance) = tokio::task::block_in_place(|| {
        (
            call("/v1/organizations/users"),
            call("/v1/compliance/organizations"),
        )
    });
    assert_eq!(admin, (200, Some(7)), "the Admin API with the Admin key");
    assert_eq!(
        compliance,
        (200, Some(2)),
        "the Compliance API with its key"
    );
    let keys: Vec<(String, KeySeen)> = mock
        .requests()
        .into_iter()
        .map(|r| (r.path, r.key))
        .collect();
    assert_eq!(
        keys,
        [
            ("/v1/organizations/users".to_owned(), KeySeen::Admin),
            (
                "/v1/compliance/organizations".to_owned(),
                KeySeen::Compliance
            )
        ]
    );
}
