//! The embedded default destination: one SQLite file, one table per stream
//! (typed columns, the raw record as JSON, the sync time), upserts by primary
//! key, and a `_connector_state` table committed with every page. Only tables
//! the connector created are written (`ownership`), and only by one writer
//! at a time (`write_lock`).
//!
//! SQLite is an embedded library: its calls are short and run on the sync
//! task itself rather than on a thread of their own.

mod ownership;
mod write_lock;

pub use ownership::TABLES_TABLE;

use super::table::{ColumnKind, TableSpec, lookup};
use super::{Checkpoint, Destination, DestinationError, WrittenRows};
use async_trait::async_trait;
use ownership::Ownership;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use write_lock::WriteLock;

/// Name of the column holding the whole record as JSON.
pub const RAW_COLUMN: &str = "_raw";
/// Name of the column holding when the row was last written (RFC 3339).
pub const SYNCED_AT_COLUMN: &str = "_synced_at";
/// The table of checkpoints.
pub const STATE_TABLE: &str = "_connector_state";

pub struct SqliteDestination {
    connection: Connection,
    path: String,
    /// When the current read of each stream began (its `prepare`): a row
    /// synced since then was already counted in this read.
    read_started: HashMap<String, String>,
    /// Held as long as the destination is open; released after the connection closes.
    _lock: WriteLock,
}

impl SqliteDestination {
    /// Open (or create) the file, as its only writer until dropped.
    pub fn open(path: &Path) -> Result<Self, DestinationError> {
        let lock = WriteLock::acquire(path)?;
        let shown = path.display().to_string();
        let connection = Connection::open(path).map_err(|e| DestinationError::Open {
            location: shown.clone(),
            reason: e.to_string(),
        })?;
        connection.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;",
        )?;
        connection.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {STATE_TABLE} (
                 stream TEXT PRIMARY KEY,
                 state_json TEXT,
                 page_cursor TEXT,
                 updated_at TEXT NOT NULL
             )"
        ))?;
        ownership::create_registry(&connection)?;
        Ok(Self {
            connection,
            path: shown,
            read_started: HashMap::new(),
            _lock: lock,
        })
    }

    /// Create the stream's table if it is not there, register a table of
    /// this connector from before the registry, and refuse anyone else's.
    fn claim(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        let now = timestamp();
        let tx = self.connection.transaction()?;
        match ownership::ownership(&tx, &table.name)? {
            Ownership::Registered => {}
            Ownership::Unregistered => ownership::register(&tx, &table.name, &now)?,
            Ownership::Absent => {
                tx.execute_batch(&create_table_sql(table))?;
                ownership::register(&tx, &table.name, &now)?;
            }
            Ownership::Foreign => {
                return Err(DestinationError::NotOurs {
                    table: table.name.clone(),
                    location: self.path.clone(),
                });
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// Now, as written in `_synced_at`: RFC 3339 in UTC with a fixed number of
/// digits, so that text order is time order.
fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

impl From<rusqlite::Error> for DestinationError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Database(Box::new(e))
    }
}

/// SQLite's storage class for a column kind. Timestamps and dates stay
/// ISO 8601 text (SQLite's date functions read it); decimals stay exact text.
fn sql_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Integer | ColumnKind::Boolean => "INTEGER",
        ColumnKind::Number => "REAL",
        ColumnKind::Text
        | ColumnKind::Decimal
        | ColumnKind::Timestamp
        | ColumnKind::Date
        | ColumnKind::Json => "TEXT",
    }
}

/// The SQL value of one column of a record.
fn column_value(record: &Value, column: &str, kind: ColumnKind) -> SqlValue {
    match (lookup(record, column), kind) {
        (None | Some(Value::Null), _) => SqlValue::Null,
        (Some(Value::Bool(b)), _) => SqlValue::Integer(i64::from(*b)),
        (Some(Value::Number(n)), ColumnKind::Integer) if n.is_i64() => {
            SqlValue::Integer(n.as_i64().unwrap_or_default())
        }
        (Some(Value::Number(n)), ColumnKind::Integer | ColumnKind::Number) => n
            .as_f64()
            .map_or(SqlValue::Text(n.to_string()), SqlValue::Real),
        (Some(Value::String(s)), _) => SqlValue::Text(s.clone()),
        (Some(other), _) => SqlValue::Text(other.to_string()),
    }
}

