//! The request budget every key shares, as the Compliance API counts it (600
//! requests per minute per parent organisation): a sliding window of one
//! minute, so no 60 seconds ever see more requests admitted than the limit.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long a request counts against the budget.
pub const WINDOW: Duration = Duration::from_secs(60);

/// When the admitted requests of the last minute came.
#[derive(Debug, Default)]
pub struct RateWindow {
    admitted: VecDeque<Instant>,
}

/// What the window made of one request, and the budget after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub admitted: bool,
    pub limit: u32,
    /// Requests the window would still admit now.
    pub remaining: u32,
    /// Until the budget is whole again: every request counted now has left the window.
    pub replenished_in: Duration,
    /// Until the next request would be admitted (zero when there is room now).
    pub retry_in: Duration,
}

impl RateWindow {
    /// Forget every request counted so far (a new limit starts a new window).
    pub fn clear(&mut self) {
        self.admitted.clear();
    }

    /// Count a request arriving at `now` against `limit` requests per minute,
    /// unless the window is full. Refused requests do not count.
    pub fn admit(&mut self, now: Instant, limit: u32) -> Verdict {
        while self
            .admitted
            .front()
            .is_some_and(|first| *first + WINDOW <= now)
        {
            self.admitted.pop_front();
        }
        let admitted = self.admitted.len() < limit as usize;
        if admitted {
            self.admitted.push_back(now);
        }
        let leaves = |at: Option<&Instant>| at.map_or(Duration::ZERO, |at| *at + WINDOW - now);
        let remaining = (limit as usize).saturating_sub(self.admitted.len()) as u32;
        Verdict {
            admitted,
            limit,
            remaining,
            replenished_in: leaves(self.admitted.back()),
            retry_in: match remaining {
                0 if limit == 0 => WINDOW,
                0 => leaves(self.admitted.front()),
                _ => Duration::ZERO,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_the_limit_then_refuses_until_the_first_request_leaves() {
        let mut window = RateWindow::default();
        let start = Instant::now();
        let seconds = |s: u64| start + Duration::from_secs(s);
        let first = window.admit(seconds(0), 3);
        assert_eq!((first.admitted, first.remaining), (true, 2));
        assert_eq!(first.replenished_in, WINDOW);
        assert_eq!(window.admit(seconds(10), 3).remaining, 1);
        let third = window.admit(seconds(20), 3);
        assert_eq!((third.admitted, third.remaining), (true, 0));
        assert_eq!(
            third.retry_in,
            Duration::from_secs(40),
            "the first leaves at 60 s"
        );
        let refused = window.admit(seconds(30), 3);
        assert_eq!((refused.admitted, refused.remaining), (false, 0));
        assert_eq!(refused.retry_in, Duration::from_secs(30));
        assert_eq!(refused.replenished_in, Duration::from_secs(50));
        let later = window.admit(seconds(60), 3);
        assert_eq!(
            (later.admitted, later.remaining),
            (true, 0),
            "the first has left"
        );
        window.clear();
        assert_eq!(window.admit(seconds(61), 3).remaining, 2);
    }

    #[test]
    fn a_limit_of_zero_admits_nothing() {
        let verdict = RateWindow::default().admit(Instant::now(), 0);
        assert_eq!((verdict.admitted, verdict.retry_in), (false, WINDOW));
    }
}
