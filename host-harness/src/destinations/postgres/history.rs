//! The `_runs` table in PostgreSQL: one row per run, begun when the run
//! starts (committed at once, so a killed run shows as one that never ended)
//! and completed with what each stream did.

use super::sql::qualified;
use crate::destinations::DestinationError;
use crate::destinations::metadata::RUNS_TABLE;
use crate::destinations::runs::{RunRecord, StreamRecord};
use chrono::{DateTime, SecondsFormat, Utc};
use tokio_postgres::GenericClient;
use tokio_postgres::types::Json;

/// Record a run beginning; its id.
pub async fn begin(
    client: &impl GenericClient,
    schema: &str,
    options: &str,
) -> Result<i64, DestinationError> {
    let options: serde_json::Value =
        serde_json::from_str(options).map_err(|e| DestinationError::Database(e.into()))?;
    let row = client
        .query_one(
            &format!(
                "INSERT INTO {} (started_at, options) VALUES (now(), $1) RETURNING run_id",
                qualified(schema, RUNS_TABLE)
            ),
            &[&Json(options)],
        )
        .await?;
    Ok(row.get(0))
}

/// Record how a run ended, and why when it stopped as a whole.
pub async fn finish(
    client: &impl GenericClient,
    schema: &str,
    run_id: i64,
    streams: &[StreamRecord],
    error: Option<&str>,
) -> Result<(), DestinationError> {
    client
        .execute(
            &format!(
                "UPDATE {} SET ended_at = now(), streams = $1, error = $2 WHERE run_id = $3",
                qualified(schema, RUNS_TABLE)
            ),
            &[&Json(streams), &error, &run_id],
        )
        .await?;
    Ok(())
}

/// The `limit` most recent runs of the schema, newest first; none when
/// nothing was ever synced into it.
pub async fn recent(
    client: &impl GenericClient,
    schema: &str,
    limit: usize,
) -> Result<Vec<RunRecord>, DestinationError> {
    let exists = client
        .query_opt(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
            &[&schema, &RUNS_TABLE],
        )
        .await?
        .is_some();
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            &format!(
                "SELECT run_id, started_at, ended_at, options, streams, error FROM {}
                 ORDER BY run_id DESC LIMIT $1",
                qualified(schema, RUNS_TABLE)
            ),
            &[&i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await?;
    let shown = |at: DateTime<Utc>| at.to_rfc3339_opts(SecondsFormat::Micros, true);
    rows.iter()
        .map(|row| {
            let Json(streams): Json<serde_json::Value> = row.try_get(4)?;
            Ok(RunRecord {
                run_id: row.try_get(0)?,
                started_at: shown(row.try_get(1)?),
                ended_at: row.try_get::<_, Option<DateTime<Utc>>>(2)?.map(shown),
                options: row.try_get::<_, Json<serde_json::Value>>(3)?.0,
                streams: serde_json::from_value(streams).unwrap_or_default(),
                error: row.try_get(5)?,
            })
        })
        .collect()
}
