//! Text from outside (typed by a user, sent by a server, written by the
//! plugin) made safe to echo on a terminal or in one log line: control
//! characters (escape sequences, carriage returns, newlines) are shown
//! escaped, the way Rust's `escape_debug` writes them, and nothing else changes.

use std::borrow::Cow;

/// `text` with every control character escaped (`\u{1b}`, `\r`, `\n`, `\t`).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_debug());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_is_kept() {
        assert_eq!(
            printable("admin\u{1b}[2J_users\r\nx\t"),
            "admin\\u{1b}[2J_users\\r\\nx\\t"
        );
        assert!(matches!(printable("plain “text” é"), Cow::Borrowed(_)));
        assert_eq!(printable("a\\b"), "a\\b", "backslashes are not doubled");
    }
}
