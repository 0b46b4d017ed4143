//! How many buckets one report request asks for.
//!
//! The API pages the reports by time bucket (`limit` counts buckets, up to 31
//! days, 168 hours or 1,440 minutes), so how big a page is depends on how many
//! rows each bucket holds: a handful for a small organisation, tens of
//! thousands for a large one's cost. Asking for the largest window whatever
//! the organisation would make memory grow with it. Instead the window is sized
//! from the densest bucket seen so far, so a page holds about the rows the page
//! size asks for: one bucket at a time for a large organisation, the API's
//! largest window for a small one.

/// Rows a report request aims at when `page_size` does not say: a few MiB of
/// JSON, far inside the plugin's memory, and few requests for most organisations.
pub const DEFAULT_ROWS_PER_PAGE: u32 = 10_000;

/// Sizes windows for one report walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowSizer {
    /// Rows a page aims at.
    pub target_rows: u32,
    /// The API's largest `limit` at the report's width.
    pub max_buckets: u16,
}

impl WindowSizer {
    /// The first window of a run: sized from the densest bucket of the last
    /// run, or a single bucket when nothing is known yet (a first run).
    pub fn first(self, densest_bucket: Option<u32>) -> u16 {
        densest_bucket.map_or(1, |rows| self.fitting(rows))
    }

    /// The window after one of `previous` buckets, given the densest bucket
    /// seen so far. It grows at most twofold per request, so a quiet stretch
    /// (or empty buckets before the usage began) followed by a busy one
    /// cannot blow a page up; it shrinks at once.
    pub fn next(self, previous: u16, densest_bucket: u32) -> u16 {
        self.fitting(densest_bucket)
            .min(previous.saturating_mul(2))
            .max(1)
    }

    /// As many buckets as fit the target when each holds `rows`.
    fn fitting(self, rows: u32) -> u16 {
        if rows == 0 {
            return self.max_buckets;
        }
        let buckets = (self.target_rows / rows).clamp(1, u32::from(self.max_buckets));
        u16::try_from(buckets).unwrap_or(self.max_buckets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAILY: WindowSizer = WindowSizer {
        target_rows: 10_000,
        max_buckets: 31,
    };

    #[test]
    fn a_first_run_probes_one_bucket_and_a_later_one_starts_from_the_last_density() {
        assert_eq!(DAILY.first(None), 1);
        assert_eq!(DAILY.first(Some(100)), 31, "a small org: the widest window");
        assert_eq!(DAILY.first(Some(2_500)), 4);
        assert_eq!(
            DAILY.first(Some(48_000)),
            1,
            "a bucket above the target still comes whole"
        );
    }

    #[test]
    fn windows_grow_at_most_twofold_and_shrink_at_once() {
        assert_eq!(DAILY.next(1, 0), 2, "empty buckets say nothing of the next");
        assert_eq!(DAILY.next(1, 10), 2);
        assert_eq!(DAILY.next(16, 10), 31, "never above the API's limit");
        assert_eq!(DAILY.next(31, 5_000), 2);
        assert_eq!(DAILY.next(2, 50_000), 1);
    }

    #[test]
    fn a_page_stays_near_the_target_rows() {
        let sizer = WindowSizer {
            target_rows: 1_000,
            max_buckets: 168,
        };
        for rows_per_bucket in [1, 7, 99, 1_000, 20_000] {
            let buckets = sizer.first(Some(rows_per_bucket));
            assert!(
                u32::from(buckets) * rows_per_bucket <= 1_000 || buckets == 1,
                "{rows_per_bucket}: {buckets}"
            );
        }
    }
}
