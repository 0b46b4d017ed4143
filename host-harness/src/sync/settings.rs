//! The run's settings, refused once and up front rather than by every stream
//! in turn. The host checks what the manifest declares (the names, and the
//! values of settings with a fixed set of them) before any stream runs; the
//! rest (dates, numbers, per-stream objects) only the plugin can judge, and it
//! does on the first read of a run, so a refusal there that names a setting
//! stops the run too. A setting none of the run's streams reads is a warning.
//! Refusals are worded as the plugin words its own, whichever side refuses.

use crate::printable::printable;
use crate::runtime::CallError;
use crate::runtime::model::{PluginError, Setting};
use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingsError {
    #[error("the settings must be a JSON object: {0}")]
    NotAnObject(String),
    #[error("unknown setting `{}`; the settings are: {known}", printable(.name))]
    Unknown { name: String, known: String },
    #[error("{name} {} is not valid; use one of: {allowed}", printable(.value))]
    NotAllowed {
        name: String,
        value: String,
        allowed: String,
    },
    #[error("{name} value `{}` is not valid; use any of: {allowed}", printable(.item))]
    ItemNotAllowed {
        name: String,
        item: String,
        allowed: String,
    },
    /// The plugin refused a value the manifest cannot describe.
    #[error("the plugin refused the settings: {}", printable(.0))]
    Refused(String),
}

/// The settings of a run, checked against the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSettings {
    /// The names given, in order.
    given: Vec<String>,
    /// Settings given that none of the run's streams reads.
    pub warnings: Vec<String>,
}

