//! The JSON shapes several settings share.

use super::{SettingError, SettingName};
use serde_json::Value;
use std::ops::RangeInclusive;

/// A whole number within `range`; none for anything else (the caller says what to use).
pub(super) fn whole_number(value: &Value, range: RangeInclusive<u32>) -> Option<u32> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| range.contains(n))
}

/// A list of names: comma-separated text (blanks dropped) or a JSON list of texts.
pub(super) fn names(setting: SettingName, value: &Value) -> Result<Vec<String>, SettingError> {
    match value {
        Value::String(text) => Ok(text
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect()),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or(SettingError::NotNames(setting)),
        _ => Err(SettingError::NotAList(setting)),
    }
}
