//! The `_runs` table: one row per run, begun when the run starts (committed
//! at once, so a killed run shows as one that never ended) and completed
//! with what each stream did. Read without the write lock, so the history
//! can be looked at while a sync runs.

use crate::destinations::DestinationError;
use crate::destinations::metadata::RUNS_TABLE;
use crate::destinations::runs::{RunRecord, StreamRecord};
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;

pub fn create_table(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (
             run_id INTEGER PRIMARY KEY,
             started_at TEXT NOT NULL,
             ended_at TEXT,
             options TEXT NOT NULL,
             streams TEXT NOT NULL DEFAULT '[]',
             error TEXT
         )"
    ))
}

/// Record a run beginning; its id.
pub fn begin(connection: &Connection, started_at: &str, options: &str) -> rusqlite::Result<i64> {
    connection.execute(
        &format!("INSERT INTO {RUNS_TABLE} (started_at, options) VALUES (?1, ?2)"),
        params![started_at, options],
    )?;
    Ok(connection.last_insert_rowid())
}

/// Record how a run ended, and why when it stopped as a whole.
pub fn finish(
    connection: &Connection,
    run_id: i64,
    ended_at: &str,
    streams: &[StreamRecord],
    error: Option<&str>,
) -> Result<(), DestinationError> {
    let streams =
        serde_json::to_string(streams).map_err(|e| DestinationError::Database(e.into()))?;
    connection.execute(
        &format!(
            "UPDATE {RUNS_TABLE} SET ended_at = ?1, streams = ?2, error = ?3 WHERE run_id = ?4"
        ),
        params![ended_at, streams, error, run_id],
    )?;
    Ok(())
}

/// The `limit` most recent runs of the file at `path`, newest first; none
/// when nothing was ever synced into it.
pub fn recent(path: &Path, limit: usize) -> Result<Vec<RunRecord>, DestinationError> {
    let open = |e: rusqlite::Error| DestinationError::Open {
        location: path.display().to_string(),
        reason: e.to_string(),
    };
    let connection =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(open)?;
    let exists: bool = connection.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [RUNS_TABLE],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(Vec::new());
    }
    let mut statement = connection.prepare(&format!(
        "SELECT run_id, started_at, ended_at, options, streams, error FROM {RUNS_TABLE}
         ORDER BY run_id DESC LIMIT ?1"
    ))?;
    let rows = statement.query_map([limit as i64], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<String>>(5)?,
        ))
    })?;
    rows.map(|row| {
        let (run_id, started_at, ended_at, options, streams, error) = row?;
        Ok(RunRecord {
            run_id,
            started_at,
            ended_at,
            options: serde_json::from_str(&options).unwrap_or(serde_json::Value::String(options)),
            streams: serde_json::from_str(&streams).unwrap_or_default(),
            error,
        })
    })
    .collect()
}
