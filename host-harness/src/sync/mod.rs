//! The sync loop the host owns: for each planned stream, call the plugin's
//! `read-page` until it is done, committing each page's records with the
//! stream's checkpoint. A failed stream keeps its last committed checkpoint
//! and the others go on; a child whose parent failed is skipped. A run that
//! finds a page cursor left by an interrupted run resumes from it. Settings
//! are refused once, before any stream runs; a walk through pages that would
//! never end is stopped ([`walk`]).
//!
//! Work overlaps three ways, within one bound (`concurrency`: plugin calls in
//! flight): independent streams run side by side and a child starts as soon
//! as its parent is done (`schedule`); a child's batches of parents are
//! read side by side (`stream`); and each walk reads its next page while
//! the destination writes the current one (`pages`).

pub mod error;
mod pages;
pub mod plan;
pub mod progress;
pub mod report;
pub mod resume;
pub mod retry;
mod schedule;
pub mod settings;
mod shared;
mod stream;
pub mod timings;
pub mod walk;

pub use error::{StreamError, SyncError};
pub use plan::{Plan, PlanError, PlannedStream, plan};
pub use progress::{Progress, Silent};
pub use report::{Outcome, StreamReport, SyncReport};
pub use resume::ResumePoint;
pub use retry::RetryPolicy;
pub use settings::{RunSettings, SettingsError};
pub use timings::RunTimings;
pub use walk::{DEFAULT_MAX_PAGES, PageWalk, WalkError};

use crate::destinations::{Destination, StreamRecord};
use crate::runtime::model::Manifest;
use crate::runtime::{ConnectionConfig, PluginRuntime};
use shared::Shared;
use std::time::Instant;

/// Plugin calls in flight at once unless told otherwise. The Compliance API
/// allows 600 requests a minute for a whole organisation: four requests in
/// flight at the real API's few hundred milliseconds each already reach it,
/// and more would only wait on the budget.
pub const DEFAULT_CONCURRENCY: u16 = 4;

/// How to run.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Streams to read; none for every available one.
    pub streams: Option<Vec<String>>,
    /// Read everything even where a stream supports incremental reads.
    pub full_refresh: bool,
    /// The plugin's settings, as a JSON object.
    pub settings_json: String,
    pub retry: RetryPolicy,
    /// The most pages one walk may take (a stream, or one batch of a child's
    /// parents) before it is stopped as endless.
    pub max_pages: u64,
    /// Plugin calls in flight at once (streams, and a child's batches of
    /// parents, read side by side); 1 reads one page at a time.
    pub concurrency: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            streams: None,
            full_refresh: false,
            settings_json: "{}".into(),
            retry: RetryPolicy::default(),
            max_pages: DEFAULT_MAX_PAGES,
            concurrency: DEFAULT_CONCURRENCY.into(),
        }
    }
}

/// One run of the loop.
pub struct SyncEngine<'a> {
    pub runtime: &'a PluginRuntime,
    pub connection: &'a ConnectionConfig,
    pub destination: &'a mut dyn Destination,
    pub progress: &'a mut dyn Progress,
}

impl SyncEngine<'_> {
    /// Plan the run from the plugin's manifest and the connection's keys.
    pub async fn plan(&self, options: &SyncOptions) -> Result<Plan, SyncError> {
        let manifest = self.runtime.manifest().await?;
        self.plan_with(&manifest, options).await
    }

    async fn plan_with(
        &self,
        manifest: &Manifest,
        options: &SyncOptions,
    ) -> Result<Plan, SyncError> {
        let available = self.runtime.list_streams(self.connection).await?;
        let mut plan = plan(&manifest.streams, &available, options.streams.as_deref())?;
        plan.plugin_version = manifest.plugin_version.clone();
        Ok(plan)
    }

    /// The options a run's history records: what was asked for, no secret.
    fn run_options(&self, options: &SyncOptions) -> String {
        let settings: serde_json::Value = serde_json::from_str(&options.settings_json)
            .unwrap_or_else(|_| serde_json::Value::String(options.settings_json.clone()));
        let recorded = serde_json::json!({
            "streams": options.streams,
            "full_refresh": options.full_refresh,
            "settings": settings,
            "max_pages": options.max_pages,
            "concurrency": options.concurrency,
            "base_url": self.connection.base_url,
        });
        self.connection.secrets.redact(&recorded.to_string())
    }

    pub async fn run(&mut self, options: &SyncOptions) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let manifest = self.runtime.manifest().await?;
        let plan = self.plan_with(&manifest, options).await?;
        let planned: Vec<&str> = plan
            .streams
            .iter()
            .map(|s| s.descriptor.name.as_str())
            .collect();
        let settings = RunSettings::check(&options.settings_json, &manifest.settings, &planned)?;
        let describe = self.destination.describe();
        self.destination
            .begin_run(&self.run_options(options))
            .await?;
        let shared = Shared::new(
            self.runtime,
            self.connection,
            &mut *self.destination,
            &mut *self.progress,
            options,
            &settings,
        );
        let streams = match schedule::run_streams(&shared, &plan).await {
            Ok(streams) => streams,
            Err(error) => {
                // What was written stays committed, and the history says why
                // the run stopped. The run's own error is the one to tell.
                let why = self.connection.secrets.redact(&error.to_string());
                let _ = shared.finish(&[], Some(&why)).await;
                return Err(error);
            }
        };
        let records: Vec<StreamRecord> = streams.iter().map(StreamReport::record).collect();
        let timings = shared.finish(&records, None).await?;
        Ok(SyncReport {
            destination: describe,
            streams,
            warnings: settings.warnings,
            duration: started.elapsed(),
            timings,
        })
    }
}
