//! The connector's schema in a PostgreSQL database: created on first use
//! with its own tables (checkpoints, the registry of stream tables, runs, the
//! write lock), and each stream's table claimed, created, and evolved
//! additively. A table of a stream's name that the connector did not create
//! is left alone, and so is a column whose type the stream changed.

use super::sql::{self, METADATA_COLUMNS, qualified, sql_type};
use crate::destinations::metadata::{RUNS_TABLE, STATE_TABLE, TABLES_TABLE, quote};
use crate::destinations::table::TableSpec;
use crate::destinations::{DestinationError, evolution};
use tokio_postgres::GenericClient;

/// The table whose one row is locked by the sync writing the schema.
pub const LOCK_TABLE: &str = "_connector_lock";

/// Create the schema and the connector's own tables if missing.
pub async fn create(client: &impl GenericClient, schema: &str) -> Result<(), DestinationError> {
    let statements = [
        format!("CREATE SCHEMA IF NOT EXISTS {}", quote(schema)),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (
                 stream text PRIMARY KEY,
                 state_json text,
                 page_cursor text,
                 updated_at timestamptz NOT NULL
             )",
            qualified(schema, STATE_TABLE)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, created_at timestamptz NOT NULL)",
            qualified(schema, TABLES_TABLE)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (
                 run_id bigserial PRIMARY KEY,
                 started_at timestamptz NOT NULL,
                 ended_at timestamptz,
                 options jsonb NOT NULL,
                 streams jsonb NOT NULL DEFAULT '[]',
                 error text
             )",
            qualified(schema, RUNS_TABLE)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (id integer PRIMARY KEY)",
            qualified(schema, LOCK_TABLE)
        ),
        format!(
            "INSERT INTO {} (id) VALUES (1) ON CONFLICT (id) DO NOTHING",
            qualified(schema, LOCK_TABLE)
        ),
    ];
    for statement in statements {
        client.batch_execute(&statement).await?;
    }
    Ok(())
}

/// Create the stream's table, or check the one there is the connector's
/// with the declared key and add the columns it lacks.
pub async fn prepare(
    client: &impl GenericClient,
    schema: &str,
    location: &str,
    table: &TableSpec,
) -> Result<(), DestinationError> {
    let kind: Option<String> = client
        .query_opt(
            "SELECT table_type::text FROM information_schema.tables
             WHERE table_schema = $1 AND table_name = $2",
            &[&schema, &table.name],
        )
        .await?
        .map(|row| row.get(0));
    let registered = client
        .query_opt(
            &format!(
                "SELECT 1 FROM {} WHERE name = $1",
                qualified(schema, TABLES_TABLE)
            ),
            &[&table.name],
        )
        .await?
        .is_some();
    match (kind, registered) {
        (None, _) => {
            client
                .batch_execute(&sql::create_table(schema, table))
                .await?;
            client
                .execute(
                    &format!(
                        "INSERT INTO {} (name, created_at) VALUES ($1, now())
                         ON CONFLICT (name) DO NOTHING",
                        qualified(schema, TABLES_TABLE)
                    ),
                    &[&table.name],
                )
                .await?;
            return Ok(());
        }
        (Some(kind), true) if kind == "BASE TABLE" => {}
        _ => {
            return Err(DestinationError::NotOurs {
                table: table.name.clone(),
                location: location.to_owned(),
            });
        }
    }
    let existing_key: Vec<String> = client
        .query(
            "SELECT kcu.column_name::text
             FROM information_schema.table_constraints tc
             JOIN information_schema.key_column_usage kcu
               ON kcu.constraint_name = tc.constraint_name
              AND kcu.table_schema = tc.table_schema
              AND kcu.table_name = tc.table_name
             WHERE tc.constraint_type = 'PRIMARY KEY'
               AND tc.table_schema = $1 AND tc.table_name = $2
             ORDER BY kcu.ordinal_position",
            &[&schema, &table.name],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let existing_key: Vec<&str> = existing_key.iter().map(String::as_str).collect();
    evolution::check_key(table, &existing_key)?;
    let existing: Vec<(String, String)> = client
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = $2",
            &[&schema, &table.name],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let wanted = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), sql_type(c.kind)))
        .chain(METADATA_COLUMNS)
        .map(|(column, (ddl, data_type))| (column, data_type, ddl.trim_end_matches(" NOT NULL")));
    let missing = evolution::missing_columns(&table.name, wanted, &existing, false)?;
    for (column, ddl) in missing {
        client
            .batch_execute(&format!(
                "ALTER TABLE {} ADD COLUMN {} {ddl}",
                qualified(schema, &table.name),
                quote(column),
            ))
            .await?;
    }
    Ok(())
}
