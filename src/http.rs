//! Requests to the Anthropic API: URL and headers, the documented error JSON
//! turned into typed errors, and no key in anything that leaves.

use crate::connection::{ApiKey, Connection, KeyField};
use crate::error::ConnectorError;
use crate::host::{Host, HttpRequest, HttpResponse, LogLevel, TransportError};
use crate::model::KeyKind;
use serde_json::Value;

/// The API version header every request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// Sent so the API can tell integrations apart.
pub const USER_AGENT: &str = concat!("anthropic-connector/", env!("CARGO_PKG_VERSION"));

/// A failed API call, before it is given a meaning by its caller (a 404 means
/// "not entitled" to the connection test, "gone" to a child stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; none when no response arrived.
    pub status: Option<u16>,
    /// `error.type` of the documented error body, when there was one.
    pub error_type: Option<String>,
    /// `error.message`, or a description of what went wrong.
    pub message: String,
    /// `request-id` response header, worth quoting to Anthropic support.
    pub request_id: Option<String>,
    /// `retry-after` (or `retry-after-ms`), in milliseconds.
    pub retry_after_ms: Option<u64>,
    /// The host refused the destination.
    pub denied: bool,
    /// The request timed out.
    pub timed_out: bool,
}

impl ApiError {
    fn transport(err: TransportError) -> Self {
        let (message, denied, timed_out) = match err {
            TransportError::Denied(m) => (m, true, false),
            TransportError::Timeout(m) => (m, false, true),
            TransportError::Failed(m) => (m, false, false),
        };
        Self {
            status: None,
            error_type: None,
            message,
            request_id: None,
            retry_after_ms: None,
            denied,
            timed_out,
        }
    }

    /// A one-line description: status, error type, message and request id.
    pub fn describe(&self) -> String {
        let mut text = match (self.status, &self.error_type) {
            (Some(s), Some(t)) => format!("HTTP {s} {t}: {}", self.message),
            (Some(s), None) => format!("HTTP {s}: {}", self.message),
            (None, _) => self.message.clone(),
        };
        if let Some(id) = &self.request_id {
            text.push_str(&format!(" (request-id {id})"));
        }
        text
    }

    /// The error's default meaning for a stream read with `key`.
    pub fn into_connector_error(self, key: KeyField) -> ConnectorError {
        let what = self.describe();
        match self.status {
            None if self.denied => ConnectorError::InvalidConfig(format!(
                "the host refused the request: {what}. Check the base URL and the host's allowed hosts"
            )),
            None => ConnectorError::Transient(what),
            Some(401) => ConnectorError::Auth(format!(
                "the API refused the {} ({what}). Confirm the key starts with `{}` and is still active",
                key.display(),
                key.prefix
            )),
            Some(403) => ConnectorError::NotEntitled(format!(
                "the {} is not allowed to read this ({what})",
                key.display()
            )),
            Some(429) => ConnectorError::RateLimited {
                retry_after_ms: self.retry_after_ms,
                message: what,
            },
            Some(s) if s == 408 || s >= 500 => ConnectorError::Transient(what),
            Some(_) => ConnectorError::Upstream(what),
        }
    }
}

/// A client for one key of a connection.
pub struct ApiClient<'a> {
    host: &'a dyn Host,
    connection: &'a Connection,
    key: &'a ApiKey,
    field: KeyField,
}

impl<'a> ApiClient<'a> {
    /// A client using the connection's key of `kind`; an error when it has none.
    pub fn new(
        host: &'a dyn Host,
        connection: &'a Connection,
        kind: KeyKind,
    ) -> Result<Self, ConnectorError> {
        Ok(Self {
            host,
            connection,
            key: connection.require(kind)?,
            field: KeyField::of(kind),
        })
    }

    /// The field of the key this client uses.
    pub fn field(&self) -> KeyField {
        self.field
    }

