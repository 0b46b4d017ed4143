//! Requests to the Anthropic API: URL and headers, the documented error JSON
//! turned into typed errors (retryable or not, as the API says), and no key in
//! anything that leaves.

use crate::connection::{ApiKey, Connection, KeyField};
use crate::error::ConnectorError;
use crate::host::{Host, HttpRequest, HttpResponse, LogLevel};
use crate::list_body::ListBody;
use crate::model::KeyKind;
use crate::transport::{FailureKind, TransportError};
use serde_json::Value;
use std::borrow::Cow;

/// The API version header every request carries.
/// The `anthropic-version` sent unless the connection chooses another.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// Sent so the API can tell integrations apart.
pub const USER_AGENT: &str = concat!("anthropic-connector/", env!("CARGO_PKG_VERSION"));

/// A failed API call, before it is given a meaning by its caller (a 404 means
/// "not entitled" to the connection test, "gone" to a child stream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; none when no response arrived.
    pub status: Option<u16>,
    /// `error.type` of the documented error body, when there was one.
    pub error_type: Option<String>,
    /// `error.details.error_code`, when the API gave one (e.g. `enforced_spend_limit_reached`).
    pub error_code: Option<String>,
    /// `error.message`, or a description of what went wrong.
    pub message: String,
    /// `request-id` response header, worth quoting to Anthropic support.
    pub request_id: Option<String>,
    /// `retry-after-ms`, else `retry-after` (seconds or an HTTP date), in milliseconds.
    pub retry_after_ms: Option<u64>,
    /// `x-should-retry`: the API's own word on whether a retry can succeed.
    pub should_retry: Option<bool>,
    /// The host refused the destination.
    pub denied: bool,
    /// The request timed out.
    pub timed_out: bool,
    /// The server's TLS certificate was not accepted.
    pub certificate: bool,
}

/// The `error.details.error_code` of a 429 sent because the organization hit
/// its spend limit; such a 429 carries no `retry-after`.
pub const SPEND_LIMIT_ERROR_CODE: &str = "enforced_spend_limit_reached";

