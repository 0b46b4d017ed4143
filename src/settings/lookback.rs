//! `lookback_hours`: how far before its watermark an incremental report run
//! reads again, since recent buckets are revised after the fact.

use super::{SettingError, SettingName, value};
use chrono::Duration;
use serde_json::Value;
use std::collections::BTreeMap;

/// The longest lookback: a year (leap year included).
const MAX_HOURS: u32 = 24 * 366;

/// The lookback set per stream; a stream left out uses its own default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookback(BTreeMap<String, Duration>);

impl Lookback {
    /// The lookback of `stream`: the one set, or `default`.
    pub fn for_stream(&self, stream: &str, default: Duration) -> Duration {
        self.0.get(stream).copied().unwrap_or(default)
    }

    /// A number of hours for every one of `readers` (the streams that read the
    /// setting), or an object of hours per stream naming only them. The
    /// readers are the caller's to say: settings know no streams.
    pub(super) fn from_setting(value: &Value, readers: &[&str]) -> Result<Self, SettingError> {
        match value {
            Value::Object(per_stream) => per_stream
                .iter()
                .map(|(stream, hours)| {
                    if readers.contains(&stream.as_str()) {
                        Ok((stream.clone(), from_hours(hours)?))
                    } else {
                        Err(SettingError::NotReadBy {
                            setting: SettingName::LookbackHours,
                            stream: stream.clone(),
                            readers: readers.join(", "),
                        })
                    }
                })
                .collect::<Result<_, _>>()
                .map(Self),
            hours => {
                let lookback = from_hours(hours)?;
                Ok(Self(
                    readers
                        .iter()
                        .map(|stream| ((*stream).to_owned(), lookback))
                        .collect(),
                ))
            }
        }
    }
}

fn from_hours(value: &Value) -> Result<Duration, SettingError> {
    value::whole_number(value, 0..=MAX_HOURS)
        .map(|hours| Duration::hours(i64::from(hours)))
        .ok_or_else(|| {
            SettingError::invalid_value(
                SettingName::LookbackHours,
                value,
                format!("a number of hours up to {MAX_HOURS}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const READERS: [&str; 2] = ["usage_report", "cost_report"];
    const DEFAULT: Duration = Duration::hours(48);

    #[test]
    fn a_number_sets_every_reader() {
        let lookback = Lookback::from_setting(&json!(6), &READERS).unwrap();
        for stream in READERS {
            assert_eq!(lookback.for_stream(stream, DEFAULT), Duration::hours(6));
        }
        assert_eq!(
            Lookback::default().for_stream("usage_report", DEFAULT),
            DEFAULT
        );
    }

    #[test]
    fn an_object_sets_the_streams_it_names_and_leaves_the_others_to_their_default() {
        let lookback = Lookback::from_setting(&json!({"cost_report": 0}), &READERS).unwrap();
        assert_eq!(
            lookback.for_stream("cost_report", DEFAULT),
            Duration::zero()
        );
        assert_eq!(lookback.for_stream("usage_report", DEFAULT), DEFAULT);
    }

    #[test]
    fn a_stream_that_does_not_read_it_or_a_bad_number_is_refused() {
        let err = Lookback::from_setting(&json!({"admin_users": 3}), &READERS)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "lookback_hours names `admin_users`; it applies to: usage_report, cost_report"
        );
        for bad in [json!(8785), json!(-1), json!(1.5), json!("6")] {
            let err = Lookback::from_setting(&bad, &READERS)
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                format!("lookback_hours {bad} is not valid; use a number of hours up to 8784")
            );
        }
        let err = Lookback::from_setting(&json!({"cost_report": "a day"}), &READERS)
            .unwrap_err()
            .to_string();
        assert!(err.contains(r#""a day" is not valid"#), "{err}");
    }
}
