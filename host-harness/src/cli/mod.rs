//! The `harness` command line. One module per command in [`commands`], each a
//! clap struct with an `execute` method; what they share (the connection
//! arguments, output formats, progress) sits beside them.

pub mod commands;
pub mod connection;
pub mod failure;
pub mod output;
pub mod progress;
pub mod warehouse;

use crate::printable::printable;
use crate::runtime::{CodeCache, LogLevel, LogSink, PluginRuntime, RuntimeOptions, SandboxLimits};
use anyhow::Context;
use clap::{Parser, Subcommand};
use failure::FailureFormat;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "harness",
    version,
    about = "Run the Anthropic Admin & Compliance connector component: test a connection, list streams, sync into SQLite or PostgreSQL, call the request functions, or serve a mock of the API."
)]
pub struct Cli {
    /// Machine-readable output: JSON lines.
    #[arg(long, global = true)]
    pub json: bool,
    /// Show the plugin's debug log (every request it makes).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Run this component instead of the one built into the harness.
    #[arg(long, global = true, value_name = "WASM")]
    pub plugin: Option<PathBuf>,
    /// Memory limit of the plugin, in MiB.
    #[arg(long, global = true, default_value_t = 256)]
    pub memory_mb: usize,
    /// Time limit of one call into the plugin, in seconds.
    #[arg(long, global = true, default_value_t = 300)]
    pub call_timeout: u64,
    /// Keep compiled plugin code in this directory (default: wasmtime's cache
    /// directory for this user), so the next start does not compile again.
    #[arg(long, global = true, env = "HARNESS_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Compile the plugin on every start and keep no compiled code (wins over --cache-dir).
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Send at most N requests a minute on the connection, all endpoints
    /// counted together (0: no limit of the harness's own; the API's
    /// rate-limit headers and 429s still pace requests). Default: 600 a minute
    /// on the Compliance API, its limit per organisation, none on the Admin API.
    #[arg(long, global = true, value_name = "N")]
    pub requests_per_minute: Option<u32>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test the connection's keys against the API, one cheap call per key.
    Check(commands::check::CheckCommand),
    /// List the streams the connection's keys unlock.
    Streams(commands::streams::StreamsCommand),
    /// Sync streams into a SQLite file or a PostgreSQL schema.
    Sync(commands::sync::SyncCommand),
    /// Serve the mock Anthropic API on loopback until interrupted.
    Mock(commands::mock::MockCommand),
    /// Call the Claude API through a request function (CLAUDE_API_REQUEST or
    /// CLAUDE_COMPLIANCE_API_REQUEST).
    Call(commands::call::CallCommand),
    /// Print the streams reference (Markdown) from the plugin's manifest.
    Docs(commands::docs::DocsCommand),
    /// Delete streams' checkpoints in a warehouse (rows are kept): the next sync reads them from the start.
    Reset(commands::reset::ResetCommand),
    /// Show the recent syncs into a warehouse: when, what each stream did, what failed.
    Runs(commands::runs::RunsCommand),
    /// Write an HTML report of a warehouse: cost, tokens, API keys, Claude Code, activity, access.
    Report(commands::report::ReportCommand),
    /// Run as an Airbyte source: spec, check, discover and read in the Airbyte protocol.
    Airbyte(commands::airbyte::AirbyteCommand),
}

impl Cli {
    /// How this command line wants failures shown.
    pub fn failure_format(&self) -> FailureFormat {
        FailureFormat {
            json: self.json,
            verbose: self.verbose,
        }
    }

    /// The plugin runtime these global options ask for.
    pub fn runtime(&self) -> anyhow::Result<PluginRuntime> {
        let options = RuntimeOptions {
            limits: SandboxLimits {
                memory_bytes: self.memory_mb << 20,
                call_timeout: Duration::from_secs(self.call_timeout),
            },
            code_cache: match (&self.cache_dir, self.no_cache) {
                (_, true) => CodeCache::Off,
                (Some(dir), false) => CodeCache::Directory(dir.clone()),
                (None, false) => CodeCache::UserDefault,
            },
        };
        let log = self.plugin_log();
        match &self.plugin {
            Some(path) => {
                let wasm =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                Ok(PluginRuntime::load(&wasm, &options, log)?)
            }
            None => Ok(PluginRuntime::embedded(&options, log)?),
        }
    }

    /// The plugin's log on stderr: warnings and errors always, the rest with --verbose.
    fn plugin_log(&self) -> LogSink {
        let verbose = self.verbose;
        Arc::new(move |level, message| {
            let name = match level {
                LogLevel::Debug => "debug",
                LogLevel::Info => "info",
                LogLevel::Warn => "warn",
                LogLevel::Error => "error",
            };
            if verbose || matches!(level, LogLevel::Warn | LogLevel::Error) {
                eprintln!("[plugin {name}] {}", printable(message));
            }
        })
    }
}

/// Run a parsed command line; the exit code says whether everything worked.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Check(command) => command.execute(&cli).await,
        Command::Streams(command) => command.execute(&cli).await,
        Command::Sync(command) => command.execute(&cli).await,
        Command::Mock(command) => command.execute().await,
        Command::Call(command) => command.execute(&cli).await,
        Command::Docs(command) => command.execute(&cli).await,
        Command::Reset(command) => command.execute(&cli).await,
        Command::Runs(command) => command.execute(&cli).await,
        Command::Report(command) => command.execute(&cli).await,
        Command::Airbyte(command) => command.execute(&cli).await,
    }
}

/// Success when everything worked, failure (1) otherwise.
pub(crate) fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
