//! One connection to the database as the connector writes it: pages upserted
//! with their stream's checkpoint into an open transaction that is committed
//! batch by batch (each page under a savepoint of its own, so a refused page
//! is taken back alone), checkpoints read back and reset, runs recorded.

use super::location::PostgresLocation;
use super::lock::WriteLock;
use super::sql::{self, qualified};
use super::{history, schema};
use crate::destinations::batch::{Batch, BatchLimits};
use crate::destinations::metadata::{STATE_TABLE, timestamp};
use crate::destinations::record::Cell;
use crate::destinations::runs::StreamRecord;
use crate::destinations::table::TableSpec;
use crate::destinations::{Checkpoint, DestinationError, WrittenRows};
use crate::egress::client_config;
use std::collections::HashMap;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

pub(super) struct Session {
    client: Client,
    connection: JoinHandle<()>,
    schema: String,
    shown: String,
    /// When the current read of each stream began (its `prepare`): a row
    /// synced since then was already counted in this read.
    read_started: HashMap<String, String>,
    /// Each table's page statement, prepared once per read (the table may
    /// have gained columns since the last).
    statements: HashMap<String, Statement>,
    batch: Batch,
    in_transaction: bool,
    /// The run under way, whose id every row written is stamped with.
    run_id: Option<i64>,
    _lock: WriteLock,
}

/// Open a connection to `location`, its driver running on a task of its own
/// (aborted by whoever holds the handle when done).
pub async fn connect(
    location: &PostgresLocation,
) -> Result<(Client, JoinHandle<()>), DestinationError> {
    let open = |e: tokio_postgres::Error| DestinationError::Open {
        location: location.describe().to_owned(),
        reason: format!("{}: {}", super::explain(&e), remedy(&e)),
    };
    // The driver runs on a task of its own; a broken connection fails the
    // next statement, which says why.
    let driver = match location.config.get_ssl_mode() {
        SslMode::Disable => {
            let (client, connection) = location.config.connect(NoTls).await.map_err(open)?;
            (client, tokio::spawn(async move { drop(connection.await) }))
        }
        _ => {
            let tls = MakeRustlsConnect::new(client_config(&location.roots));
            let (client, connection) = location.config.connect(tls).await.map_err(open)?;
            (client, tokio::spawn(async move { drop(connection.await) }))
        }
    };
    Ok(driver)
}

/// What to do when connecting failed.
fn remedy(error: &tokio_postgres::Error) -> &'static str {
    use tokio_postgres::error::SqlState;
    match error.code() {
        Some(code)
            if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            "check the user, and put the password in PGPASSWORD"
        }
        Some(code) if *code == SqlState::INVALID_CATALOG_NAME => {
            "check the database name at the end of the URL, or create that database"
        }
        Some(_) => "check the URL's user and database, and the server's log",
        // The driver says only this much of a refused certificate.
        None if error
            .to_string()
            .starts_with("error performing TLS handshake") =>
        {
            "the server's TLS certificate was not accepted: put the PEM of the CA that signed it \
             in a file named by PGSSLROOTCERT (or use sslmode=disable on a trusted network)"
        }
        None => {
            "check the host and port, and that the server is running and accepts connections from here"
        }
    }
}

impl Session {
    /// Connect, create the schema and the connector's tables if missing, and
    /// take the schema's write lock.
    pub async fn open(
        location: &PostgresLocation,
        limits: BatchLimits,
    ) -> Result<Self, DestinationError> {
        let (client, connection) = connect(location).await?;
        schema::create(&client, &location.schema).await?;
        let (lock_client, lock_connection) = connect(location).await?;
        let lock = WriteLock::acquire(
            lock_client,
            lock_connection,
            &location.schema,
            location.describe(),
        )
        .await?;
        Ok(Self {
            client,
            connection,
            schema: location.schema.clone(),
            shown: location.describe().to_owned(),
            read_started: HashMap::new(),
            statements: HashMap::new(),
            batch: Batch::new(limits),
            in_transaction: false,
            run_id: None,
            _lock: lock,
        })
    }

    pub fn describe(&self) -> String {
        self.shown.clone()
    }

