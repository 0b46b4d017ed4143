//! The `harness` command line: `check`, `streams`, `sync` and `mock`.

pub mod call;
pub mod connection;
pub mod docs;
pub mod output;
pub mod progress;

use crate::destinations::SqliteDestination;
use crate::mock::{MockOrg, MockServer, OrgSize};
use crate::runtime::{LogLevel, LogSink, PluginRuntime, SandboxLimits};
use crate::sync::{SyncEngine, SyncOptions};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use connection::ConnectionArgs;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Default SQLite file of `sync`.
pub const DEFAULT_DATABASE: &str = "anthropic.sqlite";

#[derive(Debug, Parser)]
#[command(
    name = "harness",
    version,
    about = "Run the Anthropic Admin & Compliance connector component: test a connection, list streams, sync into SQLite, or serve a mock of the API."
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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test the connection's keys against the API, one cheap call per key.
    Check(ConnectionArgs),
    /// List the streams the connection's keys unlock.
    Streams(ConnectionArgs),
    /// Sync streams into a SQLite file.
    Sync(SyncArgs),
    /// Serve the mock Anthropic API on loopback until interrupted.
    Mock(MockArgs),
    /// Call the Claude API through a request function (CLAUDE_API_REQUEST or
    /// CLAUDE_COMPLIANCE_API_REQUEST).
    Call(call::CallArgs),
    /// Print the streams reference (Markdown) from the plugin's manifest.
    Docs,
}

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Streams to sync, comma-separated (default: every stream the keys unlock).
    #[arg(long, value_delimiter = ',')]
    pub streams: Option<Vec<String>>,
    /// SQLite file to write.
    #[arg(long, default_value = DEFAULT_DATABASE)]
    pub into: PathBuf,
    /// Re-read everything, even for streams that support incremental reads.
    #[arg(long)]
    pub full_refresh: bool,
    /// A plugin setting, NAME=VALUE (repeatable), e.g. usage_report_granularity=1h.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub settings: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// Address to listen on (loopback only by default).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// Console users in the generated organisation.
    #[arg(long, default_value_t = OrgSize::default().admin_users)]
    pub users: usize,
    /// Linked organisations in the generated organisation.
    #[arg(long, default_value_t = OrgSize::default().organizations)]
    pub organizations: usize,
    /// claude.ai users across the linked organisations.
    #[arg(long, default_value_t = OrgSize::default().compliance_users)]
    pub compliance_users: usize,
    /// Events in the compliance activity feed.
    #[arg(long, default_value_t = OrgSize::default().activities)]
    pub activities: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = OrgSize::default().seed)]
    pub seed: u64,
}

impl Cli {
    fn runtime(&self) -> anyhow::Result<PluginRuntime> {
        let limits = SandboxLimits {
            memory_bytes: self.memory_mb << 20,
            call_timeout: Duration::from_secs(self.call_timeout),
        };
        let verbose = self.verbose;
        let log: LogSink = Arc::new(move |level, message| {
            let name = match level {
                LogLevel::Debug => "debug",
                LogLevel::Info => "info",
                LogLevel::Warn => "warn",
                LogLevel::Error => "error",
            };
            if verbose || matches!(level, LogLevel::Warn | LogLevel::Error) {
                eprintln!("[plugin {name}] {message}");
            }
        });
        match &self.plugin {
            Some(path) => {
                let wasm =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                Ok(PluginRuntime::load(&wasm, limits, log)?)
            }
            None => Ok(PluginRuntime::embedded(limits, log)?),
        }
    }
}

/// Run a parsed command line; the exit code says whether everything worked.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Mock(args) => serve_mock(args).await,
        Command::Call(args) => {
            let runtime = cli.runtime()?;
            let rows = call::run(&runtime, args).await?;
            call::print(&rows, cli.json);
            Ok(exit(rows.iter().all(|r| r.status < 400)))
        }
        Command::Docs => {
            print!(
                "{}",
                docs::streams_markdown(&cli.runtime()?.manifest().await?)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => {
            let runtime = cli.runtime()?;
            let connection = args.resolve().await?;
            let checks = runtime.check_connection(&connection.config).await?;
            output::print_checks(&checks, cli.json);
            Ok(exit(checks.iter().all(|c| c.ok)))
        }
        Command::Streams(args) => {
            let runtime = cli.runtime()?;
            let connection = args.resolve().await?;
            let streams = runtime.list_streams(&connection.config).await?;
            output::print_streams(&streams, cli.json);
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync(args) => {
            let runtime = cli.runtime()?;
            let connection = args.connection.resolve().await?;
            let mut destination = SqliteDestination::open(&args.into)?;
            let mut progress = progress::TerminalProgress::stderr();
            let options = SyncOptions {
                streams: args.streams.clone(),
                full_refresh: args.full_refresh,
                settings_json: settings_json(&args.settings)?,
                ..SyncOptions::default()
            };
            let report = SyncEngine {
                runtime: &runtime,
                connection: &connection.config,
                destination: &mut destination,
                progress: &mut progress,
            }
            .run(&options)
            .await?;
            output::print_report(&report, cli.json);
            Ok(exit(report.succeeded()))
        }
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `NAME=VALUE` pairs as the plugin's settings object (numbers stay numbers).
fn settings_json(pairs: &[String]) -> anyhow::Result<String> {
    let mut settings = serde_json::Map::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--set {pair}: expected NAME=VALUE");
        };
        let value = value
            .parse::<u64>()
            .map(serde_json::Value::from)
            .unwrap_or_else(|_| serde_json::Value::from(value));
        settings.insert(name.trim().to_owned(), value);
    }
    Ok(serde_json::Value::Object(settings).to_string())
}

async fn serve_mock(args: &MockArgs) -> anyhow::Result<ExitCode> {
    let org = MockOrg::generate(OrgSize {
        admin_users: args.users,
        organizations: args.organizations,
        compliance_users: args.compliance_users,
        activities: args.activities,
        seed: args.seed,
    });
    let server = MockServer::bind(args.listen, org)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    println!("mock Anthropic API on {}", server.base_url());
    println!("try:  ANTHROPIC_BASE_URL={} \\", server.base_url());
    println!(
        "      ANTHROPIC_ADMIN_API_KEY={} \\",
        crate::mock::DEMO_ADMIN_KEY
    );
    println!(
        "      ANTHROPIC_COMPLIANCE_ACCESS_KEY={} harness check",
        crate::mock::DEMO_COMPLIANCE_KEY
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("{} requests served", server.requests().len());
    Ok(ExitCode::SUCCESS)
}
