//! `harness airbyte`: the connector as an Airbyte source. The protocol
//! itself (SPEC with secret fields, CONNECTION_STATUS, CATALOG, RECORDs and
//! a STATE per page, a resumed read), then a real client: PyAirbyte runs
//! the source as a local executable into its DuckDB cache, every stream
//! lands as our own sync lands it, and a second read is incremental.

use crate::common::warehouse::{options, select, sync};
use crate::common::{ADMIN_KEY, BOTH, COMPLIANCE_KEY, Keys, connection, harness, mock};
use anthropic_mock::MockServer;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const NO_KEYS: Keys<'static> = Keys {
    admin: None,
    compliance: None,
};

fn config(mock: &MockServer, dir: &Path) -> PathBuf {
    let path = dir.join("config.json");
    let config = json!({
        "admin_api_key": ADMIN_KEY,
        "compliance_access_key": COMPLIANCE_KEY,
        "base_url": mock.base_url(),
        "page_size": 25,
    });
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

/// Run `harness airbyte ARGS`: its exit code and its messages.
fn airbyte(args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut all = vec!["airbyte"];
    all.extend(args);
    let out = tokio::task::block_in_place(|| harness(&all, None, NO_KEYS));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let messages = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|_| panic!("not a protocol message on stdout: {line}"))
        })
        .collect();
    (out.status.code(), messages)
}

fn of_type<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

