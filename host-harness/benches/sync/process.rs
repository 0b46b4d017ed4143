//! The processes a scenario runs: the mock (`harness mock`, its own process so
//! its memory and time are not the connector's), the sync (`harness sync
//! --json`, which reports its own rows, requests, time split and peak memory)
//! and the plain script.

use super::scenario::Scenario;
use host_harness::secrets::{ADMIN_KEY_ENV, BASE_URL_ENV, COMPLIANCE_KEY_ENV};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const HARNESS: &str = env!("CARGO_BIN_EXE_harness");

/// A running `harness mock`; stopped when dropped.
pub struct Mock {
    child: Child,
    /// Kept open: the mock prints a few lines more, and a closed pipe ends it.
    _stdout: BufReader<ChildStdout>,
    pub base_url: String,
}

impl Mock {
    /// Start the mock of a scenario and wait until it serves.
    pub fn start(scenario: &Scenario) -> Self {
        let mut child = Command::new(HARNESS)
            .args(["mock", "--listen", "127.0.0.1:0"])
            .args(&scenario.mock)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("harness mock starts");
        let stdout = child.stdout.take().expect("mock stdout");
        let mut stdout = BufReader::new(stdout);
        let mut first = String::new();
        stdout
            .read_line(&mut first)
            .expect("mock says where it listens");
        let base_url = first
            .trim()
            .strip_prefix("mock Anthropic API on ")
            .unwrap_or_else(|| panic!("unexpected first line of harness mock: {first:?}"))
            .to_owned();
        Self {
            child,
            _stdout: stdout,
            base_url,
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one `harness sync` reported.
#[derive(Debug, Clone)]
pub struct SyncRun {
    pub rows: u64,
    pub requests: Option<u64>,
    pub api_bytes: Option<u64>,
    pub wall: Duration,
    pub peak_rss_bytes: Option<u64>,
    pub plugin_calls: Duration,
    pub http: Option<Duration>,
    /// Time requests waited on the request budget.
    pub paced: Option<Duration>,
    pub destination: Duration,
}

/// Compile the component into the code cache once, so no scenario pays for it.
pub fn warm_up(cache: &Path) {
    let status = Command::new(HARNESS)
        .arg("--cache-dir")
        .arg(cache)
        .args(["streams", "--mock"])
        .stdout(Stdio::null())
        .status()
        .expect("harness runs");
    assert!(status.success(), "harness streams --mock failed");
}

/// Sync the scenario's streams from `mock` into `into` (the `--into` and
/// `--schema` arguments).
pub fn sync(scenario: &Scenario, mock: &Mock, into: &[String], cache: &Path) -> SyncRun {
    let mut command = Command::new(HARNESS);
    command
        .arg("--cache-dir")
        .arg(cache)
        .args(
            scenario
                .requests_per_minute
                .map(|n| ["--requests-per-minute".to_owned(), n.to_string()])
                .into_iter()
                .flatten(),
        )
        .args(["--json", "sync", "--streams", scenario.streams])
        .args(into)
        .args(["--concurrency", &scenario.concurrency.to_string()])
        .env(BASE_URL_ENV, &mock.base_url)
        .env(ADMIN_KEY_ENV, anthropic_mock::DEMO_ADMIN_KEY)
        .env(COMPLIANCE_KEY_ENV, anthropic_mock::DEMO_COMPLIANCE_KEY)
        .stderr(Stdio::null());
    for setting in &scenario.settings {
        command.args(["--set", setting]);
    }
    let started = Instant::now();
    let output = command.output().expect("harness sync runs");
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("{}: no JSON report in {stdout}", scenario.name));
    assert!(
        output.status.success(),
        "{}: the sync failed: {report}",
        scenario.name
    );
    let timings = &report["timings"];
    let millis = |value: &Value| value.as_u64().map(Duration::from_millis);
    SyncRun {
        rows: report["streams"]
            .as_array()
            .map_or(0, |s| s.iter().filter_map(|s| s["rows"].as_u64()).sum()),
        requests: timings["http"]["requests"].as_u64(),
        api_bytes: timings["http"]["received_bytes"].as_u64(),
        wall,
        peak_rss_bytes: timings["peak_rss_bytes"].as_u64(),
        plugin_calls: millis(&timings["plugin_calls_ms"]).unwrap_or_default(),
        http: millis(&timings["http"]["in_flight_ms"]),
        paced: millis(&timings["http"]["paced_ms"]),
        destination: millis(&timings["destination_ms"]).unwrap_or_default(),
    }
}

/// What the plain script reported.
#[derive(Debug, Clone)]
pub struct ScriptRun {
    pub rows: u64,
    pub requests: u64,
    pub api_bytes: u64,
    pub wall: Duration,
    pub peak_rss_bytes: u64,
}

/// Run the plain script's `activities` job against `mock`.
pub fn plain_script(mock: &Mock, database: &Path) -> ScriptRun {
    let script: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "benches",
        "sync",
        "plain_activities.py",
    ]
    .iter()
    .collect();
    let started = Instant::now();
    let output = Command::new("python3")
        .arg(script)
        .args([&mock.base_url, anthropic_mock::DEMO_COMPLIANCE_KEY])
        .arg(database)
        .arg("1000")
        .stderr(Stdio::inherit())
        .output()
        .expect("python3 runs the plain script");
    let wall = started.elapsed();
    assert!(output.status.success(), "the plain script failed");
    let report: Value =
        serde_json::from_slice(&output.stdout).expect("the plain script prints its report");
    ScriptRun {
        rows: report["rows"].as_u64().unwrap_or_default(),
        requests: report["requests"].as_u64().unwrap_or_default(),
        api_bytes: report["bytes"].as_u64().unwrap_or_default(),
        wall,
        peak_rss_bytes: report["peak_rss_bytes"].as_u64().unwrap_or_default(),
    }
}
