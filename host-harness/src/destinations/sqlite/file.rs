//! One SQLite file as the connector writes it, synchronously: tables claimed
//! and evolved, pages upserted with their stream's checkpoint into an open
//! transaction that is committed batch by batch, checkpoints read back and
//! reset. The writer thread owns it; nothing else touches the connection.

use super::history;
use super::ownership::{self, Ownership};
use super::sql;
use super::write_lock::WriteLock;
use crate::destinations::batch::{Batch, BatchLimits};
use crate::destinations::evolution;
use crate::destinations::metadata::{STATE_TABLE, quote, timestamp};
use crate::destinations::record::Cell;
use crate::destinations::runs::StreamRecord;
use crate::destinations::table::TableSpec;
use crate::destinations::{Checkpoint, DestinationError, WrittenRows};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use std::collections::HashMap;
use std::path::Path;

/// Pages SQLite keeps in memory for the file (negative: KiB). More than the
/// default 2 MiB spares re-reading the upper levels of a large table's
/// primary-key index; far more buys little (the operating system caches the
/// file too) and would make memory grow with the volume synced.
const CACHE_KIB: i64 = 8 * 1024;

pub(super) struct SqliteFile {
    connection: Connection,
    path: String,
    /// When the current read of each stream began (its `prepare`): a row
    /// synced since then was already counted in this read.
    read_started: HashMap<String, String>,
    batch: Batch,
    /// The run under way, whose id every row written is stamped with.
    run_id: Option<i64>,
    /// Held as long as the file is open; released after the connection closes.
    _lock: WriteLock,
}

