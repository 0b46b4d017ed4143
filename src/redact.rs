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
/// Parsing costs more than searching, so a text is only parsed when a secret
/// is really there: found by a plain search (which also finds it in every
/// string without escapes), or in one of the strings that have an escape,
/// each decoded on its own (`escaped_strings`). Most texts have few such
/// strings or none, and are neither parsed nor copied.
pub fn json_text<'t>(redactor: &Redactor, json: &'t str) -> Cow<'t, str> {
    if redactor.is_empty() || !holds_a_secret(redactor, json) {
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

/// Whether a secret is in `json` as written, or in a decoded string of it.
/// True also when a string cannot be decoded (the text is then no JSON, and
/// the caller's parse says so).
fn holds_a_secret(redactor: &Redactor, json: &str) -> bool {
    redactor.finds_secret_in(json)
        || escaped_strings(json).any(|string| match string {
            Some(literal) => serde_json::from_str::<Cow<'_, str>>(literal)
                .map_or(true, |decoded| redactor.finds_secret_in(&decoded)),
            None => true,
        })
}

/// The string literals of `json` (quotes included) that contain an escape,
/// found from their backslashes alone: in JSON a backslash is only ever inside
/// a string, and the nearest unescaped quote before it opens that string. A
/// `None` where the text is not shaped that way (it is no JSON).
fn escaped_strings(json: &str) -> impl Iterator<Item = Option<&str>> {
    let bytes = json.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        let backslash = from + json[from..].find('\\')?;
        let open = (0..backslash)
            .rev()
            .find(|&i| bytes[i] == b'"' && !is_escaped(bytes, i));
        let close = open.and_then(|_| {
            let mut i = backslash;
            while i < bytes.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => return Some(i),
                    _ => i += 1,
                }
            }
            None
        });
        match (open, close) {
            (Some(open), Some(close)) => {
                from = close + 1;
                Some(json.get(open..=close))
            }
            _ => {
                from = bytes.len();
                Some(None)
            }
        }
    })
}

/// Whether the byte at `at` is escaped: preceded by an odd run of backslashes.
fn is_escaped(bytes: &[u8], at: usize) -> bool {
    bytes[..at]
        .iter()
        .rev()
        .take_while(|b| **b == b'\\')
        .count()
        % 2
        == 1
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
    fn only_strings_with_escapes_are_decoded_each_on_its_own() {
        let json = r#"{"a":"plain","b\u0041":"x\"y","c":["\\",1],"d":"\\\"q"}"#;
        let found: Vec<Option<&str>> = escaped_strings(json).collect();
        assert_eq!(
            found,
            [
                Some(r#""b\u0041""#),
                Some(r#""x\"y""#),
                Some(r#""\\""#),
                Some(r#""\\\"q""#)
            ]
        );
        assert_eq!(
            escaped_strings(r#"no json \ here"#).collect::<Vec<_>>(),
            [None]
        );
        assert_eq!(escaped_strings(r#"{"a":"b"}"#).count(), 0);
    }

    #[test]
    fn a_key_hidden_by_escapes_anywhere_is_found_and_a_clean_text_is_not_parsed() {
        let r = redactor();
        let part = &KEY[15..];
        for hidden in [
            escaped(KEY),
            escaped(&part[..16]),
            format!("{}{}", &part[..10], escaped(&part[10..20])),
            format!("x\\n{}", escaped(&part[3..19])),
        ] {
            let json = format!(r#"{{"ok":"J\u00f6rg","k":"{hidden}"}}"#);
            assert!(holds_a_secret(&r, &json), "{json}");
            let decoded: String = serde_json::from_str(&format!(r#""{hidden}""#)).unwrap();
            let expected = serde_json::json!({"ok": "Jörg", "k": r.redact(&decoded)});
            assert_eq!(json_text(&r, &json), expected.to_string());
        }
        let fifteen = escaped(&part[..15]);
        let clean = format!(r#"{{"ok":"J\u00f6rg \"{fifteen}\"","n":[1,"\\"]}}"#);
        assert!(!holds_a_secret(&r, &clean));
        assert!(matches!(json_text(&r, &clean), Cow::Borrowed(_)));
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
                coverage: None,
                snapshot_complete: false,
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
