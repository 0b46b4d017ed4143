//! Which tables of a SQLite file belong to the connector. A file may hold other
//! people's tables, and one of them may carry a stream's name: the sync must
//! not add columns to it or upsert into it. Tables the connector creates are
//! registered in `_connector_tables`; files written before the registry existed
//! are recognised by the shape only the connector gives a table.

use crate::destinations::metadata::{RAW_COLUMN, STATE_TABLE, SYNCED_AT_COLUMN, TABLES_TABLE};
use rusqlite::{Connection, OptionalExtension};

/// Who a table name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// No table or view has the name: the connector may create it.
    Absent,
    /// A table the connector created and registered.
    Registered,
    /// A table from before the registry: the connector's `_raw` and
    /// `_synced_at` columns and a checkpoint of the stream. To be registered.
    Unregistered,
    /// Someone else's table or view.
    Foreign,
}

pub fn create_registry(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {TABLES_TABLE} (
             name TEXT PRIMARY KEY COLLATE NOCASE,
             created_at TEXT NOT NULL
         )"
    ))
}

/// Who `table` belongs to. SQLite names are case-insensitive, and so is this.
pub fn ownership(connection: &Connection, table: &str) -> rusqlite::Result<Ownership> {
    let kind: Option<String> = connection
        .query_row(
            "SELECT type FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
            [table],
            |row| row.get(0),
        )
        .optional()?;
    match kind.as_deref() {
        None => Ok(Ownership::Absent),
        Some("table") if is_registered(connection, table)? => Ok(Ownership::Registered),
        Some("table") if has_connector_shape(connection, table)? => Ok(Ownership::Unregistered),
        Some(_) => Ok(Ownership::Foreign),
    }
}

/// Record that the connector owns `table`.
pub fn register(connection: &Connection, table: &str, now: &str) -> rusqlite::Result<()> {
    connection.execute(
        &format!("INSERT OR IGNORE INTO {TABLES_TABLE} (name, created_at) VALUES (?1, ?2)"),
        [table, now],
    )?;
    Ok(())
}

fn is_registered(connection: &Connection, table: &str) -> rusqlite::Result<bool> {
    connection
        .query_row(
            &format!("SELECT 1 FROM {TABLES_TABLE} WHERE name = ?1"),
            [table],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
}

/// The columns the connector adds to every table, and a checkpoint of the
/// stream: together, a table only the connector makes.
fn has_connector_shape(connection: &Connection, table: &str) -> rusqlite::Result<bool> {
    let columns: Vec<String> = connection
        .prepare("SELECT name FROM pragma_table_info(?1)")?
        .query_map([table], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let has = |wanted: &str| columns.iter().any(|c| c.eq_ignore_ascii_case(wanted));
    if !(has(RAW_COLUMN) && has(SYNCED_AT_COLUMN)) {
        return Ok(false);
    }
    connection
        .query_row(
            &format!("SELECT 1 FROM {STATE_TABLE} WHERE stream = ?1"),
            [table],
            |_| Ok(()),
        )
        .optional()
        .map(|found| found.is_some())
}
