//! How long the API asks a client to wait: `retry-after-ms` (milliseconds),
//! else `retry-after`, as seconds or as an HTTP date (RFC 9110 §10.2.3).

use crate::host::HttpResponse;
use chrono::{DateTime, NaiveDateTime, Utc};

/// The wait a response asks for, in milliseconds; none when it asks for none
/// or says it in a form that cannot be read.
pub fn retry_after_ms(response: &HttpResponse, now: DateTime<Utc>) -> Option<u64> {
    if let Some(ms) = response.header("retry-after-ms").and_then(non_negative) {
        return Some(ms as u64);
    }
    parse_retry_after(response.header("retry-after")?, now)
}

/// `retry-after` read as delay-seconds or as an HTTP date; a date in the past
/// means no wait.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<u64> {
    let value = value.trim();
    if let Some(seconds) = non_negative(value) {
        return Some((seconds * 1000.0) as u64);
    }
    let at = http_date(value)?;
    Some((at - now).num_milliseconds().max(0) as u64)
}

/// A finite, non-negative number (the API sends whole seconds; fractions are tolerated).
fn non_negative(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// The three date forms RFC 9110 asks recipients to accept: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
/// All are in UTC.
fn http_date(text: &str) -> Option<DateTime<Utc>> {
    const FORMS: [&str; 3] = [
        "%a, %d %b %Y %H:%M:%S GMT",
        "%A, %d-%b-%y %H:%M:%S GMT",
        "%a %b %e %H:%M:%S %Y",
    ];
    FORMS
        .iter()
        .find_map(|form| NaiveDateTime::parse_from_str(text, form).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn response(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: 429,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }

    #[test]
    fn seconds_are_read_as_seconds() {
        assert_eq!(parse_retry_after("7", now()), Some(7_000));
        assert_eq!(parse_retry_after(" 0 ", now()), Some(0));
        assert_eq!(parse_retry_after("1.5", now()), Some(1_500));
    }

    #[test]
    fn an_http_date_is_the_time_until_then() {
        assert_eq!(
            parse_retry_after("Fri, 01 May 2026 12:00:30 GMT", now()),
            Some(30_000)
        );
        assert_eq!(
            parse_retry_after("Friday, 01-May-26 12:01:00 GMT", now()),
            Some(60_000)
        );
        assert_eq!(
            parse_retry_after("Fri May  1 12:00:05 2026", now()),
            Some(5_000)
        );
    }

    #[test]
    fn a_date_in_the_past_means_no_wait() {
        assert_eq!(
            parse_retry_after("Thu, 30 Apr 2026 12:00:00 GMT", now()),
            Some(0)
        );
    }

    #[test]
    fn garbage_asks_for_nothing() {
        for garbage in [
            "",
            "soon",
            "-5",
            "NaN",
            "inf",
            "Fri, 01 May 2026 12:00:30 PST",
            "2026-05-01T12:00:30Z",
            "Fri, 32 May 2026 12:00:30 GMT",
        ] {
            assert_eq!(parse_retry_after(garbage, now()), None, "{garbage:?}");
        }
    }

    #[test]
    fn milliseconds_come_first_then_retry_after() {
        let both = response(&[("Retry-After", "7"), ("retry-after-ms", "250")]);
        assert_eq!(retry_after_ms(&both, now()), Some(250));
        let date = response(&[("retry-after", "Fri, 01 May 2026 12:00:02 GMT")]);
        assert_eq!(retry_after_ms(&date, now()), Some(2_000));
        let bad_ms = response(&[("retry-after-ms", "x"), ("retry-after", "3")]);
        assert_eq!(retry_after_ms(&bad_ms, now()), Some(3_000));
        assert_eq!(retry_after_ms(&response(&[]), now()), None);
    }
}
