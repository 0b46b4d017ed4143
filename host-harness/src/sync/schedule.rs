//! Which stream runs when: streams that do not wait on a parent start at once,
//! up to the run's concurrency, and a child starts as soon as its parent has
//! completed (with the parent's records), or is skipped when the parent did
//! not complete. Reports come back in plan order whatever order streams end in.

use super::error::SyncError;
use super::plan::{Plan, PlannedStream};
use super::report::{Outcome, StreamReport};
use super::shared::Shared;
use super::stream::{self, StreamRun};
use crate::runtime::model::{StreamDescriptor, SyncStrategy};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;

/// Read every planned stream; one report per stream, in plan order. Only a
/// refusal of the run's settings ends the run early.
pub(super) async fn run_streams(
    shared: &Shared<'_>,
    plan: &Plan,
) -> Result<Vec<StreamReport>, SyncError> {
    let count = plan.streams.len();
    let mut reports: Vec<Option<StreamReport>> = vec![None; count];
    let mut started = vec![false; count];
    // Records of the parents completed in this run, for their children.
    let mut parent_records: HashMap<&str, Arc<[String]>> = HashMap::new();
    let mut running = FuturesUnordered::new();
    loop {
        for (index, planned) in plan.streams.iter().enumerate() {
            if started[index] || running.len() >= shared.concurrency() {
                continue;
            }
            let descriptor = &planned.descriptor;
            let strategy = choose_strategy(descriptor, shared.options.full_refresh);
            let parents = match descriptor.parent.as_deref() {
                None => None,
                Some(parent) if waits_on(plan, &reports, parent) => continue,
                Some(parent) => match parent_records.get(parent) {
                    Some(records) => Some(records.clone()),
                    None => {
                        started[index] = true;
                        let report = StreamReport {
                            outcome: Outcome::Skipped(format!(
                                "parent stream `{parent}` did not complete"
                            )),
                            ..StreamReport::new(&descriptor.name, strategy.as_str())
                        };
                        shared.progress(|p| {
                            p.stream_started(&descriptor.name, strategy.as_str());
                            p.stream_finished(&report);
                        });
                        reports[index] = Some(report);
                        continue;
                    }
                },
            };
            started[index] = true;
            let run = StreamRun::new(shared, plan, planned, strategy, parents);
            running.push(async move { (index, stream::read_stream(shared, run).await) });
        }
        let Some((index, finished)) = running.next().await else {
            break;
        };
        let (report, kept) = finished?;
        let name = plan.streams[index].descriptor.name.as_str();
        if let Some(kept) = kept.filter(|_| report.outcome == Outcome::Succeeded) {
            parent_records.insert(name, kept.into());
        }
        shared.progress(|p| p.stream_finished(&report));
        reports[index] = Some(report);
    }
    Ok(reports
        .into_iter()
        .map(|r| r.expect("every planned stream ran or was skipped"))
        .collect())
}

/// Whether `parent` is a stream of this run that has not ended yet.
fn waits_on(plan: &Plan, reports: &[Option<StreamReport>], parent: &str) -> bool {
    plan.streams
        .iter()
        .zip(reports)
        .any(|(s, report): (&PlannedStream, _)| s.descriptor.name == parent && report.is_none())
}

fn choose_strategy(descriptor: &StreamDescriptor, full_refresh: bool) -> SyncStrategy {
    if descriptor.supports(SyncStrategy::Incremental) && !full_refresh {
        SyncStrategy::Incremental
    } else {
        SyncStrategy::FullRefresh
    }
}