impl ApiError {
    fn transport(err: TransportError) -> Self {
        let kind = err.kind();
        Self {
            message: err.to_string(),
            denied: kind == FailureKind::Denied,
            timed_out: kind == FailureKind::TimedOut,
            certificate: kind == FailureKind::Certificate,
            ..Self::default()
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

    /// Whether the API refused because the organization reached a spend
    /// limit: a 429 whose error code says so, or a 429 or 400 whose message
    /// speaks of a spend or usage limit (the 400 is sent for a limit the
    /// organization set itself). Waiting minutes does not lift either.
    pub fn hit_spend_limit(&self) -> bool {
        if !matches!(self.status, Some(429 | 400)) {
            return false;
        }
        let message = self.message.to_ascii_lowercase();
        self.error_code.as_deref() == Some(SPEND_LIMIT_ERROR_CODE)
            || ["spend limit", "spend cap", "usage limit"]
                .iter()
                .any(|phrase| message.contains(phrase))
    }

    /// The error's default meaning for a stream read with `key`. What the API
    /// says about retrying (`x-should-retry`) overrides the status either way.
    pub fn into_connector_error(self, key: KeyField) -> ConnectorError {
        let by_status = self.meaning_of_status(key);
        match (self.should_retry, by_status.is_retryable()) {
            (Some(false), true) => ConnectorError::Upstream(format!(
                "{}; the API said a retry would not succeed (x-should-retry: false)",
                self.describe()
            )),
            (Some(true), false) if self.status.is_some() => ConnectorError::Transient(format!(
                "{}; the API said to retry (x-should-retry: true)",
                self.describe()
            )),
            _ => by_status,
        }
    }

    fn meaning_of_status(&self, key: KeyField) -> ConnectorError {
        let what = self.describe();
        match self.status {
            None if self.denied => ConnectorError::InvalidConfig(format!(
                "the host refused the request: {what}. Check the base URL and the host's allowed hosts"
            )),
            // Not retried: the same certificate would be refused again.
            None if self.certificate => ConnectorError::InvalidConfig(what),
            None => ConnectorError::Transient(what),
            Some(s) if (200..300).contains(&s) => ConnectorError::Upstream(format!(
                "the API answered {s} with an error instead of data: {what}"
            )),
            Some(401) => ConnectorError::Auth(format!(
                "the API refused the {} ({what}). Confirm the key starts with `{}` and is still active",
                key.display(),
                key.prefix
            )),
            Some(403) => ConnectorError::NotEntitled(format!(
                "the {} is not allowed to read this ({what})",
                key.display()
            )),
            Some(_) if self.hit_spend_limit() => ConnectorError::Upstream(format!(
                "the organization has reached its spend limit, so the API refuses requests until \
                 the limit is raised in the Claude Console or the period resets; retrying will not \
                 help ({what})"
            )),
            Some(429) => ConnectorError::RateLimited {
                retry_after_ms: self.retry_after_ms,
                message: what,
            },
            Some(s) if matches!(s, 408 | 409) || s >= 500 => ConnectorError::Transient(what),
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
    /// `anthropic-beta`, for a beta endpoint or feature.
    beta: Option<&'static str>,
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
            beta: None,
        })
    }

    /// The field of the key this client uses.
    pub fn field(&self) -> KeyField {
        self.field
    }

    /// This client, sending `anthropic-beta: {beta}` on every request: the
    /// header a beta endpoint or feature requires (none: no header).
    pub fn with_beta(self, beta: Option<&'static str>) -> Self {
        Self { beta, ..self }
    }

    /// `GET path?query` and parse the JSON body.
    pub fn get_json(&self, path: &str, query: &Query) -> Result<Value, ApiError> {
        let response = self.get(path, query)?;
        parse_json(&response).map_err(|e| self.clean(e))
    }

    /// `GET path?query`: a successful response, its body not yet read, for
    /// the caller to read its own way ([`ApiClient::read_list`], or a
    /// report's reader); a failure status as the documented error.
    pub fn get(&self, path: &str, query: &Query) -> Result<HttpResponse, ApiError> {
        let mut response = self.send("GET", path, query, None)?;
        // A key echoed by the server goes no further: not into a record, not
        // into an error snippet. Redacted by the body's decoded strings (the
        // server may escape it), before anything is cut. The text borrows the
        // body when it is UTF-8 and clean, so a large body is not copied.
        let redactor = self.connection.redactor();
        let text = match std::str::from_utf8(&response.body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(&response.body),
        };
        let clean = match crate::redact::json_text(&redactor, &text) {
            Cow::Owned(clean) => Some(clean),
            Cow::Borrowed(_) => None,
        };
        if let Some(clean) = clean {
            response.body = clean.into_bytes();
        }
        check_status(&response).map_err(|e| self.clean(e))?;
        Ok(response)
    }

    /// The body of a successful response read as a list, in one pass: its
    /// fields and its items as slices of the body. A body that is not JSON,
    /// or is the API's error envelope, is the error [`ApiClient::get_json`]
    /// would give.
    pub fn read_list<'r>(&self, response: &'r HttpResponse) -> Result<ListBody<'r>, ApiError> {
        let list = ListBody::read(&response.body)
            .map_err(|e| self.clean(failure(response, not_json(&e, response.body.len()), None)))?;
        match error_envelope(list.kind.as_ref(), list.error.as_ref(), list.data.is_some()) {
            Some(error) => Err(self.clean(failure(response, error_message(error), Some(error)))),
            None => Ok(list),
        }
    }

    /// Why a successful response's body could not be read by its reader,
    /// when the body itself says: it is not JSON, or it is the API's error
    /// envelope. None when it is JSON and no envelope (the reader's own
    /// error stands). Only asked after a reader failed, so the body is
    /// parsed whole only then.
    pub fn unreadable(&self, response: &HttpResponse) -> Option<ApiError> {
        parse_json(response).err().map(|e| self.clean(e))
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
            (
                "anthropic-version".to_owned(),
                self.connection.anthropic_version().to_owned(),
            ),
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), USER_AGENT.to_owned()),
        ];
        if let Some(beta) = self.beta {
            headers.push(("anthropic-beta".to_owned(), beta.to_owned()));
        }
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

    /// Redaction as a second wall: a key echoed by a server (in a message or
    /// a header) or by a transport message never travels further.
    fn clean(&self, mut err: ApiError) -> ApiError {
        let redactor = self.connection.redactor();
        let clean = |text| crate::redact::text(&redactor, text);
        err.message = crate::redact::text(&redactor, err.message);
        err.error_type = err.error_type.map(clean);
        err.error_code = err.error_code.map(clean);
        err.request_id = err.request_id.map(clean);
        err
    }
}

/// Success: the JSON body. Failure: the documented error body, read
/// tolerantly, whatever the status (a 200 may carry one too).
pub fn parse_response(response: &HttpResponse) -> Result<Value, ApiError> {
    check_status(response)?;
    parse_json(response)
}

/// An [`ApiError`] for `response`, with the documented error object if there is one.
fn failure(response: &HttpResponse, message: String, error: Option<&Value>) -> ApiError {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_owned);
    ApiError {
        status: Some(response.status),
        error_type: text(error.and_then(|e| e.get("type"))),
        error_code: text(error.and_then(|e| e.pointer("/details/error_code"))),
        message,
        request_id: response.header("request-id").map(str::to_owned),
        retry_after_ms: crate::retry_after::retry_after_ms(response, chrono::Utc::now()),
        should_retry: should_retry(response),
        denied: false,
        timed_out: false,
        certificate: false,
    }
}

