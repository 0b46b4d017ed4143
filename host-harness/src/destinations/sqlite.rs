//! The embedded default destination: one SQLite file, one table per stream
//! (typed columns, the raw record as JSON, the sync time), upserts by primary
//! key, and a `_connector_state` table committed with every page.
//!
//! SQLite is an embedded library: its calls are short and run on the sync
//! task itself rather than on a thread of their own.

use super::table::{ColumnKind, TableSpec, lookup};
use super::{Checkpoint, Destination, DestinationError};
use async_trait::async_trait;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::path::Path;

/// Name of the column holding the whole record as JSON.
pub const RAW_COLUMN: &str = "_raw";
/// Name of the column holding when the row was last written (RFC 3339).
pub const SYNCED_AT_COLUMN: &str = "_synced_at";
/// The table of checkpoints.
pub const STATE_TABLE: &str = "_connector_state";

pub struct SqliteDestination {
    connection: Connection,
    path: String,
}

impl SqliteDestination {
    pub fn open(path: &Path) -> Result<Self, DestinationError> {
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
        Ok(Self {
            connection,
            path: shown,
        })
    }
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
        let mut definitions: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind)))
            .collect();
        definitions.push(format!("{} TEXT NOT NULL", quote(RAW_COLUMN)));
        definitions.push(format!("{} TEXT NOT NULL", quote(SYNCED_AT_COLUMN)));
        let keys: Vec<String> = table.primary_key.iter().map(|k| quote(k)).collect();
        self.connection.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))",
            quote(&table.name),
            definitions.join(", "),
            keys.join(", ")
        ))?;
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
    ) -> Result<usize, DestinationError> {
        // Parse (and check keys) before the transaction: a bad record loses nothing.
        let parsed: Vec<Value> = records
            .iter()
            .map(|r| table.parse_record(r))
            .collect::<Result<_, _>>()?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let tx = self.connection.transaction()?;
        {
            let mut statement = tx.prepare_cached(&upsert_sql(table))?;
            for (record, raw) in parsed.iter().zip(records) {
                let mut values: Vec<SqlValue> = table
                    .columns
                    .iter()
                    .map(|c| column_value(record, &c.name, c.kind))
                    .collect();
                values.push(SqlValue::Text(raw.clone()));
                values.push(SqlValue::Text(now.clone()));
                statement.execute(rusqlite::params_from_iter(values))?;
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
        Ok(parsed.len())
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
}
