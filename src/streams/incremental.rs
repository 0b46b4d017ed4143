//! What the incremental readers share: reading back their saved state and the
//! walk they carry in the page cursor. Both are the plugin's own JSON; a value
//! it cannot read is a configuration problem with one remedy, resetting the
//! stream ([`reset_hint`]).

use crate::error::{ConnectorError, Result};
use crate::model::{self, Page, ReadRequest, SyncStrategy};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The remedy for a saved state or cursor of `stream` the plugin cannot read:
/// the host command that deletes them, so the next run reads from the start.
pub fn reset_hint(stream: &str) -> String {
    format!("reset it with `harness reset --streams {stream}`")
}

/// The saved state of an incremental run; none on a first run or a full refresh.
pub fn saved_state<T: DeserializeOwned>(request: &ReadRequest) -> Result<Option<T>> {
    match (&request.strategy, &request.state_json) {
        (SyncStrategy::Incremental, Some(json)) => {
            serde_json::from_str(json).map(Some).map_err(|e| {
                ConnectorError::InvalidConfig(format!(
                    "the saved {} state is unreadable ({e}); {}",
                    request.stream_name,
                    reset_hint(&request.stream_name)
                ))
            })
        }
        _ => Ok(None),
    }
}

/// The walk carried in the page cursor; none on the first page of a run.
pub fn cursor_walk<T: DeserializeOwned>(request: &ReadRequest) -> Result<Option<T>> {
    request
        .page_cursor
        .as_deref()
        .map(|cursor| {
            serde_json::from_str(cursor).map_err(|e| {
                ConnectorError::InvalidConfig(format!(
                    "unreadable {} page cursor ({e}); {}",
                    request.stream_name,
                    reset_hint(&request.stream_name)
                ))
            })
        })
        .transpose()
}

/// The coverage a page reports for the state it commits: `[covered_from,
/// watermark)`, each bound written as the stream writes its watermark. None
/// on a full refresh (its range is whatever this read asked for, no history
/// a later run builds on), for a state of unknown coverage, and for a range
/// that holds nothing yet (a start date at or after the watermark).
pub fn committed_coverage<T: Ord + Copy>(
    request: &ReadRequest,
    covered_from: Option<T>,
    watermark: T,
    write: impl Fn(T) -> String,
) -> Option<model::Coverage> {
    if request.strategy != SyncStrategy::Incremental {
        return None;
    }
    covered_from
        .filter(|from| *from < watermark)
        .map(|from| model::Coverage {
            start: write(from),
            end: write(watermark),
        })
}

/// A page in the middle of a walk: its records, no new state yet (the
/// watermark moves only when the walk's window is read), and the walk to go on with.
pub fn mid_walk<T: Serialize>(records: Vec<String>, next: &T, warnings: Vec<String>) -> Page {
    Page {
        records,
        state_json: None,
        next_cursor: Some(serde_json::to_string(next).expect("a walk serialises")),
        warnings,
        // No new state, so nothing new to say about its history; and a walk
        // through a time range is never a snapshot.
        coverage: None,
        snapshot_complete: false,
    }
}

/// What a committed state holds, as far as the start of a run is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved<T> {
    /// Where the history it holds without a hole begins; none in a state
    /// written before coverage was recorded.
    pub covered_from: Option<T>,
    /// Everything before this has been read.
    pub watermark: T,
    /// Where an ordinary run picks up: the watermark minus the lookback or overlap.
    pub resume_at: T,
}

/// Which history the state a run commits may claim, carried through the run
/// in its page cursor. Kept to two instants (no sets of ids), so it stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage<T> {
    /// What a state committed now may say is covered from; none when unknown.
    pub covered_from: Option<T>,
    /// History the start date asks for and the state lacks, read first.
    pub gap: Option<Gap<T>>,
}

// Not derived: a derived `Default` would ask `T: Default` for no reason.
impl<T> Default for Coverage<T> {
    fn default() -> Self {
        Self {
            covered_from: None,
            gap: None,
        }
    }
}

