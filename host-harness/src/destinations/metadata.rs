//! What every destination adds to the records it stores: the columns the
//! connector keeps beside a stream's own, the tables it keeps beside the
//! streams', and the clock they are stamped with.

/// The column holding the whole record as JSON.
pub const RAW_COLUMN: &str = "_raw";
/// The column holding when the row was last written.
pub const SYNCED_AT_COLUMN: &str = "_synced_at";
/// The column holding the run that last wrote the row (`_runs`).
pub const RUN_ID_COLUMN: &str = "_run_id";
/// The column holding when the row was first written (empty for SQLite rows
/// written before the column existed).
pub const FIRST_SEEN_COLUMN: &str = "_first_seen";
/// The column holding when a whole read of the stream last found the row
/// gone; empty while the API lists it.
pub const DELETED_AT_COLUMN: &str = "_deleted_at";
/// The table of checkpoints.
pub const STATE_TABLE: &str = "_connector_state";
/// The registry of the tables the connector created.
pub const TABLES_TABLE: &str = "_connector_tables";
/// The table of runs.
pub const RUNS_TABLE: &str = "_runs";

/// Now, as rows are stamped with it: RFC 3339 in UTC with a fixed number of
/// digits, so that text order is time order (SQLite keeps it as text).
pub fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// An SQL identifier, quoted: both SQLite and PostgreSQL take double quotes,
/// a quote inside doubled.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
