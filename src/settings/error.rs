//! Why a settings object is refused. Every refusal names the bad value and
//! what would be valid, for the person fixing the configuration.

use super::{Named, SettingName};
use crate::error::ConnectorError;
use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingError {
    #[error("settings are not valid JSON: {0}")]
    NotJson(String),
    #[error("settings must be a JSON object")]
    NotAnObject,
    #[error("unknown setting `{0}`; the settings are: {settings}", settings = SettingName::listed())]
    UnknownSetting(String),
    /// A value of the wrong kind, out of range or not one of the allowed names.
    #[error("{} {value} is not valid; use {expected}", .setting.name())]
    InvalidValue {
        setting: SettingName,
        value: Value,
        expected: String,
    },
    /// One item of a list setting is not one of the allowed names.
    #[error("{} value `{item}` is not valid; use any of: {allowed}", .setting.name())]
    InvalidItem {
        setting: SettingName,
        item: String,
        allowed: String,
    },
    #[error("{} must be a list of names", .0.name())]
    NotNames(SettingName),
    #[error("{} must be a comma-separated text or a list", .0.name())]
    NotAList(SettingName),
    /// A start date after the moment of the read.
    #[error(
        "{} {value} is in the future (now is {now}); use a date up to today, or leave it unset",
        SettingName::StartDate.name()
    )]
    StartDateInFuture { value: Value, now: String },
    /// A per-stream value names a stream that does not read the setting.
    #[error("{} names `{stream}`; it applies to: {readers}", .setting.name())]
    NotReadBy {
        setting: SettingName,
        stream: String,
        readers: String,
    },
}

impl SettingError {
    pub(super) fn invalid_value(
        setting: SettingName,
        value: &Value,
        expected: impl Into<String>,
    ) -> Self {
        Self::InvalidValue {
            setting,
            value: value.clone(),
            expected: expected.into(),
        }
    }
}

/// Wrong settings are the configuration's to fix.
impl From<SettingError> for ConnectorError {
    fn from(error: SettingError) -> Self {
        ConnectorError::InvalidConfig(error.to_string())
    }
}