/// A backfill: `[from, end)` is read before anything else, and only then may
/// the state claim it (a run stopped half-way leaves the old coverage, true).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap<T> {
    /// The start date (or where an ordinary run would pick up, if earlier).
    pub from: T,
    /// Where the history the state holds begins; its watermark when that is unknown.
    pub end: T,
    /// Where the run goes on once the gap is read.
    pub resume_at: T,
}

/// Where a run starts, and the coverage it carries.
///
/// - No state: from the start date (or `default_start`), covered from there.
/// - A start date earlier than the state's coverage: a backfill from it, then
///   on from where an ordinary run would pick up. A state that does not know
///   its coverage (written before it was recorded) is read once from the
///   start date up to its watermark: nothing says what it holds, and a
///   re-read costs requests, never rows (rows are upserted by key).
/// - Otherwise: on from the watermark minus the lookback or overlap.
pub fn plan_run<T: Ord + Copy>(
    saved: Option<Saved<T>>,
    start_date: Option<T>,
    default_start: T,
) -> (T, Coverage<T>) {
    let Some(saved) = saved else {
        let from = start_date.unwrap_or(default_start);
        return (
            from,
            Coverage {
                covered_from: Some(from),
                gap: None,
            },
        );
    };
    let held_from = saved.covered_from.unwrap_or(saved.watermark);
    match start_date {
        Some(start) if start < held_from => {
            // Never later than an ordinary run would start: the gap then
            // includes the lookback, and nothing between is skipped.
            let from = start.min(saved.resume_at);
            let gap = Gap {
                from,
                end: held_from,
                resume_at: saved.resume_at,
            };
            (
                from,
                Coverage {
                    covered_from: saved.covered_from,
                    gap: Some(gap),
                },
            )
        }
        _ => (
            saved.resume_at,
            Coverage {
                covered_from: saved.covered_from,
                gap: None,
            },
        ),
    }
}

impl<T: Ord + Copy> Coverage<T> {
    /// Where a read in progress must stop for now: the end of the gap while
    /// the gap is being read, so its completion is seen exactly.
    pub fn read_until(&self) -> Option<T> {
        self.gap.map(|gap| gap.end)
    }

    /// The coverage once everything before `reached` has been read, and where
    /// the run goes on from when that completed the gap (never backwards).
    pub fn advance(self, reached: T) -> (Self, Option<T>) {
        match self.gap {
            Some(gap) if reached >= gap.end => (
                Self {
                    covered_from: Some(gap.from),
                    gap: None,
                },
                Some(reached.max(gap.resume_at)),
            ),
            _ => (self, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(state_json: Option<&str>, page_cursor: Option<&str>) -> ReadRequest {
        ReadRequest {
            stream_name: "usage_report".into(),
            strategy: SyncStrategy::Incremental,
            settings_json: "{}".into(),
            state_json: state_json.map(str::to_owned),
            page_cursor: page_cursor.map(str::to_owned),
            parents: Vec::new(),
        }
    }

    const DEFAULT_START: u32 = 70;

    fn saved(covered_from: Option<u32>, watermark: u32, resume_at: u32) -> Saved<u32> {
        Saved {
            covered_from,
            watermark,
            resume_at,
        }
    }

    fn covered(from: u32) -> Coverage<u32> {
        Coverage {
            covered_from: Some(from),
            gap: None,
        }
    }

    #[test]
    fn an_unreadable_state_or_cursor_names_the_command_that_resets_the_stream() {
        let err = saved_state::<serde_json::Value>(&request(Some("{"), None)).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "the saved usage_report state is unreadable (EOF while parsing an object at \
                 line 1 column 1); reset it with `harness reset --streams usage_report`"
            ),
            "{err}"
        );
        let err = cursor_walk::<serde_json::Value>(&request(None, Some("{"))).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("; reset it with `harness reset --streams usage_report`"),
            "{err}"
        );
    }

