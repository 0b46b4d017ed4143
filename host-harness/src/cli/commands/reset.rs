//! `harness reset`: forget where streams stand in a SQLite file or a
//! PostgreSQL schema, so the next sync reads them from the start. Their rows
//! stay; an incremental stream upserts over them by key. The remedy the plugin names when a stream's saved
//! state cannot be read any more.

use crate::cli::Cli;
use crate::cli::output::print_table;
use crate::cli::warehouse::WarehouseArgs;
use crate::sync::PlanError;
use anyhow::bail;
use clap::Args;
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ResetCommand {
    /// Streams whose checkpoint (state and page cursor) to delete, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub streams: Vec<String>,
    #[command(flatten)]
    pub warehouse: WarehouseArgs,
}

impl ResetCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let manifest = cli.runtime()?.manifest().await?;
        let known: Vec<&str> = manifest.streams.iter().map(|d| d.name.as_str()).collect();
        if let Some(unknown) = self.streams.iter().find(|s| !known.contains(&s.as_str())) {
            return Err(PlanError::Unknown {
                name: unknown.clone(),
                known: known.join(", "),
            }
            .into());
        }
        let warehouse = self.warehouse.warehouse()?;
        if warehouse.is_missing_file() {
            bail!(
                "{} does not exist, so no stream has a checkpoint there; pass the file the \
                 streams were synced into with --into FILE",
                warehouse.describe()
            );
        }
        let mut destination = warehouse.open().await?;
        let mut deleted = Vec::with_capacity(self.streams.len());
        for stream in &self.streams {
            deleted.push((stream, destination.reset(stream).await?));
        }
        if cli.json {
            for (stream, had_checkpoint) in &deleted {
                println!(
                    "{}",
                    json!({"stream": stream, "checkpoint_deleted": had_checkpoint})
                );
            }
        } else {
            let rows: Vec<Vec<String>> = deleted
                .iter()
                .map(|(stream, had_checkpoint)| {
                    let done = if *had_checkpoint {
                        "deleted"
                    } else {
                        "none (already reads from the start)"
                    };
                    vec![(*stream).clone(), done.to_owned()]
                })
                .collect();
            print_table(&["STREAM", "CHECKPOINT"], &rows);
            println!(
                "the next sync into {} reads these streams from the start; their rows are kept",
                destination.describe()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}
