//! How a command that could not run says so. One line: `error: …` on stderr,
//! or with `--json` a JSON line `{"error": {"message": …}}` on stdout, so that
//! with `--json` every line of stdout is JSON whatever happens. Control
//! characters of anything echoed are escaped. The full diagnostic behind the
//! line (a trap's wasm backtrace) only with `--verbose`, as the JSON error's
//! `detail` or on the lines after it. The exit code is 2: nothing ran.

use crate::printable::printable;
use crate::runtime::CallError;
use crate::sync::SyncError;
use serde_json::json;
use std::process::ExitCode;

/// The exit code of a command that could not run (1 is a run that did, with failures).
pub const COULD_NOT_RUN: u8 = 2;

/// How failures are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureFormat {
    pub json: bool,
    pub verbose: bool,
}

impl FailureFormat {
    /// Print `error` and return the exit code saying the command could not run.
    pub fn report(self, error: &anyhow::Error) -> ExitCode {
        let message = printable(&format!("{error:#}")).into_owned();
        let detail = self.verbose.then(|| diagnostic(error)).flatten();
        self.print(&message, detail);
        ExitCode::from(COULD_NOT_RUN)
    }

    /// A command line clap refused. Help and version are not failures and
    /// print as clap prints them; without `--json` so does a refusal.
    pub fn usage(self, error: clap::Error) -> ExitCode {
        use clap::error::ErrorKind;
        if !self.json
            || matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            )
        {
            error.exit();
        }
        let rendered = error.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        let message = first.strip_prefix("error: ").unwrap_or(first);
        self.print(&printable(message), None);
        ExitCode::from(COULD_NOT_RUN)
    }

    fn print(self, message: &str, detail: Option<&str>) {
        if self.json {
            let mut error = json!({ "message": message });
            if let Some(detail) = detail {
                error["detail"] = json!(detail);
            }
            println!("{}", json!({ "error": error }));
        } else {
            eprintln!("error: {message}");
            if let Some(detail) = detail {
                eprintln!("{detail}");
            }
        }
    }
}

/// The full diagnostic of the plugin call behind `error`, if one failed.
fn diagnostic(error: &anyhow::Error) -> Option<&str> {
    error.chain().find_map(|cause| {
        if let Some(call) = cause.downcast_ref::<CallError>() {
            return call.detail();
        }
        match cause.downcast_ref::<SyncError>() {
            Some(SyncError::Plugin(call)) => call.detail(),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::LimitHit;
    use std::time::Duration;

    #[test]
    fn the_diagnostic_of_a_failed_call_is_found_under_the_run_error() {
        let call = CallError::Limit {
            limit: LimitHit::Time {
                limit: Duration::from_secs(1),
            },
            detail: "wasm backtrace: 0: 0x10".into(),
        };
        let error = anyhow::Error::from(SyncError::Plugin(call)).context("syncing");
        assert_eq!(diagnostic(&error), Some("wasm backtrace: 0: 0x10"));
        assert_eq!(diagnostic(&anyhow::anyhow!("no key")), None);
    }
}
