//! The Airbyte protocol as a destination of the sync loop: each committed
//! page of a configured stream becomes its RECORD messages and then a STATE
//! message, and checkpoints come from the `--state` a platform passes.
//! Parents the loop brings along for a configured child are read but not
//! emitted: the catalog did not ask for them.

use super::catalog::Configured;
use super::messages::{Emitter, now_ms};
use super::state::stream_state;
use crate::destinations::runs::StreamRecord;
use crate::destinations::table::TableSpec;
use crate::destinations::{Checkpoint, Destination, DestinationError, WrittenRows};
use async_trait::async_trait;
use std::collections::HashMap;

pub struct AirbyteDestination {
    emitter: Emitter,
    configured: Vec<Configured>,
    state: HashMap<String, Checkpoint>,
    records: HashMap<String, u64>,
}

impl AirbyteDestination {
    pub fn new(
        emitter: Emitter,
        configured: Vec<Configured>,
        state: HashMap<String, Checkpoint>,
    ) -> Self {
        Self {
            emitter,
            configured,
            state,
            records: HashMap::new(),
        }
    }

    fn configured(&self, stream: &str) -> Option<&Configured> {
        self.configured.iter().find(|c| c.name == stream)
    }
}

#[async_trait]
impl Destination for AirbyteDestination {
    async fn prepare(&mut self, _table: &TableSpec) -> Result<(), DestinationError> {
        Ok(())
    }

    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: Vec<String>,
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        let rows = records.len() as u64;
        if self.configured(&table.name).is_some() {
            let emitted_at = now_ms();
            for raw in &records {
                // One JSON object with its key, or refused as in any table.
                table.fields(raw)?;
                self.emitter.record(&table.name, raw, emitted_at);
            }
            let total = self.records.entry(table.name.clone()).or_default();
            *total += rows;
            self.emitter
                .state(&table.name, stream_state(checkpoint), *total);
        }
        self.state.insert(table.name.clone(), checkpoint.clone());
        Ok(WrittenRows {
            new: rows,
            ..WrittenRows::default()
        })
    }

    async fn mark_unseen_deleted(&mut self, _table: &TableSpec) -> Result<u64, DestinationError> {
        // Deletes are the reader's to infer from full refreshes.
        Ok(0)
    }

    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        if self.configured(stream).is_some_and(|c| c.full_refresh) {
            return Ok(None);
        }
        Ok(self.state.get(stream).cloned())
    }

    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        Ok(self.state.remove(stream).is_some())
    }

    async fn begin_run(&mut self, _options_json: &str) -> Result<i64, DestinationError> {
        Ok(0)
    }

    async fn finish_run(
        &mut self,
        _streams: &[StreamRecord],
        _error: Option<&str>,
    ) -> Result<(), DestinationError> {
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), DestinationError> {
        self.emitter.flush();
        Ok(())
    }

    fn describe(&self) -> String {
        "the Airbyte protocol on stdout".into()
    }
}
