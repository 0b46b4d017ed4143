//! Removing secrets from what leaves the plugin. Plain text is searched as it
//! is; JSON is searched by its decoded strings (values and object keys), since
//! the API may write a key with `\u` escapes that no plain search would see.
//! The rule itself (a whole key, or 16 characters of its secret part) is the
//! shared [`redaction`] crate's, so the host's wall applies the same one.

use crate::model::Page;
use serde_json::Value;
use std::borrow::Cow;

pub use redaction::{REDACTED, Redactor};

/// `text` with its secrets removed, reusing it when it holds none.
pub fn text(redactor: &Redactor, text: String) -> String {
    match redactor.redact(&text) {
        Cow::Owned(clean) => clean,
        Cow::Borrowed(_) => text,
    }
}

/// A JSON text with its secrets removed from every decoded string; borrowed
/// as it is when it holds none. Text that is not JSON is redacted as text.
///
/// Parsing costs more than searching, so a text is only parsed when a plain
/// search finds something or when it has an escape that could spell part of a
/// secret: `\u` always, the short escapes (`\"`, `\\`, `\/`, `\n`…) only when
/// a secret has one of the characters they stand for.
pub fn json_text<'t>(redactor: &Redactor, json: &'t str) -> Cow<'t, str> {
    if redactor.is_empty() || !may_hide_a_secret(redactor, json) {
        return Cow::Borrowed(json);
    }
    match serde_json::from_str::<Value>(json) {
        Ok(mut value) => {
            if json_value(redactor, &mut value) {
                Cow::Owned(value.to_string())
            } else {
                Cow::Borrowed(json)
            }
        }
        Err(_) => redactor.redact(json),
    }
}

fn may_hide_a_secret(redactor: &Redactor, json: &str) -> bool {
    redactor.finds_secret_in(json)
        || json.contains("\\u")
        || (json.contains('\\')
            && redactor.any_secret_char(|c| matches!(c, '"' | '\\' | '/') || c.is_control()))
}

/// Redact every string and object key of `value` in place; whether anything changed.
pub fn json_value(redactor: &Redactor, value: &mut Value) -> bool {
    match value {
        Value::String(text) => match redactor.redact(text) {
            Cow::Owned(clean) => {
                *text = clean;
                true
            }
            Cow::Borrowed(_) => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| json_value(redactor, item) | changed),
        Value::Object(map) => {
            let mut changed = map
                .values_mut()
                .fold(false, |changed, item| json_value(redactor, item) | changed);
            if map.keys().any(|k| redactor.finds_secret_in(k)) {
                // Keys cannot be renamed in place: rebuild the map, in order.
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| (redactor.redact(&k).into_owned(), v))
                    .collect();
                changed = true;
            }
            changed
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// The page with its secrets removed: every record, the state and the cursor
/// by their decoded JSON strings, and the warnings as text. This is the one
/// place every stream's records pass through on their way out.
pub fn page(redactor: &Redactor, mut page: Page) -> Page {
    if redactor.is_empty() {
        return page;
    }
    let clean_json = |text: &mut String| {
        if let Cow::Owned(clean) = json_text(redactor, text) {
            *text = clean;
        }
    };
    page.records.iter_mut().for_each(clean_json);
    page.state_json.iter_mut().for_each(clean_json);
    page.next_cursor.iter_mut().for_each(clean_json);
    for warning in &mut page.warnings {
        if let Cow::Owned(clean) = redactor.redact(warning) {
            *warning = clean;
        }
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-ant-admin01-ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3";

    /// `text` with every character written as a `\u` escape.
    fn escaped(text: &str) -> String {
        text.chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect()
    }

    fn redactor() -> Redactor {
        Redactor::new([KEY])
    }

    #[test]
    fn a_key_written_with_escapes_is_found_in_values_and_keys() {
        let json = format!(
            r#"{{"id":"u1","name":"{}","tags":["a","{}"],"{}":1}}"#,
            escaped(KEY),
            escaped(&KEY[20..]),
            escaped(KEY)
        );
        assert_eq!(
            json_text(&redactor(), &json),
            r#"{"id":"u1","name":"[REDACTED]","tags":["a","[REDACTED]"],"[REDACTED]":1}"#
        );
    }

    #[test]
    fn clean_json_is_returned_as_it_is_even_with_escapes() {
        let json = r#"{"name":"J\u00f6rg",  "note":"line\nbreak"}"#;
        assert!(matches!(json_text(&redactor(), json), Cow::Borrowed(j) if j == json));
    }

    #[test]
    fn text_that_is_not_json_is_redacted_as_text() {
        assert_eq!(
            json_text(&redactor(), &format!("oops {KEY}")),
            "oops [REDACTED]"
        );
    }

    #[test]
    fn a_page_is_clean_in_its_records_state_cursor_and_warnings() {
        let clean = page(
            &redactor(),
            Page {
                records: vec![
                    r#"{"id":"a"}"#.into(),
                    format!(r#"{{"id":"b","name":"{}"}}"#, escaped(KEY)),
                ],
                state_json: Some(format!(r#"{{"w":"{}"}}"#, escaped(&KEY[15..]))),
                next_cursor: Some(KEY[15..].to_owned()),
                warnings: vec![format!("saw {KEY}")],
            },
        );
        assert_eq!(
            clean.records,
            vec![r#"{"id":"a"}"#, r#"{"id":"b","name":"[REDACTED]"}"#]
        );
        assert_eq!(clean.state_json.as_deref(), Some(r#"{"w":"[REDACTED]"}"#));
        assert_eq!(clean.next_cursor.as_deref(), Some("[REDACTED]"));
        assert_eq!(clean.warnings, vec!["saw [REDACTED]"]);
    }
}
