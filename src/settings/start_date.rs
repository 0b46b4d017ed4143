//! `start_date`: where an incremental stream's first run starts.

use super::{SettingError, SettingName};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::Value;

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp, as a UTC instant.
pub(super) fn from_setting(value: &Value) -> Result<DateTime<Utc>, SettingError> {
    let text = value.as_str().unwrap_or_default();
    DateTime::parse_from_rfc3339(text)
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
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_date_is_its_midnight_utc_and_a_timestamp_is_moved_to_utc() {
        assert_eq!(
            from_setting(&json!("2026-01-01")).unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert_eq!(
            from_setting(&json!("2026-01-01T02:30:00+02:00"))
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
                from_setting(&bad).unwrap_err().to_string(),
                format!("start_date {bad} is not valid; use YYYY-MM-DD or an RFC 3339 timestamp")
            );
        }
    }
}
