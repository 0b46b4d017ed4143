//! The record of the plugin's outgoing requests. A long-running process makes
//! requests without end, so only the most recent ones are kept, with running
//! totals of every decision ever made.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// How many requests the log keeps by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// One outgoing request as the policy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressRecord {
    pub method: String,
    pub url: String,
    pub allowed: bool,
}

/// The last requests (oldest first) and how many were allowed and denied in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressHistory {
    recent: VecDeque<EgressRecord>,
    capacity: usize,
    allowed: u64,
    denied: u64,
}

/// The log of the requests the plugin tried, shared across calls.
pub type EgressLog = Arc<Mutex<EgressHistory>>;

impl Default for EgressHistory {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl EgressHistory {
    /// A log keeping the last `capacity` requests (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            recent: VecDeque::new(),
            capacity: capacity.max(1),
            allowed: 0,
            denied: 0,
        }
    }

    /// Add a request, forgetting the oldest one kept when the log is full.
    pub fn record(&mut self, record: EgressRecord) {
        if record.allowed {
            self.allowed += 1;
        } else {
            self.denied += 1;
        }
        if self.recent.len() == self.capacity {
            self.recent.pop_front();
        }
        self.recent.push_back(record);
    }

    /// The requests kept, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &EgressRecord> + ExactSizeIterator {
        self.recent.iter()
    }

    pub fn len(&self) -> usize {
        self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    /// Requests allowed since the log began, including those no longer kept.
    pub fn allowed_total(&self) -> u64 {
        self.allowed
    }

    /// Requests denied since the log began, including those no longer kept.
    pub fn denied_total(&self) -> u64 {
        self.denied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(n: usize, allowed: bool) -> EgressRecord {
        EgressRecord {
            method: "GET".into(),
            url: format!("https://api.anthropic.com/v1/{n}"),
            allowed,
        }
    }

    #[test]
    fn keeps_the_last_requests_and_counts_every_decision() {
        let mut log = EgressHistory::with_capacity(3);
        for n in 0..10 {
            log.record(request(n, n % 4 != 0));
        }
        let kept: Vec<&str> = log.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            kept,
            [
                "https://api.anthropic.com/v1/7",
                "https://api.anthropic.com/v1/8",
                "https://api.anthropic.com/v1/9"
            ]
        );
        assert_eq!((log.allowed_total(), log.denied_total()), (7, 3));
    }

    #[test]
    fn the_default_log_is_bounded() {
        let mut log = EgressHistory::default();
        for n in 0..DEFAULT_CAPACITY + 5 {
            log.record(request(n, true));
        }
        assert_eq!(log.len(), DEFAULT_CAPACITY);
        assert_eq!(log.allowed_total(), DEFAULT_CAPACITY as u64 + 5);
        assert_eq!(
            log.iter().next().unwrap().url,
            "https://api.anthropic.com/v1/5"
        );
    }
}
