//! The path check of the request functions: the heart of their promise that a
//! call reaches the intended path on the connection's base URL and nothing else.
//!
//! The path is normalised the way a server would read it, and refused when
//! anything could make it mean another path or another host: a scheme or
//! authority, `//`, backslashes, `.`/`..` segments (plain or percent-encoded,
//! also double-encoded), encoded separators, a query or fragment, control
//! characters, whitespace, and every non-ASCII character (look-alikes of `/`
//! and `.` among them). Only RFC 3986 unreserved characters survive.

use crate::error::ConnectorError;

/// The only prefix the compliance function accepts.
pub const COMPLIANCE_PREFIX: &str = "/v1/compliance/";

/// A checked path: safe to append to the base URL as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafePath(String);

impl SafePath {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn refuse(path: &str, why: &str) -> ConnectorError {
    let shown: String = path
        .chars()
        .take(120)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    ConnectorError::InvalidConfig(format!("path `{shown}` refused: {why}"))
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Decode `%XX` escapes once. Escapes of anything but a letter, digit, `-`,
/// `_` or `~` are refused (that is how encoded dots, slashes, backslashes,
/// percent signs, i.e. double encoding, and control characters are caught).
fn decode_segment(original: &str, segment: &str) -> Result<String, ConnectorError> {
    let bytes = segment.as_bytes();
    let mut out = String::with_capacity(segment.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = segment
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                .ok_or_else(|| refuse(original, "a `%` that is not a valid percent-escape"))?;
            let decoded = u8::from_str_radix(hex, 16).expect("hex checked");
            if decoded == b'%' {
                return Err(refuse(original, "double percent-encoding (`%25`)"));
            }
            if !unreserved(decoded) || decoded == b'.' {
                return Err(refuse(
                    original,
                    "an encoded separator, dot or special character",
                ));
            }
            out.push(decoded as char);
            i += 3;
        } else if unreserved(b) {
            out.push(b as char);
            i += 1;
        } else {
            return Err(refuse(
                original,
                "only letters, digits, `-`, `_`, `.`, `~` and `/` may appear in a path",
            ));
        }
    }
    Ok(out)
}

/// Normalise and check `path`. `required_prefix` is `/` or [`COMPLIANCE_PREFIX`].
pub fn check_path(path: &str, required_prefix: &str) -> Result<SafePath, ConnectorError> {
    if path.is_empty() {
        return Err(refuse(path, "the path is empty"));
    }
    if !path.is_ascii() {
        return Err(refuse(
            path,
            "non-ASCII characters (look-alikes of `/` or `.` among them)",
        ));
    }
    if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(refuse(path, "control characters, CR/LF, NUL or spaces"));
    }
    if path.contains('\\') {
        return Err(refuse(path, "backslashes"));
    }
    if path.contains("://") || path.to_ascii_lowercase().starts_with("http") {
        return Err(refuse(
            path,
            "an absolute URL: give a path, the base URL is the connection's",
        ));
    }
    if !path.starts_with('/') {
        return Err(refuse(path, "the path must begin with `/`"));
    }
    if path.starts_with("//") || path.contains("//") {
        return Err(refuse(path, "`//` (an authority, or an empty segment)"));
    }
    if path.contains('?') || path.contains('#') {
        return Err(refuse(
            path,
            "a query or fragment in the path: pass query parameters separately",
        ));
    }
    if path.contains('@') || path.contains(':') {
        return Err(refuse(path, "`@` or `:` (userinfo or a port)"));
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let mut normalised = String::with_capacity(path.len());
    for (i, segment) in segments.iter().enumerate() {
        let decoded = decode_segment(path, segment)?;
        if decoded == "." || decoded == ".." {
            return Err(refuse(path, "`.` or `..` segments"));
        }
        if decoded.is_empty() && i + 1 != segments.len() {
            return Err(refuse(path, "an empty segment"));
        }
        normalised.push('/');
        normalised.push_str(&decoded);
    }
    if required_prefix == COMPLIANCE_PREFIX
        && !(normalised.starts_with(COMPLIANCE_PREFIX)
            && normalised.len() > COMPLIANCE_PREFIX.len())
    {
        return Err(refuse(
            path,
            "CLAUDE_COMPLIANCE_API_REQUEST only reaches paths under `/v1/compliance/`",
        ));
    }
    Ok(SafePath(normalised))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_pass_and_harmless_escapes_are_decoded() {
        assert_eq!(
            check_path("/v1/compliance/organizations", COMPLIANCE_PREFIX)
                .unwrap()
                .as_str(),
            "/v1/compliance/organizations"
        );
        assert_eq!(
            check_path("/v1/%63ompliance/groups", COMPLIANCE_PREFIX)
                .unwrap()
                .as_str(),
            "/v1/compliance/groups"
        );
        assert_eq!(
            check_path("/v1/organizations/users", "/").unwrap().as_str(),
            "/v1/organizations/users"
        );
    }

    #[test]
    fn hostile_paths_are_refused() {
        for path in [
            "",
            "v1/compliance/x",
            "//evil.example/v1",
            "/v1/compliance/../organizations/users",
            "/v1/compliance/%2e%2e/organizations",
            "/v1/compliance/%252e%252e/x",
            "/v1/compliance%2fx",
            "/v1/compliance/x\\..\\y",
            "/v1/compliance/x\r\nHost: evil",
            "/v1/compliance/x\0",
            "https://evil/v1/compliance/x",
            "/v1/compliance/x?admin=1",
            "/v1/compliance/x#frag",
            "/v1/compliance/\u{2215}x",
            "/v1/compliance/\u{FF0E}\u{FF0E}/x",
            "/v1/compliance/",
            "/v1/organizations/users",
            "/V1/compliance/x",
            "/v1/compliance/./x",
            "/@evil/v1/compliance/x",
        ] {
            assert!(
                check_path(path, COMPLIANCE_PREFIX).is_err(),
                "{path:?} should be refused"
            );
        }
    }
}