    /// `GET path?query` and parse the JSON body.
    pub fn get_json(&self, path: &str, query: &Query) -> Result<Value, ApiError> {
        let response = self.get_success(path, query)?;
        parse_json(&response).map_err(|e| self.clean(e))
    }

    /// `GET path?query`: the body of a successful response as it came (keys
    /// redacted), for a caller that reads it its own way, without a tree of
    /// values for the whole body (a large report).
    pub fn get_body(&self, path: &str, query: &Query) -> Result<Vec<u8>, ApiError> {
        Ok(self.get_success(path, query)?.body)
    }

    /// `GET path?query`, a failure status as the documented error.
    fn get_success(&self, path: &str, query: &Query) -> Result<HttpResponse, ApiError> {
        let mut response = self.send("GET", path, query, None)?;
        // A key echoed by the server goes no further: not into a record, not
        // into an error snippet (redacted before anything is cut). The text
        // borrows the body when it is UTF-8, so a large body is not copied.
        let text = String::from_utf8_lossy(&response.body);
        let secrets = self.connection.secrets();
        if secrets.iter().any(|s| !s.is_empty() && text.contains(s)) {
            response.body = crate::redact::redact(&text, &secrets).into_bytes();
        }
        check_status(&response).map_err(|e| self.clean(e))?;
        Ok(response)
    }

    /// Send one request to `path` on the base URL and return the response as
    /// it is, whatever its status. Only transport failures are errors.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        query: &Query,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse, ApiError> {
        let url = format!("{}{path}{}", self.connection.base_url(), query.encode());
        let mut headers = vec![
            ("x-api-key".to_owned(), self.key.expose().to_owned()),
            ("anthropic-version".to_owned(), ANTHROPIC_VERSION.to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), USER_AGENT.to_owned()),
        ];
        if body.is_some() {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        let request = HttpRequest {
            method: method.to_owned(),
            url,
            headers,
            body,
        };
        self.host.log(
            LogLevel::Debug,
            &format!("{method} {path}{}", query.encode()),
        );
        self.host
            .send(&request)
            .map_err(|e| self.clean(ApiError::transport(e)))
    }

    /// Redaction as a second wall: a key echoed by a server or a transport
    /// message never travels further.
    fn clean(&self, mut err: ApiError) -> ApiError {
        let secrets = self.connection.secrets();
        err.message = crate::redact::redact(&err.message, &secrets);
        err.error_type = err.error_type.map(|t| crate::redact::redact(&t, &secrets));
        err.request_id = err.request_id.map(|t| crate::redact::redact(&t, &secrets));
        err
    }
}

/// Success: the JSON body. Failure: the documented error body, read tolerantly.
pub fn parse_response(response: &HttpResponse) -> Result<Value, ApiError> {
    check_status(response)?;
    parse_json(response)
}

/// The JSON body of a successful response.
fn parse_json(response: &HttpResponse) -> Result<Value, ApiError> {
    serde_json::from_slice(&response.body).map_err(|e| ApiError {
        status: Some(response.status),
        error_type: None,
        message: not_json(&e, response.body.len()),
        request_id: response.header("request-id").map(str::to_owned),
        retry_after_ms: None,
        denied: false,
        timed_out: false,
    })
}

/// What to say of a success body that is not JSON (a truncated transfer, most often).
pub fn not_json(error: &serde_json::Error, bytes: usize) -> String {
    format!("the response body is not valid JSON ({error}); {bytes} bytes received")
}

