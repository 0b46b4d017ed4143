//! The native floor: the rows a sync wrote, bulk-inserted again by plain
//! rusqlite into a fresh table of the same definition (same primary key), in
//! one transaction with one prepared statement. No HTTP, no plugin, no
//! checkpoints: what writing these rows costs at the least.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};
use std::path::Path;
use std::time::{Duration, Instant};

/// Rows inserted and the time it took.
pub fn bulk_insert(synced: &Path, table: &str, fresh: &Path) -> (u64, Duration) {
    let source = Connection::open(synced).expect("synced database opens");
    let definition: String = source
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |row| row.get(0),
        )
        .expect("the synced table exists");
    let mut select = source
        .prepare(&format!("SELECT * FROM \"{table}\""))
        .expect("select prepares");
    let columns = select.column_count();
    let rows: Vec<Vec<SqlValue>> = select
        .query_map([], |row| {
            (0..columns).map(|i| row.get::<_, SqlValue>(i)).collect()
        })
        .expect("rows read")
        .collect::<Result<_, _>>()
        .expect("rows read");

    let mut target = Connection::open(fresh).expect("fresh database opens");
    target
        .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
        .expect("pragmas");
    target.execute_batch(&definition).expect("table created");
    let placeholders = vec!["?"; columns].join(", ");
    let started = Instant::now();
    let transaction = target.transaction().expect("transaction");
    {
        let mut insert = transaction
            .prepare(&format!("INSERT INTO \"{table}\" VALUES ({placeholders})"))
            .expect("insert prepares");
        for row in &rows {
            insert.execute(params_from_iter(row)).expect("row inserted");
        }
    }
    transaction.commit().expect("commit");
    (rows.len() as u64, started.elapsed())
}
