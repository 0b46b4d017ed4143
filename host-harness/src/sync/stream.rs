//! One stream of a run: its table prepared, where to start (the committed
//! checkpoint, and an interrupted read's position where resuming loses
//! nothing), then its walks: one for a stream without a parent, one per batch
//! of parents for a child, read side by side when that cannot mix up state.

use super::error::StreamError;
use super::pages::{self, Walk};
use super::plan::{Plan, PlannedStream};
use super::report::{Outcome, StreamReport, WalkEnds};
use super::resume::{self, ResumePoint};
use super::shared::Shared;
use crate::destinations::{Checkpoint, DestinationError, TableSpec};
use crate::printable::printable;
use crate::runtime::model::{Coverage, Page, StreamDescriptor, SyncStrategy};
use futures_util::stream::{self as futures_stream, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What the loop knows about the stream it is reading.
pub(super) struct StreamRun<'a> {
    pub descriptor: &'a StreamDescriptor,
    pub strategy: SyncStrategy,
    /// The context a stored resume point must match (plugin version, strategy, settings).
    pub context: String,
    /// The parent records of this run, for a child stream.
    pub parents: Option<Arc<[String]>>,
    /// Whether this stream's records are kept for its children.
    pub keeps_records: bool,
}

impl<'a> StreamRun<'a> {
    pub fn new(
        shared: &Shared<'_>,
        plan: &Plan,
        planned: &'a PlannedStream,
        strategy: SyncStrategy,
        parents: Option<Arc<[String]>>,
    ) -> Self {
        let descriptor = &planned.descriptor;
        Self {
            descriptor,
            strategy,
            context: resume::context(
                &plan.plugin_version,
                strategy.as_str(),
                &shared.options.settings_json,
            ),
            parents,
            keeps_records: plan.has_children(&descriptor.name),
        }
    }

    pub fn name(&self) -> &str {
        &self.descriptor.name
    }

    /// An interrupted read resumes only where that loses nothing: not for a
    /// child (its parents may differ), not for a parent of this run (its
    /// children need all of it).
    pub fn resumable(&self) -> bool {
        self.parents.is_none() && !self.keeps_records
    }

    /// One batch of parents per walk; a stream without a parent is one walk
    /// over no parents.
    fn batches(&self) -> Vec<&[String]> {
        match &self.parents {
            Some(records) => records
                .chunks(self.descriptor.parent_batch_size.max(1) as usize)
                .collect(),
            None => vec![&[]],
        }
    }

    /// Batches may be read side by side when each one's checkpoint stands on
    /// its own: a full refresh keeps no state between them.
    fn batches_in_parallel(&self) -> bool {
        self.parents.is_some() && self.strategy == SyncStrategy::FullRefresh
    }
}

/// What a page says about the stream's read beyond its records, noted once
/// the page is committed.
pub(super) struct PageSignals {
    coverage: Option<Coverage>,
    /// For the last page of a walk: whether it said its read was complete.
    /// A flag on a page with a next cursor breaks the contract and is ignored.
    walk_end: Option<bool>,
}

impl PageSignals {
    pub fn of(page: &Page) -> Self {
        Self {
            coverage: page.coverage.clone(),
            walk_end: page.next_cursor.is_none().then_some(page.snapshot_complete),
        }
    }
}

/// What a stream's walks have done so far, shared by its concurrent walks.
pub(super) struct StreamTally {
    pub report: Mutex<StreamReport>,
    walk_ends: Mutex<WalkEnds>,
}

impl StreamTally {
    fn new(run: &StreamRun<'_>) -> Self {
        Self {
            report: Mutex::new(StreamReport::new(run.name(), run.strategy.as_str())),
            walk_ends: Mutex::default(),
        }
    }

    /// Change the report, and say what it now adds up to.
    pub fn update<T>(&self, change: impl FnOnce(&mut StreamReport) -> T) -> T {
        change(&mut self.report.lock().expect("stream report lock"))
    }

    fn walks<T>(&self, change: impl FnOnce(&mut WalkEnds) -> T) -> T {
        change(&mut self.walk_ends.lock().expect("stream walk ends lock"))
    }

    /// A page was committed: what its state now covers (the plugin's text,
    /// made printable as it is shown), and how its walk ended if it was the last.
    pub fn page_committed(&self, signals: PageSignals) {
        if let Some(Coverage { start, end }) = signals.coverage {
            let coverage = Coverage {
                start: printable(&start).into_owned(),
                end: printable(&end).into_owned(),
            };
            self.update(|r| r.coverage = Some(coverage));
        }
        if let Some(complete) = signals.walk_end {
            self.walks(|w| w.walk_ended(complete));
        }
    }
}

