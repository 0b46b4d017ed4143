//! The connection's request budget, shared by every concurrent call of the
//! connection: a request waits its turn here before it is sent, so the
//! connector slows itself down rather than running into 429s.
//!
//! Three things can make a request wait:
//! - **our own rate limit** ([`RequestRate`]): never more than N requests in
//!   any window of the given length (by default 600 a minute on the Compliance
//!   API, whose limit is per organisation across all keys and endpoints);
//! - **the API's word on its budget**: once a response says no requests remain
//!   (`anthropic-ratelimit-requests-remaining: 0`), requests wait until its
//!   `anthropic-ratelimit-requests-reset`. Each request sent counts against the
//!   last known remainder, so concurrent calls do not all rush the last slot;
//! - **a 429's `retry-after`**, which holds every request of its API, not only
//!   the one that was refused.
//!
//! The Admin API and the Compliance API have separate budgets, so their
//! requests are paced in separate [`Lane`]s.

use super::rate_limit_headers::BudgetSignal;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// The longest a signal from the API holds requests. A per-minute budget
/// resets within a minute, so anything much longer is a skewed clock or a
/// garbled header; and a request held too long would run into the plugin's
/// own deadline (120 s) instead of being sent. A longer wait is still honoured
/// by the sync loop, which reads `retry-after` itself.
pub const MAX_HOLD: Duration = Duration::from_secs(90);

/// How fast the connector itself lets requests go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestRate {
    /// The APIs' published limits: 600 requests a minute on the Compliance
    /// API (`/v1/compliance/*`), no limit of our own on the rest.
    #[default]
    ApiDefault,
    /// At most `requests` in any window of `per`, every request of the
    /// connection counted together.
    Limit { requests: NonZeroU32, per: Duration },
    /// No limit of our own (the API's headers and 429s still pace requests).
    Unlimited,
}

impl RequestRate {
    /// The Compliance API's limit per organisation.
    pub const COMPLIANCE_PER_MINUTE: u32 = 600;

    /// At most `requests` a minute for the whole connection; 0 for no limit of our own.
    pub fn per_minute(requests: u32) -> Self {
        NonZeroU32::new(requests).map_or(Self::Unlimited, |requests| Self::Limit {
            requests,
            per: Duration::from_secs(60),
        })
    }

    /// The window a request of `lane` counts in, if any.
    fn window_for(self, lane: Lane) -> Option<Window> {
        match (self, lane) {
            (Self::ApiDefault, Lane::Compliance) => Some(Window {
                scope: Some(Lane::Compliance),
                requests: Self::COMPLIANCE_PER_MINUTE,
                per: Duration::from_secs(60),
            }),
            (Self::ApiDefault, Lane::Other) | (Self::Unlimited, _) => None,
            (Self::Limit { requests, per }, _) => Some(Window {
                scope: None,
                requests: requests.get(),
                per,
            }),
        }
    }
}

/// Which of the API's budgets a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// `/v1/compliance/*`: one budget per organisation across all keys.
    Compliance,
    /// Everything else (the Admin API).
    Other,
}

impl Lane {
    pub fn of(path: &str) -> Self {
        if path == "/v1/compliance" || path.starts_with("/v1/compliance/") {
            Self::Compliance
        } else {
            Self::Other
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Compliance => 0,
            Self::Other => 1,
        }
    }
}

/// A sliding window: at most `requests` starts in any `per`; `scope` is the
/// lane it counts, or none for the whole connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    scope: Option<Lane>,
    requests: u32,
    per: Duration,
}

/// The budget every call of one connection draws on.
#[derive(Debug, Default)]
pub struct RequestBudget {
    ledger: Mutex<Ledger>,
}

impl RequestBudget {
    /// Wait until a request of `lane` may be sent under `rate`, and count it as
    /// sent. Returns how long it waited (zero when it went at once).
    pub async fn wait_turn(&self, lane: Lane, rate: RequestRate) -> Duration {
        let arrived = Instant::now();
        let mut waited = false;
        loop {
            let turn = self.ledger().try_start(lane, rate, Instant::now());
            match turn {
                Ok(()) if !waited => return Duration::ZERO,
                Ok(()) => return arrived.elapsed(),
                // Woken, the request looks again: another may have taken the
                // slot, or a new hold may have come in meanwhile.
                Err(until) => {
                    waited = true;
                    tokio::time::sleep_until(until).await;
                }
            }
        }
    }

    /// Take in what a response of `lane` says about the API's budget.
    pub fn observe(&self, lane: Lane, signal: BudgetSignal) {
        self.ledger()
            .observe(lane, signal, Instant::now(), Utc::now());
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        // The ledger is left consistent at every step: a panic elsewhere
        // while it was held does not make it wrong.
        self.ledger
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Debug, Default)]
struct Ledger {
    lanes: [LaneState; 2],
    /// Start times of the requests in each window, oldest first.
    windows: Vec<(Window, VecDeque<Instant>)>,
}

