//! What every concurrent read of one run shares: the plugin and connection,
//! the destination (one writer: commits take turns), whoever watches the run,
//! the bound on plugin calls in flight, and the time spent on each side.

use super::SyncOptions;
use super::progress::Progress;
use super::settings::RunSettings;
use super::timings::{RunTimings, Spent};
use crate::destinations::{Destination, DestinationError, StreamRecord};
use crate::runtime::{ConnectionConfig, PluginRuntime};
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::{Semaphore, SemaphorePermit};

pub(super) struct Shared<'a> {
    pub runtime: &'a PluginRuntime,
    pub connection: &'a ConnectionConfig,
    pub options: &'a SyncOptions,
    pub settings: &'a RunSettings,
    /// Held for the length of one call into the destination.
    pub destination: tokio::sync::Mutex<&'a mut dyn Destination>,
    progress: Mutex<&'a mut dyn Progress>,
    /// One permit per plugin call in flight.
    calls: Semaphore,
    spent: Spent,
}

impl<'a> Shared<'a> {
    pub fn new(
        runtime: &'a PluginRuntime,
        connection: &'a ConnectionConfig,
        destination: &'a mut dyn Destination,
        progress: &'a mut dyn Progress,
        options: &'a SyncOptions,
        settings: &'a RunSettings,
    ) -> Self {
        Self {
            runtime,
            connection,
            options,
            settings,
            destination: tokio::sync::Mutex::new(destination),
            progress: Mutex::new(progress),
            calls: Semaphore::new(options.concurrency.max(1)),
            spent: Spent::new(connection),
        }
    }

    /// The bound on work in flight: streams and batches at once, and plugin calls.
    pub fn concurrency(&self) -> usize {
        self.options.concurrency.max(1)
    }

    /// Wait for a turn to call the plugin.
    pub async fn call_permit(&self) -> SemaphorePermit<'_> {
        self.calls
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    /// Tell whoever watches the run.
    pub fn progress(&self, tell: impl FnOnce(&mut dyn Progress)) {
        let mut progress = self.progress.lock().expect("progress lock");
        tell(&mut **progress);
    }

    pub fn spent(&self) -> &Spent {
        &self.spent
    }

    /// The run is over: record what its streams did (and why it stopped, if
    /// it stopped as a whole), commit what the destination holds back, then
    /// tell where the time went.
    pub async fn finish(
        self,
        streams: &[StreamRecord],
        error: Option<&str>,
    ) -> Result<RunTimings, DestinationError> {
        let since = Instant::now();
        let destination = self.destination.into_inner();
        destination.finish_run(streams, error).await?;
        destination.flush().await?;
        self.spent.destination(since);
        Ok(self.spent.timings(self.connection))
    }
}