    #[test]
    fn a_first_run_starts_at_the_start_date_or_the_default_and_covers_from_there() {
        assert_eq!(plan_run(None, Some(40), DEFAULT_START), (40, covered(40)));
        assert_eq!(
            plan_run(None, None, DEFAULT_START),
            (DEFAULT_START, covered(DEFAULT_START))
        );
    }

    #[test]
    fn a_start_date_within_the_coverage_resumes_at_the_lookback() {
        for start in [None, Some(50), Some(95)] {
            assert_eq!(
                plan_run(Some(saved(Some(50), 100, 98)), start, DEFAULT_START),
                (98, covered(50)),
                "{start:?}"
            );
        }
    }

    #[test]
    fn an_earlier_start_date_backfills_the_gap_first_then_resumes() {
        let (from, coverage) = plan_run(Some(saved(Some(50), 100, 98)), Some(20), DEFAULT_START);
        assert_eq!(from, 20);
        assert_eq!(coverage.read_until(), Some(50));
        assert_eq!(
            coverage.covered_from,
            Some(50),
            "the state claims the gap only once it is read"
        );
        let (midway, jump) = coverage.advance(35);
        assert_eq!((midway, jump), (coverage, None));
        let (done, jump) = coverage.advance(50);
        assert_eq!(done, covered(20));
        assert_eq!(
            jump,
            Some(98),
            "what the state already holds is not read again"
        );
        assert_eq!(done.read_until(), None);
    }

    #[test]
    fn a_gap_that_reaches_past_the_lookback_goes_on_where_it_stopped() {
        // The first run covered [99, 100) only; its lookback starts at 98.
        let (from, coverage) = plan_run(Some(saved(Some(99), 100, 98)), Some(98), DEFAULT_START);
        assert_eq!(from, 98);
        assert_eq!(coverage.advance(99), (covered(98), Some(99)));
        // A start date inside the lookback: the gap starts at the lookback.
        let (from, coverage) = plan_run(Some(saved(Some(99), 100, 97)), Some(98), DEFAULT_START);
        assert_eq!(from, 97);
        assert_eq!(coverage.advance(99), (covered(97), Some(99)));
    }

    #[test]
    fn a_state_of_unknown_coverage_is_read_once_from_a_start_date_up_to_its_watermark() {
        let (from, coverage) = plan_run(Some(saved(None, 100, 98)), Some(20), DEFAULT_START);
        assert_eq!((from, coverage.read_until()), (20, Some(100)));
        assert_eq!(coverage.covered_from, None);
        assert_eq!(coverage.advance(100), (covered(20), Some(100)));
        // Without a start date (or one after the watermark) it stays unknown.
        for start in [None, Some(100), Some(120)] {
            assert_eq!(
                plan_run(Some(saved(None, 100, 98)), start, DEFAULT_START),
                (98, Coverage::default()),
                "{start:?}"
            );
        }
    }

    #[test]
    fn a_committed_state_reports_its_coverage_on_incremental_reads_only() {
        let write = |t: u32| format!("t{t}");
        let incremental = request(None, None);
        assert_eq!(
            committed_coverage(&incremental, Some(50), 100, write),
            Some(model::Coverage {
                start: "t50".into(),
                end: "t100".into()
            })
        );
        assert_eq!(committed_coverage(&incremental, None, 100, write), None);
        assert_eq!(
            committed_coverage(&incremental, Some(100), 100, write),
            None,
            "an empty range holds nothing"
        );
        let full_refresh = ReadRequest {
            strategy: SyncStrategy::FullRefresh,
            ..incremental
        };
        assert_eq!(
            committed_coverage(&full_refresh, Some(50), 100, write),
            None
        );
    }

    #[test]
    fn coverage_without_a_gap_never_changes_as_the_run_advances() {
        assert_eq!(covered(50).advance(1000), (covered(50), None));
        assert_eq!(
            Coverage::<u32>::default().advance(1000),
            (Coverage::default(), None)
        );
    }
}