/// Read one stream to the end (or to its first unrecoverable error); the
/// report, and the records kept for its children. Only a refusal of the
/// run's settings ends the run.
pub(super) async fn read_stream(
    shared: &Shared<'_>,
    run: StreamRun<'_>,
) -> Result<(StreamReport, Option<Vec<String>>), super::SyncError> {
    let started = Instant::now();
    shared.progress(|p| p.stream_started(run.name(), run.strategy.as_str()));
    let tally = StreamTally::new(&run);
    let read = read_all(shared, &run, &tally).await;
    let walks = tally.walks(|w| *w);
    let mut report = tally.report.into_inner().expect("stream report lock");
    let kept = match read {
        Ok(kept) => Some(kept),
        Err(StreamError::Settings(refused)) => return Err(refused.into()),
        Err(error) => {
            let redact = |text: &str| shared.connection.secrets.redact(text);
            report.outcome = Outcome::Failed(printable(&redact(&error.to_string())).into_owned());
            report.diagnostic = error.detail().map(redact);
            None
        }
    };
    report.snapshot_complete = walks.whole_snapshot(&report.outcome);
    report.duration = started.elapsed();
    Ok((report, kept.filter(|_| run.keeps_records)))
}

/// Every walk of the stream; the records kept for its children, in the
/// order of its parents.
async fn read_all(
    shared: &Shared<'_>,
    run: &StreamRun<'_>,
    tally: &StreamTally,
) -> Result<Vec<String>, StreamError> {
    let (table, checkpoint, mut resume_from) = open_stream(shared, run, tally).await?;
    if resume_from.is_some() {
        tally.walks(WalkEnds::resumed);
    }
    let table = &table;
    let walks = run.batches().into_iter().map(|parents| {
        let walk = Walk {
            run,
            table,
            tally,
            parents,
            checkpoint: checkpoint.clone(),
            cursor: resume_from.take(),
        };
        async move {
            let walked = pages::walk(shared, walk).await;
            if let Err(StreamError::Pagination(_)) = &walked {
                forget_position(shared, run, table).await?;
            }
            walked
        }
    });
    let width = if run.batches_in_parallel() {
        shared.concurrency()
    } else {
        1
    };
    let mut walks = futures_stream::iter(walks).buffered(width);
    let mut kept = Vec::new();
    while let Some(walked) = walks.next().await {
        kept.extend(walked?);
    }
    mark_deleted(shared, run, table, tally).await?;
    Ok(kept)
}

/// After a full refresh that read a whole snapshot (every walk from its
/// first page to a page saying its read was complete), the rows it did not
/// write are gone from the API: marked deleted, in the batch of the last
/// page. A partial, failed or resumed read marks nothing, and neither does
/// an incremental one (the API has no tombstones).
async fn mark_deleted(
    shared: &Shared<'_>,
    run: &StreamRun<'_>,
    table: &TableSpec,
    tally: &StreamTally,
) -> Result<(), StreamError> {
    let whole = tally.walks(|w| w.whole_snapshot(&Outcome::Succeeded));
    if run.strategy != SyncStrategy::FullRefresh || !whole {
        return Ok(());
    }
    let since = Instant::now();
    let marked = shared
        .destination
        .lock()
        .await
        .mark_unseen_deleted(table)
        .await;
    shared.spent().destination(since);
    let marked = marked?;
    tally.update(|r| r.deleted_rows = marked);
    Ok(())
}

/// After a walk stopped as endless, the position committed with its last
/// page is inside the loop: resuming there would only loop again, so the
/// next run starts over. The state (the last good checkpoint) is kept.
async fn forget_position(
    shared: &Shared<'_>,
    run: &StreamRun<'_>,
    table: &TableSpec,
) -> Result<(), StreamError> {
    if !run.resumable() {
        return Ok(());
    }
    let mut destination = shared.destination.lock().await;
    let committed = destination.checkpoint(run.name()).await?;
    if let Some(mut checkpoint) = committed.filter(|c| c.page_cursor.is_some()) {
        checkpoint.page_cursor = None;
        destination
            .commit_page(table, Vec::new(), &checkpoint)
            .await?;
    }
    Ok(())
}

/// Prepare the stream's table and find where to start: the committed
/// checkpoint (its state dropped for a full refresh), and the page cursor
/// of an interrupted read when it may be resumed.
async fn open_stream(
    shared: &Shared<'_>,
    run: &StreamRun<'_>,
    tally: &StreamTally,
) -> Result<(TableSpec, Checkpoint, Option<String>), StreamError> {
    let table = TableSpec::from_descriptor(run.descriptor).map_err(DestinationError::from)?;
    let since = Instant::now();
    let mut checkpoint = {
        let mut destination = shared.destination.lock().await;
        destination.prepare(&table).await?;
        destination
            .checkpoint(run.name())
            .await?
            .unwrap_or_default()
    };
    shared.spent().destination(since);
    if run.strategy == SyncStrategy::FullRefresh {
        checkpoint.state_json = None;
    }
    let resume_from = match checkpoint.page_cursor.take() {
        Some(stored) if run.resumable() => {
            let cursor = ResumePoint::decode(&stored, &run.context);
            if cursor.is_none() {
                tally.update(|r| {
                    r.warnings.push(
                        "the position of an interrupted run belonged to another strategy, \
                         setting or plugin version: read from the start"
                            .into(),
                    );
                });
            }
            cursor
        }
        _ => None,
    };
    Ok((table, checkpoint, resume_from))
}
