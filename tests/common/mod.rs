//! Shared set-up: one loaded plugin per test process, connections with
//! distinctive fake keys, the mock, and running the `harness` binary.

pub mod connect_proxy;
pub mod postgres_server;
pub mod tls;
pub mod truth;
pub mod warehouse;

use anthropic_mock::{Behaviour, Fault, FaultKind, MockOrg, MockServer, OrgSize};
use host_harness::runtime::{ConnectionConfig, LogSink, PluginRuntime, RuntimeOptions};
use host_harness::secrets::{ADMIN_KEY_ENV, BASE_URL_ENV, COMPLIANCE_KEY_ENV, Secrets};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// Fake keys distinctive enough to grep for in every output.
pub const ADMIN_KEY: &str = "sk-ant-admin01-ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3";
pub const COMPLIANCE_KEY: &str = "sk-ant-api01-ZZtestCOMPLIANCEsecretH5j8Df2Gs9Qa4Ue7";

/// The part of each key after its prefix: never to be seen anywhere.
pub const SECRET_PARTS: [&str; 2] = ["ZZtestADMINsecret", "ZZtestCOMPLIANCEsecret"];

/// Every line the plugin logged in this process.
pub fn plugin_log() -> &'static Mutex<Vec<String>> {
    static LOG: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    LOG.get_or_init(Default::default)
}

/// The embedded component, loaded once for the whole test process.
pub fn runtime() -> &'static PluginRuntime {
    static RUNTIME: OnceLock<PluginRuntime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let sink: LogSink = std::sync::Arc::new(|level, message| {
            plugin_log()
                .lock()
                .unwrap()
                .push(format!("{level:?} {message}"));
        });
        PluginRuntime::embedded(&RuntimeOptions::default(), sink)
            .expect("the embedded component loads")
    })
}

/// Which keys a connection has.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    pub admin: Option<&'a str>,
    pub compliance: Option<&'a str>,
}

pub const BOTH: Keys<'static> = Keys {
    admin: Some(ADMIN_KEY),
    compliance: Some(COMPLIANCE_KEY),
};
pub const ADMIN_ONLY: Keys<'static> = Keys {
    admin: Some(ADMIN_KEY),
    compliance: None,
};
pub const COMPLIANCE_ONLY: Keys<'static> = Keys {
    admin: None,
    compliance: Some(COMPLIANCE_KEY),
};

pub fn connection(base_url: &str, keys: Keys<'_>) -> ConnectionConfig {
    let mut secrets = Secrets::default();
    if let Some(k) = keys.admin {
        secrets.insert("admin-api-key", k.to_owned());
    }
    if let Some(k) = keys.compliance {
        secrets.insert("compliance-access-key", k.to_owned());
    }
    ConnectionConfig::new(base_url, secrets).expect("valid base URL")
}

pub async fn mock(admin_users: usize, organizations: usize) -> MockServer {
    MockServer::start(MockOrg::generate(OrgSize {
        admin_users,
        organizations,
        seed: 42,
        ..OrgSize::default()
    }))
    .await
    .expect("mock starts")
}

/// From now on every request to `path` after the first `after` fails with a
/// 500 (retries too): a stream that stops mid-way.
pub fn fail_after(mock: &MockServer, path: &str, after: usize) {
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: path.into(),
            kind: FaultKind::ServerError,
            after,
            times: None,
        }),
        ..Behaviour::default()
    });
}

/// The stream named `name` of a JSON sync report or run record.
pub fn stream_of(report: &serde_json::Value, name: &str) -> serde_json::Value {
    report["streams"]
        .as_array()
        .expect("a list of streams")
        .iter()
        .find(|s| s["stream"] == name)
        .unwrap_or_else(|| panic!("no stream {name} in {report}"))
        .clone()
}

/// Run the `harness` binary with exactly these keys in its environment.
pub fn harness(args: &[&str], base_url: Option<&str>, keys: Keys<'_>) -> Output {
    harness_command(args, base_url, keys)
        .output()
        .expect("harness runs")
}

/// The `harness` command with exactly these keys in its environment, to run
/// or to start.
pub fn harness_command(args: &[&str], base_url: Option<&str>, keys: Keys<'_>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_harness"));
    command
        .args(args)
        .env_remove(ADMIN_KEY_ENV)
        .env_remove(COMPLIANCE_KEY_ENV)
        .env_remove(BASE_URL_ENV);
    if let Some(url) = base_url {
        command.env(BASE_URL_ENV, url);
    }
    if let Some(k) = keys.admin {
        command.env(ADMIN_KEY_ENV, k);
    }
    if let Some(k) = keys.compliance {
        command.env(COMPLIANCE_KEY_ENV, k);
    }
    command
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Panic if any secret part appears in `text`.
pub fn assert_no_secret(what: &str, text: &str) {
    for part in SECRET_PARTS {
        assert!(!text.contains(part), "a key leaked into {what}:\n{text}");
    }
}
