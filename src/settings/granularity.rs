//! The width of a report's time buckets: `usage_report_granularity` and
//! `analytics_bucket_width`.

use super::{Named, SettingError, SettingName};
use chrono::Duration;
use serde_json::Value;

/// The width of a report's time buckets, named as the API's `bucket_width`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Granularity {
    /// `1d`: the recommended width, and the only one `cost_report` is served in.
    #[default]
    Day,
    /// `1h`.
    Hour,
    /// `1m`.
    Minute,
}

impl Named for Granularity {
    const ALL: &'static [Self] = &[Self::Day, Self::Hour, Self::Minute];

    fn name(self) -> &'static str {
        match self {
            Self::Day => "1d",
            Self::Hour => "1h",
            Self::Minute => "1m",
        }
    }
}

impl Granularity {
    /// How long one bucket is.
    pub fn bucket_length(self) -> Duration {
        match self {
            Self::Day => Duration::days(1),
            Self::Hour => Duration::hours(1),
            Self::Minute => Duration::minutes(1),
        }
    }

    /// The most buckets one page may hold: the API's largest `limit` at this width.
    pub fn max_buckets_per_page(self) -> u16 {
        match self {
            Self::Day => 31,
            Self::Hour => 168,
            Self::Minute => 1440,
        }
    }

    /// The longest range one page can cover.
    pub fn page_span(self) -> Duration {
        self.bucket_length() * i32::from(self.max_buckets_per_page())
    }

    pub(super) fn from_setting(setting: SettingName, value: &Value) -> Result<Self, SettingError> {
        value.as_str().and_then(Self::from_name).ok_or_else(|| {
            SettingError::invalid_value(setting, value, format!("one of: {}", Self::listed()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_width_has_its_bucket_and_page_limit() {
        let widths: Vec<_> = Granularity::ALL
            .iter()
            .map(|g| (g.name(), g.bucket_length(), g.max_buckets_per_page()))
            .collect();
        assert_eq!(
            widths,
            [
                ("1d", Duration::days(1), 31),
                ("1h", Duration::hours(1), 168),
                ("1m", Duration::minutes(1), 1440)
            ]
        );
        assert_eq!(Granularity::Hour.page_span(), Duration::days(7));
        assert_eq!(Granularity::Minute.page_span(), Duration::days(1));
        assert_eq!(Granularity::default(), Granularity::Day);
    }

    #[test]
    fn parses_each_name_and_refuses_anything_else_with_the_valid_ones() {
        for granularity in Granularity::ALL {
            assert_eq!(
                Granularity::from_setting(
                    SettingName::UsageReportGranularity,
                    &json!(granularity.name())
                ),
                Ok(*granularity)
            );
        }
        for bad in [json!("2h"), json!("1D"), json!(""), json!(1), json!(null)] {
            let err = Granularity::from_setting(SettingName::UsageReportGranularity, &bad)
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                format!("usage_report_granularity {bad} is not valid; use one of: 1d, 1h, 1m")
            );
        }
    }
}
