//! What a response says about the API's request budget: how many requests are
//! left until when (`anthropic-ratelimit-requests-remaining` and
//! `anthropic-ratelimit-requests-reset`, an RFC 3339 time, on every
//! authenticated response), and on a 429 how long to hold off
//! (`retry-after-ms`, or `retry-after` in seconds or as an HTTP date).

use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use std::time::Duration;

const REMAINING: &str = "anthropic-ratelimit-requests-remaining";
const RESET: &str = "anthropic-ratelimit-requests-reset";

/// Requests the API will still take before its budget resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestsLeft {
    pub remaining: u64,
    pub reset: DateTime<Utc>,
}

/// What one response tells the budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetSignal {
    pub requests_left: Option<RequestsLeft>,
    /// How long a 429 asks every request to wait.
    pub retry_after: Option<Duration>,
}

impl BudgetSignal {
    /// Read a response's headers; `now` is the wall clock, for an HTTP-date
    /// `retry-after`. Headers that do not parse are ignored.
    pub fn read(status: StatusCode, headers: &HeaderMap, now: DateTime<Utc>) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let requests_left = match (text(REMAINING), text(RESET)) {
            (Some(remaining), Some(reset)) => remaining
                .parse()
                .ok()
                .zip(DateTime::parse_from_rfc3339(reset).ok())
                .map(|(remaining, reset)| RequestsLeft {
                    remaining,
                    reset: reset.with_timezone(&Utc),
                }),
            _ => None,
        };
        let retry_after = (status == StatusCode::TOO_MANY_REQUESTS)
            .then(|| {
                text("retry-after-ms")
                    .and_then(milliseconds)
                    .or_else(|| text("retry-after").and_then(|v| retry_after(v, now)))
            })
            .flatten();
        Self {
            requests_left,
            retry_after,
        }
    }
}

fn milliseconds(value: &str) -> Option<Duration> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
}

/// `retry-after`: seconds (the API's form), or an HTTP date.
fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn remaining_and_reset_are_read_from_any_response() {
        let now = at("2026-03-01T12:00:00Z");
        let signal = BudgetSignal::read(
            StatusCode::OK,
            &headers(&[
                ("anthropic-ratelimit-requests-limit", "600"),
                (REMAINING, "0"),
                (RESET, "2026-03-01T12:00:42.5Z"),
                ("retry-after", "30"),
            ]),
            now,
        );
        assert_eq!(
            signal,
            BudgetSignal {
                requests_left: Some(RequestsLeft {
                    remaining: 0,
                    reset: at("2026-03-01T12:00:42.5Z"),
                }),
                // Only a 429 asks to hold off.
                retry_after: None,
            }
        );
        let garbled = headers(&[(REMAINING, "lots"), (RESET, "2026-03-01T12:00:42Z")]);
        assert_eq!(
            BudgetSignal::read(StatusCode::OK, &garbled, now),
            BudgetSignal::default()
        );
        let no_reset = headers(&[(REMAINING, "5")]);
        assert_eq!(
            BudgetSignal::read(StatusCode::OK, &no_reset, now).requests_left,
            None
        );
    }

    #[test]
    fn a_429_says_how_long_to_hold_off() {
        let now = at("2026-03-01T12:00:00Z");
        let wait = |pairs: &[(&'static str, &str)]| {
            BudgetSignal::read(StatusCode::TOO_MANY_REQUESTS, &headers(pairs), now).retry_after
        };
        assert_eq!(wait(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(
            wait(&[("retry-after-ms", "1500"), ("retry-after", "7")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            wait(&[("retry-after", "Sun, 01 Mar 2026 12:00:09 GMT")]),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            wait(&[("retry-after", "Sun, 01 Mar 2026 11:59:00 GMT")]),
            Some(Duration::ZERO)
        );
        assert_eq!(wait(&[("retry-after", "soon")]), None);
        assert_eq!(wait(&[]), None);
    }
}
