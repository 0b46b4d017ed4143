//! Where a command writes or reads, as the user names it with `--into`: a
//! SQLite file (the embedded default) or a PostgreSQL database and schema.

use super::postgres::{self, DEFAULT_SCHEMA, PostgresDestination, PostgresLocation};
use super::runs::RunRecord;
use super::sqlite::{self, SqliteDestination};
use super::{Destination, DestinationError};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum Warehouse {
    Sqlite(PathBuf),
    Postgres(Box<PostgresLocation>),
}

impl Warehouse {
    /// `into` is a `postgres://` URL or a file path; `schema` applies to a URL only.
    pub fn parse(into: &str, schema: Option<&str>) -> Result<Self, DestinationError> {
        if PostgresLocation::is_url(into) {
            return Ok(Self::Postgres(Box::new(PostgresLocation::parse(
                into,
                schema.unwrap_or(DEFAULT_SCHEMA),
            )?)));
        }
        if let Some(schema) = schema {
            return Err(DestinationError::Open {
                location: into.to_owned(),
                reason: format!(
                    "--schema {schema} applies to a PostgreSQL database only: pass --into \
                     postgres://USER@HOST:PORT/DATABASE, or drop --schema for a SQLite file"
                ),
            });
        }
        Ok(Self::Sqlite(PathBuf::from(into)))
    }

    /// Open it for writing, as its only writer until the destination is dropped.
    pub async fn open(&self) -> Result<Box<dyn Destination>, DestinationError> {
        Ok(match self {
            Self::Sqlite(path) => Box::new(SqliteDestination::open(path)?),
            Self::Postgres(location) => Box::new(PostgresDestination::connect(location).await?),
        })
    }

    /// The recent runs recorded there, newest first, without taking the write lock.
    pub async fn recent_runs(&self, limit: usize) -> Result<Vec<RunRecord>, DestinationError> {
        match self {
            Self::Sqlite(path) => sqlite::recent_runs(path, limit),
            Self::Postgres(location) => postgres::recent_runs(location, limit).await,
        }
    }

    /// A SQLite file that does not exist yet, so nothing was ever synced into it.
    pub fn is_missing_file(&self) -> bool {
        matches!(self, Self::Sqlite(path) if !path.exists())
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(location) => location.describe().to_owned(),
        }
    }
}
