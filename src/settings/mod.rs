//! Sync settings: declared in the manifest, passed to every read as a JSON
//! object, and parsed here, once, into typed values; a wrong value is refused
//! with the valid ones. Settings know no streams: each stream declares the
//! settings it reads, and whoever knows the streams says which read what.

mod analytics_dimension;
mod error;
mod granularity;
mod grouping;
mod lookback;
mod name;
mod named;
mod start_date;
mod usage_filters;
mod value;

pub use analytics_dimension::AnalyticsDimension;
pub use error::SettingError;
pub use granularity::Granularity;
pub use grouping::{Dimension, Grouping};
pub use lookback::Lookback;
pub use name::SettingName;
pub use named::Named;
pub use usage_filters::UsageFilters;

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

/// The largest `page_size`; each endpoint may cap it lower.
const MAX_PAGE_SIZE: u32 = 1000;
/// The longest activities overlap: a week.
const MAX_OVERLAP_MINUTES: u32 = 7 * 24 * 60;

/// Parsed, validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Bucket width of `usage_report` (and of `cost_report`, which falls back to `1d`).
    pub granularity: Granularity,
    /// `group_by[]` of `usage_report`; empty means one aggregate row per bucket.
    pub grouping: Grouping,
    /// Which usage `usage_report` reads (`models[]`, `api_key_ids[]`…).
    pub usage_filters: UsageFilters,
    /// `time_bucket_width` of `usage_analytics` and `cost_analytics`.
    pub analytics_width: Granularity,
    /// `group_by[]` of `usage_analytics`; empty means one row per bucket.
    pub usage_analytics_grouping: Grouping<AnalyticsDimension>,
    /// `group_by[]` of `cost_analytics`; empty means one row per bucket.
    pub cost_analytics_grouping: Grouping<AnalyticsDimension>,
    /// Items per request; none means each endpoint's maximum.
    pub page_size: Option<u32>,
    /// Where an incremental stream's history begins (none: the stream's default):
    /// a first run starts there, a later one backfills from there. Never in the future.
    pub start_date: Option<DateTime<Utc>>,
    /// How far before its watermark a report run starts again, per stream.
    pub lookback: Lookback,
    /// How far before its watermark an activities run starts again (late events).
    pub activities_overlap: Duration,
    /// Activity types left out of the feed (`exclude_activity_types[]`).
    pub activities_exclude_types: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            granularity: Granularity::default(),
            grouping: Grouping::default(),
            usage_filters: UsageFilters::default(),
            analytics_width: Granularity::default(),
            usage_analytics_grouping: AnalyticsDimension::default_grouping(),
            cost_analytics_grouping: AnalyticsDimension::default_grouping(),
            page_size: None,
            start_date: None,
            lookback: Lookback::default(),
            activities_overlap: Duration::minutes(10),
            activities_exclude_types: Vec::new(),
        }
    }
}

impl Settings {
    /// Parse the settings object of a read request (`{}` or empty text for
    /// defaults). `lookback_streams` are the streams that read `lookback_hours`,
    /// the only ones its per-stream form may name.
    pub fn parse(json: &str, lookback_streams: &[&str]) -> Result<Self, SettingError> {
        Self::parse_as_of(json, lookback_streams, Utc::now())
    }

