//! `harness`: the command-line entry point. Exit codes: 0 when everything
//! worked, 1 when a command ran but part of it failed (a stream, a key, an
//! API call), 2 when it could not run at all (see `cli::failure`).

use clap::Parser;
use host_harness::cli::failure::FailureFormat;
use host_harness::cli::{Cli, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Not parsed, so look for the flag itself: with --json even a
            // refused command line answers in JSON.
            let json = std::env::args_os().skip(1).any(|arg| arg == "--json");
            return FailureFormat {
                json,
                verbose: false,
            }
            .usage(error);
        }
    };
    let format = cli.failure_format();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return format.report(&anyhow::Error::new(e).context("cannot start the async runtime"));
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => format.report(&e),
    }
}