impl SqliteFile {
    /// Open (or create) the file, as its only writer until dropped.
    pub fn open(path: &Path, limits: BatchLimits) -> Result<Self, DestinationError> {
        let lock = WriteLock::acquire(path)?;
        let shown = path.display().to_string();
        let connection = Connection::open(path).map_err(|e| DestinationError::Open {
            location: shown.clone(),
            reason: e.to_string(),
        })?;
        connection.execute_batch(&format!(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -{CACHE_KIB};
             PRAGMA temp_store = MEMORY;"
        ))?;
        connection.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
                 stream TEXT PRIMARY KEY,
                 state_json TEXT,
                 page_cursor TEXT,
                 updated_at TEXT NOT NULL
             )"
        ))?;
        ownership::create_registry(&connection)?;
        history::create_table(&connection)?;
        Ok(Self {
            connection,
            path: shown,
            read_started: HashMap::new(),
            batch: Batch::new(limits),
            run_id: None,
            _lock: lock,
        })
    }

    pub fn describe(&self) -> String {
        format!("SQLite {}", self.path)
    }

    /// Create the stream's table or add the columns it lacks, and start
    /// counting a new read of it.
    pub fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        self.usable()?;
        self.claim(table)?;
        self.read_started.insert(table.name.clone(), timestamp());
        // A newer plugin may declare more columns: add what the table lacks.
        let existing: Vec<(String, i64, String)> = self
            .connection
            .prepare("SELECT name, pk, type FROM pragma_table_info(?1) ORDER BY pk")?
            .query_map([&table.name], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let existing_key: Vec<&str> = existing
            .iter()
            .filter(|(_, pk, _)| *pk > 0)
            .map(|(name, _, _)| name.as_str())
            .collect();
        evolution::check_key(table, &existing_key)?;
        let wanted = table
            .columns
            .iter()
            .map(|c| (c.name.as_str(), sql::sql_type(c.kind)))
            .chain(sql::METADATA_COLUMNS)
            .map(|(column, kind)| (column, kind, kind));
        let existing: Vec<(String, String)> = existing
            .into_iter()
            .map(|(name, _, kind)| (name, kind))
            .collect();
        // SQLite column names are case-insensitive.
        let missing = evolution::missing_columns(&table.name, wanted, &existing, true)?;
        for (column, kind) in missing {
            self.connection.execute_batch(&format!(
                "ALTER TABLE {} ADD COLUMN {} {kind}",
                quote(&table.name),
                quote(column),
            ))?;
        }
        Ok(())
    }

    /// Create the stream's table if it is not there, register a table of
    /// this connector from before the registry, and refuse anyone else's.
    fn claim(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        let now = timestamp();
        let claim = self.connection.savepoint()?;
        match ownership::ownership(&claim, &table.name)? {
            Ownership::Registered => {}
            Ownership::Unregistered => ownership::register(&claim, &table.name, &now)?,
            Ownership::Absent => {
                claim.execute_batch(&sql::create_table(table))?;
                ownership::register(&claim, &table.name, &now)?;
            }
            Ownership::Foreign => {
                return Err(DestinationError::NotOurs {
                    table: table.name.clone(),
                    location: self.path.clone(),
                });
            }
        }
        claim.commit()?;
        Ok(())
    }

    /// Upsert the page's records with the checkpoint that follows them, all
    /// or nothing, into the open batch (committed once due).
    pub fn write_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        self.usable()?;
        let read_started = self
            .read_started
            .entry(table.name.clone())
            .or_insert_with(timestamp)
            .clone();
        // Never before the read began, even if the clock stepped back.
        let now = timestamp().max(read_started.clone());
        self.join_batch(records.len())?;
        // The page on its own: a failure (a bad record too) takes back this
        // page, not the batch.
        let page = self.connection.savepoint()?;
        let stamp = Stamp {
            read_started: &read_started,
            now: &now,
            run_id: self.run_id,
        };
        let written = write_rows(&page, table, records, &stamp)?;
        page.execute(
            &sql::upsert_checkpoint(),
            params![
                table.name,
                checkpoint.state_json,
                checkpoint.page_cursor,
                now
            ],
        )?;
        page.commit()?;
        Ok(written)
    }

    /// Open the batch's transaction unless it is open, and count `rows` into it.
    fn join_batch(&mut self, rows: usize) -> Result<(), DestinationError> {
        if self.connection.is_autocommit() {
            self.connection.execute_batch("BEGIN")?;
        }
        self.batch.add(rows);
        Ok(())
    }

    /// Mark the rows the current read of the stream did not write as
    /// deleted, in the open batch with its last page. Without a read under
    /// way (no `prepare`) nothing says which rows it wrote: nothing is marked.
    pub fn mark_unseen_deleted(&mut self, table: &TableSpec) -> Result<u64, DestinationError> {
        self.usable()?;
        let Some(read_started) = self.read_started.get(&table.name).cloned() else {
            return Ok(0);
        };
        let now = timestamp().max(read_started.clone());
        self.join_batch(0)?;
        let marked = self
            .connection
            .execute(&sql::mark_unseen_deleted(table), params![now, read_started])?;
        Ok(marked as u64)
    }

    /// Record a run beginning, committed at once; rows written from now on
    /// carry its id.
    pub fn begin_run(&mut self, options: &str) -> Result<i64, DestinationError> {
        self.commit()?;
        let run_id = history::begin(&self.connection, &timestamp(), options)?;
        self.run_id = Some(run_id);
        Ok(run_id)
    }

    /// Record what each stream of the run under way did, with its last
    /// pages, and why the run stopped if it stopped as a whole.
    pub fn finish_run(
        &mut self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<(), DestinationError> {
        self.usable()?;
        let Some(run_id) = self.run_id.take() else {
            return Ok(());
        };
        history::finish(&self.connection, run_id, &timestamp(), streams, error)
    }

    /// The stream's last written checkpoint.
    pub fn checkpoint(&self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        self.usable()?;
        Ok(self
            .connection
            .query_row(
                &format!("SELECT state_json, page_cursor FROM {STATE_TABLE} WHERE stream = ?1"),
                [stream],
                |row| {
                    Ok(Checkpoint {
                        state_json: row.get(0)?,
                        page_cursor: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Delete the stream's checkpoint and keep its rows; committed at once.
    pub fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        self.commit()?;
        let tx = self.connection.transaction()?;
        // A table from before the registry is recognised by its checkpoint,
        // which is about to go: register it first.
        if ownership::ownership(&tx, stream)? == Ownership::Unregistered {
            ownership::register(&tx, stream, &timestamp())?;
        }
        let deleted = tx.execute(
            &format!("DELETE FROM {STATE_TABLE} WHERE stream = ?1"),
            [stream],
        )?;
        tx.commit()?;
        Ok(deleted > 0)
    }

    /// Whether the open batch should be committed now.
    pub fn is_due(&self) -> bool {
        self.batch.is_due()
    }

    /// How long the open batch may wait before it is committed.
    pub fn due_in(&self) -> Option<std::time::Duration> {
        self.batch.due_in()
    }

    /// Commit the open batch, if any. A batch that cannot be committed is
    /// lost whole, and the file takes no more writes: a later page's
    /// checkpoint would otherwise skip the lost pages' records.
    pub fn commit(&mut self) -> Result<(), DestinationError> {
        self.usable()?;
        if !self.batch.is_open() {
            return Ok(());
        }
        self.batch.close();
        if self.connection.is_autocommit() {
            return Ok(());
        }
        if let Err(error) = self.connection.execute_batch("COMMIT") {
            let _ = self.connection.execute_batch("ROLLBACK");
            self.batch.lose(error.to_string());
            return self.usable();
        }
        Ok(())
    }

    fn usable(&self) -> Result<(), DestinationError> {
        self.batch.usable(&self.path)
    }

    #[cfg(test)]
    pub fn connection(&self) -> &Connection {
        &self.connection
    }
}

/// Upsert each record, counting what it did to its key's row. Records are
/// read one at a time and let go once written: a page of a large report is
/// tens of MiB, and its memory shrinks as it is written.
fn write_rows(
    connection: &Connection,
    table: &TableSpec,
    records: Vec<String>,
    stamp: &Stamp<'_>,
) -> Result<WrittenRows, DestinationError> {
    let run_id = stamp.run_id.map_or(Cell::Null, Cell::Integer);
    let key_positions: Vec<usize> = table
        .primary_key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| &c.name == k))
        .collect();
    let mut previous_row = connection.prepare_cached(&sql::previous_row(table))?;
    let mut upsert = connection.prepare_cached(&sql::upsert(table))?;
    let mut written = WrittenRows::default();
    for raw in records {
        let record = table.fields(&raw)?;
        let mut cells: Vec<Cell<'_>> = Vec::with_capacity(table.columns.len() + 3);
        cells.extend(table.columns.iter().map(|c| record.cell(&c.name, c.kind)));
        let previous: Option<i64> = previous_row
            .query_row(
                params_from_iter(key_positions.iter().map(|&i| &cells[i]).chain([
                    &Cell::Text(stamp.read_started.into()),
                    &Cell::Text(raw.as_str().into()),
                ])),
                |row| row.get(0),
            )
            .optional()?;
        written += classify(previous);
        cells.push(Cell::Text(raw.as_str().into()));
        cells.push(Cell::Text(stamp.now.into()));
        cells.push(run_id.clone());
        upsert.execute(params_from_iter(&cells))?;
    }
    Ok(written)
}

/// What every row of a page is written with.
struct Stamp<'a> {
    /// When the stream's current read began.
    read_started: &'a str,
    /// The page's `_synced_at`.
    now: &'a str,
    run_id: Option<i64>,
}

/// What writing a record did, from what its key's row was ([`sql::previous_row`]).
fn classify(previous: Option<i64>) -> WrittenRows {
    let one = |new, changed, unchanged| WrittenRows {
        new,
        changed,
        unchanged,
    };
    match previous {
        None => one(1, 0, 0),
        Some(0) => WrittenRows::default(),
        Some(1) => one(0, 0, 1),
        Some(_) => one(0, 1, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destinations::ColumnKind;
    use crate::destinations::table::tests::people as table;

    /// A new file in a folder of its own, committing every page.
    fn fresh() -> (tempfile::TempDir, SqliteFile) {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteFile::open(&dir.path().join("w.sqlite"), BatchLimits::PER_PAGE).unwrap();
        (dir, db)
    }

    #[test]
    fn upserts_by_key_and_commits_the_checkpoint_with_the_rows() {
        let (_dir, mut db) = fresh();
        let t = table();
        db.prepare(&t).unwrap();
        let cp = Checkpoint {
            state_json: None,
            page_cursor: Some("c1".into()),
        };
        db.write_page(&t, vec![r#"{"id":"a","age":1,"tags":["x"]}"#.into()], &cp)
            .unwrap();
        db.write_page(
            &t,
            vec![r#"{"id":"a","age":2}"#.into()],
            &Checkpoint::default(),
        )
        .unwrap();
        let (count, age, tags): (i64, i64, Option<String>) = db
            .connection()
            .query_row(
                "SELECT count(*), max(age), max(tags) FROM people",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((count, age, tags), (1, 2, None));
        assert_eq!(
            db.checkpoint("people").unwrap(),
            Some(Checkpoint::default())
        );
    }

    #[test]
    fn a_changed_primary_key_is_a_clear_error() {
        let (_dir, mut db) = fresh();
        db.prepare(&table()).unwrap();
        let mut rekeyed = table();
        rekeyed.primary_key = vec!["id".into(), "age".into()];
        let err = db.prepare(&rekeyed).unwrap_err().to_string();
        assert!(
            err.contains("has the primary key (id) but the stream now declares (id, age)"),
            "{err}"
        );
    }

    #[test]
    fn a_record_without_its_key_writes_nothing() {
        let (_dir, mut db) = fresh();
        let t = table();
        db.prepare(&t).unwrap();
        let records = [r#"{"id":"a"}"#.to_owned(), r#"{"age":3}"#.to_owned()];
        let err = db
            .write_page(&t, records.to_vec(), &Checkpoint::default())
            .unwrap_err();
        assert!(err.to_string().contains("primary key column `id`"), "{err}");
        let count: i64 = db
            .connection()
            .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 0);
        assert_eq!(db.checkpoint("people").unwrap(), None);
    }

    fn count(db: &SqliteFile, sql: &str) -> i64 {
        db.connection().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn columns(db: &SqliteFile, table: &str) -> Vec<String> {
        db.connection()
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_table_of_the_same_name_made_by_someone_else_is_refused_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let theirs = Connection::open(&path).unwrap();
        theirs
            .execute_batch(
                "CREATE TABLE People (id TEXT, name TEXT);
                 INSERT INTO People VALUES ('a', 'Ada');
                 CREATE VIEW other AS SELECT 1 AS id;",
            )
            .unwrap();
        drop(theirs);
        let mut db = SqliteFile::open(&path, BatchLimits::PER_PAGE).unwrap();
        let err = db.prepare(&table()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "table `people` in {} was not created by this connector, so it is left as it \
                 is: sync into another file (--into FILE), or rename or drop that table, then \
                 sync again",
                path.display()
            )
        );
        assert_eq!(columns(&db, "people"), ["id", "name"]);
        assert_eq!(
            count(&db, "SELECT count(*) FROM people WHERE name = 'Ada'"),
            1
        );
        assert_eq!(count(&db, "SELECT count(*) FROM _connector_tables"), 0);

        let mut view = table();
        view.name = "other".into();
        let err = db.prepare(&view).unwrap_err().to_string();
        assert!(err.starts_with("table `other` in "), "{err}");
    }

    /// A file written before the registry: the connector's shape and state, no registry.
    fn write_file_of_an_earlier_version(path: &Path, with_checkpoint: bool) {
        let old = Connection::open(path).unwrap();
        old.execute_batch(
            "CREATE TABLE _connector_state (stream TEXT PRIMARY KEY, state_json TEXT,
                 page_cursor TEXT, updated_at TEXT NOT NULL);
             CREATE TABLE people (id TEXT, age INTEGER, tags TEXT, _raw TEXT NOT NULL,
                 _synced_at TEXT NOT NULL, PRIMARY KEY (id));
             INSERT INTO people VALUES ('a', 1, NULL, '{\"id\":\"a\",\"age\":1}',
                 '2026-01-01T00:00:00.000000Z');",
        )
        .unwrap();
        if with_checkpoint {
            old.execute_batch(
                "INSERT INTO _connector_state VALUES ('people', NULL, NULL, '2026-01-01T00:00:00Z')",
            )
            .unwrap();
        }
    }

    #[test]
    fn a_table_of_an_earlier_version_is_recognised_by_its_shape_and_registered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        write_file_of_an_earlier_version(&path, true);
        let mut db = SqliteFile::open(&path, BatchLimits::PER_PAGE).unwrap();
        db.prepare(&table()).unwrap();
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM _connector_tables WHERE name = 'people'"
            ),
            1
        );
        let written = db
            .write_page(
                &table(),
                vec![r#"{"id":"a","age":2}"#.into()],
                &Checkpoint::default(),
            )
            .unwrap();
        assert_eq!(
            written,
            WrittenRows {
                changed: 1,
                ..WrittenRows::default()
            }
        );

        let other = dir.path().join("other.sqlite");
        write_file_of_an_earlier_version(&other, false);
        let mut db = SqliteFile::open(&other, BatchLimits::PER_PAGE).unwrap();
        let err = db.prepare(&table()).unwrap_err().to_string();
        assert!(
            err.starts_with("table `people` in ") && err.contains("not created by this connector"),
            "the shape without a checkpoint is not enough: {err}"
        );
    }

    #[test]
    fn each_key_is_counted_once_per_read_as_new_changed_or_unchanged() {
        let (_dir, mut db) = fresh();
        let t = table();
        let cp = Checkpoint::default();
        let rows = |n: u64, c: u64, u: u64| WrittenRows {
            new: n,
            changed: c,
            unchanged: u,
        };
        db.prepare(&t).unwrap();
        let page = [
            r#"{"id":"a","age":1}"#.to_owned(),
            r#"{"id":"b","age":1}"#.to_owned(),
            r#"{"id":"a","age":1}"#.to_owned(),
        ];
        assert_eq!(
            db.write_page(&t, page.to_vec(), &cp).unwrap(),
            rows(2, 0, 0)
        );
        // An overlapping page of the same read: `a` again (changed), `c` new.
        let overlap = [
            r#"{"id":"a","age":2}"#.to_owned(),
            r#"{"id":"c","age":1}"#.to_owned(),
        ];
        assert_eq!(
            db.write_page(&t, overlap.to_vec(), &cp).unwrap(),
            rows(1, 0, 0)
        );

        // The next read: `a` re-read as it is, `b` revised, `d` new.
        db.prepare(&t).unwrap();
        let next = [
            r#"{"id":"a","age":2}"#.to_owned(),
            r#"{"id":"b","age":5}"#.to_owned(),
            r#"{"id":"d","age":1}"#.to_owned(),
        ];
        assert_eq!(
            db.write_page(&t, next.to_vec(), &cp).unwrap(),
            rows(1, 1, 1)
        );
        assert_eq!(count(&db, "SELECT count(*) FROM people"), 4);
        assert_eq!(count(&db, "SELECT age FROM people WHERE id = 'b'"), 5);
    }

    #[test]
    fn a_reset_deletes_the_checkpoint_keeps_the_rows_and_keeps_an_earlier_table_known() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        write_file_of_an_earlier_version(&path, true);
        let mut db = SqliteFile::open(&path, BatchLimits::PER_PAGE).unwrap();
        assert!(db.reset("people").unwrap());
        assert_eq!(db.checkpoint("people").unwrap(), None);
        assert_eq!(count(&db, "SELECT count(*) FROM people"), 1);
        assert!(!db.reset("people").unwrap(), "nothing left to delete");
        // Without its checkpoint the table is still the connector's.
        db.prepare(&table()).unwrap();
    }

    #[test]
    fn a_second_destination_on_the_same_file_is_refused_while_the_first_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let first = SqliteFile::open(&path, BatchLimits::PER_PAGE).unwrap();
        let err = SqliteFile::open(&path, BatchLimits::PER_PAGE)
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("another sync is writing to "), "{err}");
        drop(first);
        SqliteFile::open(&path, BatchLimits::PER_PAGE).expect("free once the first is closed");
    }

    fn page(ids: &[&str]) -> Vec<String> {
        ids.iter()
            .map(|id| format!(r#"{{"id":"{id}","age":1}}"#))
            .collect()
    }

    fn at(cursor: &str) -> Checkpoint {
        Checkpoint {
            state_json: None,
            page_cursor: Some(cursor.into()),
        }
    }

    /// What another reader of the file sees: rows, and the committed cursor.
    fn seen_from_outside(path: &Path) -> (i64, Option<String>) {
        let reader = Connection::open(path).unwrap();
        let rows = reader
            .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
            .unwrap_or(0);
        let cursor = reader
            .query_row(
                "SELECT page_cursor FROM _connector_state WHERE stream = 'people'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap_or(None)
            .flatten();
        (rows, cursor)
    }

    /// The file with the table prepared, committing only when told.
    fn batching(path: &Path) -> (SqliteFile, TableSpec) {
        let limits = BatchLimits {
            rows: 1000,
            age: std::time::Duration::from_secs(60),
        };
        let mut db = SqliteFile::open(path, limits).unwrap();
        db.prepare(&table()).unwrap();
        (db, table())
    }

    #[test]
    fn pages_of_a_batch_commit_together_and_a_refused_page_takes_back_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let (mut db, t) = batching(&path);
        db.connection()
            .execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON people WHEN NEW.id = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'refused'); END;",
            )
            .unwrap();
        db.write_page(&t, page(&["a", "b"]), &at("c1")).unwrap();
        db.write_page(&t, page(&["c"]), &at("c2")).unwrap();
        assert!(!db.is_due(), "three rows of a thousand");
        assert_eq!(seen_from_outside(&path), (0, None), "nothing committed yet");
        let err = db
            .write_page(&t, page(&["d", "boom"]), &at("c3"))
            .unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
        db.commit().unwrap();
        assert_eq!(
            seen_from_outside(&path),
            (3, Some("c2".into())),
            "the two pages before the refused one, with their checkpoint"
        );
    }

    #[test]
    fn a_batch_that_cannot_commit_is_lost_whole_and_the_file_takes_no_more_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let (mut db, t) = batching(&path);
        db.write_page(&t, page(&["a"]), &at("c1")).unwrap();
        db.commit().unwrap();
        // A constraint SQLite checks only when the transaction commits.
        db.connection()
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 CREATE TABLE parent (id TEXT PRIMARY KEY);
                 CREATE TABLE child (parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
                 CREATE TRIGGER orphan AFTER INSERT ON people WHEN NEW.id = 'orphan'
                 BEGIN INSERT INTO child VALUES ('nobody'); END;",
            )
            .unwrap();
        db.write_page(&t, page(&["b"]), &at("c2")).unwrap();
        db.write_page(&t, page(&["orphan"]), &at("c3")).unwrap();
        let err = db.commit().unwrap_err().to_string();
        assert!(
            err.contains("could not commit the pages written since its last commit")
                && err.contains("FOREIGN KEY constraint failed")
                && err.contains("the next run resumes from the last committed page"),
            "{err}"
        );
        let again = db.write_page(&t, page(&["c"]), &at("c4")).unwrap_err();
        assert_eq!(again.to_string(), err, "no write after a lost batch");
        assert!(db.checkpoint("people").is_err());
        assert_eq!(seen_from_outside(&path), (1, Some("c1".into())));
    }

    #[test]
    fn rows_a_whole_read_did_not_write_are_marked_deleted_once_and_come_back_when_seen() {
        let (_dir, mut db) = fresh();
        let t = table();
        let state = |db: &SqliteFile| -> Vec<(String, bool, String)> {
            db.connection()
                .prepare("SELECT id, _deleted_at IS NOT NULL, _first_seen FROM people ORDER BY id")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let read = |db: &mut SqliteFile, ids: &[&str]| {
            db.prepare(&t).unwrap();
            db.write_page(&t, page(ids), &Checkpoint::default())
                .unwrap();
        };
        assert_eq!(db.mark_unseen_deleted(&t).unwrap(), 0, "no read under way");
        read(&mut db, &["a", "b", "c"]);
        assert_eq!(db.mark_unseen_deleted(&t).unwrap(), 0);
        let first_seen = state(&db)[1].2.clone();

        read(&mut db, &["a", "c"]);
        assert_eq!(db.mark_unseen_deleted(&t).unwrap(), 1, "b is gone");
        let after = state(&db);
        assert_eq!(
            after
                .iter()
                .map(|(id, deleted, _)| (id.as_str(), *deleted))
                .collect::<Vec<_>>(),
            [("a", false), ("b", true), ("c", false)]
        );
        read(&mut db, &["a", "c"]);
        assert_eq!(db.mark_unseen_deleted(&t).unwrap(), 0, "marked once");

        read(&mut db, &["b"]);
        let back = state(&db);
        assert!(!back[1].1, "b is listed again: no longer deleted");
        assert_eq!(back[1].2, first_seen, "first seen stays the first time");
    }

    #[test]
    fn a_column_whose_type_changed_is_refused_and_the_table_left_as_it_is() {
        let (_dir, mut db) = fresh();
        db.prepare(&table()).unwrap();
        let mut retyped = table();
        retyped.columns[1].kind = ColumnKind::Text;
        retyped.columns.push(crate::destinations::table::Column {
            name: "added".into(),
            kind: ColumnKind::Text,
        });
        let err = db.prepare(&retyped).unwrap_err().to_string();
        assert_eq!(
            err,
            "column `age` of table `people` holds INTEGER but the stream now declares TEXT: \
             rename or drop that column (or the table), then sync again"
        );
        assert!(
            !columns(&db, "people").contains(&"added".to_owned()),
            "nothing altered"
        );
    }
}