    /// [`Settings::parse`] at the moment `now` (what a start date may not be after).
    pub fn parse_as_of(
        json: &str,
        lookback_streams: &[&str],
        now: DateTime<Utc>,
    ) -> Result<Self, SettingError> {
        let mut settings = Self::default();
        if json.trim().is_empty() {
            return Ok(settings);
        }
        let value: Value =
            serde_json::from_str(json).map_err(|e| SettingError::NotJson(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(SettingError::NotAnObject);
        };
        for (name, value) in map {
            let setting =
                SettingName::from_name(&name).ok_or(SettingError::UnknownSetting(name))?;
            match setting {
                SettingName::UsageReportGranularity | SettingName::AnalyticsBucketWidth => {
                    let width = Granularity::from_setting(setting, &value)?;
                    match setting {
                        SettingName::UsageReportGranularity => settings.granularity = width,
                        _ => settings.analytics_width = width,
                    }
                }
                SettingName::UsageReportGrouping => {
                    settings.grouping = Grouping::from_setting(setting, &value, Dimension::ALL)?;
                }
                SettingName::UsageReportModels
                | SettingName::UsageReportApiKeyIds
                | SettingName::UsageReportWorkspaceIds
                | SettingName::UsageReportServiceTiers
                | SettingName::UsageReportContextWindows
                | SettingName::UsageReportInferenceGeos => {
                    settings.usage_filters.set(setting, &value)?;
                }
                SettingName::UsageAnalyticsGroupBy => {
                    settings.usage_analytics_grouping =
                        Grouping::from_setting(setting, &value, &AnalyticsDimension::usage())?;
                }
                SettingName::CostAnalyticsGroupBy => {
                    settings.cost_analytics_grouping =
                        Grouping::from_setting(setting, &value, AnalyticsDimension::ALL)?;
                }
                SettingName::StartDate => {
                    settings.start_date = Some(start_date::from_setting(&value, now)?);
                }
                SettingName::LookbackHours => {
                    settings.lookback = Lookback::from_setting(&value, lookback_streams)?;
                }
                SettingName::ActivitiesOverlapMinutes => {
                    settings.activities_overlap = overlap_from_setting(&value)?;
                }
                SettingName::ActivitiesExcludeTypes => {
                    settings.activities_exclude_types = value::names(setting, &value)?;
                }
                SettingName::PageSize => {
                    settings.page_size = Some(page_size_from_setting(&value)?);
                }
            }
        }
        Ok(settings)
    }

    /// The `limit` to send to an endpoint whose maximum is `max`.
    pub fn page_size(&self, max: u32) -> u32 {
        self.page_size.map_or(max, |p| p.min(max))
    }
}

fn page_size_from_setting(value: &Value) -> Result<u32, SettingError> {
    value::whole_number(value, 1..=MAX_PAGE_SIZE).ok_or_else(|| {
        SettingError::invalid_value(
            SettingName::PageSize,
            value,
            format!("a number from 1 to {MAX_PAGE_SIZE}"),
        )
    })
}

fn overlap_from_setting(value: &Value) -> Result<Duration, SettingError> {
    value::whole_number(value, 0..=MAX_OVERLAP_MINUTES)
        .map(|minutes| Duration::minutes(i64::from(minutes)))
        .ok_or_else(|| {
            SettingError::invalid_value(
                SettingName::ActivitiesOverlapMinutes,
                value,
                format!("a number of minutes up to {MAX_OVERLAP_MINUTES}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streams that read `lookback_hours`, as the caller passes them.
    const REPORTS: [&str; 3] = ["usage_report", "cost_report", "claude_code_usage_report"];

    fn parse(json: &str) -> Result<Settings, SettingError> {
        Settings::parse(json, &REPORTS)
    }

    #[test]
    fn empty_means_defaults() {
        assert_eq!(parse("").unwrap(), Settings::default());
        assert_eq!(
            parse("{}").unwrap().grouping.to_string(),
            "api_key_id,workspace_id,model,service_tier"
        );
    }

    #[test]
    fn bad_values_are_refused_with_the_valid_ones() {
        let err = parse(r#"{"usage_report_granularity":"2h"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("1d, 1h, 1m"), "{err}");
        let err = parse(r#"{"usage_report_grouping":"model,colour"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`colour`") && err.contains("service_account_id"),
            "{err}"
        );
        let err = parse(r#"{"granularity":"1d"}"#).unwrap_err().to_string();
        assert!(err.contains("unknown setting `granularity`"), "{err}");
        assert!(parse(r#"{"page_size":0}"#).is_err());
    }

    #[test]
    fn grouping_accepts_text_or_list_and_may_be_empty() {
        let s = parse(r#"{"usage_report_grouping":"model, model ,workspace_id"}"#).unwrap();
        let names: Vec<&str> = s.grouping.iter().map(Dimension::name).collect();
        assert_eq!(
            names,
            ["workspace_id", "model"],
            "canonical order, once each"
        );
        let s = parse(r#"{"usage_report_grouping":[]}"#).unwrap();
        assert!(s.grouping.is_empty());
    }

    #[test]
    fn analytics_settings_default_to_cost_per_api_key_and_model_per_day() {
        let s = parse("{}").unwrap();
        assert_eq!(s.analytics_width, Granularity::Day);
        assert_eq!(s.usage_analytics_grouping.to_string(), "api_key_id,model");
        assert_eq!(s.cost_analytics_grouping.to_string(), "api_key_id,model");
        let s = parse(
            r#"{"analytics_bucket_width":"1m","cost_analytics_group_by":"token_type,actor",
                "usage_analytics_group_by":[]}"#,
        )
        .unwrap();
        assert_eq!(s.analytics_width, Granularity::Minute);
        assert_eq!(s.cost_analytics_grouping.to_string(), "actor,token_type");
        assert!(s.usage_analytics_grouping.is_empty());
        assert_eq!(
            s.granularity,
            Granularity::Day,
            "the legacy width is its own"
        );
    }

    #[test]
    fn what_only_cost_groups_by_is_refused_for_usage_with_the_valid_ones() {
        let err = parse(r#"{"usage_analytics_group_by":"model,token_type"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("usage_analytics_group_by value `token_type` is not valid; use any of: actor, actor_type,")
                && err.ends_with("user_profile_id, workspace_id")
                && !err.contains("cost_type"),
            "{err}"
        );
        let err = parse(r#"{"analytics_bucket_width":"1w"}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            r#"analytics_bucket_width "1w" is not valid; use one of: 1d, 1h, 1m"#
        );
    }

    #[test]
    fn page_size_is_capped_by_the_endpoint() {
        let s = parse(r#"{"page_size":500}"#).unwrap();
        assert_eq!((s.page_size(100), s.page_size(1000)), (100, 500));
        assert_eq!(Settings::default().page_size(1000), 1000);
    }

    #[test]
    fn every_setting_of_the_wire_format_is_read_into_its_type() {
        let s = parse(
            r#"{"usage_report_granularity":"1h","usage_report_grouping":"model,workspace_id",
                "page_size":500,"start_date":"2026-01-01","lookback_hours":{"cost_report":24},
                "activities_overlap_minutes":10,"activities_exclude_types":"a,b"}"#,
        )
        .unwrap();
        assert_eq!(s.granularity, Granularity::Hour);
        assert_eq!(
            s.grouping,
            Grouping::from_iter([Dimension::WorkspaceId, Dimension::Model])
        );
        assert_eq!(s.page_size, Some(500));
        assert_eq!(
            s.start_date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2026-01-01T00:00:00+00:00")
        );
        let default = Duration::hours(48);
        assert_eq!(
            s.lookback.for_stream("cost_report", default),
            Duration::hours(24)
        );
        assert_eq!(s.lookback.for_stream("usage_report", default), default);
        assert_eq!(s.activities_overlap, Duration::minutes(10));
        assert_eq!(s.activities_exclude_types, ["a", "b"]);
    }

    #[test]
    fn lookback_validates_stream_names_against_the_given_readers() {
        let err = parse(r#"{"lookback_hours":{"admin_users":3}}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "lookback_hours names `admin_users`; it applies to: usage_report, cost_report, \
             claude_code_usage_report"
        );
        let s =
            Settings::parse(r#"{"lookback_hours":{"admin_users":3}}"#, &["admin_users"]).unwrap();
        assert_eq!(
            s.lookback.for_stream("admin_users", Duration::zero()),
            Duration::hours(3)
        );
    }

    #[test]
    fn overlap_is_minutes_up_to_a_week() {
        let s = parse(r#"{"activities_overlap_minutes":0}"#).unwrap();
        assert_eq!(s.activities_overlap, Duration::zero());
        let err = parse(r#"{"activities_overlap_minutes":10081}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "activities_overlap_minutes 10081 is not valid; use a number of minutes up to 10080"
        );
    }

    #[test]
    fn page_size_is_from_1_to_1000() {
        assert_eq!(
            parse(r#"{"page_size":1000}"#).unwrap().page_size,
            Some(1000)
        );
        let err = parse(r#"{"page_size":1001}"#).unwrap_err().to_string();
        assert_eq!(
            err,
            "page_size 1001 is not valid; use a number from 1 to 1000"
        );
    }

    #[test]
    fn a_refusal_of_the_whole_object_says_what_it_must_be() {
        assert!(matches!(parse("{"), Err(SettingError::NotJson(_))));
        assert_eq!(parse("[]").unwrap_err(), SettingError::NotAnObject);
        let err = parse(r#"{"colour":1}"#).unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown setting `colour`; the settings are: usage_report_granularity, \
             usage_report_grouping, usage_report_models, usage_report_api_key_ids, \
             usage_report_workspace_ids, usage_report_service_tiers, \
             usage_report_context_windows, usage_report_inference_geos, analytics_bucket_width, \
             usage_analytics_group_by, cost_analytics_group_by, start_date, lookback_hours, activities_overlap_minutes, \
             activities_exclude_types, page_size"
        );
    }

    #[test]
    fn a_refused_setting_is_a_configuration_error() {
        let err: crate::error::ConnectorError = parse("[]").unwrap_err().into();
        assert_eq!(
            err.to_string(),
            "invalid configuration: settings must be a JSON object"
        );
    }
}