fn create_table_sql(table: &TableSpec) -> String {
    let mut definitions: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind)))
        .collect();
    definitions.push(format!("{} TEXT NOT NULL", quote(RAW_COLUMN)));
    definitions.push(format!("{} TEXT NOT NULL", quote(SYNCED_AT_COLUMN)));
    let keys: Vec<String> = table.primary_key.iter().map(|k| quote(k)).collect();
    format!(
        "CREATE TABLE {} ({}, PRIMARY KEY ({}))",
        quote(&table.name),
        definitions.join(", "),
        keys.join(", ")
    )
}

/// The row a record is about to replace: when it was synced and what it held.
fn previous_row_sql(table: &TableSpec) -> String {
    let conditions: Vec<String> = table
        .primary_key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} = ?{}", quote(k), i + 1))
        .collect();
    format!(
        "SELECT {}, {} FROM {} WHERE {}",
        quote(SYNCED_AT_COLUMN),
        quote(RAW_COLUMN),
        quote(&table.name),
        conditions.join(" AND ")
    )
}

/// What writing `raw` over `previous` (its `_synced_at` and `_raw`) does, for
/// a read that began at `read_started`.
fn classify(previous: Option<(String, String)>, raw: &str, read_started: &str) -> WrittenRows {
    match previous {
        None => WrittenRows {
            new: 1,
            ..WrittenRows::default()
        },
        Some((synced_at, _)) if synced_at.as_str() >= read_started => WrittenRows::default(),
        Some((_, previous_raw)) if previous_raw == raw => WrittenRows {
            unchanged: 1,
            ..WrittenRows::default()
        },
        Some(_) => WrittenRows {
            changed: 1,
            ..WrittenRows::default()
        },
    }
}

fn upsert_sql(table: &TableSpec) -> String {
    let mut names: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    names.push(quote(RAW_COLUMN));
    names.push(quote(SYNCED_AT_COLUMN));
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let keys: Vec<String> = table.primary_key.iter().map(|k| quote(k)).collect();
    let updates: Vec<String> = names
        .iter()
        .filter(|n| !keys.contains(n))
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        quote(&table.name),
        names.join(", "),
        placeholders.join(", "),
        keys.join(", "),
        updates.join(", ")
    )
}

