//! Keeping a connection's secrets out of text: the rule the plugin (records,
//! headers, errors) and the host (logs, errors, reports) both apply, so the two
//! walls cannot drift apart.
//!
//! A secret rarely leaks whole: a message cuts it, a server echoes part of it,
//! a log line wraps it. So besides the whole value, any run of
//! [`FRAGMENT_LEN`] or more characters of its secret part (what follows an
//! Anthropic key's public prefix, see [`secret_part`]) is replaced too. A run
//! longer than a window is covered by overlapping windows and replaced as one.
//! A secret part shorter than [`FRAGMENT_LEN`] is too short to tell from
//! ordinary text, so only the whole value is looked for then.

mod key;
mod url;
mod window_index;

pub use key::{looks_like_key, secret_part};
pub use url::{has_credentials, without_credentials};
pub use window_index::FRAGMENT_LEN;

use std::borrow::Cow;
use std::ops::Range;
use window_index::WindowIndex;

/// What a secret, or a fragment of one, is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// The secrets of one connection, ready to be looked for in any text.
pub struct Redactor {
    /// Every non-empty secret, whole.
    whole: Vec<String>,
    /// For each of them, whether its secret part has fragments. One that has
    /// shows a fragment wherever it occurs whole, so a text without fragments
    /// needs no search for it; one that has none is always searched for.
    has_fragments: Vec<bool>,
    /// The fragments of their secret parts; none when every part is short.
    fragments: Option<WindowIndex>,
}

impl Redactor {
    /// A redactor for these secrets (surrounding blanks ignored, empty ones skipped).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let whole: Vec<String> = secrets
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let parts = whole.iter().map(|s| secret_part(s).into()).collect();
        let has_fragments = whole
            .iter()
            .map(|s| secret_part(s).len() >= FRAGMENT_LEN)
            .collect();
        Self {
            fragments: WindowIndex::new(parts),
            has_fragments,
            whole,
        }
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.whole.is_empty()
    }

    /// Whether any secret has a character matching `test` (e.g. one that a
    /// text format would write escaped, hiding the secret from a plain search).
    pub fn any_secret_char(&self, test: impl Fn(char) -> bool) -> bool {
        self.whole.iter().any(|s| s.chars().any(&test))
    }

    /// Whether `text` holds a secret or a fragment of one.
    pub fn finds_secret_in(&self, text: &str) -> bool {
        !self.ranges(text).is_empty()
    }

    /// `text` with every secret and every fragment of one replaced by
    /// [`REDACTED`]; borrowed as it is when there is none.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let ranges = self.ranges(text);
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut clean = String::with_capacity(text.len());
        let mut kept_from = 0;
        for range in ranges {
            clean.push_str(&text[kept_from..range.start]);
            clean.push_str(REDACTED);
            kept_from = range.end;
        }
        clean.push_str(&text[kept_from..]);
        Cow::Owned(clean)
    }

    /// The byte ranges to replace: every match, overlapping or touching ones
    /// merged, widened to character boundaries; in order.
    fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        let mut found: Vec<Range<usize>> = Vec::new();
        if let Some(fragments) = &self.fragments {
            fragments.find(text.as_bytes(), &mut found);
        }
        let any_fragment = !found.is_empty();
        for (secret, has_fragments) in self.whole.iter().zip(&self.has_fragments) {
            if *has_fragments && !any_fragment {
                continue;
            }
            found.extend(
                text.match_indices(secret.as_str())
                    .map(|(at, s)| at..at + s.len()),
            );
        }
        if found.is_empty() {
            return found;
        }
        found.sort_unstable_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(found.len());
        for range in found {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        for range in &mut merged {
            while !text.is_char_boundary(range.start) {
                range.start -= 1;
            }
            while !text.is_char_boundary(range.end) {
                range.end += 1;
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-ant-admin01-ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3";

    fn redact(text: &str) -> String {
        Redactor::new([KEY, "", "  "]).redact(text).into_owned()
    }

    #[test]
    fn a_whole_key_is_replaced_as_one() {
        assert_eq!(
            redact(&format!("a {KEY} b {KEY}")),
            "a [REDACTED] b [REDACTED]"
        );
    }

    #[test]
    fn the_tail_after_the_prefix_is_replaced() {
        assert_eq!(
            redact("tail=ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3."),
            "tail=[REDACTED]."
        );
    }

    #[test]
    fn any_sixteen_characters_of_the_secret_part_are_replaced_and_fifteen_are_not() {
        let part = secret_part(KEY);
        for start in 0..=part.len() - FRAGMENT_LEN {
            let fragment = &part[start..start + FRAGMENT_LEN];
            assert_eq!(
                redact(&format!("<{fragment}>")),
                "<[REDACTED]>",
                "{fragment}"
            );
        }
        let fifteen = &part[3..3 + FRAGMENT_LEN - 1];
        assert_eq!(redact(fifteen), fifteen);
    }

    #[test]
    fn a_long_fragment_leaves_no_piece_behind() {
        let part = secret_part(KEY);
        let cut = &part[5..part.len() - 2];
        assert_eq!(redact(&format!("x{cut}y")), "x[REDACTED]y");
    }

    #[test]
    fn the_public_prefix_alone_is_not_secret() {
        assert_eq!(
            redact("keys start with sk-ant-admin01-"),
            "keys start with sk-ant-admin01-"
        );
    }

    #[test]
    fn text_without_a_secret_is_borrowed() {
        let r = Redactor::new([KEY]);
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
        assert!(!r.finds_secret_in("nothing here"));
        assert!(Redactor::new([""]).is_empty());
    }

    #[test]
    fn short_and_long_secrets_together_are_each_found_whole() {
        let r = Redactor::new([KEY, "sk-1"]);
        assert_eq!(r.redact("a sk-1 b"), "a [REDACTED] b");
        assert_eq!(
            r.redact(&format!("{KEY}/sk-1/{KEY}")),
            "[REDACTED]/[REDACTED]/[REDACTED]"
        );
        let sixteen = "sk-ant-api01-0123456789abcdef";
        assert_eq!(
            Redactor::new([sixteen]).redact(&format!("<{sixteen}>")),
            "<[REDACTED]>",
            "a secret part of exactly one fragment takes its prefix with it"
        );
    }

    #[test]
    fn short_secrets_are_matched_whole_only() {
        let r = Redactor::new(["sk-1"]);
        assert_eq!(r.redact("a sk-1 b sk-1 c"), "a [REDACTED] b [REDACTED] c");
        assert_eq!(r.redact("sk-"), "sk-");
    }

    #[test]
    fn multibyte_text_around_a_fragment_stays_valid() {
        let part = secret_part(KEY);
        let text = format!("é{}ü", &part[..20]);
        assert_eq!(redact(&text), "é[REDACTED]ü");
    }
}
