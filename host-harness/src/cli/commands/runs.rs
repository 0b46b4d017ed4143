//! `harness runs`: the recent history of syncs into a SQLite file or a
//! PostgreSQL schema (its `_runs` table), newest first, read without waiting
//! for a sync under way.

use crate::cli::Cli;
use crate::cli::output::print_table;
use crate::cli::warehouse::WarehouseArgs;
use crate::printable::printable;
use anyhow::bail;
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct RunsCommand {
    #[command(flatten)]
    pub warehouse: WarehouseArgs,
    /// How many runs to show, newest first.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub last: usize,
}

impl RunsCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let warehouse = self.warehouse.warehouse()?;
        if warehouse.is_missing_file() {
            bail!(
                "{} does not exist, so nothing was synced into it; pass the file with --into FILE",
                warehouse.describe()
            );
        }
        let runs = warehouse.recent_runs(self.last).await?;
        if cli.json {
            for run in &runs {
                println!("{}", serde_json::to_string(run)?);
            }
            return Ok(ExitCode::SUCCESS);
        }
        let rows: Vec<Vec<String>> = runs
            .iter()
            .map(|run| {
                let sum = |field: fn(&crate::destinations::StreamRecord) -> u64| {
                    run.streams.iter().map(field).sum::<u64>().to_string()
                };
                let failed: Vec<&str> = run
                    .streams
                    .iter()
                    .filter(|s| s.outcome == "failed")
                    .map(|s| s.stream.as_str())
                    .collect();
                let mut outcome = run.outcome().to_owned();
                if let Some(error) = &run.error {
                    outcome.push_str(&format!(": {}", printable(error)));
                } else if !failed.is_empty() {
                    outcome.push_str(&format!(": {}", failed.join(", ")));
                }
                vec![
                    run.run_id.to_string(),
                    run.started_at.clone(),
                    run.ended_at.clone().unwrap_or_else(|| "-".into()),
                    run.streams.len().to_string(),
                    sum(|s| s.rows),
                    sum(|s| s.deleted_rows),
                    outcome,
                ]
            })
            .collect();
        print_table(
            &[
                "RUN", "STARTED", "ENDED", "STREAMS", "ROWS", "DELETED", "OUTCOME",
            ],
            &rows,
        );
        if runs.is_empty() {
            println!("no run recorded in {} yet", warehouse.describe());
        }
        Ok(ExitCode::SUCCESS)
    }
}