#[derive(Debug, Default)]
struct LaneState {
    /// No request before this (a 429's `retry-after`).
    hold_until: Option<Instant>,
    /// What the API last said is left, minus the requests sent since.
    left: Option<Allowance>,
}

#[derive(Debug, Clone, Copy)]
struct Allowance {
    remaining: u64,
    /// The reset as the API wrote it: orders responses that arrive out of order.
    reset: DateTime<Utc>,
    /// The reset on this process's clock, at most [`MAX_HOLD`] away.
    reset_at: Instant,
}

impl Ledger {
    /// Start a request now, or say when to look again.
    fn try_start(&mut self, lane: Lane, rate: RequestRate, now: Instant) -> Result<(), Instant> {
        let state = &mut self.lanes[lane.index()];
        if let Some(until) = state.hold_until {
            if until > now {
                return Err(until);
            }
            state.hold_until = None;
        }
        if let Some(left) = state.left {
            if left.reset_at <= now {
                state.left = None;
            } else if left.remaining == 0 {
                return Err(left.reset_at);
            }
        }
        if let Some(window) = rate.window_for(lane) {
            let starts = self.starts(window);
            while starts
                .front()
                .is_some_and(|&start| start + window.per <= now)
            {
                starts.pop_front();
            }
            if starts.len() >= window.requests as usize {
                let oldest = *starts.front().expect("a full window has a start");
                return Err(oldest + window.per);
            }
            starts.push_back(now);
        }
        if let Some(left) = &mut self.lanes[lane.index()].left {
            left.remaining = left.remaining.saturating_sub(1);
        }
        Ok(())
    }

    fn starts(&mut self, window: Window) -> &mut VecDeque<Instant> {
        let at = match self.windows.iter().position(|(w, _)| *w == window) {
            Some(at) => at,
            None => {
                self.windows.push((window, VecDeque::new()));
                self.windows.len() - 1
            }
        };
        &mut self.windows[at].1
    }