#[async_trait]
impl Destination for SqliteDestination {
    async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        self.claim(table)?;
        self.read_started.insert(table.name.clone(), timestamp());
        // A newer plugin may declare more columns: add what the table lacks.
        let existing: Vec<(String, i64)> = self
            .connection
            .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY pk")?
            .query_map([&table.name], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let existing_key: Vec<&str> = existing
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(name, _)| name.as_str())
            .collect();
        if existing_key != table.primary_key {
            return Err(DestinationError::KeyChanged {
                table: table.name.clone(),
                existing: existing_key.join(", "),
                declared: table.primary_key.join(", "),
            });
        }
        for column in &table.columns {
            // SQLite column names are case-insensitive.
            if !existing
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(&column.name))
            {
                self.connection.execute_batch(&format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    quote(&table.name),
                    quote(&column.name),
                    sql_type(column.kind)
                ))?;
            }
        }
        Ok(())
    }

    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: &[String],
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        // Parse (and check keys) before the transaction: a bad record loses nothing.
        let parsed: Vec<Value> = records
            .iter()
            .map(|r| table.parse_record(r))
            .collect::<Result<_, _>>()?;
        let read_started = self
            .read_started
            .entry(table.name.clone())
            .or_insert_with(timestamp)
            .clone();
        // Never before the read began, even if the clock stepped back.
        let now = timestamp().max(read_started.clone());
        let key_positions: Vec<usize> = table
            .primary_key
            .iter()
            .filter_map(|k| table.columns.iter().position(|c| &c.name == k))
            .collect();
        let mut written = WrittenRows::default();
        let tx = self.connection.transaction()?;
        {
            let mut previous_row = tx.prepare_cached(&previous_row_sql(table))?;
            let mut upsert = tx.prepare_cached(&upsert_sql(table))?;
            for (record, raw) in parsed.iter().zip(records) {
                let mut values: Vec<SqlValue> = table
                    .columns
                    .iter()
                    .map(|c| column_value(record, &c.name, c.kind))
                    .collect();
                let previous = previous_row
                    .query_row(
                        params_from_iter(key_positions.iter().map(|&i| &values[i])),
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                written += classify(previous, raw, &read_started);
                values.push(SqlValue::Text(raw.clone()));
                values.push(SqlValue::Text(now.clone()));
                upsert.execute(params_from_iter(values))?;
            }
            tx.execute(
                &format!(
                    "INSERT INTO {STATE_TABLE} (stream, state_json, page_cursor, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (stream) DO UPDATE SET state_json = excluded.state_json,
                         page_cursor = excluded.page_cursor, updated_at = excluded.updated_at"
                ),
                params![
                    table.name,
                    checkpoint.state_json,
                    checkpoint.page_cursor,
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(written)
    }

    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
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

    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
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

    fn describe(&self) -> String {
        format!("SQLite {}", self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destinations::table::Column;

    fn table() -> TableSpec {
        TableSpec {
            name: "people".into(),
            primary_key: vec!["id".into()],
            columns: vec![
                Column {
                    name: "id".into(),
                    kind: ColumnKind::Text,
                },
                Column {
                    name: "age".into(),
                    kind: ColumnKind::Integer,
                },
                Column {
                    name: "tags".into(),
                    kind: ColumnKind::Json,
                },
            ],
        }
    }

    #[tokio::test]
    async fn upserts_by_key_and_commits_the_checkpoint_with_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = SqliteDestination::open(&dir.path().join("w.sqlite")).unwrap();
        let t = table();
        db.prepare(&t).await.unwrap();
        let cp = Checkpoint {
            state_json: None,
            page_cursor: Some("c1".into()),
        };
        db.commit_page(&t, &[r#"{"id":"a","age":1,"tags":["x"]}"#.into()], &cp)
            .await
            .unwrap();
        db.commit_page(
            &t,
            &[r#"{"id":"a","age":2}"#.into()],
            &Checkpoint::default(),
        )
        .await
        .unwrap();
        let (count, age, tags): (i64, i64, Option<String>) = db
            .connection
            .query_row(
                "SELECT count(*), max(age), max(tags) FROM people",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((count, age, tags), (1, 2, None));
        assert_eq!(
            db.checkpoint("people").await.unwrap(),
            Some(Checkpoint::default())
        );
    }

    #[tokio::test]
    async fn a_changed_primary_key_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = SqliteDestination::open(&dir.path().join("w.sqlite")).unwrap();
        db.prepare(&table()).await.unwrap();
        let mut rekeyed = table();
        rekeyed.primary_key = vec!["id".into(), "age".into()];
        let err = db.prepare(&rekeyed).await.unwrap_err().to_string();
        assert!(
            err.contains("has the primary key (id) but the stream now declares (id, age)"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_record_without_its_key_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = SqliteDestination::open(&dir.path().join("w.sqlite")).unwrap();
        let t = table();
        db.prepare(&t).await.unwrap();
        let records = [r#"{"id":"a"}"#.to_owned(), r#"{"age":3}"#.to_owned()];
        let err = db
            .commit_page(&t, &records, &Checkpoint::default())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("primary key column `id`"), "{err}");
        let count: i64 = db
            .connection
            .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 0);
        assert_eq!(db.checkpoint("people").await.unwrap(), None);
    }

    fn count(db: &SqliteDestination, sql: &str) -> i64 {
        db.connection.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    fn columns(db: &SqliteDestination, table: &str) -> Vec<String> {
        db.connection
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([table], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[tokio::test]
    async fn a_table_of_the_same_name_made_by_someone_else_is_refused_and_left_as_it_is() {
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
        let mut db = SqliteDestination::open(&path).unwrap();
        let err = db.prepare(&table()).await.unwrap_err().to_string();
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
        let err = db.prepare(&view).await.unwrap_err().to_string();
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

    #[tokio::test]
    async fn a_table_of_an_earlier_version_is_recognised_by_its_shape_and_registered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        write_file_of_an_earlier_version(&path, true);
        let mut db = SqliteDestination::open(&path).unwrap();
        db.prepare(&table()).await.unwrap();
        assert_eq!(
            count(
                &db,
                "SELECT count(*) FROM _connector_tables WHERE name = 'people'"
            ),
            1
        );
        let written = db
            .commit_page(
                &table(),
                &[r#"{"id":"a","age":2}"#.into()],
                &Checkpoint::default(),
            )
            .await
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
        let mut db = SqliteDestination::open(&other).unwrap();
        let err = db.prepare(&table()).await.unwrap_err().to_string();
        assert!(
            err.starts_with("table `people` in ") && err.contains("not created by this connector"),
            "the shape without a checkpoint is not enough: {err}"
        );
    }

    #[tokio::test]
    async fn each_key_is_counted_once_per_read_as_new_changed_or_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = SqliteDestination::open(&dir.path().join("w.sqlite")).unwrap();
        let t = table();
        let cp = Checkpoint::default();
        let rows = |n: u64, c: u64, u: u64| WrittenRows {
            new: n,
            changed: c,
            unchanged: u,
        };
        db.prepare(&t).await.unwrap();
        let page = [
            r#"{"id":"a","age":1}"#.to_owned(),
            r#"{"id":"b","age":1}"#.to_owned(),
            r#"{"id":"a","age":1}"#.to_owned(),
        ];
        assert_eq!(db.commit_page(&t, &page, &cp).await.unwrap(), rows(2, 0, 0));
        // An overlapping page of the same read: `a` again (changed), `c` new.
        let overlap = [
            r#"{"id":"a","age":2}"#.to_owned(),
            r#"{"id":"c","age":1}"#.to_owned(),
        ];
        assert_eq!(
            db.commit_page(&t, &overlap, &cp).await.unwrap(),
            rows(1, 0, 0)
        );

        // The next read: `a` re-read as it is, `b` revised, `d` new.
        db.prepare(&t).await.unwrap();
        let next = [
            r#"{"id":"a","age":2}"#.to_owned(),
            r#"{"id":"b","age":5}"#.to_owned(),
            r#"{"id":"d","age":1}"#.to_owned(),
        ];
        assert_eq!(db.commit_page(&t, &next, &cp).await.unwrap(), rows(1, 1, 1));
        assert_eq!(count(&db, "SELECT count(*) FROM people"), 4);
        assert_eq!(count(&db, "SELECT age FROM people WHERE id = 'b'"), 5);
    }

    #[tokio::test]
    async fn a_reset_deletes_the_checkpoint_keeps_the_rows_and_keeps_an_earlier_table_known() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        write_file_of_an_earlier_version(&path, true);
        let mut db = SqliteDestination::open(&path).unwrap();
        assert!(db.reset("people").await.unwrap());
        assert_eq!(db.checkpoint("people").await.unwrap(), None);
        assert_eq!(count(&db, "SELECT count(*) FROM people"), 1);
        assert!(!db.reset("people").await.unwrap(), "nothing left to delete");
        // Without its checkpoint the table is still the connector's.
        db.prepare(&table()).await.unwrap();
    }

    #[tokio::test]
    async fn a_second_destination_on_the_same_file_is_refused_while_the_first_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let first = SqliteDestination::open(&path).unwrap();
        let err = SqliteDestination::open(&path).err().unwrap().to_string();
        assert!(err.starts_with("another sync is writing to "), "{err}");
        drop(first);
        SqliteDestination::open(&path).expect("free once the first is closed");
    }
}
