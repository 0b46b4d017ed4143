//! The report: one self-contained HTML page drawn from a warehouse a sync
//! wrote (SQLite or PostgreSQL): cost and tokens per day, the top API keys,
//! Claude Code per user, the activity feed, and who has access, each with
//! the days it covers and when it was synced. Whatever streams were synced
//! are shown; the others are named with what syncing them would add.

mod amount;
mod chart;
mod html;
mod sections;
mod series;
mod source;

pub use source::ReportSource;

use crate::destinations::DestinationError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error(transparent)]
    Read(#[from] DestinationError),
    #[error("drawing a chart failed: {0}")]
    Chart(String),
}

impl From<chart::ChartError> for ReportError {
    fn from(reason: chart::ChartError) -> Self {
        Self::Chart(reason)
    }
}

/// The report of what `source` holds, as one HTML page; `described` names
/// the warehouse and `now` is when the report was made.
pub async fn render(
    source: &mut ReportSource,
    described: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ReportError> {
    let sections = sections::all(source).await?;
    let meta = format!(
        "From {described}, made {}",
        now.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(html::page(
        "Anthropic usage, cost and access",
        &meta,
        &sections,
    ))
}
