//! `harness report`: one self-contained HTML page of what a warehouse
//! holds (cost, tokens, API keys, Claude Code, the activity feed, access),
//! written to a file that opens without a network.

use crate::cli::Cli;
use crate::cli::warehouse::DEFAULT_DATABASE;
use crate::destinations::warehouse::Warehouse;
use crate::report::{self, ReportSource};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportCommand {
    /// The warehouse a sync wrote: a SQLite file, or a PostgreSQL database as
    /// postgres://USER@HOST:PORT/DATABASE (the password in PGPASSWORD).
    #[arg(long, value_name = "FILE|URL", default_value = DEFAULT_DATABASE)]
    pub from: String,
    /// The connection's schema in a PostgreSQL database [default: anthropic].
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,
}

impl ReportCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let warehouse = Warehouse::parse(&self.from, self.schema.as_deref())?;
        let mut source = ReportSource::open(&warehouse).await?;
        let html = report::render(&mut source, &warehouse.describe(), chrono::Utc::now()).await?;
        std::fs::write(&self.out, &html)
            .with_context(|| format!("cannot write the report to {}", self.out.display()))?;
        if cli.json {
            println!(
                "{}",
                serde_json::json!({"report": self.out.display().to_string(), "bytes": html.len()})
            );
        } else {
            println!(
                "wrote {} ({} KB): open it in a browser",
                self.out.display(),
                html.len().div_ceil(1024)
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}
