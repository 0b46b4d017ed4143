//! The streams reference (`docs/streams.md`), generated from the plugin's own
//! manifest so the two cannot drift (a test compares them).

use crate::cli::Cli;
use crate::runtime::model::{Manifest, SyncStrategy};
use clap::Args;
use serde_json::Value;
use std::fmt::Write;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DocsCommand {}

impl DocsCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        print!("{}", streams_markdown(&cli.runtime()?.manifest().await?));
        Ok(ExitCode::SUCCESS)
    }
}

pub fn streams_markdown(manifest: &Manifest) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Streams reference\n");
    let _ = writeln!(
        md,
        "Generated from the manifest of plugin `{}` {} by `cargo run --bin harness -- docs > docs/streams.md`; \
         a test fails when this file and the plugin disagree.\n",
        manifest.plugin_id, manifest.plugin_version
    );
    let _ = writeln!(
        md,
        "Every table also has `_raw` (the record as JSON) and `_synced_at`.\n"
    );
    let _ = writeln!(
        md,
        "## Connection\n\n| field | label | prefix | unlocks |\n|---|---|---|---|"
    );
    for f in &manifest.secret_fields {
        let _ = writeln!(
            md,
            "| `{}` | {} | `{}` | {} streams |",
            f.name,
            f.label,
            f.prefix,
            f.unlocks.as_str()
        );
    }
    let _ = writeln!(
        md,
        "\n## Settings\n\n| name | default | allowed | applies to | what it does |\n|---|---|---|---|---|"
    );
    for s in &manifest.settings {
        let allowed = if s.allowed_values.is_empty() {
            "any".to_owned()
        } else {
            s.allowed_values.join(", ")
        };
        let applies = if s.applies_to.len() > 4 {
            "all streams".to_owned()
        } else {
            s.applies_to.join(", ")
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {allowed} | {applies} | {} |",
            s.name,
            or_dash(&s.default_value),
            s.description
        );
    }
    let _ = writeln!(md, "\n## Streams\n");
    for d in &manifest.streams {
        let strategies: Vec<&str> = d
            .strategies
            .iter()
            .map(|s| match s {
                SyncStrategy::FullRefresh => "full refresh",
                SyncStrategy::Incremental => "incremental",
            })
            .collect();
        let _ = writeln!(md, "### `{}`\n\n{}\n", d.name, d.description);
        let _ = writeln!(md, "- endpoint: `{}`", d.endpoint);
        let _ = writeln!(md, "- key: {}", d.required_key.as_str());
        let _ = writeln!(md, "- strategies: {}", strategies.join(", "));
        let _ = writeln!(md, "- primary key: `{}`", d.primary_key.join("` + `"));
        if let Some(cursor) = &d.cursor_field {
            let _ = writeln!(md, "- cursor: `{cursor}`");
        }
        if let Some(parent) = &d.parent {
            let _ = writeln!(
                md,
                "- parent: `{parent}` ({} parent record(s) per read)",
                d.parent_batch_size
            );
        }
        let _ = writeln!(md, "\n| column | type |\n|---|---|");
        let schema: Value = serde_json::from_str(&d.json_schema).unwrap_or_default();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                let _ = writeln!(md, "| `{name}` | {} |", column_type(property));
            }
        }
        let _ = writeln!(md);
    }
    md
}

fn or_dash(text: &str) -> &str {
    if text.is_empty() { "—" } else { text }
}

fn column_type(property: &Value) -> String {
    let types: Vec<&str> = property
        .get("type")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect()
        })
        .unwrap_or_default();
    match property.get("format").and_then(Value::as_str) {
        Some(format) => format!("{} ({format})", types.join(" or ")),
        None => types.join(" or "),
    }
}
