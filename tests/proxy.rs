//! Behind a company network: the plugin's requests go through an HTTP
//! `CONNECT` proxy (with credentials that never show), `NO_PROXY` hosts and
//! this machine are reached directly, the egress allow-list is checked before
//! the proxy is asked anything, a company CA is refused until `--ca-cert`
//! passes it, and a certificate problem says what failed, for which host, and
//! what to do, in `check` and in `sync`.

use crate::common::connect_proxy::ConnectProxy;
use crate::common::tls::{TestCa, Validity};
use crate::common::warehouse::{options, rows, sync, tables, truth};
use crate::common::*;
use anthropic_mock::{MockOrg, MockServer, OrgSize};
use host_harness::egress::{
    ClientSettings, EgressPolicy, ExtraRoots, Origin, ProxyChoice, ProxySettings, RequestCount,
};
use host_harness::runtime::ConnectionConfig;
use host_harness::runtime::model::{ReadRequest, SyncStrategy};
use host_harness::sync::{Outcome, SyncOptions};
use std::process::Command;
use std::sync::Arc;

/// The API's host name in these tests: it resolves nowhere (`.test`), so a
/// request that reaches the mock under this name came through the proxy.
const API_HOST: &str = "api.example.test";
/// The proxy's user and password, and the header they make (written out).
const PROXY_CREDENTIALS: &str = "sync:pr0xy-Pa55word-7Qz";
const PROXY_PASSWORD: &str = "pr0xy-Pa55word-7Qz";
const PROXY_AUTHORIZATION: &str = "Basic c3luYzpwcjB4eS1QYTU1d29yZC03UXo=";

async fn https_mock(ca: &TestCa, names: &[&str], validity: Validity) -> MockServer {
    let org = MockOrg::generate(OrgSize {
        admin_users: 60,
        organizations: 3,
        seed: 42,
        ..OrgSize::default()
    });
    MockServer::start_https(org, ca.identity(names, validity))
        .await
        .expect("the HTTPS mock starts")
}

/// `https://api.example.test:PORT`, the mock under the API's name.
fn api_url(mock: &MockServer) -> String {
    format!("https://{API_HOST}:{}", mock.addr().port())
}

/// `connection` with this proxy for HTTPS (as HTTPS_PROXY sets it) and these
/// extra authorities.
fn reaching(
    connection: ConnectionConfig,
    proxy_url: &str,
    no_proxy: Option<&str>,
    extra_roots: &ExtraRoots,
) -> ConnectionConfig {
    let choice = ProxyChoice {
        https: Some((proxy_url.to_owned(), "HTTPS_PROXY".to_owned())),
        http: None,
        no_proxy: no_proxy.map(str::to_owned),
    };
    connection.reaching_through(ClientSettings {
        proxy: ProxySettings::new(&choice).unwrap(),
        extra_roots: extra_roots.clone(),
        ..ClientSettings::default()
    })
}

