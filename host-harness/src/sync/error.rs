//! Why a run could not start, and why one stream of a run failed.

use super::plan::PlanError;
use super::settings::SettingsError;
use super::walk::WalkError;
use crate::destinations::DestinationError;
use crate::runtime::CallError;
use thiserror::Error;

/// Why a run could not start, or could not make what it wrote durable.
#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Plugin(#[from] CallError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The settings were refused, by the host or by the plugin's first read.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The destination could not commit what the streams wrote.
    #[error(transparent)]
    Destination(#[from] DestinationError),
}

/// Why one stream stopped. The run reports it on the stream and goes on,
/// except for a refusal of the settings, which every stream would meet.
#[derive(Debug, Error)]
pub enum StreamError {
    /// The plugin failed a read (after the retries it deserved), or the
    /// sandbox stopped it: which page of which stream, and why.
    #[error("page {page} of `{stream}`: {error}")]
    Read {
        stream: String,
        page: u64,
        error: CallError,
    },
    /// The destination could not prepare the table or commit a page.
    #[error(transparent)]
    Destination(#[from] DestinationError),
    /// The API's pagination would not end.
    #[error(transparent)]
    Pagination(#[from] WalkError),
    /// The plugin refused the run's settings on this stream's first read.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

impl StreamError {
    /// The full diagnostic behind the one-line message, when there is one
    /// (a trap's wasm backtrace).
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Read { error, .. } => error.detail(),
            Self::Destination(_) | Self::Pagination(_) | Self::Settings(_) => None,
        }
    }
}
