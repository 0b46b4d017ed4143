//! `harness sync`: read the selected streams into a SQLite file or a
//! PostgreSQL schema, with progress on stderr and a summary at the end.

use crate::cli::connection::{ConnectionArgs, NamedConnectionArgs, ResolvedConnection};
use crate::cli::output::{covered, print_table};
use crate::cli::progress::TerminalProgress;
use crate::cli::warehouse::WarehouseArgs;
use crate::cli::{Cli, exit_code};
use crate::sync::{
    DEFAULT_CONCURRENCY, DEFAULT_MAX_PAGES, Outcome, SyncEngine, SyncOptions, SyncReport,
};
use anyhow::bail;
use clap::Args;
use std::borrow::Cow;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct SyncCommand {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub named: NamedConnectionArgs,
    /// Streams to sync, comma-separated (default: every stream the keys unlock).
    #[arg(long, value_delimiter = ',')]
    pub streams: Option<Vec<String>>,
    #[command(flatten)]
    pub warehouse: WarehouseArgs,
    /// Re-read everything, even for streams that support incremental reads.
    #[arg(long)]
    pub full_refresh: bool,
    /// A plugin setting, NAME=VALUE (repeatable), e.g. usage_report_granularity=1h. A whole
    /// number is passed as a number and a JSON object or array as JSON, e.g.
    /// lookback_hours='{"cost_report":24}'; anything else as text.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
    /// Most pages one walk of a stream may take (a stream, or one parent's
    /// children) before it is stopped as endless.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PAGES)]
    pub max_pages: u64,
    /// Plugin calls in flight at once: streams, and a child's batches of
    /// parents, read side by side (1 reads one page at a time). Requests stay
    /// within the connection's request budget whatever this is.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

impl SyncCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let runtime = cli.runtime()?;
        let file = self.named.file()?;
        let (connection, warehouse) = match self.named.slug(file.as_ref())? {
            Some((slug, file)) => {
                let config = self.connection.resolve_named(file, slug)?;
                let entry = file.named(slug)?;
                let warehouse = self.warehouse.warehouse_of(Some((slug, entry)))?;
                (ResolvedConnection { config, mock: None }, warehouse)
            }
            None => (
                self.connection.resolve().await?,
                self.warehouse.warehouse()?,
            ),
        };
        let mut destination = warehouse.open().await?;
        let mut progress = TerminalProgress::stderr(!cli.json);
        let options = SyncOptions {
            streams: self.streams.clone(),
            full_refresh: self.full_refresh,
            settings_json: settings_json(&self.settings)?,
            max_pages: self.max_pages,
            concurrency: self.concurrency.into(),
            ..SyncOptions::default()
        };
        let report = SyncEngine {
            runtime: &runtime,
            connection: &connection.config,
            destination: &mut *destination,
            progress: &mut progress,
        }
        .run(&options)
        .await?;
        print_report(&report, cli.json, cli.verbose);
        Ok(exit_code(report.succeeded()))
    }
}

/// `NAME=VALUE` pairs as the plugin's settings object.
fn settings_json(pairs: &[String]) -> anyhow::Result<String> {
    let mut settings = serde_json::Map::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--set {pair}: expected NAME=VALUE");
        };
        settings.insert(name.trim().to_owned(), setting_value(value));
    }
    Ok(serde_json::Value::Object(settings).to_string())
}

/// A whole number stays a number and a JSON object or array stays JSON (the
/// per-stream form of a setting); anything else is the text as typed.
fn setting_value(text: &str) -> serde_json::Value {
    if let Ok(number) = text.parse::<u64>() {
        return number.into();
    }
    match serde_json::from_str(text) {
        Ok(json @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => json,
        _ => text.into(),
    }
}

fn print_report(report: &SyncReport, as_json: bool, verbose: bool) {
    // Wasm backtraces only for whoever asked for them.
    let report = &if verbose {
        Cow::Borrowed(report)
    } else {
        Cow::Owned(report.without_diagnostics())
    };
    if as_json {
        println!(
            "{}",
            serde_json::to_string(report.as_ref()).expect("report serialises")
        );
        return;
    }
    let rows: Vec<Vec<String>> = report
        .streams
        .iter()
        .map(|s| {
            let mut outcome = match &s.outcome {
                Outcome::Succeeded => "ok".to_owned(),
                Outcome::Failed(why) => format!("failed: {why}"),
                Outcome::Skipped(why) => format!("skipped: {why}"),
            };
            if let Some(coverage) = &s.coverage {
                outcome.push_str(&format!(" ({})", covered(coverage)));
            }
            for w in &s.warnings {
                outcome.push_str(&format!(" (warning: {w})"));
            }
            vec![
                s.stream.clone(),
                s.strategy.clone(),
                s.rows.to_string(),
                s.new_rows.to_string(),
                s.changed_rows.to_string(),
                s.deleted_rows.to_string(),
                s.pages.to_string(),
                format!("{:.2}s", s.duration.as_secs_f64()),
                outcome,
            ]
        })
        .collect();
    print_table(
        &[
            "STREAM", "STRATEGY", "ROWS", "NEW", "CHANGED", "DELETED", "PAGES", "TIME", "OUTCOME",
        ],
        &rows,
    );
    println!(
        "{} rows written (each key once) into {} in {:.2}s",
        report.total_rows(),
        report.destination,
        report.duration.as_secs_f64()
    );
    let http = &report.timings.http;
    println!(
        "{} requests over {} connection(s), {:.1} MB received{}",
        http.requests,
        http.connections_opened,
        http.received_bytes as f64 / 1e6,
        if http.paced.is_zero() {
            String::new()
        } else {
            format!(
                ", {:.1}s waiting on the request budget",
                http.paced.as_secs_f64()
            )
        }
    );
    for warning in &report.warnings {
        println!("warning: {warning}");
    }
    for stream in &report.streams {
        if let Some(diagnostic) = &stream.diagnostic {
            println!("{}: {diagnostic}", stream.stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_json_objects_and_arrays_keep_their_type_and_the_rest_is_text() {
        let pairs = [
            "page_size=500",
            r#"lookback_hours={"cost_report":24}"#,
            "usage_report_grouping=model,workspace_id",
            r#"activities_exclude_types=["a","b"]"#,
            "label={not json",
        ]
        .map(String::from);
        assert_eq!(
            settings_json(&pairs).unwrap(),
            concat!(
                r#"{"page_size":500,"lookback_hours":{"cost_report":24},"#,
                r#""usage_report_grouping":"model,workspace_id","#,
                r#""activities_exclude_types":["a","b"],"label":"{not json"}"#
            )
        );
    }
}