    fn observe(&mut self, lane: Lane, signal: BudgetSignal, now: Instant, wall: DateTime<Utc>) {
        let state = &mut self.lanes[lane.index()];
        if let Some(wait) = signal.retry_after {
            let until = now + wait.min(MAX_HOLD);
            state.hold_until = Some(state.hold_until.map_or(until, |held| held.max(until)));
        }
        let Some(said) = signal.requests_left else {
            return;
        };
        let reset_in = (said.reset - wall).to_std().unwrap_or_default();
        let heard = Allowance {
            remaining: said.remaining,
            reset: said.reset,
            reset_at: now + reset_in.min(MAX_HOLD),
        };
        state.left = match state.left {
            // The same budget period: the lower count is the later news.
            Some(known) if known.reset_at > now && known.reset == heard.reset => Some(Allowance {
                remaining: known.remaining.min(heard.remaining),
                ..known
            }),
            // An answer from before the period already known: stale.
            Some(known) if known.reset_at > now && known.reset > heard.reset => Some(known),
            _ => Some(heard),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::egress::rate_limit_headers::RequestsLeft;

    const SECOND: Duration = Duration::from_secs(1);

    fn limit(requests: u32, per: Duration) -> RequestRate {
        RequestRate::Limit {
            requests: NonZeroU32::new(requests).unwrap(),
            per,
        }
    }

    #[test]
    fn the_request_after_a_full_window_waits_for_the_oldest_to_leave_it() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        let rate = limit(3, 60 * SECOND);
        for n in 0..3 {
            assert_eq!(ledger.try_start(Lane::Other, rate, t0 + n * SECOND), Ok(()));
        }
        let fourth = t0 + 10 * SECOND;
        assert_eq!(
            ledger.try_start(Lane::Other, rate, fourth),
            Err(t0 + 60 * SECOND)
        );
        // The connection's limit counts both APIs together.
        assert_eq!(
            ledger.try_start(Lane::Compliance, rate, fourth),
            Err(t0 + 60 * SECOND)
        );
        assert_eq!(
            ledger.try_start(Lane::Other, rate, t0 + 60 * SECOND),
            Ok(())
        );
        assert_eq!(
            ledger.try_start(Lane::Other, rate, t0 + 60 * SECOND),
            Err(t0 + 61 * SECOND)
        );
    }

    #[test]
    fn by_default_only_the_compliance_api_is_limited_to_600_a_minute() {
        let mut ledger = Ledger::default();
        let t0 = Instant::now();
        let rate = RequestRate::default();
        for _ in 0..600 {
            assert_eq!(ledger.try_start(Lane::Compliance, rate, t0), Ok(()));
        }
        assert_eq!(
            ledger.try_start(Lane::Compliance, rate, t0 + SECOND),
            Err(t0 + 60 * SECOND)
        );
        for _ in 0..1000 {
            assert_eq!(ledger.try_start(Lane::Other, rate, t0 + SECOND), Ok(()));
        }
        let mut unlimited = Ledger::default();
        for _ in 0..1000 {
            assert_eq!(
                unlimited.try_start(Lane::Compliance, RequestRate::Unlimited, t0),
                Ok(())
            );
        }
        assert_eq!(RequestRate::per_minute(0), RequestRate::Unlimited);
        assert_eq!(RequestRate::per_minute(5), limit(5, 60 * SECOND));
    }

    #[test]
    fn lanes_are_told_apart_by_path() {
        assert_eq!(Lane::of("/v1/compliance/activities"), Lane::Compliance);
        assert_eq!(Lane::of("/v1/compliance"), Lane::Compliance);
        assert_eq!(Lane::of("/v1/compliancex"), Lane::Other);
        assert_eq!(Lane::of("/v1/organizations/users"), Lane::Other);
    }

    fn left(remaining: u64, reset: DateTime<Utc>) -> BudgetSignal {
        BudgetSignal {
            requests_left: Some(RequestsLeft { remaining, reset }),
            retry_after: None,
        }
    }

    #[test]
    fn no_requests_left_holds_the_lane_until_the_reset() {
        let mut ledger = Ledger::default();
        let (t0, wall) = (Instant::now(), Utc::now());
        let rate = RequestRate::Unlimited;
        let reset = wall + chrono::Duration::seconds(20);
        ledger.observe(Lane::Compliance, left(2, reset), t0, wall);
        // Two left: the two next requests go, the third waits for the reset.
        assert_eq!(ledger.try_start(Lane::Compliance, rate, t0), Ok(()));
        assert_eq!(ledger.try_start(Lane::Compliance, rate, t0), Ok(()));
        assert_eq!(
            ledger.try_start(Lane::Compliance, rate, t0),
            Err(t0 + 20 * SECOND)
        );
        // The other API's budget is its own.
        assert_eq!(ledger.try_start(Lane::Other, rate, t0), Ok(()));
        // A late answer from before those requests does not give them back.
        ledger.observe(Lane::Compliance, left(2, reset), t0, wall);
        assert_eq!(
            ledger.try_start(Lane::Compliance, rate, t0 + SECOND),
            Err(t0 + 20 * SECOND)
        );
        // Nor does one from an earlier period.
        ledger.observe(
            Lane::Compliance,
            left(50, reset - chrono::Duration::seconds(60)),
            t0,
            wall,
        );
        assert!(
            ledger
                .try_start(Lane::Compliance, rate, t0 + SECOND)
                .is_err()
        );
        // After the reset the lane is open again.
        assert_eq!(
            ledger.try_start(Lane::Compliance, rate, t0 + 20 * SECOND),
            Ok(())
        );
        // A reset far away holds no longer than MAX_HOLD.
        ledger.observe(
            Lane::Compliance,
            left(0, wall + chrono::Duration::hours(5)),
            t0,
            wall,
        );
        assert_eq!(
            ledger.try_start(Lane::Compliance, rate, t0 + SECOND),
            Err(t0 + MAX_HOLD)
        );
    }

    #[test]
    fn a_retry_after_holds_every_request_of_its_lane() {
        let mut ledger = Ledger::default();
        let (t0, wall) = (Instant::now(), Utc::now());
        let rate = RequestRate::default();
        let hold = |seconds| BudgetSignal {
            requests_left: None,
            retry_after: Some(seconds * SECOND),
        };
        ledger.observe(Lane::Other, hold(5), t0, wall);
        // A shorter one heard later does not shorten it.
        ledger.observe(Lane::Other, hold(2), t0 + SECOND, wall);
        for _ in 0..3 {
            assert_eq!(
                ledger.try_start(Lane::Other, rate, t0 + 2 * SECOND),
                Err(t0 + 5 * SECOND)
            );
        }
        assert_eq!(ledger.try_start(Lane::Compliance, rate, t0), Ok(()));
        assert_eq!(ledger.try_start(Lane::Other, rate, t0 + 5 * SECOND), Ok(()));
    }

    #[tokio::test]
    async fn a_request_over_the_limit_waits_for_the_window() {
        let budget = RequestBudget::default();
        let per = Duration::from_millis(300);
        let rate = limit(2, per);
        let started = Instant::now();
        let mut waits = Vec::new();
        for _ in 0..3 {
            waits.push(budget.wait_turn(Lane::Other, rate).await);
        }
        // The third waited, and started no earlier than a window after the first.
        assert_eq!(waits[..2], [Duration::ZERO; 2]);
        assert!(waits[2] > Duration::ZERO, "{waits:?}");
        assert!(started.elapsed() >= per, "{:?}", started.elapsed());
    }
}
