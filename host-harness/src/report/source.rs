//! Where a report reads from: the tables a sync wrote, in SQLite or
//! PostgreSQL, scanned row by row with every value as text, so the report
//! aggregates the same way whichever database holds them. Rows marked
//! deleted are left out: the report shows what the API lists today.

use crate::destinations::DestinationError;
use crate::destinations::metadata::{DELETED_AT_COLUMN, quote};
use crate::destinations::postgres::{self, PostgresLocation};
use crate::destinations::warehouse::Warehouse;
use futures_util::{TryStreamExt, pin_mut};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// One row of a scan: the asked columns' values as text, NULL as None.
pub type Row<'a> = &'a [Option<&'a str>];

/// A warehouse opened for reading.
pub enum ReportSource {
    Sqlite(Connection),
    Postgres {
        client: tokio_postgres::Client,
        schema: String,
        connection: tokio::task::JoinHandle<()>,
    },
}

impl ReportSource {
    /// Open `warehouse` for reading; a SQLite file must exist.
    pub async fn open(warehouse: &Warehouse) -> Result<Self, DestinationError> {
        match warehouse {
            Warehouse::Sqlite(path) => open_sqlite(path),
            Warehouse::Postgres(location) => open_postgres(location).await,
        }
    }

    /// Call `each` with every row of `table` not marked deleted, for the
    /// `columns` asked; `Ok(false)` without a call when the table or one of
    /// the columns is not there (the stream was never synced, or by a
    /// version without that field).
    pub async fn scan(
        &mut self,
        table: &str,
        columns: &[&str],
        each: &mut (dyn FnMut(Row<'_>) + Send),
    ) -> Result<bool, DestinationError> {
        let Some(present) = self.columns(table).await? else {
            return Ok(false);
        };
        if !columns.iter().all(|c| present.iter().any(|p| p == c)) {
            return Ok(false);
        }
        let deleted = present.iter().any(|p| p == DELETED_AT_COLUMN);
        match self {
            Self::Sqlite(connection) => scan_sqlite(connection, table, columns, deleted, each)?,
            Self::Postgres { client, schema, .. } => {
                scan_postgres(client, schema, table, columns, deleted, each).await?;
            }
        }
        Ok(true)
    }

    /// The columns of `table`, or None when there is no such table.
    async fn columns(&mut self, table: &str) -> Result<Option<Vec<String>>, DestinationError> {
        let columns: Vec<String> = match self {
            Self::Sqlite(connection) => connection
                .prepare("SELECT name FROM pragma_table_info(?1)")?
                .query_map([table], |row| row.get(0))?
                .collect::<Result<_, _>>()?,
            Self::Postgres { client, schema, .. } => client
                .query(
                    "SELECT column_name::text FROM information_schema.columns
                     WHERE table_schema = $1 AND table_name = $2",
                    &[schema, &table],
                )
                .await?
                .iter()
                .map(|row| row.get(0))
                .collect(),
        };
        Ok((!columns.is_empty()).then_some(columns))
    }
}

impl Drop for ReportSource {
    fn drop(&mut self) {
        if let Self::Postgres { connection, .. } = self {
            connection.abort();
        }
    }
}

fn open_sqlite(path: &Path) -> Result<ReportSource, DestinationError> {
    let open = |reason: String| DestinationError::Open {
        location: path.display().to_string(),
        reason,
    };
    if !path.exists() {
        return Err(open(
            "no such file, so nothing was synced into it; pass the file a sync wrote with --from FILE"
                .into(),
        ));
    }
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map(ReportSource::Sqlite)
        .map_err(|e| open(e.to_string()))
}

async fn open_postgres(location: &PostgresLocation) -> Result<ReportSource, DestinationError> {
    let (client, connection) = postgres::connect(location).await?;
    Ok(ReportSource::Postgres {
        client,
        schema: location.schema().to_owned(),
        connection,
    })
}

fn select(table_sql: &str, columns: &[&str], deleted: bool, cast: &str) -> String {
    let columns: Vec<String> = columns
        .iter()
        .map(|c| format!("{}{cast}", quote(c)))
        .collect();
    let filter = if deleted {
        format!(" WHERE {} IS NULL", quote(DELETED_AT_COLUMN))
    } else {
        String::new()
    };
    format!("SELECT {} FROM {table_sql}{filter}", columns.join(", "))
}

fn scan_sqlite(
    connection: &Connection,
    table: &str,
    columns: &[&str],
    deleted: bool,
    each: &mut (dyn FnMut(Row<'_>) + Send),
) -> Result<(), DestinationError> {
    let mut statement = connection.prepare(&select(&quote(table), columns, deleted, ""))?;
    let mut rows = statement.query([])?;
    let mut texts: Vec<Option<String>> = Vec::with_capacity(columns.len());
    while let Some(row) = rows.next()? {
        texts.clear();
        for i in 0..columns.len() {
            texts.push(match row.get_ref(i)? {
                ValueRef::Null => None,
                ValueRef::Integer(n) => Some(n.to_string()),
                ValueRef::Real(x) => Some(x.to_string()),
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Some(String::from_utf8_lossy(t).into_owned())
                }
            });
        }
        let borrowed: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
        each(&borrowed);
    }
    Ok(())
}

async fn scan_postgres(
    client: &tokio_postgres::Client,
    schema: &str,
    table: &str,
    columns: &[&str],
    deleted: bool,
    each: &mut (dyn FnMut(Row<'_>) + Send),
) -> Result<(), DestinationError> {
    let table_sql = format!("{}.{}", quote(schema), quote(table));
    let sql = select(&table_sql, columns, deleted, "::text");
    let rows = client
        .query_raw(
            &sql,
            std::iter::empty::<&(dyn tokio_postgres::types::ToSql + Sync)>(),
        )
        .await?;
    pin_mut!(rows);
    while let Some(row) = rows.try_next().await? {
        let values: Vec<Option<&str>> = (0..columns.len()).map(|i| row.get(i)).collect();
        each(&values);
    }
    Ok(())
}
