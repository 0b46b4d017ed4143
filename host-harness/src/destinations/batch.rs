//! When pages written into the open transaction are committed, in SQLite and
//! PostgreSQL alike. Every page goes in with its stream's checkpoint, so
//! whatever is committed is whole; committing many pages at once saves the
//! database writing the same index pages to its log again for every page. A kill loses at most the open batch, and
//! the next run resumes from the checkpoint committed before it.

use super::DestinationError;
use std::time::{Duration, Instant};

/// How large or old the open batch may grow before it is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Records written since the last commit.
    pub rows: usize,
    /// Time since the first page after the last commit: what a kill can lose
    /// at most, and how late another reader of the file sees a page.
    pub age: Duration,
}

impl BatchLimits {
    /// Every page committed on its own.
    pub const PER_PAGE: Self = Self {
        rows: 0,
        age: Duration::ZERO,
    };
}

impl Default for BatchLimits {
    /// About a second of writing at full speed, and never more than two
    /// seconds of pages. Each commit writes every index page the batch
    /// touched, and keys arrive in no order, so a batch of a large table
    /// touches most of its primary-key index: fewer, larger commits write it
    /// fewer times.
    fn default() -> Self {
        Self {
            rows: 100_000,
            age: Duration::from_secs(2),
        }
    }
}

/// The pages written since the last commit.
#[derive(Debug)]
pub(crate) struct Batch {
    limits: BatchLimits,
    opened: Option<Instant>,
    rows: usize,
    /// Why a batch could not be committed: nothing more may be written, as
    /// a later page's checkpoint would skip the lost pages' records.
    lost: Option<String>,
}

impl Batch {
    pub fn new(limits: BatchLimits) -> Self {
        Self {
            limits,
            opened: None,
            rows: 0,
            lost: None,
        }
    }

    /// The open batch could not be committed, for `reason`.
    pub fn lose(&mut self, reason: String) {
        self.close();
        self.lost = Some(reason);
    }

    /// Whether the destination at `location` may still be written.
    pub fn usable(&self, location: &str) -> Result<(), DestinationError> {
        match &self.lost {
            None => Ok(()),
            Some(reason) => Err(DestinationError::BatchLost {
                location: location.to_owned(),
                reason: reason.clone(),
            }),
        }
    }

    pub fn is_open(&self) -> bool {
        self.opened.is_some()
    }

    /// A page of `rows` records went into the open transaction.
    pub fn add(&mut self, rows: usize) {
        self.opened.get_or_insert_with(Instant::now);
        self.rows += rows;
    }

    /// The batch was committed (or lost).
    pub fn close(&mut self) {
        self.opened = None;
        self.rows = 0;
    }

    /// Whether the open batch reached a limit.
    pub fn is_due(&self) -> bool {
        self.opened.is_some_and(|opened| {
            self.rows >= self.limits.rows || opened.elapsed() >= self.limits.age
        })
    }

    /// How long until the open batch is due by age alone.
    pub fn due_in(&self) -> Option<Duration> {
        self.opened
            .map(|opened| self.limits.age.saturating_sub(opened.elapsed()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_due_at_its_row_limit_or_its_age_and_never_while_closed() {
        let mut batch = Batch::new(BatchLimits {
            rows: 10,
            age: Duration::from_millis(50),
        });
        assert!(!batch.is_due() && batch.due_in().is_none());
        batch.add(4);
        assert!(!batch.is_due());
        assert!(batch.due_in().unwrap() <= Duration::from_millis(50));
        batch.add(6);
        assert!(batch.is_due(), "ten rows");
        batch.close();
        assert!(!batch.is_open() && !batch.is_due());
        batch.add(1);
        std::thread::sleep(Duration::from_millis(60));
        assert!(batch.is_due(), "old enough");
        assert_eq!(batch.due_in(), Some(Duration::ZERO));
    }

    #[test]
    fn per_page_limits_make_every_page_due() {
        let mut batch = Batch::new(BatchLimits::PER_PAGE);
        batch.add(0);
        assert!(batch.is_due());
    }
}
