//! Sync settings: declared in the manifest, passed to every read as a JSON
//! object, and refused with the valid values when wrong.

use crate::error::{ConnectorError, Result};
use crate::model::Setting;
use serde_json::Value;

pub const GRANULARITY: &str = "usage_report_granularity";
pub const GROUPING: &str = "usage_report_grouping";
pub const PAGE_SIZE: &str = "page_size";
pub const START_DATE: &str = "start_date";
pub const ACTIVITIES_OVERLAP: &str = "activities_overlap_minutes";
pub const ACTIVITIES_EXCLUDE: &str = "activities_exclude_types";
pub const LOOKBACK_HOURS: &str = "lookback_hours";

/// Every setting name, for messages.
const NAMES: [&str; 7] = [
    GRANULARITY,
    GROUPING,
    PAGE_SIZE,
    START_DATE,
    LOOKBACK_HOURS,
    ACTIVITIES_OVERLAP,
    ACTIVITIES_EXCLUDE,
];

/// The streams whose re-read window `lookback_hours` sets.
pub const REPORT_STREAMS: [&str; 3] = ["usage_report", "cost_report", "claude_code_usage_report"];

pub const GRANULARITIES: [&str; 3] = ["1d", "1h", "1m"];
pub const GROUPING_DIMENSIONS: [&str; 8] = [
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "account_id",
    "service_account_id",
];
pub const DEFAULT_GROUPING: [&str; 4] = ["api_key_id", "workspace_id", "model", "service_tier"];

/// Parsed, validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Bucket width of `usage_report` (and of `cost_report`, which falls back to `1d`).
    pub granularity: String,
    /// `group_by[]` of `usage_report`; empty means one aggregate row per bucket.
    pub grouping: Vec<String>,
    /// Items per request; none means each endpoint's maximum.
    pub page_size: Option<u32>,
    /// Where an incremental stream's first run starts (none: the stream's default).
    pub start_date: Option<chrono::DateTime<chrono::Utc>>,
    /// How far before its watermark an activities run starts again (late events).
    pub activities_overlap_minutes: u32,
    /// Activity types left out of the feed (`exclude_activity_types[]`).
    pub activities_exclude_types: Vec<String>,
    /// Lookback of the reports, in hours, per stream (absent: the stream's default).
    pub lookback_hours: std::collections::BTreeMap<String, u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            granularity: GRANULARITIES[0].to_owned(),
            grouping: DEFAULT_GROUPING.iter().map(|s| (*s).to_owned()).collect(),
            page_size: None,
            start_date: None,
            activities_overlap_minutes: 10,
            activities_exclude_types: Vec::new(),
            lookback_hours: Default::default(),
        }
    }
}