    /// Create the stream's table or add the columns it lacks (committed at
    /// once), and start counting a new read of it.
    pub async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        self.commit().await?;
        schema::prepare(&self.client, &self.schema, &self.shown, table).await?;
        let statement = self
            .client
            .prepare(&sql::write_page(&self.schema, table))
            .await?;
        self.statements.insert(table.name.clone(), statement);
        self.read_started.insert(table.name.clone(), timestamp());
        Ok(())
    }

    /// Upsert the page's records with the checkpoint that follows them, all
    /// or nothing, into the open batch; commit the batch once due.
    pub async fn write_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        self.usable()?;
        if !self.statements.contains_key(&table.name) {
            self.prepare(table).await?;
        }
        let read_started = self.read_started[&table.name].clone();
        // Never before the read began, even if the clock stepped back.
        let now = timestamp().max(read_started.clone());
        let rows = records.len();
        let page = PageColumns::split(table, records)?;
        self.join_batch(rows).await?;
        self.client.batch_execute("SAVEPOINT page").await?;
        let written = async {
            let written = self.write_rows(table, page, &read_started, &now).await?;
            self.store_checkpoint(&table.name, checkpoint, &now).await?;
            Ok::<_, DestinationError>(written)
        }
        .await;
        let written = match written {
            Ok(written) => written,
            Err(error) => {
                self.client
                    .batch_execute("ROLLBACK TO SAVEPOINT page")
                    .await?;
                return Err(error);
            }
        };
        self.client.batch_execute("RELEASE SAVEPOINT page").await?;
        if self.batch.is_due() {
            self.commit().await?;
        }
        Ok(written)
    }

    async fn write_rows(
        &self,
        table: &TableSpec,
        page: PageColumns,
        read_started: &str,
        now: &str,
    ) -> Result<WrittenRows, DestinationError> {
        let mut written = WrittenRows::default();
        if page.rows > 0 {
            let statement = &self.statements[&table.name];
            let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(page.columns.len() + 4);
            params.extend(page.columns.iter().map(|c| c as &(dyn ToSql + Sync)));
            params.push(&read_started);
            params.push(&now);
            params.push(&self.run_id);
            let row = self.client.query_one(statement, &params).await?;
            let count = |i: usize| row.get::<_, i64>(i).unsigned_abs();
            written = WrittenRows {
                new: count(0),
                changed: count(1),
                unchanged: count(2),
            };
        }
        Ok(written)
    }

    async fn store_checkpoint(
        &self,
        stream: &str,
        checkpoint: &Checkpoint,
        now: &str,
    ) -> Result<(), DestinationError> {
        self.client
            .execute(
                &sql::upsert_checkpoint(&self.schema),
                &[
                    &stream,
                    &checkpoint.state_json,
                    &checkpoint.page_cursor,
                    &now,
                ],
            )
            .await?;
        Ok(())
    }

    /// Open the batch's transaction unless it is open, and count `rows` into it.
    async fn join_batch(&mut self, rows: usize) -> Result<(), DestinationError> {
        if !self.in_transaction {
            self.client.batch_execute("BEGIN").await?;
            self.in_transaction = true;
        }
        self.batch.add(rows);
        Ok(())
    }

    /// Mark the rows the current read of the stream did not write as
    /// deleted, in the open batch with its last page.
    pub async fn mark_unseen_deleted(
        &mut self,
        table: &TableSpec,
    ) -> Result<u64, DestinationError> {
        self.usable()?;
        let Some(read_started) = self.read_started.get(&table.name).cloned() else {
            return Ok(0);
        };
        let now = timestamp().max(read_started.clone());
        self.join_batch(0).await?;
        Ok(self
            .client
            .execute(
                &sql::mark_unseen_deleted(&self.schema, table),
                &[&now, &read_started],
            )
            .await?)
    }

    pub async fn begin_run(&mut self, options: &str) -> Result<i64, DestinationError> {
        self.commit().await?;
        let run_id = history::begin(&self.client, &self.schema, options).await?;
        self.run_id = Some(run_id);
        Ok(run_id)
    }

    pub async fn finish_run(
        &mut self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<(), DestinationError> {
        self.usable()?;
        let Some(run_id) = self.run_id.take() else {
            return Ok(());
        };
        history::finish(&self.client, &self.schema, run_id, streams, error).await
    }

    pub async fn checkpoint(&self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        self.usable()?;
        let row = self
            .client
            .query_opt(
                &format!(
                    "SELECT state_json, page_cursor FROM {} WHERE stream = $1",
                    qualified(&self.schema, STATE_TABLE)
                ),
                &[&stream],
            )
            .await?;
        Ok(row.map(|row| Checkpoint {
            state_json: row.get(0),
            page_cursor: row.get(1),
        }))
    }

    /// Delete the stream's checkpoint and keep its rows; committed at once.
    pub async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        self.commit().await?;
        let deleted = self
            .client
            .execute(
                &format!(
                    "DELETE FROM {} WHERE stream = $1",
                    qualified(&self.schema, STATE_TABLE)
                ),
                &[&stream],
            )
            .await?;
        Ok(deleted > 0)
    }

    pub fn is_due(&self) -> bool {
        self.batch.is_due()
    }

    pub fn due_in(&self) -> Option<Duration> {
        self.batch.due_in()
    }

    /// Commit the open batch, if any. A batch that cannot be committed is
    /// lost whole, and the session takes no more writes: a later page's
    /// checkpoint would otherwise skip the lost pages' records.
    pub async fn commit(&mut self) -> Result<(), DestinationError> {
        self.usable()?;
        self.batch.close();
        if !self.in_transaction {
            return Ok(());
        }
        self.in_transaction = false;
        if let Err(error) = self.client.batch_execute("COMMIT").await {
            let _ = self.client.batch_execute("ROLLBACK").await;
            self.batch.lose(super::explain(&error));
            return self.usable();
        }
        Ok(())
    }

    fn usable(&self) -> Result<(), DestinationError> {
        self.batch.usable(&self.shown)
    }
}

impl Drop for Session {
    /// An open batch is not committed: the server rolls it back when the
    /// connection closes, and the next run resumes from the last commit.
    fn drop(&mut self) {
        self.connection.abort();
    }
}

/// A page split into one array per column, the form the page statement
/// takes: each record read once, its columns cast by the database.
struct PageColumns {
    rows: usize,
    /// One array per table column, then the records themselves.
    columns: Vec<Vec<Option<String>>>,
}

impl PageColumns {
    fn split(table: &TableSpec, records: Vec<String>) -> Result<Self, DestinationError> {
        let rows = records.len();
        let mut columns: Vec<Vec<Option<String>>> = (0..=table.columns.len())
            .map(|_| Vec::with_capacity(rows))
            .collect();
        for raw in records {
            {
                let record = table.fields(&raw)?;
                for (column, values) in table.columns.iter().zip(columns.iter_mut()) {
                    values.push(text(record.cell(&column.name, column.kind)));
                }
            }
            columns[table.columns.len()].push(Some(raw));
        }
        Ok(Self { rows, columns })
    }
}

/// A cell as the text PostgreSQL casts to the column's type (booleans come
/// as 0 or 1, which `boolean` reads).
fn text(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Null => None,
        Cell::Integer(integer) => Some(integer.to_string()),
        Cell::Real(real) => Some(real.to_string()),
        Cell::Text(text) => Some(text.into_owned()),
    }
}
