//! The SQL the SQLite destination speaks: column types, table definitions,
//! and the statements that write a page, all derived from a [`TableSpec`].

use crate::destinations::metadata::{
    DELETED_AT_COLUMN, FIRST_SEEN_COLUMN, RAW_COLUMN, RUN_ID_COLUMN, STATE_TABLE, SYNCED_AT_COLUMN,
    quote,
};
use crate::destinations::record::Cell;
use crate::destinations::table::{ColumnKind, TableSpec};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};

/// SQLite's storage class for a column kind. Timestamps and dates stay
/// ISO 8601 text (SQLite's date functions read it); decimals stay exact text.
pub fn sql_type(kind: ColumnKind) -> &'static str {
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

impl ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Integer(integer) => ValueRef::Integer(*integer),
            Cell::Real(real) => ValueRef::Real(*real),
            Cell::Text(text) => ValueRef::Text(text.as_bytes()),
        }))
    }
}

/// Columns every table has besides `_raw` and `_synced_at`, added to a table
/// of an earlier version that lacks them.
pub const METADATA_COLUMNS: [(&str, &str); 3] = [
    (RUN_ID_COLUMN, "INTEGER"),
    (FIRST_SEEN_COLUMN, "TEXT"),
    (DELETED_AT_COLUMN, "TEXT"),
];

pub fn create_table(table: &TableSpec) -> String {
    let mut definitions: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind)))
        .collect();
    definitions.push(format!("{} TEXT NOT NULL", quote(RAW_COLUMN)));
    definitions.push(format!("{} TEXT NOT NULL", quote(SYNCED_AT_COLUMN)));
    for (name, kind) in METADATA_COLUMNS {
        definitions.push(format!("{} {kind}", quote(name)));
    }
    let keys: Vec<String> = table.primary_key.iter().map(|k| quote(k)).collect();
    format!(
        "CREATE TABLE {} ({}, PRIMARY KEY ({}))",
        quote(&table.name),
        definitions.join(", "),
        keys.join(", ")
    )
}

/// What writing a record over the row of its key would do, compared inside
/// SQLite so the stored record is never copied out: no row (a new key), `0`
/// (written already in this read), `1` (the same record), `2` (another one).
/// Parameters: the key's values, then when the read began, then the record.
pub fn previous_row(table: &TableSpec) -> String {
    let keys = table.primary_key.len();
    let conditions: Vec<String> = table
        .primary_key
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{} = ?{}", quote(k), i + 1))
        .collect();
    format!(
        "SELECT CASE WHEN {synced} >= ?{started} THEN 0 WHEN {raw} = ?{record} THEN 1 ELSE 2 END \
         FROM {} WHERE {}",
        quote(&table.name),
        conditions.join(" AND "),
        synced = quote(SYNCED_AT_COLUMN),
        raw = quote(RAW_COLUMN),
        started = keys + 1,
        record = keys + 2,
    )
}

/// Insert a row, or replace every column of the row of its key but when it
/// was first seen; either way it is not deleted. Parameters: the columns in
/// the table's order, then `_raw`, `_synced_at` (also `_first_seen` of a new
/// row) and `_run_id`.
pub fn upsert(table: &TableSpec) -> String {
    let mut names: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    names.push(quote(RAW_COLUMN));
    names.push(quote(SYNCED_AT_COLUMN));
    let synced_at = names.len();
    names.push(quote(RUN_ID_COLUMN));
    let mut placeholders: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    names.push(quote(FIRST_SEEN_COLUMN));
    placeholders.push(format!("?{synced_at}"));
    names.push(quote(DELETED_AT_COLUMN));
    placeholders.push("NULL".into());
    let mut kept = table
        .primary_key
        .iter()
        .map(|k| quote(k))
        .collect::<Vec<_>>();
    let keys = kept.clone();
    kept.push(quote(FIRST_SEEN_COLUMN));
    let updates: Vec<String> = names
        .iter()
        .filter(|n| !kept.contains(n))
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

/// Mark the rows not written since a read began as deleted, once.
/// Parameters: now, when the read began.
pub fn mark_unseen_deleted(table: &TableSpec) -> String {
    format!(
        "UPDATE {} SET {deleted} = ?1 WHERE {deleted} IS NULL AND {synced} < ?2",
        quote(&table.name),
        deleted = quote(DELETED_AT_COLUMN),
        synced = quote(SYNCED_AT_COLUMN),
    )
}

/// Store a stream's checkpoint. Parameters: stream, state, page cursor, time.
pub fn upsert_checkpoint() -> String {
    format!(
        "INSERT INTO {STATE_TABLE} (stream, state_json, page_cursor, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (stream) DO UPDATE SET state_json = excluded.state_json,
             page_cursor = excluded.page_cursor, updated_at = excluded.updated_at"
    )
}
