//! `harness check`: one cheap call per key, and what to do about each failure.

use crate::cli::connection::ConnectionArgs;
use crate::cli::{Cli, exit_code};
use crate::runtime::model::KeyCheck;
use clap::Args;
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CheckCommand {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl CheckCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let runtime = cli.runtime()?;
        let connection = self.connection.resolve().await?;
        let checks = runtime.check_connection(&connection.config).await?;
        print_checks(&checks, cli.json);
        Ok(exit_code(checks.iter().all(|c| c.ok)))
    }
}

fn print_checks(checks: &[KeyCheck], as_json: bool) {
    for c in checks {
        if as_json {
            println!(
                "{}",
                json!({"key": c.key.as_str(), "field": c.field, "ok": c.ok, "status": c.status, "message": c.message})
            );
        } else {
            let verdict = if c.ok { "OK  " } else { "FAIL" };
            println!("{verdict} {} ({}): {}", c.key.as_str(), c.field, c.message);
        }
    }
}
