//! When to try a failed page read again: rate limits honour the API's
//! `retry-after`; transient failures back off exponentially with jitter-free
//! doubling (0.5 s, 1 s, 2 s … capped), a bounded number of times.

use crate::runtime::CallError;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries after the first.
    pub max_retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `attempt` (0-based) after `error`,
    /// or none when it should not be retried.
    pub fn delay(&self, attempt: u32, error: &CallError) -> Option<Duration> {
        let failure = error.as_plugin()?;
        if !failure.is_retryable() || attempt >= self.max_retries {
            return None;
        }
        let backoff = self.initial_backoff.saturating_mul(1 << attempt.min(16));
        Some(
            failure
                .retry_after()
                .unwrap_or(backoff)
                .min(self.max_backoff),
        )
    }
}
