//! PostgreSQL, and the engines that speak its protocol: one schema per
//! connection, one table per stream with the stream's primary key, typed
//! columns from its JSON Schema (`timestamptz`, `date`, `bigint`, `numeric`,
//! `boolean`, `jsonb`) and the raw record as `jsonb`. Like SQLite, every page
//! commits with its stream's checkpoint, pages commit in batches, rows a
//! whole read no longer finds are marked deleted (`_deleted_at`), and only
//! tables the connector created are written, by one sync at a time.
//!
//! Each page is one statement: its records go as one array per column and
//! the database unnests, casts and upserts them, so a page of any size is
//! one round trip (`sql::write_page`).

mod history;
mod location;
mod lock;
mod schema;
mod session;
mod sql;

pub use location::{DEFAULT_SCHEMA, PASSWORD_ENV, PostgresLocation};
pub use session::connect;

use super::batch::BatchLimits;
use super::runs::{RunRecord, StreamRecord};
use super::table::TableSpec;
use super::{Checkpoint, Destination, DestinationError, WrittenRows};
use async_trait::async_trait;
use session::Session;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// How often an idle destination looks whether its open batch is due.
const IDLE_CHECK: Duration = Duration::from_millis(250);

pub struct PostgresDestination {
    session: Arc<Mutex<Session>>,
    /// Commits the open batch once due, also when no page comes for a while.
    committer: JoinHandle<()>,
    described: String,
}

impl PostgresDestination {
    /// Connect, create the schema's tables if missing, and take its write lock.
    pub async fn connect(location: &PostgresLocation) -> Result<Self, DestinationError> {
        Self::connect_with(location, BatchLimits::default()).await
    }

    /// [`connect`](Self::connect), committing pages in batches of at most `limits`.
    pub async fn connect_with(
        location: &PostgresLocation,
        limits: BatchLimits,
    ) -> Result<Self, DestinationError> {
        let session = Session::open(location, limits).await?;
        let described = session.describe();
        let session = Arc::new(Mutex::new(session));
        let committer = tokio::spawn(commit_when_due(Arc::downgrade(&session)));
        Ok(Self {
            session,
            committer,
            described,
        })
    }
}

/// The recent runs recorded in `location`'s schema, newest first, read
/// without waiting for a sync under way.
pub async fn recent_runs(
    location: &PostgresLocation,
    limit: usize,
) -> Result<Vec<RunRecord>, DestinationError> {
    let (client, connection) = connect(location).await?;
    let runs = history::recent(&client, &location.schema, limit).await;
    drop(client);
    connection.abort();
    runs
}

impl Drop for PostgresDestination {
    fn drop(&mut self) {
        self.committer.abort();
    }
}

async fn commit_when_due(session: Weak<Mutex<Session>>) {
    loop {
        let wait = match session.upgrade() {
            Some(session) => session.lock().await.due_in(),
            None => return,
        };
        tokio::time::sleep(wait.map_or(IDLE_CHECK, |due| due.min(IDLE_CHECK))).await;
        let Some(session) = session.upgrade() else {
            return;
        };
        let mut session = session.lock().await;
        if session.is_due() {
            // A failed commit is kept by the session and told to the next call.
            let _ = session.commit().await;
        }
    }
}

/// A client error as one line: the server's message, detail and code.
fn explain(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{} ({})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("; {detail}"));
        }
        return text;
    }
    match std::error::Error::source(error) {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    }
}

impl From<tokio_postgres::Error> for DestinationError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Database(explain(&e).into())
    }
}

#[async_trait]
impl Destination for PostgresDestination {
    async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        self.session.lock().await.prepare(table).await
    }

    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        self.session
            .lock()
            .await
            .write_page(table, records, checkpoint)
            .await
    }

    async fn mark_unseen_deleted(&mut self, table: &TableSpec) -> Result<u64, DestinationError> {
        self.session.lock().await.mark_unseen_deleted(table).await
    }

    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        self.session.lock().await.checkpoint(stream).await
    }

    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        self.session.lock().await.reset(stream).await
    }

    async fn begin_run(&mut self, options_json: &str) -> Result<i64, DestinationError> {
        self.session.lock().await.begin_run(options_json).await
    }

    async fn finish_run(
        &mut self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<(), DestinationError> {
        self.session.lock().await.finish_run(streams, error).await
    }

    async fn flush(&mut self) -> Result<(), DestinationError> {
        self.session.lock().await.commit().await
    }

    fn describe(&self) -> String {
        self.described.clone()
    }
}
