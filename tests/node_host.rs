//! The same component in a second runtime: Node.js, with the component
//! transpiled by jco and WASI and `wasi:http` from preview2-shim
//! (`hosts/node/`, packages pinned by its lock file). Against the mock it
//! gives the manifest the Rust host gets, and the same first pages.

use crate::common::{ADMIN_KEY, BOTH, COMPLIANCE_KEY, connection, mock, runtime};
use host_harness::egress::RequestCount;
use host_harness::runtime::EMBEDDED_COMPONENT;
use host_harness::runtime::model::{ReadRequest, SyncStrategy};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `hosts/node`, its packages installed from the lock file once (again
/// when the lock file changes).
fn node_host() -> &'static Path {
    static HOST: OnceLock<PathBuf> = OnceLock::new();
    HOST.get_or_init(|| {
        let host = Path::new(env!("CARGO_MANIFEST_DIR")).join("../hosts/node");
        let lock = std::fs::read_to_string(host.join("package-lock.json")).unwrap();
        let stamp = host.join("node_modules/.installed-from-lock");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) {
            run(Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(&host));
            std::fs::write(&stamp, lock).unwrap();
        }
        host
    })
}

fn run(command: &mut Command) -> String {
    let out = command.output().unwrap_or_else(|e| {
        panic!("{command:?}: {e} (Node.js and npm are needed: .ci/run installs them)")
    });
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_component_runs_in_node_through_jco_with_the_same_manifest_and_first_pages() {
    let mock = mock(12, 1).await;
    let host = node_host();
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("anthropic_connector.wasm");
    std::fs::write(&wasm, EMBEDDED_COMPONENT).unwrap();
    let settings = r#"{"page_size":5}"#;
    let printed = tokio::task::block_in_place(|| {
        run(Command::new("npm")
            .args(["run", "--silent", "transpile", "--"])
            .arg(&wasm)
            .current_dir(host));
        run(Command::new("node")
            .args(["run.mjs", "admin_users", settings, "2"])
            .current_dir(host)
            .env("ANTHROPIC_BASE_URL", mock.base_url())
            .env("ANTHROPIC_ADMIN_API_KEY", ADMIN_KEY)
            .env("ANTHROPIC_COMPLIANCE_ACCESS_KEY", COMPLIANCE_KEY))
    });
    let node: Value = serde_json::from_str(&printed).unwrap();

    // The manifest, field by field.
    let manifest = runtime().manifest().await.unwrap();
    assert_eq!(node["manifest"]["pluginId"], manifest.plugin_id);
    assert_eq!(node["manifest"]["pluginVersion"], manifest.plugin_version);
    let streams = node["manifest"]["streams"].as_array().unwrap();
    assert_eq!(streams.len(), manifest.streams.len());
    for (theirs, ours) in streams.iter().zip(&manifest.streams) {
        assert_eq!(theirs["name"], ours.name);
        assert_eq!(theirs["primaryKey"], serde_json::json!(ours.primary_key));
        assert_eq!(theirs["jsonSchema"], ours.json_schema, "{}", ours.name);
    }
    let settings_names: Vec<&str> = node["manifest"]["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let ours: Vec<&str> = manifest.settings.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(settings_names, ours);

    // Both keys check out, and the same streams are listed.
    assert!(
        node["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["ok"] == true),
        "{node}"
    );
    let conn = connection(&mock.base_url(), BOTH);
    let listed: Vec<String> = runtime()
        .list_streams(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(node["streams"], serde_json::json!(listed));

    // The first two pages of admin_users, record for record, cursor for cursor.
    let mut cursor: Option<String> = None;
    for page in node["pages"].as_array().unwrap() {
        let request = ReadRequest {
            stream_name: "admin_users",
            strategy: SyncStrategy::FullRefresh,
            settings_json: settings,
            state_json: None,
            page_cursor: cursor.as_deref(),
            parents: &[],
        };
        let ours = runtime()
            .read_page(&conn, &request, &RequestCount::default())
            .await
            .unwrap();
        assert_eq!(page["records"], serde_json::json!(ours.records));
        assert_eq!(page["nextCursor"].as_str(), ours.next_cursor.as_deref());
        cursor = ours.next_cursor;
    }
    assert_eq!(node["pages"].as_array().unwrap().len(), 2);
}
