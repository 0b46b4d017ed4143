//! What the plugin needs from whoever runs it: secrets, logging and outbound HTTP.
//!
//! In the component these are the WIT imports (`secrets`, `logging`) and
//! `wasi:http` through wstd; in native unit tests, a fake. Keeping them behind
//! one trait is what lets the plugin's logic build and test without wasm.

pub use crate::transport::TransportError;

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// An outbound HTTP request, fully formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    /// The URL's scheme, authority (`host:port`) and path with query (`/` when
    /// it has no path); none without a scheme. The API client always builds
    /// URLs as base URL + `/path` + query.
    pub fn url_parts(&self) -> Option<(&str, &str, &str)> {
        let (scheme, rest) = self.url.split_once("://")?;
        let path_at = rest.find('/').unwrap_or(rest.len());
        let path = match &rest[path_at..] {
            "" => "/",
            path => path,
        };
        Some((scheme, &rest[..path_at], path))
    }

    /// Method and path, without the query: how messages name the request
    /// (`GET /v1/organizations/users`).
    pub fn endpoint(&self) -> String {
        let path = self.url_parts().map_or("/", |(_, _, path)| path);
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let path = if path.is_empty() { "/" } else { path };
        format!("{} {path}", self.method)
    }
}

/// A response as received (body read whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The capabilities the plugin imports.
pub trait Host {
    /// A secret of the current connection by field name; none when absent.
    fn secret(&self, name: &str) -> Option<String>;
    /// One log line.
    fn log(&self, level: LogLevel, message: &str);
    /// Send one request and read the whole response, within the request's
    /// timeouts and deadline.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_method_and_path_without_the_query() {
        let request = |url: &str| HttpRequest {
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            body: None,
        };
        assert_eq!(
            request("https://api.anthropic.com/v1/organizations/users?limit=20&after_id=x")
                .endpoint(),
            "GET /v1/organizations/users"
        );
        assert_eq!(request("http://127.0.0.1:8080").endpoint(), "GET /");
    }

    #[test]
    fn a_url_splits_into_scheme_authority_and_path() {
        let parts = |url: &str| {
            let request = HttpRequest {
                method: "GET".into(),
                url: url.into(),
                headers: Vec::new(),
                body: None,
            };
            request
                .url_parts()
                .map(|(s, a, p)| (s.to_owned(), a.to_owned(), p.to_owned()))
        };
        let owned = |s: &str, a: &str, p: &str| Some((s.into(), a.into(), p.into()));
        assert_eq!(
            parts("https://api.anthropic.com/v1/x?limit=1"),
            owned("https", "api.anthropic.com", "/v1/x?limit=1")
        );
        assert_eq!(
            parts("http://127.0.0.1:8080"),
            owned("http", "127.0.0.1:8080", "/")
        );
        assert_eq!(parts("no-scheme/x"), None);
    }
}
