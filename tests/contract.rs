//! The component honours the contract in `wit/`: what it imports and exports,
//! and a manifest that describes the connection form, the settings and all streams.

use crate::common::*;

#[test]
fn imports_secrets_logging_and_standard_wasi_http_and_exports_the_plugin_and_functions() {
    let imports = runtime().imports();
    for expected in [
        "anthropic:connector/secrets@0.4.0",
        "anthropic:connector/logging@0.4.0",
    ] {
        assert!(
            imports.iter().any(|i| i == expected),
            "{expected} not in {imports:?}"
        );
    }
    assert!(
        imports
            .iter()
            .any(|i| i.starts_with("wasi:http/outgoing-handler@0.2")),
        "{imports:?}"
    );
    assert!(
        !imports
            .iter()
            .any(|i| i.starts_with("wasi:sockets") || i.starts_with("wasi:filesystem")),
        "no raw sockets, no files: {imports:?}"
    );
    assert_eq!(
        runtime().exports(),
        [
            "anthropic:connector/plugin@0.4.0",
            "anthropic:connector/request-functions@0.4.0"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manifest_describes_the_form_the_settings_and_all_streams() {
    let manifest = runtime().manifest().await.unwrap();
    assert_eq!(manifest.plugin_id, "anthropic-admin-compliance");
    let fields: Vec<(&str, &str)> = manifest
        .secret_fields
        .iter()
        .map(|f| (f.name.as_str(), f.prefix.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("compliance-access-key", "sk-ant-api01-"),
            ("admin-api-key", "sk-ant-admin01-")
        ]
    );
    let granularity = manifest
        .settings
        .iter()
        .find(|s| s.name == "usage_report_granularity")
        .unwrap();
    assert_eq!(
        (
            granularity.default_value.as_str(),
            granularity.allowed_values.clone()
        ),
        ("1d", vec!["1d".into(), "1h".into(), "1m".into()])
    );
    let grouping = manifest
        .settings
        .iter()
        .find(|s| s.name == "usage_report_grouping")
        .unwrap();
    assert_eq!(
        grouping.default_value,
        "api_key_id,workspace_id,model,service_tier"
    );
    assert_eq!(grouping.allowed_values.len(), 9);
    assert_eq!(manifest.streams.len(), 20);
    for stream in &manifest.streams {
        let schema: serde_json::Value = serde_json::from_str(&stream.json_schema).unwrap();
        for key in &stream.primary_key {
            assert!(
                schema["properties"].get(key).is_some(),
                "{}: key {key} not in schema",
                stream.name
            );
        }
    }
    let chats = manifest
        .streams
        .iter()
        .find(|s| s.name == "user_chats")
        .unwrap();
    assert_eq!(
        (chats.parent.as_deref(), chats.parent_batch_size),
        (Some("organization_users"), 10)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_streams_reference_matches_the_plugin_manifest() {
    let manifest = runtime().manifest().await.unwrap();
    let generated = host_harness::cli::commands::docs::streams_markdown(&manifest);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/streams.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/streams.md is out of date: run `cargo run --bin harness -- docs > docs/streams.md`"
    );
}
