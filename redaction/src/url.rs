//! Credentials written into a URL (`https://user:password@host`): found, and
//! kept out of any message that shows the URL.

use crate::REDACTED;
use std::borrow::Cow;
use std::ops::Range;

/// Where the user-info (`user:password`) of `url`'s authority is, if it has one.
fn user_info(url: &str) -> Option<Range<usize>> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority_len = url[start..]
        .find(['/', '?', '#'])
        .unwrap_or(url.len() - start);
    let authority = &url[start..start + authority_len];
    authority.rfind('@').map(|at| start..start + at)
}

/// Whether `url` carries credentials (`user@` or `user:password@`).
pub fn has_credentials(url: &str) -> bool {
    user_info(url).is_some()
}

/// `url` as it may be shown: its user-info, if any, replaced by [`REDACTED`].
pub fn without_credentials(url: &str) -> Cow<'_, str> {
    match user_info(url) {
        Some(range) => {
            let mut shown = url.to_owned();
            shown.replace_range(range, REDACTED);
            Cow::Owned(shown)
        }
        None => Cow::Borrowed(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_found_in_the_authority_only() {
        assert!(has_credentials("https://u:p@api.anthropic.com"));
        assert!(has_credentials("http://user@127.0.0.1:8080/v1"));
        assert!(has_credentials("u:p@host/path"));
        assert!(!has_credentials("https://api.anthropic.com/v1/a@b"));
        assert!(!has_credentials("https://api.anthropic.com?x=a@b"));
    }

    #[test]
    fn the_shown_url_keeps_everything_but_the_credentials() {
        assert_eq!(
            without_credentials("https://me:hunter2@x.example:8443/v1?q=1"),
            "https://[REDACTED]@x.example:8443/v1?q=1"
        );
        assert_eq!(
            without_credentials("https://a:b@c@x.example"),
            "https://[REDACTED]@x.example"
        );
        assert_eq!(
            without_credentials("https://x.example/a@b"),
            "https://x.example/a@b"
        );
    }
}
