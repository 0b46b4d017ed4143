//! `harness airbyte`: the connector as an Airbyte source, speaking the
//! Airbyte protocol on stdout (`spec`, `check`, `discover`, `read`), so the
//! Airbyte platform or PyAirbyte can run it like any other source.

use crate::airbyte::{self, Failure, messages::Emitter};
use crate::cli::Cli;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct AirbyteCommand {
    #[command(subcommand)]
    pub command: AirbyteVerb,
}

#[derive(Debug, Subcommand)]
pub enum AirbyteVerb {
    /// The connection specification (SPEC).
    Spec,
    /// Test the config's keys (CONNECTION_STATUS).
    Check {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// The streams the config's keys unlock (CATALOG).
    Discover {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Read the configured streams (RECORD, and STATE after each page).
    Read {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The configured catalog: which streams, in which sync mode.
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
        /// The STATE messages of an earlier read, as a JSON list, to resume from.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
}

impl AirbyteCommand {
    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let out = Emitter::stdout();
        let result = match cli.runtime() {
            Err(error) => Err(Failure {
                message: format!("{error:#}"),
                config: false,
            }),
            Ok(runtime) => match &self.command {
                AirbyteVerb::Spec => airbyte::spec(&runtime, &out).await.map(|()| true),
                AirbyteVerb::Check { config } => {
                    airbyte::check(&runtime, config, &out).await.map(|()| true)
                }
                AirbyteVerb::Discover { config } => airbyte::discover(&runtime, config, &out)
                    .await
                    .map(|()| true),
                AirbyteVerb::Read {
                    config,
                    catalog,
                    state,
                } => airbyte::read(&runtime, config, catalog, state.as_deref(), &out).await,
            },
        };
        out.flush();
        match result {
            Ok(true) => Ok(ExitCode::SUCCESS),
            // The failed streams were told as TRACE errors as they ended.
            Ok(false) => Ok(ExitCode::from(1)),
            Err(failure) => {
                out.error(None, &failure.message, &failure.message, failure.config);
                Ok(ExitCode::from(1))
            }
        }
    }
}