impl Settings {
    /// Parse the settings object of a read request (`{}` or empty text for defaults).
    pub fn parse(json: &str) -> Result<Self> {
        let mut settings = Self::default();
        if json.trim().is_empty() {
            return Ok(settings);
        }
        let value: Value = serde_json::from_str(json)
            .map_err(|e| invalid(format!("settings are not valid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(invalid("settings must be a JSON object".into()));
        };
        for (name, value) in map {
            match name.as_str() {
                GRANULARITY => settings.granularity = parse_granularity(&value)?,
                GROUPING => settings.grouping = parse_grouping(&value)?,
                PAGE_SIZE => settings.page_size = Some(parse_page_size(&value)?),
                START_DATE => settings.start_date = Some(parse_start_date(&value)?),
                ACTIVITIES_OVERLAP => {
                    settings.activities_overlap_minutes = value
                        .as_u64()
                        .filter(|m| *m <= 7 * 24 * 60)
                        .map(|m| m as u32)
                        .ok_or_else(|| invalid(format!("{ACTIVITIES_OVERLAP} {value} is not valid; use a number of minutes up to 10080")))?;
                }
                LOOKBACK_HOURS => settings.lookback_hours = parse_lookback(&value)?,
                ACTIVITIES_EXCLUDE => {
                    settings.activities_exclude_types = parse_list(ACTIVITIES_EXCLUDE, &value)?
                }
                other => {
                    return Err(invalid(format!(
                        "unknown setting `{other}`; the settings are: {}",
                        NAMES.join(", ")
                    )));
                }
            }
        }
        Ok(settings)
    }

    /// The lookback of a report stream: the setting, or `default_hours`.
    pub fn lookback(&self, stream: &str, default_hours: u32) -> chrono::Duration {
        chrono::Duration::hours(i64::from(
            self.lookback_hours
                .get(stream)
                .copied()
                .unwrap_or(default_hours),
        ))
    }

    /// The `limit` to send to an endpoint whose maximum is `max`.
    pub fn page_size(&self, max: u32) -> u32 {
        self.page_size.map_or(max, |p| p.min(max))
    }
}

fn invalid(message: String) -> ConnectorError {
    ConnectorError::InvalidConfig(message)
}

fn parse_granularity(value: &Value) -> Result<String> {
    match value.as_str() {
        Some(g) if GRANULARITIES.contains(&g) => Ok(g.to_owned()),
        _ => Err(invalid(format!(
            "{GRANULARITY} {value} is not valid; use one of: {}",
            GRANULARITIES.join(", ")
        ))),
    }
}

/// A list setting: comma-separated text or a JSON list of texts.
fn parse_list(name: &str, value: &Value) -> Result<Vec<String>> {
    match value {
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| invalid(format!("{name} must be a list of names"))),
        _ => Err(invalid(format!(
            "{name} must be a comma-separated text or a list"
        ))),
    }
}

/// A number of hours for every report, or an object of hours per report stream.
fn parse_lookback(value: &Value) -> Result<std::collections::BTreeMap<String, u32>> {
    let hours = |v: &Value| {
        v.as_u64()
            .filter(|h| *h <= 24 * 366)
            .map(|h| h as u32)
            .ok_or_else(|| {
                invalid(format!(
                    "{LOOKBACK_HOURS} {v} is not valid; use a number of hours up to 8784"
                ))
            })
    };
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(stream, v)| {
                if REPORT_STREAMS.contains(&stream.as_str()) {
                    Ok((stream.clone(), hours(v)?))
                } else {
                    Err(invalid(format!(
                        "{LOOKBACK_HOURS} names `{stream}`; it applies to: {}",
                        REPORT_STREAMS.join(", ")
                    )))
                }
            })
            .collect(),
        v => {
            let h = hours(v)?;
            Ok(REPORT_STREAMS
                .iter()
                .map(|s| ((*s).to_owned(), h))
                .collect())
        }
    }
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp.
fn parse_start_date(value: &Value) -> Result<chrono::DateTime<chrono::Utc>> {
    let text = value.as_str().unwrap_or_default();
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
        .map_err(|_| {
            invalid(format!(
                "{START_DATE} {value} is not valid; use YYYY-MM-DD or an RFC 3339 timestamp"
            ))
        })
}

fn parse_grouping(value: &Value) -> Result<Vec<String>> {
    let items = parse_list(GROUPING, value)?;
    let mut grouping: Vec<String> = Vec::new();
    for item in items {
        if !GROUPING_DIMENSIONS.contains(&item.as_str()) {
            return Err(invalid(format!(
                "{GROUPING} value `{item}` is not valid; use any of: {}",
                GROUPING_DIMENSIONS.join(", ")
            )));
        }
        if !grouping.contains(&item) {
            grouping.push(item);
        }
    }
    Ok(grouping)
}

fn parse_page_size(value: &Value) -> Result<u32> {
    value
        .as_u64()
        .filter(|n| (1..=1000).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| {
            invalid(format!(
                "{PAGE_SIZE} {value} is not valid; use a number from 1 to 1000"
            ))
        })
}