/// Nothing for a success status; the documented error body, read tolerantly, otherwise.
fn check_status(response: &HttpResponse) -> Result<(), ApiError> {
    if (200..300).contains(&response.status) {
        return Ok(());
    }
    let request_id = response.header("request-id").map(str::to_owned);
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    // Admin API: {"type":"error","error":{...}}; Compliance API: {"error":{...}}.
    let error = body.as_ref().and_then(|b| b.get("error"));
    let text = |k: &str| {
        error
            .and_then(|e| e.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let message = text("message").unwrap_or_else(|| {
        let raw = String::from_utf8_lossy(&response.body);
        let snippet: String = raw.chars().take(200).collect();
        if snippet.trim().is_empty() {
            "no error body".to_owned()
        } else {
            format!("unexpected error body: {snippet}")
        }
    });
    Err(ApiError {
        status: Some(response.status),
        error_type: text("type"),
        message,
        request_id,
        retry_after_ms: retry_after_ms(response),
        denied: false,
        timed_out: false,
    })
}

/// `retry-after-ms` first, then `retry-after` in seconds.
fn retry_after_ms(response: &HttpResponse) -> Option<u64> {
    if let Some(ms) = response
        .header("retry-after-ms")
        .and_then(|v| v.trim().parse::<f64>().ok())
    {
        return Some(ms.max(0.0) as u64);
    }
    response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|s| (s.max(0.0) * 1000.0) as u64)
}

/// Query parameters, in order; arrays use the API's `name[]` form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `name=value`.
    pub fn set(mut self, name: &str, value: impl ToString) -> Self {
        self.0.push((name.to_owned(), value.to_string()));
        self
    }

    /// Add `name=value` when there is a value.
    pub fn set_opt(self, name: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    /// Add `name=value` as given (a caller's own parameters, `name[]` included).
    pub fn push(mut self, name: &str, value: &str) -> Self {
        self.0.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Add `name[]=v` for each value.
    pub fn set_array<T: ToString>(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        for v in values {
            self.0.push((format!("{name}[]"), v.to_string()));
        }
        self
    }

    /// `?a=1&b%5B%5D=2`, or empty.
    pub fn encode(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        let pairs: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        format!("?{}", pairs.join("&"))
    }
}

/// Percent-encode everything but RFC 3986 unreserved characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn query_encodes_arrays_with_brackets() {
        let q = Query::new()
            .set("limit", 2)
            .set_array("user_ids", ["a b", "c"]);
        assert_eq!(q.encode(), "?limit=2&user_ids%5B%5D=a%20b&user_ids%5B%5D=c");
    }

    #[test]
    fn admin_and_compliance_error_shapes_both_parse() {
        let admin = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_1"}"#;
        let err = parse_response(&response(401, admin, &[("request-id", "req_1")])).unwrap_err();
        assert_eq!(err.error_type.as_deref(), Some("authentication_error"));
        assert_eq!(
            err.describe(),
            "HTTP 401 authentication_error: invalid x-api-key (request-id req_1)"
        );
        let compliance =
            r#"{"error":{"type":"permission_error","message":"Missing required scopes"}}"#;
        let err = parse_response(&response(403, compliance, &[])).unwrap_err();
        assert_eq!(err.message, "Missing required scopes");
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let err = parse_response(&response(429, "{}", &[("Retry-After", "7")])).unwrap_err();
        assert_eq!(err.retry_after_ms, Some(7000));
        assert!(matches!(
            err.into_connector_error(crate::connection::ADMIN_KEY),
            ConnectorError::RateLimited {
                retry_after_ms: Some(7000),
                ..
            }
        ));
    }

    #[test]
    fn truncated_success_body_is_an_upstream_error() {
        let err = parse_response(&response(200, r#"{"data":[{"id":"#, &[])).unwrap_err();
        assert!(err.message.contains("not valid JSON"), "{}", err.message);
        assert!(matches!(
            err.into_connector_error(crate::connection::ADMIN_KEY),
            ConnectorError::Upstream(_)
        ));
    }

    #[test]
    fn server_errors_are_transient() {
        let err = parse_response(&response(503, "oops", &[])).unwrap_err();
        assert!(matches!(
            err.into_connector_error(crate::connection::ADMIN_KEY),
            ConnectorError::Transient(m) if m.contains("unexpected error body: oops")
        ));
    }
}
