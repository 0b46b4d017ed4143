//! What committing a page did to a table, counted by key, so a run reports
//! the rows it wrote rather than the records it read.

use std::ops::AddAssign;

/// The rows one commit wrote, each key counted once per read of a stream: a
/// key already written earlier in the same read (an overlapping window, a
/// record listed twice) is written again but not counted again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrittenRows {
    /// Keys the table did not have.
    pub new: u64,
    /// Keys the table had, now with a different record.
    pub changed: u64,
    /// Keys the table had with the very same record: re-read (an incremental
    /// overlap or lookback, a full refresh) and rewritten only to refresh `_synced_at`.
    pub unchanged: u64,
}

impl WrittenRows {
    /// Distinct keys written.
    pub fn total(&self) -> u64 {
        self.new + self.changed + self.unchanged
    }
}

impl AddAssign for WrittenRows {
    fn add_assign(&mut self, other: Self) {
        self.new += other.new;
        self.changed += other.changed;
        self.unchanged += other.unchanged;
    }
}
