//! Running syncs into a temporary warehouse and reading what landed: a
//! SQLite file (a `Path`) or a schema of the test PostgreSQL server
//! ([`PgSchema`]), both behind [`Db`] so a test can run against either.

use super::postgres_server::PgSchema;
use super::runtime;
use host_harness::destinations::warehouse::Warehouse;
use host_harness::runtime::{ConnectionConfig, PluginRuntime};
use host_harness::sync::{RetryPolicy, Silent, SyncEngine, SyncError, SyncOptions, SyncReport};
use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// A warehouse a test syncs into and queries.
pub trait Db {
    fn warehouse(&self) -> Warehouse;
    /// Every row of a query, each column as text, NULL as None.
    fn select_nullable(&self, sql: &str) -> Vec<Vec<Option<String>>>;
    /// The `--into` (and `--schema`) arguments of the `harness` binary.
    fn cli_args(&self) -> Vec<String>;
}

impl<T: AsRef<Path> + ?Sized> Db for T {
    fn warehouse(&self) -> Warehouse {
        Warehouse::Sqlite(self.as_ref().to_path_buf())
    }

    fn select_nullable(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let conn = Connection::open(self.as_ref()).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |r| {
            (0..columns)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                        rusqlite::types::Value::Null => None,
                        rusqlite::types::Value::Integer(n) => Some(n.to_string()),
                        rusqlite::types::Value::Real(x) => Some(x.to_string()),
                        rusqlite::types::Value::Text(t) => Some(t),
                        rusqlite::types::Value::Blob(b) => {
                            Some(String::from_utf8_lossy(&b).into_owned())
                        }
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    fn cli_args(&self) -> Vec<String> {
        vec!["--into".into(), self.as_ref().display().to_string()]
    }
}

impl Db for PgSchema {
    fn warehouse(&self) -> Warehouse {
        Warehouse::Postgres(Box::new(self.location()))
    }

    fn select_nullable(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        self.query(sql)
    }

    fn cli_args(&self) -> Vec<String> {
        vec![
            "--into".into(),
            self.url(),
            "--schema".into(),
            self.schema().to_owned(),
        ]
    }
}

pub fn options(streams: &[&str], page_size: u32) -> SyncOptions {
    SyncOptions {
        streams: Some(streams.iter().map(|s| (*s).to_owned()).collect()),
        settings_json: format!(r#"{{"page_size":{page_size}}}"#),
        retry: RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        },
        ..SyncOptions::default()
    }
}

pub async fn sync(
    connection: &ConnectionConfig,
    db: &(impl Db + ?Sized),
    options: &SyncOptions,
) -> SyncReport {
    sync_with(runtime(), connection, db, options).await
}

/// [`sync`] with a runtime of its own (other sandbox limits).
pub async fn sync_with(
    runtime: &PluginRuntime,
    connection: &ConnectionConfig,
    db: &(impl Db + ?Sized),
    options: &SyncOptions,
) -> SyncReport {
    let mut destination = db.warehouse().open().await.unwrap();
    SyncEngine {
        runtime,
        connection,
        destination: &mut *destination,
        progress: &mut Silent,
    }
    .run(options)
    .await
    .expect("the run starts")
}

/// Why a run was refused before it could start (it must be).
pub async fn refused(
    connection: &ConnectionConfig,
    db: &(impl Db + ?Sized),
    options: &SyncOptions,
) -> SyncError {
    let mut destination = db.warehouse().open().await.unwrap();
    SyncEngine {
        runtime: runtime(),
        connection,
        destination: &mut *destination,
        progress: &mut Silent,
    }
    .run(options)
    .await
    .expect_err("the run is refused")
}

/// Every `_raw` record of a table, by key, as JSON, in key order.
pub fn rows(db: &(impl Db + ?Sized), table: &str, key: &str) -> Vec<(String, Value)> {
    let mut rows: Vec<(String, Value)> =
        select(db, &format!("SELECT \"{key}\", _raw FROM \"{table}\""))
            .into_iter()
            .map(|row| (row[0].clone(), serde_json::from_str(&row[1]).unwrap()))
            .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

pub fn truth(items: &[Value], key: &str) -> Vec<(String, Value)> {
    let mut rows: Vec<(String, Value)> = items
        .iter()
        .map(|v| (v[key].as_str().unwrap().to_owned(), v.clone()))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// A stream's checkpoint: its state and its page cursor.
pub fn checkpoint(db: &(impl Db + ?Sized), stream: &str) -> (Option<String>, Option<String>) {
    let mut rows = db.select_nullable(&format!(
        "SELECT state_json, page_cursor FROM _connector_state WHERE stream = '{stream}'"
    ));
    assert_eq!(rows.len(), 1, "one checkpoint of {stream}");
    let mut row = rows.pop().unwrap();
    let cursor = row.pop().unwrap();
    (row.pop().unwrap(), cursor)
}

/// Every row of a query, each column as text (NULL as "").
pub fn select(db: &(impl Db + ?Sized), sql: &str) -> Vec<Vec<String>> {
    db.select_nullable(sql)
        .into_iter()
        .map(|row| row.into_iter().map(Option::unwrap_or_default).collect())
        .collect()
}

/// Every table of a SQLite file with its records (`_raw`, in order), minus
/// when and by which run each row was written: what two syncs of the same
/// data must agree on.
pub fn tables(db: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    select(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' \
         ORDER BY name",
    )
    .into_iter()
    .map(|row| {
        let table = row[0].clone();
        let rows = select(db, &format!("SELECT _raw FROM \"{table}\" ORDER BY _raw"));
        (table, rows)
    })
    .collect()
}