impl RunSettings {
    /// Check `settings_json` against the `declared` settings, for a run of `streams`.
    pub fn check(
        settings_json: &str,
        declared: &[Setting],
        streams: &[&str],
    ) -> Result<Self, SettingsError> {
        let map = match serde_json::from_str::<Value>(settings_json) {
            Ok(Value::Object(map)) => map,
            Ok(other) => return Err(SettingsError::NotAnObject(format!("got {other}"))),
            Err(error) => return Err(SettingsError::NotAnObject(error.to_string())),
        };
        let mut warnings = Vec::new();
        for (name, value) in &map {
            let setting = declared.iter().find(|s| &s.name == name).ok_or_else(|| {
                SettingsError::Unknown {
                    name: name.clone(),
                    known: declared
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            check_value(setting, value)?;
            if !setting
                .applies_to
                .iter()
                .any(|s| streams.contains(&s.as_str()))
            {
                warnings.push(format!(
                    "setting {name} has no effect on this run: it applies to {}, none of which \
                     is synced",
                    setting.applies_to.join(", ")
                ));
            }
        }
        Ok(Self {
            given: map.keys().cloned().collect(),
            warnings,
        })
    }

    /// The plugin's refusal of a read, when it is a refusal of these
    /// settings: a configuration error naming one of them. The plugin parses
    /// the settings before anything else on every read, so such a refusal
    /// comes on a stream's first read, and would come on every stream's.
    pub fn refusal(&self, error: &CallError) -> Option<SettingsError> {
        let PluginError::InvalidConfig(message) = &error.as_plugin()?.0 else {
            return None;
        };
        self.given
            .iter()
            .any(|name| names_word(message, name))
            .then(|| SettingsError::Refused(message.clone()))
    }
}

/// Check a value against the names a setting allows (when it has a fixed
/// set). Shapes only the plugin reads (a number for a name) are its to refuse.
fn check_value(setting: &Setting, value: &Value) -> Result<(), SettingsError> {
    if setting.allowed_values.is_empty() {
        return Ok(());
    }
    let allowed = |item: &str| setting.allowed_values.iter().any(|a| a == item);
    let listed = || setting.allowed_values.join(", ");
    if !setting.multiple {
        return match value.as_str() {
            Some(text) if allowed(text) => Ok(()),
            _ => Err(SettingsError::NotAllowed {
                name: setting.name.clone(),
                value: value.to_string(),
                allowed: listed(),
            }),
        };
    }
    // Several names: comma-separated text (blanks dropped) or a list of texts.
    let items: Vec<&str> = match value {
        Value::String(text) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    match items.into_iter().find(|item| !allowed(item)) {
        Some(item) => Err(SettingsError::ItemNotAllowed {
            name: setting.name.clone(),
            item: item.to_owned(),
            allowed: listed(),
        }),
        None => Ok(()),
    }
}

/// Whether `text` names `word` as a whole word (setting names are snake_case).
fn names_word(text: &str, word: &str) -> bool {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::PluginFailure;

    fn setting(name: &str, allowed: &[&str], multiple: bool, applies_to: &[&str]) -> Setting {
        Setting {
            name: name.into(),
            label: String::new(),
            description: String::new(),
            default_value: String::new(),
            allowed_values: allowed.iter().map(|a| (*a).to_owned()).collect(),
            multiple,
            applies_to: applies_to.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    fn declared() -> Vec<Setting> {
        vec![
            setting(
                "usage_report_granularity",
                &["1d", "1h", "1m"],
                false,
                &["usage_report", "cost_report"],
            ),
            setting(
                "usage_report_grouping",
                &["model", "workspace_id"],
                true,
                &["usage_report"],
            ),
            setting("start_date", &[], false, &["activities", "usage_report"]),
            setting("page_size", &[], false, &["admin_users", "usage_report"]),
        ]
    }

    fn check(json: &str, streams: &[&str]) -> Result<RunSettings, SettingsError> {
        RunSettings::check(json, &declared(), streams)
    }

    #[test]
    fn names_and_enumerated_values_are_refused_with_the_valid_ones() {
        let err = check(r#"{"usage_report_granularity":"2h"}"#, &["usage_report"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"usage_report_granularity "2h" is not valid; use one of: 1d, 1h, 1m"#
        );
        let err = check(
            r#"{"usage_report_grouping":"model, colour"}"#,
            &["usage_report"],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "usage_report_grouping value `colour` is not valid; use any of: model, workspace_id"
        );
        let err = check(
            r#"{"usage_report_grouping":["model","colour"]}"#,
            &["usage_report"],
        )
        .unwrap_err();
        assert!(matches!(err, SettingsError::ItemNotAllowed { item, .. } if item == "colour"));
        let err = check(r#"{"granularity\u001b[2J":"1d"}"#, &["usage_report"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown setting `granularity\\u{1b}[2J`; the settings are: usage_report_granularity, \
             usage_report_grouping, start_date, page_size"
        );
        assert!(matches!(
            check("[]", &[]),
            Err(SettingsError::NotAnObject(_))
        ));
    }

    #[test]
    fn good_settings_pass_and_free_values_are_left_to_the_plugin() {
        let run = check(
            r#"{"usage_report_granularity":"1h","usage_report_grouping":"model,,workspace_id",
                "start_date":"whenever","page_size":7}"#,
            &["usage_report"],
        )
        .unwrap();
        assert!(run.warnings.is_empty(), "{:?}", run.warnings);
        assert!(check(r#"{"usage_report_grouping":""}"#, &["usage_report"]).is_ok());
    }

    #[test]
    fn a_setting_no_stream_of_the_run_reads_is_a_warning() {
        let run = check(
            r#"{"usage_report_granularity":"1h","page_size":10}"#,
            &["admin_users"],
        )
        .unwrap();
        assert_eq!(
            run.warnings,
            [
                "setting usage_report_granularity has no effect on this run: it applies to \
              usage_report, cost_report, none of which is synced"
            ]
        );
    }

    #[test]
    fn only_a_configuration_error_naming_a_given_setting_is_a_refusal_of_the_settings() {
        let run = check(r#"{"start_date":"2026-13-01"}"#, &["activities"]).unwrap();
        let refused = |error: PluginError| run.refusal(&CallError::Plugin(PluginFailure(error)));
        assert_eq!(
            refused(PluginError::InvalidConfig(
                "start_date \"2026-13-01\" is not valid; use a date".into()
            )),
            Some(SettingsError::Refused(
                "start_date \"2026-13-01\" is not valid; use a date".into()
            ))
        );
        assert_eq!(
            refused(PluginError::InvalidConfig(
                "the saved activities state is unreadable; reset the stream".into()
            )),
            None
        );
        assert_eq!(
            refused(PluginError::InvalidConfig("my_start_date_x is odd".into())),
            None
        );
        assert_eq!(
            refused(PluginError::Upstream("start_date is odd".into())),
            None
        );
    }
}
