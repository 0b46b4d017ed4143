//! `start_date`: where the history of an incremental stream begins. A first
//! run starts there; a later run backfills from there when it is earlier than
//! what the stream's state holds.

use super::{SettingError, SettingName};
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde_json::Value;

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp, as a UTC instant, no
/// later than `now`. A start in the future would read nothing and move the
/// watermark past data that does not exist yet, leaving later runs to read
/// only their lookback: refused before any request instead.
pub(super) fn from_setting(
    value: &Value,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, SettingError> {
    let text = value.as_str().unwrap_or_default();
    let start = DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        })
        .map_err(|_| {
            SettingError::invalid_value(
                SettingName::StartDate,
                value,
                "YYYY-MM-DD or an RFC 3339 timestamp",
            )
        })?;
    if start > now {
        return Err(SettingError::StartDateInFuture {
            value: value.clone(),
            now: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        });
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_date_is_its_midnight_utc_and_a_timestamp_is_moved_to_utc() {
        assert_eq!(
            from_setting(&json!("2026-01-01"), now())
                .unwrap()
                .to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert_eq!(
            from_setting(&json!("2026-01-01T02:30:00+02:00"), now())
                .unwrap()
                .to_rfc3339(),
            "2026-01-01T00:30:00+00:00"
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_formats() {
        for bad in [
            json!("01/01/2026"),
            json!("2026-13-01"),
            json!(20260101),
            json!(""),
        ] {
            assert_eq!(
                from_setting(&bad, now()).unwrap_err().to_string(),
                format!("start_date {bad} is not valid; use YYYY-MM-DD or an RFC 3339 timestamp")
            );
        }
    }

    #[test]
    fn a_start_in_the_future_is_refused_with_the_date_and_now() {
        for (future, shown) in [
            (json!("2026-03-11"), r#""2026-03-11""#),
            (json!("2026-03-10T12:00:01Z"), r#""2026-03-10T12:00:01Z""#),
        ] {
            assert_eq!(
                from_setting(&future, now()).unwrap_err().to_string(),
                format!(
                    "start_date {shown} is in the future (now is 2026-03-10T12:00:00Z); \
                     use a date up to today, or leave it unset"
                )
            );
        }
        assert_eq!(
            from_setting(&json!("2026-03-10"), now()).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap(),
            "today is not the future"
        );
        assert_eq!(
            from_setting(&json!("2026-03-10T12:00:00Z"), now()).unwrap(),
            now()
        );
    }
}
