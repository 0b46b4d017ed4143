//! What is secret in an Anthropic key, and what looks like one.

use crate::FRAGMENT_LEN;

/// The public start every Anthropic key shares; the key's kind and version
/// follow up to the next `-` (`sk-ant-admin01-`, `sk-ant-api01-`).
const KEY_START: &str = "sk-ant-";

/// The part of a key that is secret: what follows its public prefix
/// (`sk-ant-admin01-…` → `…`); the whole value when it has no such prefix.
pub fn secret_part(key: &str) -> &str {
    key.strip_prefix(KEY_START)
        .and_then(|rest| rest.split_once('-'))
        .map_or(key, |(_, tail)| tail)
}

/// Whether `text` is, by its shape, an Anthropic key (say, pasted where a file
/// path was expected): the public prefix, then at least [`FRAGMENT_LEN`]
/// characters of the key alphabet.
pub fn looks_like_key(text: &str) -> bool {
    let text = text.trim();
    let tail = secret_part(text);
    text.starts_with(KEY_START)
        && tail.len() >= FRAGMENT_LEN
        && tail
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_part_follows_the_kind_and_version() {
        assert_eq!(secret_part("sk-ant-admin01-abc-def"), "abc-def");
        assert_eq!(secret_part("sk-ant-api01-xyz"), "xyz");
        assert_eq!(secret_part("plain-token"), "plain-token");
        assert_eq!(secret_part("sk-ant-"), "sk-ant-");
    }

    #[test]
    fn keys_look_like_keys_and_paths_do_not() {
        assert!(looks_like_key(
            "sk-ant-admin01-ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3"
        ));
        assert!(looks_like_key(" sk-ant-api01-0123456789abcdef_- "));
        assert!(!looks_like_key("keys.env"));
        assert!(!looks_like_key("/home/me/sk-ant-admin01-keys.env"));
        assert!(!looks_like_key("sk-ant-admin01-prod.env"));
        assert!(!looks_like_key("sk-ant-admin01-short"));
    }
}