/// The settings as the manifest declares them.
pub fn declared() -> Vec<Setting> {
    let reports = vec!["usage_report".to_owned(), "cost_report".to_owned()];
    vec![
        Setting {
            name: GRANULARITY.into(),
            label: "Usage report — granularity".into(),
            description: "Time bucket size: 1d (recommended), 1h (24× the rows) or 1m (1,440× the \
                          rows). cost_report shares it; the API serves cost per day only, so a \
                          finer setting falls back to 1d for cost, with a warning."
                .into(),
            default_value: GRANULARITIES[0].into(),
            allowed_values: GRANULARITIES.iter().map(|s| (*s).to_owned()).collect(),
            multiple: false,
            applies_to: reports,
        },
        Setting {
            name: GROUPING.into(),
            label: "Usage report — grouping".into(),
            description: "Dimensions to group usage by. Each one multiplies the row count; empty \
                          gives one aggregate row per time bucket."
                .into(),
            default_value: DEFAULT_GROUPING.join(","),
            allowed_values: GROUPING_DIMENSIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            multiple: true,
            applies_to: vec!["usage_report".into()],
        },
        Setting {
            name: START_DATE.into(),
            label: "Start date".into(),
            description: "Where the first run of an incremental stream starts (YYYY-MM-DD or \
                          RFC 3339). Activities default to the whole feed, the reports to 30 days back."
                .into(),
            default_value: String::new(),
            allowed_values: Vec::new(),
            multiple: false,
            applies_to: vec![
                "activities".into(),
                "usage_report".into(),
                "cost_report".into(),
                "claude_code_usage_report".into(),
            ],
        },
        Setting {
            name: LOOKBACK_HOURS.into(),
            label: "Reports — lookback (hours)".into(),
            description: "Incremental report runs re-read this far before their watermark, since \
                          recent buckets are revised. A number for every report, or an object per \
                          stream. Defaults: usage and cost 6 h at 1h/1m and 48 h at 1d; Claude Code 48 h."
                .into(),
            default_value: String::new(),
            allowed_values: Vec::new(),
            multiple: false,
            applies_to: REPORT_STREAMS.iter().map(|s| (*s).to_owned()).collect(),
        },
        Setting {
            name: ACTIVITIES_OVERLAP.into(),
            label: "Activities — overlap (minutes)".into(),
            description: "Each incremental run re-reads this many minutes before its watermark, \
                          because activities can be indexed late. Rows are upserted by id."
                .into(),
            default_value: "10".into(),
            allowed_values: Vec::new(),
            multiple: false,
            applies_to: vec!["activities".into()],
        },
        Setting {
            name: ACTIVITIES_EXCLUDE.into(),
            label: "Activities — excluded types".into(),
            description: "Activity types to leave out, e.g. compliance_api_accessed (every \
                          Compliance API call, this connector's included, is logged as one)."
                .into(),
            default_value: String::new(),
            allowed_values: Vec::new(),
            multiple: true,
            applies_to: vec!["activities".into()],
        },
        Setting {
            name: PAGE_SIZE.into(),
            label: "Page size".into(),
            description: "Items per request, 1 to 1000, capped by each endpoint's own maximum. \
                          Defaults to that maximum (fewest requests)."
                .into(),
            default_value: String::new(),
            allowed_values: Vec::new(),
            multiple: false,
            applies_to: crate::streams::all().map(|s| s.name.to_owned()).collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_defaults() {
        assert_eq!(Settings::parse("").unwrap(), Settings::default());
        assert_eq!(Settings::parse("{}").unwrap().grouping, DEFAULT_GROUPING);
    }

    #[test]
    fn bad_values_are_refused_with_the_valid_ones() {
        let err = Settings::parse(r#"{"usage_report_granularity":"2h"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("1d, 1h, 1m"), "{err}");
        let err = Settings::parse(r#"{"usage_report_grouping":"model,colour"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`colour`") && err.contains("service_account_id"),
            "{err}"
        );
        let err = Settings::parse(r#"{"granularity":"1d"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown setting `granularity`"), "{err}");
        assert!(Settings::parse(r#"{"page_size":0}"#).is_err());
    }

    #[test]
    fn grouping_accepts_text_or_list_and_may_be_empty() {
        let s =
            Settings::parse(r#"{"usage_report_grouping":"model, model ,workspace_id"}"#).unwrap();
        assert_eq!(s.grouping, ["model", "workspace_id"]);
        let s = Settings::parse(r#"{"usage_report_grouping":[]}"#).unwrap();
        assert!(s.grouping.is_empty());
    }

    #[test]
    fn page_size_is_capped_by_the_endpoint() {
        let s = Settings::parse(r#"{"page_size":500}"#).unwrap();
        assert_eq!((s.page_size(100), s.page_size(1000)), (100, 500));
        assert_eq!(Settings::default().page_size(1000), 1000);
    }
}
