//! Where records land. Every destination offers the same small async trait:
//! prepare a stream's table, write one page of records together with the
//! stream's checkpoint (all or nothing), read the last checkpoint back,
//! forget it (a reset), mark the rows a whole read did not find as deleted,
//! and make everything written durable (a flush).
//! Tables are derived from the stream's descriptor ([`TableSpec`]), with
//! column kinds each destination maps to its own types.

pub mod batch;
pub mod evolution;
pub mod metadata;
pub mod postgres;
pub mod record;
pub mod runs;
pub mod sqlite;
pub mod table;
pub mod warehouse;
pub mod written;

pub use batch::BatchLimits;
pub use postgres::{PostgresDestination, PostgresLocation};
pub use runs::{RunRecord, StreamRecord};
pub use sqlite::SqliteDestination;
pub use table::{Column, ColumnKind, TableError, TableSpec};
pub use written::WrittenRows;

use async_trait::async_trait;
use thiserror::Error;

/// What a destination remembers of a stream between pages and runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checkpoint {
    /// The plugin's state (JSON) as of the last committed page.
    pub state_json: Option<String>,
    /// The cursor of the next page while a read is under way; none once the
    /// stream was read to the end. A run that finds one resumes there.
    pub page_cursor: Option<String>,
}

/// Why a destination could not do what was asked. Messages name the table
/// and what to do; the backend's own error is kept as the source.
#[derive(Debug, Error)]
pub enum DestinationError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("cannot open {location}: {reason}")]
    Open { location: String, reason: String },
    #[error(
        "table `{table}` has the primary key ({existing}) but the stream now declares ({declared}): \
         rename or drop the table, then sync again"
    )]
    KeyChanged {
        table: String,
        existing: String,
        declared: String,
    },
    #[error(
        "column `{column}` of table `{table}` holds {existing} but the stream now declares \
         {declared}: rename or drop that column (or the table), then sync again"
    )]
    TypeChanged {
        table: String,
        column: String,
        existing: String,
        declared: String,
    },
    #[error(
        "table `{table}` in {location} was not created by this connector, so it is left as it \
         is: sync into another file (--into FILE), or rename or drop that table, then sync again"
    )]
    NotOurs { table: String, location: String },
    #[error("another sync is writing to {location} ({holder}); wait for it or use another --into")]
    Busy { location: String, holder: String },
    #[error(
        "{location} could not commit the pages written since its last commit ({reason}): \
         nothing more is written in this run, and the next run resumes from the last \
         committed page"
    )]
    BatchLost { location: String, reason: String },
    /// The database refused a statement or a transaction.
    #[error("the database refused the write: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A warehouse the sync loop writes into.
#[async_trait]
pub trait Destination: Send {
    /// Create the stream's table, or add the columns it lacks; refuse a table
    /// of that name the connector did not create. Called once per read of
    /// the stream: what [`commit_page`](Self::commit_page) counts is per read.
    async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError>;

    /// Upsert `records` by primary key and store `checkpoint`, all or nothing.
    /// Returns the rows written, each key counted once per read. A
    /// destination may hold written pages back to commit several at once,
    /// each page still whole with its checkpoint; [`flush`](Self::flush)
    /// commits them.
    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError>;

    /// The stream's read since [`prepare`](Self::prepare) returned every
    /// record the API holds for it: mark the rows it did not write as
    /// deleted (kept, with when they were found gone); a row written again
    /// later is no longer deleted. Returns how many rows were newly marked.
    async fn mark_unseen_deleted(&mut self, table: &TableSpec) -> Result<u64, DestinationError>;

    /// The stream's last committed checkpoint.
    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError>;

    /// Delete the stream's checkpoint (state and page cursor) and keep its
    /// rows, so the next run reads it from the start. Whether there was one.
    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError>;

    /// A run begins: record when and with which options (JSON, no secrets),
    /// committed at once; the rows it writes carry the id returned.
    async fn begin_run(&mut self, options_json: &str) -> Result<i64, DestinationError>;

    /// The run under way ended: record what each stream did, and why the
    /// run stopped as a whole if it did.
    async fn finish_run(
        &mut self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<(), DestinationError>;

    /// Commit every page written so far; the run calls it before it reports.
    async fn flush(&mut self) -> Result<(), DestinationError> {
        Ok(())
    }

    /// Where the data is, for messages.
    fn describe(&self) -> String;
}
