//! The sync loop the host owns: for each planned stream (parents first), call
//! the plugin's `read-page` until it is done, committing each page's records
//! with the stream's checkpoint in one transaction. A failed stream keeps its
//! last committed checkpoint and the others go on; a child whose parent failed
//! is skipped. A run that finds a page cursor left by an interrupted run
//! resumes from it. Settings are refused once, before any stream runs; a
//! walk through pages that would never end is stopped ([`walk`]).

pub mod error;
pub mod plan;
pub mod progress;
pub mod report;
pub mod resume;
pub mod retry;
pub mod settings;
pub mod walk;

pub use error::{StreamError, SyncError};
pub use plan::{Plan, PlanError, PlannedStream, plan};
pub use progress::{Progress, Silent};
pub use report::{Outcome, StreamReport, SyncReport};
pub use resume::ResumePoint;
pub use retry::RetryPolicy;
pub use settings::{RunSettings, SettingsError};
pub use walk::{DEFAULT_MAX_PAGES, PageWalk, WalkError};

use crate::destinations::{Checkpoint, Destination, DestinationError, TableSpec};
use crate::printable::printable;
use crate::runtime::model::{Manifest, Page, ReadRequest, StreamDescriptor, SyncStrategy};
use crate::runtime::{ConnectionConfig, PluginRuntime};
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
    /// The most pages one walk may take (a stream, or one batch of a child's
    /// parents) before it is stopped as endless.
    pub max_pages: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            streams: None,
            full_refresh: false,
            settings_json: "{}".into(),
            retry: RetryPolicy::default(),
            max_pages: DEFAULT_MAX_PAGES,
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

/// What the loop knows about the stream it is reading.
struct StreamRun<'a> {
    descriptor: &'a StreamDescriptor,
    strategy: SyncStrategy,
    options: &'a SyncOptions,
    settings: &'a RunSettings,
    /// The context a stored resume point must match (plugin version, strategy, settings).
    context: String,
    /// The parent records of this run, for a child stream.
    parents: Option<&'a [String]>,
    /// Whether this stream's records are kept for its children.
    keeps_records: bool,
}

impl StreamRun<'_> {
    fn name(&self) -> &str {
        &self.descriptor.name
    }

    /// An interrupted read resumes only where that loses nothing: not for a
    /// child (its parents may differ), not for a parent of this run (its
    /// children need all of it).
    fn resumable(&self) -> bool {
        self.parents.is_none() && !self.keeps_records
    }

    /// One batch of parents per read; a stream without a parent is one batch of none.
    fn batches(&self) -> Vec<&[String]> {
        match self.parents {
            Some(records) => records
                .chunks(self.descriptor.parent_batch_size.max(1) as usize)
                .collect(),
            None => vec![&[]],
        }
    }
}

/// Where a stream's read stands: the checkpoint to commit next and what it
/// has done so far.
struct StreamProgress {
    checkpoint: Checkpoint,
    report: StreamReport,
    /// Records kept for the stream's children.
    kept: Vec<String>,
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
        let mut reports: Vec<StreamReport> = Vec::new();
        // Records of the parents read in this run, for their children.
        let mut parent_records: HashMap<String, Vec<String>> = HashMap::new();