fn configured_catalog(dir: &Path, streams: &[(&str, &str)]) -> PathBuf {
    let path = dir.join("catalog.json");
    let streams: Vec<Value> = streams
        .iter()
        .map(|(name, mode)| {
            json!({"stream": {"name": name, "json_schema": {}, "supported_sync_modes": [mode]},
                   "sync_mode": mode, "destination_sync_mode": "append"})
        })
        .collect();
    std::fs::write(&path, json!({"streams": streams}).to_string()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn the_source_speaks_the_airbyte_protocol_and_resumes_from_its_state() {
    let mock = mock(30, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&mock, dir.path());
    let config_arg = config.to_str().unwrap();

    let (code, spec) = airbyte(&["spec"]);
    assert_eq!(code, Some(0));
    let properties = &spec[0]["spec"]["connectionSpecification"]["properties"];
    assert_eq!(properties["admin_api_key"]["airbyte_secret"], true);
    assert_eq!(properties["compliance_access_key"]["airbyte_secret"], true);
    assert!(properties["start_date"].is_object(), "settings are fields");

    let (_, status) = airbyte(&["check", "--config", config_arg]);
    assert_eq!(
        status[0]["connectionStatus"]["status"], "SUCCEEDED",
        "{status:?}"
    );
    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        json!({"admin_api_key": "sk-wrong-prefix"}).to_string(),
    )
    .unwrap();
    let (_, status) = airbyte(&["check", "--config", wrong.to_str().unwrap()]);
    assert_eq!(status[0]["connectionStatus"]["status"], "FAILED");
    let message = status[0]["connectionStatus"]["message"].as_str().unwrap();
    assert!(message.contains("sk-ant-admin01-"), "{message}");
    assert!(
        !message.contains("sk-wrong-prefix"),
        "no key in messages: {message}"
    );

    let (_, catalog) = airbyte(&["discover", "--config", config_arg]);
    let streams = catalog[0]["catalog"]["streams"].as_array().unwrap();
    assert!(streams.len() >= 17);
    let activities = streams.iter().find(|s| s["name"] == "activities").unwrap();
    assert_eq!(
        activities["supported_sync_modes"],
        json!(["full_refresh", "incremental"])
    );
    assert_eq!(activities["default_cursor_field"], json!(["created_at"]));
    assert_eq!(activities["source_defined_primary_key"], json!([["id"]]));

    // A read of a directory stream, a child (its parent read, not emitted) and the feed.
    let catalog = configured_catalog(
        dir.path(),
        &[
            ("admin_users", "full_refresh"),
            ("group_members", "full_refresh"),
            ("activities", "incremental"),
        ],
    );
    let catalog_arg = catalog.to_str().unwrap();
    let (code, messages) = airbyte(&["read", "--config", config_arg, "--catalog", catalog_arg]);
    assert_eq!(code, Some(0), "{messages:?}");
    let records = of_type(&messages, "RECORD");
    let count = |stream: &str| {
        records
            .iter()
            .filter(|r| r["record"]["stream"] == stream)
            .count()
    };
    let org = mock.org().clone();
    assert_eq!(count("admin_users"), 30);
    assert_eq!(count("activities"), org.activities.len());
    let members: usize = org.group_members.parents().map(|(_, m)| m.len()).sum();
    assert_eq!(count("group_members"), members);
    assert_eq!(count("groups"), 0, "a parent brought along is not emitted");
    let states = of_type(&messages, "STATE");
    assert!(states.len() > 30 / 25, "a STATE after each page");

    // The last state of each stream, as a platform keeps it, resumes the feed.
    let mut last: std::collections::BTreeMap<String, Value> = Default::default();
    for state in states {
        let name = state["state"]["stream"]["stream_descriptor"]["name"]
            .as_str()
            .unwrap();
        last.insert(name.to_owned(), state["state"].clone());
    }
    let state_file = dir.path().join("state.json");
    std::fs::write(
        &state_file,
        Value::Array(last.into_values().collect()).to_string(),
    )
    .unwrap();
    let now = chrono::Utc::now();
    mock.update_org(|org| {
        for minutes in [10, 9, 8] {
            let a = org.new_activity(now - chrono::Duration::minutes(minutes));
            org.activities.push(a);
        }
    });
    let (code, again) = airbyte(&[
        "read",
        "--config",
        config_arg,
        "--catalog",
        catalog_arg,
        "--state",
        state_file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    let again_records = of_type(&again, "RECORD");
    let feed: Vec<&&Value> = again_records
        .iter()
        .filter(|r| r["record"]["stream"] == "activities")
        .collect();
    assert!(
        (3..org.activities.len()).contains(&feed.len()),
        "only the new events and the overlap: {}",
        feed.len()
    );
    assert_eq!(
        again_records
            .iter()
            .filter(|r| r["record"]["stream"] == "admin_users")
            .count(),
        30,
        "a full-refresh stream reads everything again"
    );

    // A catalog naming a stream the keys do not unlock is a config error.
    let bad = configured_catalog(dir.path(), &[("no_such_stream", "full_refresh")]);
    let (code, messages) = airbyte(&[
        "read",
        "--config",
        config_arg,
        "--catalog",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    let trace = of_type(&messages, "TRACE")[0];
    assert_eq!(trace["trace"]["error"]["failure_type"], "config_error");
    assert!(
        trace["trace"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no_such_stream")
    );
}

/// A virtual environment with PyAirbyte, pinned by tests/airbyte/requirements.txt,
/// made once and kept under target/ for later runs.
fn pyairbyte() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let requirements = root.join("tests/airbyte/requirements.txt");
        let venv = root.join("target/pyairbyte");
        let python = venv.join("bin/python");
        let stamp = venv.join("requirements.txt");
        let wanted = std::fs::read_to_string(&requirements).unwrap();
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
            let _ = std::fs::remove_dir_all(&venv);
            let run = |command: &mut Command| {
                let out = command.output().unwrap();
                assert!(
                    out.status.success(),
                    "{command:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            };
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
            run(Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&requirements));
            std::fs::write(&stamp, wanted).unwrap();
        }
        python
    })
}

/// Read `streams` (all when empty) through PyAirbyte into the cache in `dir`.
fn read_through_pyairbyte(dir: &Path, config: &Path, streams: &[&str]) -> Value {
    let executable = dir.join("source-anthropic");
    std::fs::write(
        &executable,
        format!(
            "#!/bin/sh\nexec '{}' airbyte \"$@\"\n",
            env!("CARGO_BIN_EXE_harness")
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&executable).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&executable, permissions).unwrap();
    let out_file = dir.join("landed.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/airbyte/pyairbyte_read.py");
    let mut command = Command::new(pyairbyte());
    command
        .arg(script)
        .arg(&executable)
        .arg(config)
        .arg(dir.join("cache"))
        .arg(&out_file)
        .env("HOME", dir)
        // One compile of the plugin for PyAirbyte's several calls.
        .env("HARNESS_CACHE_DIR", dir.join("code-cache"))
        .env_remove("ANTHROPIC_ADMIN_API_KEY")
        .env_remove("ANTHROPIC_COMPLIANCE_ACCESS_KEY");
    if !streams.is_empty() {
        command.arg(streams.join(","));
    }
    let out = tokio::task::block_in_place(|| command.output().unwrap());
    assert!(
        out.status.success(),
        "PyAirbyte failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out_file).unwrap()).unwrap()
}

/// A record's primary key as text, from what PyAirbyte's cache gives back.
fn key(record: &Value, columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| match &record[c] {
            Value::String(s) => s.get(..10).filter(|_| c == "date").unwrap_or(s).to_owned(),
            Value::Bool(b) => u8::from(*b).to_string(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("|")
}

#[tokio::test(flavor = "multi_thread")]
async fn pyairbyte_reads_every_stream_into_duckdb_as_our_sync_lands_it_then_incrementally() {
    let mock = mock(20, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&mock, dir.path());
    let landed = read_through_pyairbyte(dir.path(), &config, &[]);

    // Our own sync of the same organisation, whose tables the other tests
    // hold to the mock's ground truth.
    let db = dir.path().join("w.sqlite");
    let mut every_stream = options(&[], 25);
    every_stream.streams = None;
    let reference = sync(&connection(&mock.base_url(), BOTH), &db, &every_stream).await;
    assert!(reference.succeeded(), "{reference:?}");
    let streams = landed["streams"].as_object().unwrap();
    assert_eq!(streams.len(), reference.streams.len(), "every stream");
    let (_, catalog) = airbyte(&["discover", "--config", config.to_str().unwrap()]);
    for stream in catalog[0]["catalog"]["streams"].as_array().unwrap() {
        let name = stream["name"].as_str().unwrap();
        let columns: Vec<String> = stream["source_defined_primary_key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k[0].as_str().unwrap().to_owned())
            .collect();
        let cached: BTreeSet<String> = streams[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| key(r, &columns))
            .collect();
        let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let ours: BTreeSet<String> = select(
            &db,
            &format!("SELECT {} FROM \"{name}\"", quoted.join(", ")),
        )
        .into_iter()
        .map(|row| row.join("|"))
        .collect();
        assert!(!ours.is_empty(), "{name}");
        assert_eq!(cached, ours, "{name}");
    }

    // New events, then a read of the feed from the cache's state: only the
    // new ones and the overlap are read, and the cache holds them all.
    let first_feed = mock.org().activities.len();
    let now = chrono::Utc::now();
    mock.update_org(|org| {
        for minutes in [10, 9, 8] {
            let a = org.new_activity(now - chrono::Duration::minutes(minutes));
            org.activities.push(a);
        }
    });
    let again = read_through_pyairbyte(dir.path(), &config, &["activities"]);
    let processed = again["processed_records"].as_u64().unwrap() as usize;
    assert!(
        (3..first_feed).contains(&processed),
        "incremental: {processed} of {first_feed}"
    );
    let ids: BTreeSet<&str> = again["streams"]["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), first_feed + 3);
}
