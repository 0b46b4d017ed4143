//! `harness streams`: the streams the connection's keys unlock.

use crate::cli::Cli;
use crate::cli::connection::ConnectionArgs;
use crate::cli::output::print_table;
use crate::runtime::model::StreamDescriptor;
use clap::Args;
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct StreamsCommand {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

impl StreamsCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let runtime = cli.runtime()?;
        let connection = self.connection.resolve().await?;
        let streams = runtime.list_streams(&connection.config).await?;
        print_streams(&streams, cli.json);
        Ok(ExitCode::SUCCESS)
    }
}

fn strategies(d: &StreamDescriptor) -> Vec<&'static str> {
    d.strategies.iter().map(|s| s.as_str()).collect()
}

fn print_streams(streams: &[StreamDescriptor], as_json: bool) {
    if as_json {
        for d in streams {
            println!(
                "{}",
                json!({
                    "name": d.name, "key": d.required_key.as_str(), "endpoint": d.endpoint,
                    "strategies": strategies(d), "primary_key": d.primary_key,
                    "cursor_field": d.cursor_field, "parent": d.parent,
                    "parent_batch_size": d.parent_batch_size,
                })
            );
        }
        return;
    }
    let rows: Vec<Vec<String>> = streams
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.required_key.as_str().into(),
                strategies(d).join(","),
                d.primary_key.join(" + "),
                d.parent.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    print_table(
        &["STREAM", "KEY", "STRATEGIES", "PRIMARY KEY", "PARENT"],
        &rows,
    );
}
