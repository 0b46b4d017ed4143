//! Where records land. Every destination offers the same small trait: prepare a
//! stream's table, commit one page of records together with the stream's
//! checkpoint in one transaction, and read the last checkpoint back.

pub mod sqlite;
pub mod table;

pub use sqlite::SqliteDestination;
pub use table::{Column, ColumnKind, TableError, TableSpec};

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

#[derive(Debug, Error)]
pub enum DestinationError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "table `{table}` has the primary key ({existing}) but the stream now declares ({declared}): \
         rename or drop the table, then sync again"
    )]
    KeyChanged {
        table: String,
        existing: String,
        declared: String,
    },
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
}

/// A warehouse the sync loop writes into.
pub trait Destination {
    /// Create the stream's table, or add the columns it lacks.
    fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError>;

    /// Upsert `records` by primary key and store `checkpoint`, all or nothing.
    /// Returns the number of records written.
    fn commit_page(
        &mut self,
        table: &TableSpec,
        records: &[String],
        checkpoint: &Checkpoint,
    ) -> Result<usize, DestinationError>;

    /// The stream's last committed checkpoint.
    fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError>;

    /// Where the data is, for messages.
    fn describe(&self) -> String;
}