/// The JSON body of a successful response; an error envelope in it is an error.
fn parse_json(response: &HttpResponse) -> Result<Value, ApiError> {
    let body: Value = serde_json::from_slice(&response.body)
        .map_err(|e| failure(response, not_json(&e, response.body.len()), None))?;
    let field = |name| body.get(name);
    match error_envelope(field("type"), field("error"), field("data").is_some()) {
        Some(error) => Err(failure(response, error_message(error), Some(error))),
        None => Ok(body),
    }
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
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    // Admin API: {"type":"error","error":{...}}; Compliance API: {"error":{...}}.
    let error = body.as_ref().and_then(|b| b.get("error"));
    let message = match error.and_then(|e| e.get("message")).and_then(Value::as_str) {
        Some(message) => message.to_owned(),
        None => {
            let raw = String::from_utf8_lossy(&response.body);
            let snippet: String = raw.chars().take(200).collect();
            if snippet.trim().is_empty() {
                "no error body".to_owned()
            } else {
                format!("unexpected error body: {snippet}")
            }
        }
    };
    Err(failure(response, message, error))
}

/// The error object of a body that is the API's error envelope instead of
/// data: `{"type":"error","error":{…}}`, or an `error` object with a message
/// and no `data` (the Compliance API's shape). Given the body's `type` and
/// `error` and whether it has `data` (even `null`).
fn error_envelope<'v>(
    kind: Option<&Value>,
    error: Option<&'v Value>,
    has_data: bool,
) -> Option<&'v Value> {
    let error = error.filter(|e| e.is_object())?;
    let admin_shape = kind.and_then(Value::as_str) == Some("error");
    let compliance_shape = !has_data && error.get("message").is_some_and(Value::is_string);
    (admin_shape || compliance_shape).then_some(error)
}

fn error_message(error: &Value) -> String {
    error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("an error without a message")
        .to_owned()
}