        for planned in &plan.streams {
            let descriptor = &planned.descriptor;
            let strategy = choose_strategy(descriptor, options.full_refresh);
            self.progress
                .stream_started(&descriptor.name, strategy.as_str());
            let parents = match &descriptor.parent {
                Some(parent) => match parent_records.get(parent) {
                    Some(records) => Some(records.as_slice()),
                    None => {
                        let report = StreamReport {
                            outcome: Outcome::Skipped(format!(
                                "parent stream `{parent}` did not complete"
                            )),
                            ..StreamReport::new(&descriptor.name, strategy.as_str())
                        };
                        self.progress.stream_finished(&report);
                        reports.push(report);
                        continue;
                    }
                },
                None => None,
            };
            let run = StreamRun {
                descriptor,
                strategy,
                options,
                settings: &settings,
                context: resume::context(
                    &plan.plugin_version,
                    strategy.as_str(),
                    &options.settings_json,
                ),
                parents,
                keeps_records: plan.has_children(&descriptor.name),
            };
            let (report, kept) = self.read_stream(&run).await?;
            if run.keeps_records && report.outcome == Outcome::Succeeded {
                parent_records.insert(descriptor.name.clone(), kept);
            }
            self.progress.stream_finished(&report);
            reports.push(report);
        }
        Ok(SyncReport {
            destination: self.destination.describe(),
            streams: reports,
            warnings: settings.warnings,
            duration: started.elapsed(),
        })
    }

    /// Read one stream to the end (or to its first unrecoverable error); the
    /// report, and the records kept for its children. Only a refusal of the
    /// run's settings ends the run.
    async fn read_stream(
        &mut self,
        run: &StreamRun<'_>,
    ) -> Result<(StreamReport, Vec<String>), SyncError> {
        let started = Instant::now();
        let mut stream = StreamProgress {
            checkpoint: Checkpoint::default(),
            report: StreamReport::new(run.name(), run.strategy.as_str()),
            kept: Vec::new(),
        };
        match self.read_all(run, &mut stream).await {
            Ok(()) => {}
            Err(StreamError::Settings(refused)) => return Err(refused.into()),
            Err(error) => {
                let redact = |text: &str| self.connection.secrets.redact(text);
                stream.report.outcome =
                    Outcome::Failed(printable(&redact(&error.to_string())).into_owned());
                stream.report.diagnostic = error.detail().map(redact);
            }
        }
        stream.report.duration = started.elapsed();
        Ok((stream.report, stream.kept))
    }

    async fn read_all(
        &mut self,
        run: &StreamRun<'_>,
        stream: &mut StreamProgress,
    ) -> Result<(), StreamError> {
        let (table, mut resume_from) = self.open_stream(run, stream).await?;
        for batch in run.batches() {
            let read = self
                .read_pages(run, &table, stream, batch, resume_from.take())
                .await;
            if let Err(StreamError::Pagination(_)) = &read {
                self.forget_position(&table, stream).await?;
            }
            read?;
        }
        Ok(())
    }

    /// After a walk stopped as endless, the position committed with its last
    /// page is inside the loop: resuming there would only loop again, so the
    /// next run starts over. The state (the last good checkpoint) is kept.
    async fn forget_position(
        &mut self,
        table: &TableSpec,
        stream: &mut StreamProgress,
    ) -> Result<(), StreamError> {
        if stream.checkpoint.page_cursor.take().is_some() {
            self.destination
                .commit_page(table, &[], &stream.checkpoint)
                .await?;
        }
        Ok(())
    }

    /// Prepare the stream's table and find where to start: the committed
    /// checkpoint (its state dropped for a full refresh), and the page cursor
    /// of an interrupted read when it may be resumed.
    async fn open_stream(
        &mut self,
        run: &StreamRun<'_>,
        stream: &mut StreamProgress,
    ) -> Result<(TableSpec, Option<String>), StreamError> {
        let table = TableSpec::from_descriptor(run.descriptor).map_err(DestinationError::from)?;
        self.destination.prepare(&table).await?;
        let mut checkpoint = self
            .destination
            .checkpoint(run.name())
            .await?
            .unwrap_or_default();
        if run.strategy == SyncStrategy::FullRefresh {
            checkpoint.state_json = None;
        }
        let resume_from = match checkpoint.page_cursor.take() {
            Some(stored) if run.resumable() => {
                let cursor = ResumePoint::decode(&stored, &run.context);
                if cursor.is_none() {
                    stream.report.warnings.push(
                        "the position of an interrupted run belonged to another strategy, setting \
                         or plugin version: read from the start"
                            .into(),
                    );
                }
                cursor
            }
            _ => None,
        };
        stream.checkpoint = checkpoint;
        Ok((table, resume_from))
    }

    /// Read the pages of one batch of parents (or of a stream without
    /// parents), committing each with the checkpoint that follows it. A page
    /// whose cursor would loop or go past the bound is not committed.
    async fn read_pages(
        &mut self,
        run: &StreamRun<'_>,
        table: &TableSpec,
        stream: &mut StreamProgress,
        parents: &[String],
        mut cursor: Option<String>,
    ) -> Result<(), StreamError> {
        let mut walk = PageWalk::new(run.name(), run.options.max_pages, cursor.as_deref());
        loop {
            let request = ReadRequest {
                stream_name: run.name(),
                strategy: run.strategy,
                settings_json: &run.options.settings_json,
                state_json: stream.checkpoint.state_json.as_deref(),
                page_cursor: cursor.as_deref(),
                parents,
            };
            let page = self
                .read_with_retries(&request, run, &mut stream.report)
                .await?;
            walk.next(page.next_cursor.as_deref())?;
            let next = self.commit(run, table, stream, page).await?;
            match next {
                Some(next) => cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Commit one page with the checkpoint that follows it; the next cursor.
    async fn commit(
        &mut self,
        run: &StreamRun<'_>,
        table: &TableSpec,
        stream: &mut StreamProgress,
        page: Page,
    ) -> Result<Option<String>, StreamError> {
        let Page {
            records,
            state_json,
            next_cursor,
            warnings,
        } = page;
        stream.checkpoint = Checkpoint {
            state_json: state_json.or(stream.checkpoint.state_json.take()),
            page_cursor: next_cursor
                .as_deref()
                .filter(|_| run.resumable())
                .map(|c| ResumePoint::encode(&run.context, c)),
        };
        let written = self
            .destination
            .commit_page(table, &records, &stream.checkpoint)
            .await?;
        let report = &mut stream.report;
        report.count(written);
        report.pages += 1;
        for warning in warnings {
            let warning = printable(&warning).into_owned();
            if !report.warnings.contains(&warning) {
                report.warnings.push(warning);
            }
        }
        if run.keeps_records {
            stream.kept.extend(records);
        }
        self.progress
            .page_committed(run.name(), report.rows, report.pages);
        Ok(next_cursor)
    }

    /// Read one page, trying again as long as the failure deserves it. A
    /// failure names the stream and the page; a refusal of the settings on a
    /// stream's first read is told apart, as it ends the run.
    async fn read_with_retries(
        &mut self,
        request: &ReadRequest<'_>,
        run: &StreamRun<'_>,
        report: &mut StreamReport,
    ) -> Result<Page, StreamError> {
        let mut attempt = 0;
        loop {
            match self.runtime.read_page(self.connection, request).await {
                Ok(page) => return Ok(page),
                Err(error) => match run.options.retry.delay(attempt, &error) {
                    Some(delay) => {
                        self.progress.retrying(
                            request.stream_name,
                            attempt + 1,
                            &printable(&error.to_string()),
                        );
                        report.retries += 1;
                        attempt += 1;
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        if report.pages == 0
                            && let Some(refused) = run.settings.refusal(&error)
                        {
                            return Err(refused.into());
                        }
                        return Err(StreamError::Read {
                            stream: request.stream_name.to_owned(),
                            page: report.pages + 1,
                            error,
                        });
                    }
                },
            }
        }
    }
}

fn choose_strategy(descriptor: &StreamDescriptor, full_refresh: bool) -> SyncStrategy {
    if descriptor.supports(SyncStrategy::Incremental) && !full_refresh {
        SyncStrategy::Incremental
    } else {
        SyncStrategy::FullRefresh
    }
}
