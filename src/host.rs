//! What the plugin needs from whoever runs it: secrets, logging and outbound HTTP.
//!
//! In the component these are the WIT imports (`secrets`, `logging`) and
//! `wasi:http` through wstd; in native unit tests, a fake. Keeping them behind
//! one trait is what lets the plugin's logic build and test without wasm.

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

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The host's egress policy refused the destination.
    Denied(String),
    /// Connect, first-byte or between-bytes timeout.
    Timeout(String),
    /// Anything else on the way (connection refused or reset, truncated body, TLS).
    Failed(String),
}

/// The capabilities the plugin imports.
pub trait Host {
    /// A secret of the current connection by field name; none when absent.
    fn secret(&self, name: &str) -> Option<String>;
    /// One log line.
    fn log(&self, level: LogLevel, message: &str);
    /// Send one request and read the whole response.
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;
}
