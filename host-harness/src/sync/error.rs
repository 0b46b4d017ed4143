//! Why a run could not start, and why one stream of a run failed.

use super::plan::PlanError;
use crate::destinations::DestinationError;
use crate::runtime::CallError;
use thiserror::Error;

/// Why a run could not start at all.
#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Plugin(#[from] CallError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Why one stream stopped. The run reports it on the stream and goes on.
#[derive(Debug, Error)]
pub enum StreamError {
    /// The plugin failed the read (after the retries it deserved) or trapped.
    #[error(transparent)]
    Plugin(#[from] CallError),
    /// The destination could not prepare the table or commit a page.
    #[error(transparent)]
    Destination(#[from] DestinationError),
    /// The plugin handed back the cursor it was given: reading on would loop.
    #[error(
        "the plugin returned the same page cursor twice for `{stream}`; stopping instead of looping"
    )]
    RepeatedCursor { stream: String },
}