/// `x-should-retry: true|false`; anything else says nothing.
fn should_retry(response: &HttpResponse) -> Option<bool> {
    let value = response.header("x-should-retry")?.trim();
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
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
    use crate::host::TransportError;

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
    fn a_retry_after_date_becomes_a_delay() {
        let at = (chrono::Utc::now() + chrono::Duration::seconds(90))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let err = parse_response(&response(429, "{}", &[("retry-after", &at)])).unwrap_err();
        let ms = err.retry_after_ms.unwrap();
        assert!((85_000..=90_000).contains(&ms), "{ms}");
    }

    const SPEND_LIMIT: &str = r#"{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your organization's monthly usage tier spend cap.","details":{"error_code":"enforced_spend_limit_reached"}}}"#;

    #[test]
    fn a_spend_limit_429_is_not_retried_and_says_why() {
        let err =
            parse_response(&response(429, SPEND_LIMIT, &[("request-id", "req_9")])).unwrap_err();
        assert_eq!(err.error_code.as_deref(), Some(SPEND_LIMIT_ERROR_CODE));
        let err = err.into_connector_error(crate::connection::ADMIN_KEY);
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "unexpected API response: the organization has reached its spend limit, so the API \
             refuses requests until the limit is raised in the Claude Console or the period \
             resets; retrying will not help (HTTP 429 rate_limit_error: You have reached your \
             organization's monthly usage tier spend cap. (request-id req_9))"
        );
    }

    #[test]
    fn a_spend_limit_is_recognised_by_its_code_or_its_words() {
        let by_code = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Limit reached.","details":{"error_code":"enforced_spend_limit_reached"}}}"#;
        let by_words = r#"{"type":"error","error":{"type":"invalid_request_error","message":"You have reached your specified API usage limits. You will regain access on 2026-06-01 at 00:00 UTC."}}"#;
        let rate_limit = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your per-minute rate limit"}}"#;
        let spend = |status, body| {
            parse_response(&response(status, body, &[]))
                .unwrap_err()
                .hit_spend_limit()
        };
        assert!(spend(429, by_code));
        assert!(spend(400, by_words));
        assert!(!spend(429, rate_limit));
        assert!(!spend(500, by_words));
    }

    #[test]
    fn x_should_retry_overrides_the_status_both_ways() {
        let classify = |status, should_retry: &str| {
            parse_response(&response(status, "{}", &[("x-should-retry", should_retry)]))
                .unwrap_err()
                .into_connector_error(crate::connection::ADMIN_KEY)
        };
        let err = classify(500, "false");
        assert!(!err.is_retryable(), "{err}");
        assert_eq!(
            err.to_string(),
            "unexpected API response: HTTP 500: unexpected error body: {}; the API said a retry \
             would not succeed (x-should-retry: false)"
        );
        assert!(!classify(429, "FALSE").is_retryable());
        let err = classify(400, "true");
        assert!(
            matches!(&err, ConnectorError::Transient(m) if m.ends_with("(x-should-retry: true)")),
            "{err}"
        );
        assert!(classify(503, "maybe").is_retryable());
        assert!(!classify(400, "maybe").is_retryable());
    }

    #[test]
    fn timeouts_conflicts_and_server_errors_are_retried() {
        for status in [408, 409, 500, 502, 503, 504, 529] {
            let err = parse_response(&response(status, "{}", &[]))
                .unwrap_err()
                .into_connector_error(crate::connection::ADMIN_KEY);
            assert!(
                matches!(err, ConnectorError::Transient(_)),
                "{status}: {err}"
            );
        }
    }

    #[test]
    fn an_error_envelope_in_a_200_is_an_error_with_the_api_message() {
        let admin = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_2"}"#;
        let err = parse_response(&response(200, admin, &[("request-id", "req_2")])).unwrap_err();
        assert_eq!(err.message, "Overloaded");
        assert_eq!(
            err.into_connector_error(crate::connection::ADMIN_KEY)
                .to_string(),
            "unexpected API response: the API answered 200 with an error instead of data: \
             HTTP 200 overloaded_error: Overloaded (request-id req_2)"
        );
        let compliance = r#"{"error":{"type":"api_error","message":"Internal error"}}"#;
        let err = parse_response(&response(200, compliance, &[])).unwrap_err();
        assert_eq!(err.message, "Internal error");
    }

    #[test]
    fn data_that_mentions_errors_is_still_data() {
        for body in [
            r#"{"data":[{"type":"error","id":"a"}],"has_more":false}"#,
            r#"{"data":[],"error":{"message":"a field called error"}}"#,
            r#"{"type":"message","error":null}"#,
        ] {
            assert!(parse_response(&response(200, body, &[])).is_ok(), "{body}");
        }
    }

    /// A client of a connection that answers every request with `status` and `body`.
    fn read_as_list(status: u16, body: &str) -> Result<usize, ApiError> {
        struct Answering(u16, String);
        impl Host for Answering {
            fn secret(&self, _: &str) -> Option<String> {
                None
            }
            fn log(&self, _: LogLevel, _: &str) {}
            fn send(&self, _: &HttpRequest) -> Result<HttpResponse, TransportError> {
                Ok(response(self.0, &self.1, &[("request-id", "req_3")]))
            }
        }
        let host = Answering(status, body.to_owned());
        let connection =
            Connection::new("https://api.example", None, Some("sk-ant-api01-k".into())).unwrap();
        let client = ApiClient::new(&host, &connection, KeyKind::Compliance).unwrap();
        let response = client.get("/v1/x", &Query::new())?;
        let list = client.read_list(&response)?;
        Ok(match list.data {
            Some(crate::list_body::Data::List(items)) => items.len(),
            _ => 0,
        })
    }

    #[test]
    fn a_list_is_read_in_one_pass_with_the_errors_a_parse_gives() {
        assert_eq!(
            read_as_list(
                200,
                r#"{"data":[{"type":"error","id":"a"}],"has_more":false}"#
            ),
            Ok(1)
        );
        assert_eq!(
            read_as_list(
                200,
                r#"{"data":[],"error":{"message":"a field called error"}}"#
            ),
            Ok(0)
        );
        let envelope = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"data":[]}"#;
        let err = read_as_list(200, envelope).unwrap_err();
        assert_eq!(
            err.describe(),
            "HTTP 200 overloaded_error: Overloaded (request-id req_3)"
        );
        let compliance = r#"{"error":{"type":"api_error","message":"Internal error"}}"#;
        assert_eq!(
            read_as_list(200, compliance).unwrap_err().message,
            "Internal error"
        );
        let truncated = r#"{"data":[{"id":"#;
        assert_eq!(
            read_as_list(200, truncated).unwrap_err().message,
            parse_response(&response(200, truncated, &[]))
                .unwrap_err()
                .message
        );
        assert_eq!(read_as_list(503, "oops").unwrap_err().status, Some(503));
    }

    #[test]
    fn an_unreadable_success_is_explained_by_its_body() {
        // What `ApiClient::unreadable` asks of the body.
        let explain = |body: &str| {
            parse_json(&response(200, body, &[]))
                .err()
                .map(|e| e.message)
        };
        assert_eq!(
            explain(r#"{"type":"error","error":{"message":"Overloaded"},"data":[]}"#).as_deref(),
            Some("Overloaded")
        );
        assert!(explain(r#"{"data":[1"#).unwrap().contains("not valid JSON"));
        assert_eq!(explain(r#"{"data":"not a list"}"#), None);
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
