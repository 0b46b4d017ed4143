//! The embedded default destination: one SQLite file, one table per stream
//! (typed columns, the raw record as JSON, the sync time), upserts by primary
//! key, and a `_connector_state` table written with every page. Rows a whole
//! read no longer finds are marked deleted (`_deleted_at`), never removed. Only tables
//! the connector created are written (`ownership`), and only by one writer
//! at a time (`write_lock`).
//!
//! The file lives on a thread of its own (`writer`), so SQLite writes one
//! page while the plugin reads the next. Pages go into one transaction until
//! the batch is due (`batch`): every page with its stream's checkpoint, so a
//! kill loses at most the open batch and the next run resumes exactly.

mod file;
mod history;
mod ownership;
mod sql;
mod write_lock;
mod writer;

pub use history::recent as recent_runs;

use super::batch::BatchLimits;
use super::runs::StreamRecord;
use super::table::TableSpec;
use super::{Checkpoint, Destination, DestinationError, WrittenRows};
use async_trait::async_trait;
use file::SqliteFile;
use std::path::Path;
use writer::Writer;

pub struct SqliteDestination {
    writer: Writer,
    described: String,
}

impl SqliteDestination {
    /// Open (or create) the file, as its only writer until dropped.
    pub fn open(path: &Path) -> Result<Self, DestinationError> {
        Self::open_with(path, BatchLimits::default())
    }

    /// Open the file, committing pages in batches of at most `limits`.
    pub fn open_with(path: &Path, limits: BatchLimits) -> Result<Self, DestinationError> {
        let file = SqliteFile::open(path, limits)?;
        Ok(Self {
            described: file.describe(),
            writer: Writer::start(file),
        })
    }
}

impl From<rusqlite::Error> for DestinationError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Database(Box::new(e))
    }
}

#[async_trait]
impl Destination for SqliteDestination {
    async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        let table = table.clone();
        self.writer.run(move |file| file.prepare(&table)).await
    }

    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        let (table, checkpoint) = (table.clone(), checkpoint.clone());
        self.writer
            .run(move |file| file.write_page(&table, records, &checkpoint))
            .await
    }

    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        let stream = stream.to_owned();
        self.writer.run(move |file| file.checkpoint(&stream)).await
    }

    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        let stream = stream.to_owned();
        self.writer.run(move |file| file.reset(&stream)).await
    }

    async fn mark_unseen_deleted(&mut self, table: &TableSpec) -> Result<u64, DestinationError> {
        let table = table.clone();
        self.writer
            .run(move |file| file.mark_unseen_deleted(&table))
            .await
    }

    async fn begin_run(&mut self, options_json: &str) -> Result<i64, DestinationError> {
        let options = options_json.to_owned();
        self.writer.run(move |file| file.begin_run(&options)).await
    }

    async fn finish_run(
        &mut self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<(), DestinationError> {
        let (streams, error) = (streams.to_vec(), error.map(str::to_owned));
        self.writer
            .run(move |file| file.finish_run(&streams, error.as_deref()))
            .await
    }

    async fn flush(&mut self) -> Result<(), DestinationError> {
        self.writer.run(SqliteFile::commit).await
    }

    fn describe(&self) -> String {
        self.described.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destinations::table::tests::people as table;
    use rusqlite::Connection;
    use std::time::Duration;

    fn rows_seen_from_outside(path: &Path) -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
            .unwrap_or(0)
    }

    async fn open_and_write(path: &Path, limits: BatchLimits, ids: &[&str]) -> SqliteDestination {
        let mut db = SqliteDestination::open_with(path, limits).unwrap();
        db.prepare(&table()).await.unwrap();
        for id in ids {
            let record = format!(r#"{{"id":"{id}"}}"#);
            db.commit_page(&table(), vec![record], &Checkpoint::default())
                .await
                .unwrap();
        }
        db
    }

    const SLOW: BatchLimits = BatchLimits {
        rows: 1000,
        age: Duration::from_secs(3600),
    };

    #[tokio::test]
    async fn a_flush_commits_the_open_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let mut db = open_and_write(&path, SLOW, &["a", "b"]).await;
        assert_eq!(rows_seen_from_outside(&path), 0, "held back in the batch");
        db.flush().await.unwrap();
        assert_eq!(rows_seen_from_outside(&path), 2);
    }

    #[tokio::test]
    async fn closing_the_destination_commits_the_open_batch_and_frees_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        drop(open_and_write(&path, SLOW, &["a", "b", "c"]).await);
        assert_eq!(rows_seen_from_outside(&path), 3);
        SqliteDestination::open(&path).expect("the file is free again");
    }

    /// Wait until another reader sees `rows`: the writer answers a page
    /// before it commits a batch that page made due.
    async fn until_seen_from_outside(path: &Path, rows: i64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while rows_seen_from_outside(path) != rows {
            assert!(std::time::Instant::now() < deadline, "never committed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test]
    async fn a_batch_is_committed_once_old_enough_even_if_no_page_follows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let limits = BatchLimits {
            age: Duration::from_millis(100),
            ..SLOW
        };
        let _open = open_and_write(&path, limits, &["a"]).await;
        until_seen_from_outside(&path, 1).await;
    }

    #[tokio::test]
    async fn a_batch_is_committed_once_it_holds_enough_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let limits = BatchLimits { rows: 2, ..SLOW };
        let _open = open_and_write(&path, limits, &["a", "b", "c"]).await;
        until_seen_from_outside(&path, 2).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(rows_seen_from_outside(&path), 2, "the third row waits");
    }
}
