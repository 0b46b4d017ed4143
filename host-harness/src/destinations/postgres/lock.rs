//! One writer per schema. The sync holds a row lock on `_connector_lock`
//! in a transaction of a connection of its own for as long as it writes;
//! the server drops the lock when that connection ends, however the process
//! ended. A row lock with NOWAIT works the same on PostgreSQL, CockroachDB
//! and YugabyteDB, where advisory locks do not.

use super::schema::LOCK_TABLE;
use super::sql::qualified;
use crate::destinations::DestinationError;
use tokio::task::JoinHandle;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

/// Held while alive: dropping it closes its connection, and the lock with it.
pub struct WriteLock {
    _client: Client,
    connection: JoinHandle<()>,
}

impl WriteLock {
    /// Take the schema's write lock on `client`, or say who is writing.
    pub async fn acquire(
        client: Client,
        connection: JoinHandle<()>,
        schema: &str,
        location: &str,
    ) -> Result<Self, DestinationError> {
        client.batch_execute("BEGIN").await?;
        let locked = client
            .query_one(
                &format!(
                    "SELECT id FROM {} WHERE id = 1 FOR UPDATE NOWAIT",
                    qualified(schema, LOCK_TABLE)
                ),
                &[],
            )
            .await;
        match locked {
            Ok(_) => Ok(Self {
                _client: client,
                connection,
            }),
            Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                Err(DestinationError::Busy {
                    location: location.to_owned(),
                    holder: "its write lock is held by another connection".into(),
                })
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        self.connection.abort();
    }
}
