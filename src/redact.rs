//! Removing secrets from text before it leaves the plugin.

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with every occurrence of each non-empty secret replaced by [`REDACTED`].
pub fn redact(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |acc, s| acc.replace(s, REDACTED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_every_occurrence_and_ignores_empty_secrets() {
        assert_eq!(
            redact("a sk-1 b sk-1 c", &["sk-1", ""]),
            "a [REDACTED] b [REDACTED] c"
        );
    }
}
