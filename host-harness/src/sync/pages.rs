//! One walk through the pages of a read (a stream, or one batch of a child's
//! parents), each page committed with the checkpoint that follows it. The
//! next page is read while the current one is written: its request depends
//! only on the page already in hand, and a failed write drops the page read
//! ahead, so the committed checkpoint is always the one of the last page
//! written. A page whose cursor would loop or go past the bound is not
//! committed.

use super::error::StreamError;
use super::resume::ResumePoint;
use super::shared::Shared;
use super::stream::{PageSignals, StreamRun, StreamTally};
use super::walk::PageWalk;
use crate::destinations::{Checkpoint, TableSpec};
use crate::egress::RequestCount;
use crate::printable::printable;
use crate::runtime::model::{Page, PluginError, ReadRequest};
use crate::runtime::{CallError, PluginFailure};
use std::time::Instant;

/// Where one walk starts.
pub(super) struct Walk<'r, 'a> {
    pub run: &'r StreamRun<'a>,
    pub table: &'r TableSpec,
    pub tally: &'r StreamTally,
    pub parents: &'r [String],
    /// The checkpoint the walk's first page builds on.
    pub checkpoint: Checkpoint,
    /// The position of an interrupted read to resume from.
    pub cursor: Option<String>,
}

/// Walk to the last page; the records read, when the stream keeps them for
/// its children.
pub(super) async fn walk(
    shared: &Shared<'_>,
    walk: Walk<'_, '_>,
) -> Result<Vec<String>, StreamError> {
    let Walk {
        run,
        table,
        tally,
        parents,
        mut checkpoint,
        cursor,
    } = walk;
    let mut bound = PageWalk::new(run.name(), shared.options.max_pages, cursor.as_deref());
    // Pages of the stream before this walk, so failures name the stream's page.
    let before = tally.update(|r| r.pages);
    let reader = Reader {
        shared,
        run,
        tally,
        parents,
    };
    let mut kept = Vec::new();
    let mut page = reader
        .read(
            checkpoint.state_json.as_deref(),
            cursor.as_deref(),
            before + 1,
        )
        .await?;
    for number in before + 2.. {
        bound.next(page.next_cursor.as_deref())?;
        let signals = PageSignals::of(&page);
        let Page {
            records,
            state_json,
            next_cursor,
            warnings,
            ..
        } = page;
        checkpoint = Checkpoint {
            state_json: state_json.or(checkpoint.state_json.take()),
            page_cursor: next_cursor
                .as_deref()
                .filter(|_| run.resumable())
                .map(|c| ResumePoint::encode(&run.context, c)),
        };
        note_warnings(tally, warnings);
        if run.keeps_records {
            kept.extend(records.iter().cloned());
        }
        let commit = commit(shared, run, table, tally, records, &checkpoint, signals);
        let next = match next_cursor.as_deref() {
            None => {
                commit.await?;
                None
            }
            Some(cursor) => {
                let read = reader.read(checkpoint.state_json.as_deref(), Some(cursor), number);
                let (committed, next) = tokio::join!(commit, read);
                committed?;
                Some(next?)
            }
        };
        match next {
            Some(next) => page = next,
            None => break,
        }
    }
    Ok(kept)
}

/// Commit one page with the checkpoint that follows it.
async fn commit(
    shared: &Shared<'_>,
    run: &StreamRun<'_>,
    table: &TableSpec,
    tally: &StreamTally,
    records: Vec<String>,
    checkpoint: &Checkpoint,
    signals: PageSignals,
) -> Result<(), StreamError> {
    let written = {
        let mut destination = shared.destination.lock().await;
        let since = Instant::now();
        let written = destination.commit_page(table, records, checkpoint).await;
        shared.spent().destination(since);
        written?
    };
    let (rows, pages) = tally.update(|r| {
        r.count(written);
        r.pages += 1;
        (r.rows, r.pages)
    });
    tally.page_committed(signals);
    shared.progress(|p| p.page_committed(run.name(), rows, pages));
    Ok(())
}

/// A stream's warnings, each once, with control characters escaped.
fn note_warnings(tally: &StreamTally, warnings: Vec<String>) {
    if warnings.is_empty() {
        return;
    }
    tally.update(|report| {
        for warning in warnings {
            let warning = printable(&warning).into_owned();
            if !report.warnings.contains(&warning) {
                report.warnings.push(warning);
            }
        }
    });
}

/// Reads the pages of one walk.
struct Reader<'r, 'a> {
    shared: &'r Shared<'a>,
    run: &'r StreamRun<'r>,
    tally: &'r StreamTally,
    parents: &'r [String],
}

impl Reader<'_, '_> {
    /// Read one page, trying again as long as the failure deserves it, and
    /// holding one of the run's call permits only while the plugin works. A
    /// failure names the stream and the page; a refusal of the settings on a
    /// stream's first read is told apart, as it ends the run.
    async fn read(
        &self,
        state_json: Option<&str>,
        cursor: Option<&str>,
        number: u64,
    ) -> Result<Page, StreamError> {
        let shared = self.shared;
        let request = ReadRequest {
            stream_name: self.run.name(),
            strategy: self.run.strategy,
            settings_json: &shared.options.settings_json,
            state_json,
            page_cursor: cursor,
            parents: self.parents,
        };
        let mut attempt = 0;
        let sent = RequestCount::default();
        loop {
            let read = {
                let _turn = shared.call_permit().await;
                let since = Instant::now();
                let read = shared
                    .runtime
                    .read_page(shared.connection, &request, &sent)
                    .await;
                shared.spent().plugin_call(since);
                read
            };
            self.tally.update(|r| r.requests += sent.take());
            let error = match read {
                Ok(page) => return Ok(page),
                Err(error) => error,
            };
            if let Some(delay) = shared.options.retry.delay(attempt, &error) {
                shared.progress(|p| {
                    p.retrying(
                        request.stream_name,
                        attempt + 1,
                        delay,
                        &printable(&wait_reason(&error)),
                    );
                });
                self.tally.update(|r| r.retries += 1);
                attempt += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            if number == 1
                && let Some(refused) = shared.settings.refusal(&error)
            {
                return Err(refused.into());
            }
            return Err(StreamError::Read {
                stream: request.stream_name.to_owned(),
                page: number,
                error,
            });
        }
    }
}

/// Why a read waits before it is tried again, in words: a rate limit (and
/// whether the API said how long), or the failure itself.
fn wait_reason(error: &CallError) -> String {
    match error {
        CallError::Plugin(PluginFailure(PluginError::RateLimited {
            retry_after,
            message,
        })) => {
            let asked = if retry_after.is_some() {
                " (retry-after)"
            } else {
                ""
            };
            format!("rate limited{asked}: {message}")
        }
        other => other.to_string(),
    }
}
