//! The sync loop the host owns: for each planned stream (parents first), call
//! the plugin's `read-page` until it is done, committing each page's records
//! with the stream's checkpoint in one transaction. A failed stream keeps its
//! last committed checkpoint and the others go on; a child whose parent failed
//! is skipped. A run that finds a page cursor left by an interrupted run
//! resumes from it.

pub mod plan;
pub mod progress;
pub mod report;
pub mod resume;
pub mod retry;

pub use plan::{Plan, PlanError, PlannedStream, plan};
pub use progress::{Progress, Silent};
pub use report::{Outcome, StreamReport, SyncReport};
pub use resume::ResumePoint;
pub use retry::RetryPolicy;

use crate::destinations::{Checkpoint, Destination, TableSpec};
use crate::runtime::types::{Page, ReadRequest, StreamDescriptor, SyncStrategy};
use crate::runtime::{CallError, ConnectionConfig, PluginRuntime};
use std::collections::HashMap;
use std::time::Instant;

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
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            streams: None,
            full_refresh: false,
            settings_json: "{}".into(),
            retry: RetryPolicy::default(),
        }
    }
}

/// Why a run could not start at all.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Plugin(#[from] CallError),
    #[error(transparent)]
    Plan(#[from] PlanError),
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
        let available = self.runtime.list_streams(self.connection).await?;
        Ok(plan(
            &manifest.streams,
            &available,
            options.streams.as_deref(),
        )?)
    }

    pub async fn run(&mut self, options: &SyncOptions) -> Result<SyncReport, SyncError> {
        let started = Instant::now();
        let plan = self.plan(options).await?;
        let mut reports: Vec<StreamReport> = Vec::new();
        // Records of parents read in this run, for their children.
        let mut parent_records: HashMap<String, Vec<String>> = HashMap::new();
        let is_parent = |name: &str| {
            plan.streams
                .iter()
                .any(|s| s.descriptor.parent.as_deref() == Some(name))
        };

        for planned in &plan.streams {
            let descriptor = &planned.descriptor;
            let strategy = choose_strategy(descriptor, options.full_refresh);
            self.progress
                .stream_started(&descriptor.name, strategy_name(strategy));
            let report = match &descriptor.parent {
                Some(parent) if !parent_records.contains_key(parent) => skipped(
                    descriptor,
                    strategy,
                    format!("parent stream `{parent}` did not complete"),
                ),
                _ => {
                    let keep = is_parent(&descriptor.name);
                    let parents = descriptor
                        .parent
                        .as_ref()
                        .and_then(|p| parent_records.get(p))
                        .cloned();
                    let mut kept = Vec::new();
                    let report = self
                        .read_stream(
                            &plan.plugin_version,
                            descriptor,
                            strategy,
                            options,
                            parents.as_deref(),
                            keep.then_some(&mut kept),
                        )
                        .await;
                    if keep && report.outcome == Outcome::Succeeded {
                        parent_records.insert(descriptor.name.clone(), kept);
                    }
                    report
                }
            };
            self.progress.stream_finished(&report);
            reports.push(report);
        }
        for name in &plan.not_implemented {
            let report = StreamReport {
                outcome: Outcome::Skipped("not implemented in this plugin version".into()),
                ..StreamReport::new(name, strategy_name(SyncStrategy::FullRefresh))
            };
            reports.push(report);
        }
        Ok(SyncReport {
            destination: self.destination.describe(),
            streams: reports,
            duration: started.elapsed(),
        })
    }

    /// Read one stream to the end (or to its first unrecoverable error).
    async fn read_stream(
        &mut self,
        plugin_version: &str,
        descriptor: &StreamDescriptor,
        strategy: SyncStrategy,
        options: &SyncOptions,
        parents: Option<&[String]>,
        mut keep: Option<&mut Vec<String>>,
    ) -> StreamReport {
        let started = Instant::now();
        let mut report = StreamReport::new(&descriptor.name, strategy_name(strategy));
        let result = async {
            let table = TableSpec::from_descriptor(descriptor).map_err(|e| e.to_string())?;
            self.destination
                .prepare(&table)
                .map_err(|e| e.to_string())?;
            let saved = self
                .destination
                .checkpoint(&descriptor.name)
                .map_err(|e| e.to_string())?;
            let mut checkpoint = saved.unwrap_or_default();
            if strategy == SyncStrategy::FullRefresh {
                checkpoint.state_json = None;
            }
            // One batch of parents per read; a stream without a parent is one batch of none.
            let batches: Vec<Vec<String>> = match parents {
                Some(records) => {
                    let size = descriptor.parent_batch_size.max(1) as usize;
                    records.chunks(size).map(<[String]>::to_vec).collect()
                }
                None => vec![Vec::new()],
            };
            // Resume an interrupted read only where that loses nothing: not for a
            // child (its parents may differ), not for a parent of this run (its
            // children need all of it), and only in the same context.
            let context = resume::context(plugin_version, strategy_name(strategy), &options.settings_json);
            let resumable = parents.is_none() && keep.is_none();
            let mut resume_from = match checkpoint.page_cursor.take() {
                Some(stored) if resumable => {
                    let cursor = ResumePoint::decode(&stored, &context);
                    if cursor.is_none() {
                        report.warnings.push(
                            "the position of an interrupted run belonged to another strategy, setting \
                             or plugin version: read from the start"
                                .into(),
                        );
                    }
                    cursor
                }
                _ => None,
            };
            for batch in batches {
                let mut cursor = resume_from.take();
                loop {
                    let request = ReadRequest {
                        stream_name: descriptor.name.clone(),
                        strategy,
                        settings_json: options.settings_json.clone(),
                        state_json: checkpoint.state_json.clone(),
                        page_cursor: cursor.clone(),
                        parents: batch.clone(),
                    };
                    let page = self
                        .read_with_retries(&request, options, &mut report)
                        .await?;
                    if page.next_cursor.is_some() && page.next_cursor == cursor {
                        return Err(format!(
                            "the plugin returned the same page cursor twice for `{}`; stopping instead of looping",
                            descriptor.name
                        ));
                    }
                    checkpoint = Checkpoint {
                        state_json: page.state_json.clone().or(checkpoint.state_json),
                        page_cursor: page
                            .next_cursor
                            .as_deref()
                            .filter(|_| resumable)
                            .map(|c| ResumePoint::encode(&context, c)),
                    };
                    let written = self
                        .destination
                        .commit_page(&table, &page.records, &checkpoint)
                        .map_err(|e| e.to_string())?;
                    report.rows += written as u64;
                    report.pages += 1;
                    for warning in page.warnings {
                        if !report.warnings.contains(&warning) {
                            report.warnings.push(warning);
                        }
                    }
                    if let Some(kept) = keep.as_deref_mut() {
                        kept.extend(page.records);
                    }
                    self.progress
                        .page_committed(&descriptor.name, report.rows, report.pages);
                    match page.next_cursor {
                        Some(next) => cursor = Some(next),
                        None => break,
                    }
                }
            }
            Ok::<(), String>(())
        }
        .await;
        if let Err(message) = result {
            report.outcome = Outcome::Failed(self.connection.secrets.redact(&message));
        }
        report.duration = started.elapsed();
        report
    }

    async fn read_with_retries(
        &mut self,
        request: &ReadRequest,
        options: &SyncOptions,
        report: &mut StreamReport,
    ) -> Result<Page, String> {
        let mut attempt = 0;
        loop {
            match self.runtime.read_page(self.connection, request).await {
                Ok(page) => return Ok(page),
                Err(error) => match options.retry.delay(attempt, &error) {
                    Some(delay) => {
                        self.progress.retrying(
                            &request.stream_name,
                            attempt + 1,
                            &error.to_string(),
                        );
                        report.retries += 1;
                        attempt += 1;
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(error.to_string()),
                },
            }
        }
    }
}

fn choose_strategy(descriptor: &StreamDescriptor, full_refresh: bool) -> SyncStrategy {
    let incremental = descriptor.strategies.contains(&SyncStrategy::Incremental);
    if incremental && !full_refresh {
        SyncStrategy::Incremental
    } else {
        SyncStrategy::FullRefresh
    }
}

pub fn strategy_name(strategy: SyncStrategy) -> &'static str {
    match strategy {
        SyncStrategy::FullRefresh => "full_refresh",
        SyncStrategy::Incremental => "incremental",
    }
}

fn skipped(descriptor: &StreamDescriptor, strategy: SyncStrategy, reason: String) -> StreamReport {
    StreamReport {
        outcome: Outcome::Skipped(reason),
        ..StreamReport::new(&descriptor.name, strategy_name(strategy))
    }
}