fn every_stream() -> SyncOptions {
    SyncOptions {
        streams: None,
        ..options(&[], 7)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn through_an_inspecting_proxy_the_company_ca_is_refused_until_passed_then_every_stream_syncs_exactly()
 {
    let ca = TestCa::new();
    let mock = https_mock(&ca, &[API_HOST, "127.0.0.1"], Validity::Current).await;
    let proxy = ConnectProxy::start(Some(PROXY_AUTHORIZATION)).await;
    let proxy_url = proxy.url(Some(PROXY_CREDENTIALS));
    let port = mock.addr().port();
    let api = api_url(&mock);

    // The public roots only: both keys fail, saying what and what to do.
    let untrusted = reaching(
        connection(&api, BOTH),
        &proxy_url,
        None,
        &ExtraRoots::default(),
    );
    let checks = runtime().check_connection(&untrusted).await.unwrap();
    let problem = format!(
        "the TLS certificate of {API_HOST}:{port} is issued by an unknown authority (unknown \
         issuer); behind a company proxy that inspects TLS, or for a server with a company \
         certificate, pass your company CA (PEM) with --ca-cert FILE"
    );
    let messages: Vec<&str> = checks.iter().map(|c| c.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!(
                "Connection failed: the API's TLS certificate was not accepted for the Compliance \
                 Access Key (`compliance-access-key`): GET /v1/compliance/activities: {problem}"
            ),
            format!(
                "Connection failed: the API's TLS certificate was not accepted for the Admin API \
                 Key (`admin-api-key`): GET /v1/organizations/users: {problem}"
            ),
        ]
    );
    assert!(checks.iter().all(|c| !c.ok));
    assert!(mock.requests().is_empty(), "no request got past TLS");
    let asked = proxy.tunnels();
    assert!(!asked.is_empty());
    for tunnel in &asked {
        assert_eq!(tunnel.target, format!("{API_HOST}:{port}"));
        assert_eq!(tunnel.authorization.as_deref(), Some(PROXY_AUTHORIZATION));
        assert!(tunnel.opened);
    }

    // With the company CA: every stream lands, every connection tunnelled.
    let dir = tempfile::tempdir().unwrap();
    let roots = ExtraRoots::load(&[ca.write_pem(dir.path())]).unwrap();
    let trusted = reaching(connection(&api, BOTH), &proxy_url, None, &roots);
    let proxied_db = dir.path().join("proxied.sqlite");
    let report = sync(&trusted, &proxied_db, &every_stream()).await;
    assert!(report.succeeded(), "{report:?}");
    let stats = trusted.http_stats();
    let tunnels = proxy.tunnels()[asked.len()..].to_vec();
    assert!(stats.connections_opened > 0);
    assert_eq!(
        tunnels.len() as u64,
        stats.connections_opened,
        "{tunnels:?}"
    );
    assert!(
        tunnels
            .iter()
            .all(|t| t.opened && t.target == format!("{API_HOST}:{port}"))
    );
    // The refused handshakes above reached the mock too, through the proxy.
    assert_eq!(
        mock.connections_accepted(),
        (asked.len() + tunnels.len()) as u64
    );
    assert_eq!(mock.requests().len() as u64, stats.requests);

    // The same sync straight to the mock on this machine (never proxied)
    // lands the same tables, which hold the mock's ground truth.
    let direct = reaching(
        connection(&format!("https://127.0.0.1:{port}"), BOTH),
        &proxy_url,
        None,
        &roots,
    );
    let direct_db = dir.path().join("direct.sqlite");
    let report = sync(&direct, &direct_db, &every_stream()).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(
        proxy.tunnels().len(),
        asked.len() + tunnels.len(),
        "loopback goes direct"
    );
    let landed = tables(&proxied_db);
    assert_eq!(landed.len(), report.streams.len(), "every stream's table");
    assert!(
        landed.iter().all(|(_, rows)| !rows.is_empty()),
        "{landed:?}"
    );
    assert_eq!(landed, tables(&direct_db));
    assert_eq!(
        rows(&proxied_db, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );
    assert_eq!(
        rows(&proxied_db, "organizations", "uuid"),
        truth(&mock.org().organizations, "uuid")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_proxy_hosts_go_direct_and_a_host_outside_the_allow_list_never_reaches_the_proxy() {
    let ca = TestCa::new();
    let mock = https_mock(&ca, &[API_HOST], Validity::Current).await;
    let proxy = ConnectProxy::start(None).await;
    let roots = ExtraRoots::load(&[ca.write_pem(tempfile::tempdir().unwrap().path())]).unwrap();

    // In NO_PROXY (a parent domain): the host looks the name up itself,
    // which resolves nowhere; the proxy is never asked.
    let direct = reaching(
        connection(&api_url(&mock), ADMIN_ONLY),
        &proxy.url(None),
        Some("localhost, example.test"),
        &roots,
    );
    let checks = runtime().check_connection(&direct).await.unwrap();
    assert!(
        checks[0]
            .message
            .contains("the API's host name could not be resolved"),
        "{checks:?}"
    );
    assert_eq!(proxy.tunnels(), vec![]);

    // The allow-list holds for the origin the plugin asked for: a refused one
    // is refused before the proxy hears of it.
    let mut elsewhere = reaching(
        connection(&api_url(&mock), ADMIN_ONLY),
        &proxy.url(None),
        None,
        &roots,
    );
    elsewhere.egress = Arc::new(EgressPolicy::allow([Origin::parse(
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
    let sent = RequestCount::default();
    let error = runtime()
        .read_page(&elsewhere, &request, &sent)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("HttpRequestDenied"), "{error}");
    assert_eq!(sent.take(), 0);
    assert_eq!(proxy.tunnels(), vec![], "the proxy never heard of it");
    assert_eq!(elsewhere.http_stats().connections_opened, 0);
    assert!(mock.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn certificate_problems_say_what_failed_for_which_host_and_what_to_do_in_check_and_sync() {
    let ca = TestCa::new();
    let dir = tempfile::tempdir().unwrap();
    let roots = ExtraRoots::load(&[ca.write_pem(dir.path())]).unwrap();
    let trusting = |base_url: &str| {
        connection(base_url, ADMIN_ONLY).reaching_through(ClientSettings {
            extra_roots: roots.clone(),
            ..ClientSettings::default()
        })
    };

    // Expired, on this machine (no proxy).
    let expired = https_mock(&ca, &["127.0.0.1"], Validity::Expired).await;
    let port = expired.addr().port();
    let checks = runtime()
        .check_connection(&trusting(&expired.base_url()))
        .await
        .unwrap();
    // The key's first scope check says it, whichever endpoint that is.
    let prefix = "Connection failed: the API's TLS certificate was not accepted for the Admin API \
                  Key (`admin-api-key`): GET /v1/";
    let expired_text = format!(
        ": the TLS certificate of 127.0.0.1:{port} has expired (valid until \
         2020-12-31T00:00:00Z, and it is now "
    );
    assert!(checks[0].message.starts_with(prefix), "{checks:?}");
    assert!(checks[0].message.contains(&expired_text), "{checks:?}");
    assert!(
        checks[0]
            .message
            .ends_with("); check this machine's clock, and have the server's certificate renewed"),
        "{checks:?}"
    );

    // Issued for another name than the one asked for.
    let elsewhere = https_mock(&ca, &[API_HOST], Validity::Current).await;
    let port = elsewhere.addr().port();
    let connection = trusting(&elsewhere.base_url());
    let checks = runtime().check_connection(&connection).await.unwrap();
    let problem = format!(
        "the TLS certificate presented by 127.0.0.1:{port} is for another host name (wrong host \
         name: it names DnsName(\"{API_HOST}\")); check the host of the base URL, and whether a \
         proxy answers in its place (--proxy, HTTPS_PROXY, NO_PROXY)"
    );
    assert!(checks[0].message.ends_with(&problem), "{checks:?}");

    // A sync says the same, once: a certificate is not retried.
    let db = dir.path().join("w.sqlite");
    let opened_before = connection.http_stats().connections_opened;
    let report = sync(&connection, &db, &options(&["admin_users"], 10)).await;
    let Outcome::Failed(why) = &report.stream("admin_users").unwrap().outcome else {
        panic!("{report:?}");
    };
    assert!(why.contains(&problem), "{why}");
    assert_eq!(
        connection.http_stats().connections_opened - opened_before,
        1,
        "tried once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_that_wants_credentials_says_so_and_a_wrong_password_is_not_shown() {
    let mock = mock(5, 1).await;
    let proxy = ConnectProxy::start(Some(PROXY_AUTHORIZATION)).await;
    // A plain-HTTP API elsewhere (here, the proxy takes it to the mock).
    let api = format!("http://{API_HOST}:{}", mock.addr().port());
    let check = async |proxy_url: String| {
        let choice = ProxyChoice {
            http: Some((proxy_url, "HTTP_PROXY".to_owned())),
            ..ProxyChoice::default()
        };
        let conn = connection(&api, ADMIN_ONLY).reaching_through(ClientSettings {
            proxy: ProxySettings::new(&choice).unwrap(),
            ..ClientSettings::default()
        });
        runtime().check_connection(&conn).await.unwrap()[0].clone()
    };
    let address = proxy.url(None);
    let without = check(address.clone()).await;
    assert!(
        without.message.contains(&format!(
            "the proxy {address} asks for credentials (407 Proxy Authentication Required); put \
             them in the proxy URL, http://USER:PASSWORD@host:port, in HTTPS_PROXY or the \
             connections file (never on the command line)"
        )),
        "{without:?}"
    );
    let wrong = check(proxy.url(Some("sync:not-the-Pa55word"))).await;
    assert!(
        wrong.message.contains(&format!(
            "the proxy {address} refused its credentials (407 Proxy Authentication Required); \
             check the user and password in the proxy URL"
        )),
        "{wrong:?}"
    );
    assert!(!wrong.message.contains("not-the-Pa55word"));
    let right = check(proxy.url(Some(PROXY_CREDENTIALS))).await;
    assert!(right.ok, "{right:?}");
    let tunnels = proxy.tunnels();
    assert_eq!(
        tunnels.iter().map(|t| t.opened).collect::<Vec<_>>(),
        [false, false, true],
        "{tunnels:?}"
    );
    assert_eq!(
        tunnels[2].target,
        format!("{API_HOST}:{}", mock.addr().port())
    );
    // The Admin key's checks (the users, and the activity feed it may read),
    // all through the one tunnel.
    assert_eq!(mock.requests().len(), 2);
}

/// The `harness` command with these keys, the proxy variables cleared.
fn harness_behind(args: &[&str], base_url: &str, proxy: Option<&str>) -> Command {
    let mut command = harness_command(args, Some(base_url), BOTH);
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(name);
    }
    if let Some(proxy) = proxy {
        command.env("HTTPS_PROXY", proxy);
    }
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn the_commands_take_the_proxy_and_the_ca_and_never_show_the_password_or_the_keys() {
    let ca = TestCa::new();
    let mock = https_mock(&ca, &[API_HOST], Validity::Current).await;
    let proxy = ConnectProxy::start(Some(PROXY_AUTHORIZATION)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca_file = ca.write_pem(dir.path());
    let ca_arg = ca_file.to_str().unwrap();
    let db = dir.path().join("w.sqlite");
    let api = api_url(&mock);
    let proxy_url = proxy.url(Some(PROXY_CREDENTIALS));
    let run = |args: &[&str], proxy: Option<&str>| {
        tokio::task::block_in_place(|| harness_behind(args, &api, proxy).output().unwrap())
    };

    // Refused before any request: a CA file that is not one, and a password
    // on the command line.
    let not_pem = dir.path().join("not-a-ca.pem");
    std::fs::write(&not_pem, "not a certificate\n").unwrap();
    let refused = run(
        &["check", "--ca-cert", not_pem.to_str().unwrap()],
        Some(&proxy_url),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused).trim(),
        format!(
            "error: CA certificate file {}: it holds no PEM certificate (a `-----BEGIN \
             CERTIFICATE-----` block). Export the CA as PEM; a DER file converts with `openssl \
             x509 -inform der -in CA.der -out CA.pem`",
            not_pem.display()
        )
    );
    let on_the_command_line = run(&["check", "--proxy", &proxy_url], None);
    assert_eq!(on_the_command_line.status.code(), Some(2));
    assert!(
        stderr(&on_the_command_line)
            .contains("--proxy carries credentials (`user:password@`), which are not shown here"),
        "{}",
        stderr(&on_the_command_line)
    );
    assert_eq!(proxy.tunnels(), vec![], "nothing was sent");

    // HTTPS_PROXY alone: the certificate is refused, with what to do.
    let untrusted = run(&["check"], Some(&proxy_url));
    assert_eq!(untrusted.status.code(), Some(1));
    let out = stdout(&untrusted);
    assert!(
        out.lines().nth(1).unwrap().starts_with(&format!(
            "FAIL admin (admin-api-key): Connection failed: the API's TLS certificate was not \
             accepted for the Admin API Key (`admin-api-key`): GET /v1/organizations/users: the \
             TLS certificate of {API_HOST}:{} is issued by an unknown authority (unknown issuer);",
            mock.addr().port()
        )),
        "{out}"
    );
    assert!(
        out.contains("pass your company CA (PEM) with --ca-cert FILE"),
        "{out}"
    );

    // With --ca-cert: the check and a whole sync go through the proxy.
    let mut outputs = vec![refused, on_the_command_line, untrusted];
    outputs.push(run(
        &["--verbose", "check", "--ca-cert", ca_arg],
        Some(&proxy_url),
    ));
    outputs.push(run(
        &[
            "--verbose",
            "--json",
            "sync",
            "--ca-cert",
            ca_arg,
            "--set",
            "page_size=20",
            "--into",
            db.to_str().unwrap(),
        ],
        Some(&proxy_url),
    ));
    for output in &outputs[3..] {
        assert!(
            output.status.success(),
            "{}\n{}",
            stdout(output),
            stderr(output)
        );
    }
    assert!(
        stdout(&outputs[3]).contains("\nOK   admin (admin-api-key)"),
        "{}",
        stdout(&outputs[3])
    );
    assert!(
        proxy
            .tunnels()
            .iter()
            .all(|t| t.target == format!("{API_HOST}:{}", mock.addr().port()))
    );
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );

    // Neither the password (in any form) nor a key shows anywhere.
    let mut everything: String = outputs
        .iter()
        .map(|o| format!("{}{}", stdout(o), stderr(o)))
        .collect();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        everything.push_str(&String::from_utf8_lossy(
            &std::fs::read(entry.unwrap().path()).unwrap(),
        ));
    }
    assert_no_secret("the outputs and the warehouse", &everything);
    for form in [
        PROXY_PASSWORD,
        PROXY_CREDENTIALS,
        PROXY_AUTHORIZATION,
        "c3luYzpwcjB4eS1QYTU1d29yZC03UXo",
    ] {
        assert!(!everything.contains(form), "`{form}` leaked");
    }
}
