//! Running syncs into a temporary SQLite file and reading what landed.

use super::runtime;
use host_harness::destinations::SqliteDestination;
use host_harness::runtime::{ConnectionConfig, PluginRuntime};
use host_harness::sync::{RetryPolicy, Silent, SyncEngine, SyncError, SyncOptions, SyncReport};
use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

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

pub async fn sync(connection: &ConnectionConfig, db: &Path, options: &SyncOptions) -> SyncReport {
    sync_with(runtime(), connection, db, options).await
}

/// [`sync`] with a runtime of its own (other sandbox limits).
pub async fn sync_with(
    runtime: &PluginRuntime,
    connection: &ConnectionConfig,
    db: &Path,
    options: &SyncOptions,
) -> SyncReport {
    let mut destination = SqliteDestination::open(db).unwrap();
    SyncEngine {
        runtime,
        connection,
        destination: &mut destination,
        progress: &mut Silent,
    }
    .run(options)
    .await
    .expect("the run starts")
}

/// Why a run was refused before it could start (it must be).
pub async fn refused(connection: &ConnectionConfig, db: &Path, options: &SyncOptions) -> SyncError {
    let mut destination = SqliteDestination::open(db).unwrap();
    SyncEngine {
        runtime: runtime(),
        connection,
        destination: &mut destination,
        progress: &mut Silent,
    }
    .run(options)
    .await
    .expect_err("the run is refused")
}

/// Every `_raw` record of a table, by key, as JSON.
pub fn rows(db: &Path, table: &str, key: &str) -> Vec<(String, Value)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT \"{key}\", _raw FROM \"{table}\" ORDER BY \"{key}\""
        ))
        .unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|r| {
            let (k, raw) = r.unwrap();
            (k, serde_json::from_str(&raw).unwrap())
        })
        .collect()
}

pub fn truth(items: &[Value], key: &str) -> Vec<(String, Value)> {
    let mut rows: Vec<(String, Value)> = items
        .iter()
        .map(|v| (v[key].as_str().unwrap().to_owned(), v.clone()))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

pub fn checkpoint(db: &Path, stream: &str) -> (Option<String>, Option<String>) {
    Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT state_json, page_cursor FROM _connector_state WHERE stream = ?1",
            [stream],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

/// Every row of a query, each column as text (NULL as "").
pub fn select(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    stmt.query_map([], |r| {
        (0..columns)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Null => String::new(),
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Real(x) => x.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(b) => String::from_utf8_lossy(&b).into_owned(),
                })
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}
