//! The two request functions, `CLAUDE_API_REQUEST` and
//! `CLAUDE_COMPLIANCE_API_REQUEST`: ad-hoc calls through a connection's keys.
//!
//! Everything that can be refused is refused before any request: the path
//! ([`path`]), the key (the compliance function never uses the Admin API Key),
//! and write methods unless the connection allows them. The request always
//! goes to the connection's base URL. API errors come back as rows.

pub mod path;

use crate::connection::{COMPLIANCE_KEY, Connection};
use crate::error::{ConnectorError, Result};
use crate::host::{Host, HttpResponse};
use crate::http::{ApiClient, Query};
use crate::model::{ApiRequest, ApiResponse, HttpMethod, KeyKind, RequestFunction, ResponseBody};
use crate::redact::Redactor;
use path::{COMPLIANCE_PREFIX, check_path};
use serde_json::Value;

/// The most pages one call may return.
pub const MAX_PAGES: u32 = 100;

/// Headers worth returning.
fn useful_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "request-id" | "retry-after" | "content-type" | "x-should-retry"
    ) || name.starts_with("anthropic-ratelimit-")
}

/// The key a function uses on this connection for `path` (already checked).
/// `CLAUDE_API_REQUEST` sends each API its own key when the connection has
/// both (an Admin API path with the Compliance key is only a 401), and
/// otherwise prefers the Compliance key, as the product promises.
fn choose_key(function: RequestFunction, connection: &Connection, path: &str) -> Result<KeyKind> {
    match function {
        RequestFunction::ClaudeComplianceApiRequest => {
            connection.key(KeyKind::Compliance).map(|_| KeyKind::Compliance).ok_or_else(|| {
                ConnectorError::InvalidConfig(format!(
                    "no Compliance Access Key on this connection: CLAUDE_COMPLIANCE_API_REQUEST uses only the {} \
                     and never the Admin API Key",
                    COMPLIANCE_KEY.display()
                ))
            })
        }
        RequestFunction::ClaudeApiRequest => {
            let owner = if under(path, ADMIN_PREFIX) {
                Some(KeyKind::Admin)
            } else if under(path, COMPLIANCE_PREFIX) {
                Some(KeyKind::Compliance)
            } else {
                None
            };
            owner
                .into_iter()
                .chain([KeyKind::Compliance, KeyKind::Admin])
                .find(|k| connection.key(*k).is_some())
                .ok_or_else(|| ConnectorError::InvalidConfig("the connection has no key".into()))
        }
    }
}

/// The Admin API's paths.
const ADMIN_PREFIX: &str = "/v1/organizations/";

/// Whether `path` is `prefix` (with or without its trailing slash) or below it.
fn under(path: &str, prefix: &str) -> bool {
    path.starts_with(prefix) || Some(path) == prefix.strip_suffix('/')
}

/// A write method only where the connection allows writes.
fn check_method(method: HttpMethod, allow_writes: bool) -> Result<HttpMethod> {
    if method.is_write() && !allow_writes {
        return Err(ConnectorError::InvalidConfig(format!(
            "method {} refused: this connection does not allow write methods (the Compliance API can \
             delete chats, files and projects); its owner must allow writes on the connection first",
            method.as_str()
        )));
    }
    Ok(method)
}

/// Make the call, one row per response.
pub fn call(
    host: &dyn Host,
    connection: &Connection,
    allow_writes: bool,
    function: RequestFunction,
    request: &ApiRequest,
) -> Result<Vec<ApiResponse>> {
    let prefix = match function {
        RequestFunction::ClaudeApiRequest => "/",
        RequestFunction::ClaudeComplianceApiRequest => COMPLIANCE_PREFIX,
    };
    let path = check_path(&request.path, prefix)?;
    let method = check_method(request.method, allow_writes)?;
    let body = match &request.body {
        Some(text) => {
            serde_json::from_str::<Value>(text).map_err(|e| {
                ConnectorError::InvalidConfig(format!("the body is not valid JSON: {e}"))
            })?;
            Some(text.as_bytes().to_vec())
        }
        None => None,
    };
    for (name, _) in &request.query {
        if name.is_empty() || name.chars().any(|c| c.is_control()) {
            return Err(ConnectorError::InvalidConfig(format!(
                "query parameter name `{}` refused",
                name.escape_debug()
            )));
        }
    }
    let kind = choose_key(function, connection, path.as_str())?;
    let redactor = connection.redactor();
    let client = ApiClient::new(host, connection, kind)?;
    let max_pages = if request.paginate {
        request.max_pages.clamp(1, MAX_PAGES)
    } else {
        1
    };

    let mut rows = Vec::new();
    let mut cursor: Option<(&'static str, String)> = None;
    let mut followed = FollowedCursors::default();
    for page in 1..=max_pages {
        let mut query = Query::new();
        for (name, value) in &request.query {
            if cursor.as_ref().is_some_and(|(c, _)| c == name) {
                continue;
            }
            query = query.push(name, value);
        }
        if let Some((name, value)) = &cursor {
            query = query.push(name, value);
        }
        let response = client
            .send(method.as_str(), path.as_str(), &query, body.clone())
            .map_err(|e| e.into_connector_error(client.field()))?;
        let row = to_row(page, &response, &redactor);
        cursor = if request.paginate && (200..300).contains(&response.status) {
            next_cursor(row.body.json())
        } else {
            None
        };
        rows.push(row);
        match &cursor {
            Some((name, value)) => followed.follow(page, name, value)?,
            None => break,
        }
    }
    Ok(rows)
}

/// The cursors a paginated call followed, each with the page it answered:
/// one handed back again means the API is paginating in a loop, and the call
/// stops with an error instead of returning the same pages again.
#[derive(Default)]
struct FollowedCursors(Vec<(String, String)>);

impl FollowedCursors {
    fn follow(&mut self, page: u32, name: &str, value: &str) -> Result<()> {
        if self.0.iter().any(|(n, v)| n == name && v == value) {
            return Err(ConnectorError::Upstream(format!(
                "page {page} pointed back to a page already read (`{name}={}`): the API is \
                 paginating in a loop, so the call stopped instead of reading it again",
                value.escape_debug()
            )));
        }
        self.0.push((name.to_owned(), value.to_owned()));
        Ok(())
    }
}

/// Where the next page is, in either pagination scheme.
fn next_cursor(body: Option<&str>) -> Option<(&'static str, String)> {
    let body: Value = serde_json::from_str(body?).ok()?;
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if body.get("has_more").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    text("next_page").map(|t| ("page", t)).or_else(|| {
        (body.get("has_more").and_then(Value::as_bool) == Some(true))
            .then(|| text("last_id").map(|id| ("after_id", id)))
            .flatten()
    })
}

fn to_row(page: u32, response: &HttpResponse, redactor: &Redactor) -> ApiResponse {
    let clean = |text: &str| redactor.redact(text).into_owned();
    let text = String::from_utf8_lossy(&response.body);
    // JSON is redacted by its decoded strings: a key written with escapes in
    // the body comes out unescaped once parsed.
    let body = match serde_json::from_str::<Value>(&text) {
        Ok(mut json) => {
            crate::redact::json_value(redactor, &mut json);
            ResponseBody::Json(json.to_string())
        }
        Err(_) if text.is_empty() => ResponseBody::Empty,
        Err(_) => ResponseBody::Text(clean(&text)),
    };
    ApiResponse {
        page,
        status: response.status,
        headers: response
            .headers
            .iter()
            .filter(|(k, _)| useful_header(k))
            .map(|(k, v)| (k.to_ascii_lowercase(), clean(v)))
            .collect(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_need_the_connection_to_allow_them() {
        assert_eq!(
            check_method(HttpMethod::Get, false).unwrap(),
            HttpMethod::Get
        );
        assert_eq!(
            check_method(HttpMethod::Head, false).unwrap(),
            HttpMethod::Head
        );
        for write in [
            HttpMethod::Post,
            HttpMethod::Put,
            HttpMethod::Patch,
            HttpMethod::Delete,
        ] {
            let err = check_method(write, false).unwrap_err().to_string();
            assert!(err.contains("does not allow write methods"), "{err}");
            assert_eq!(check_method(write, true).unwrap(), write);
        }
    }

    #[test]
    fn both_pagination_schemes_are_followed() {
        assert_eq!(
            next_cursor(Some(r#"{"has_more":true,"last_id":"x"}"#)),
            Some(("after_id", "x".into()))
        );
        assert_eq!(
            next_cursor(Some(r#"{"has_more":true,"next_page":"p"}"#)),
            Some(("page", "p".into()))
        );
        assert_eq!(
            next_cursor(Some(r#"{"next_page":"p"}"#)),
            Some(("page", "p".into()))
        );
        assert_eq!(
            next_cursor(Some(r#"{"has_more":false,"next_page":"p"}"#)),
            None
        );
        assert_eq!(next_cursor(Some("not json")), None);
    }

    #[test]
    fn a_cursor_followed_before_stops_the_call_with_the_page_it_came_on() {
        let mut followed = FollowedCursors::default();
        followed.follow(1, "after_id", "a").unwrap();
        followed.follow(2, "after_id", "b").unwrap();
        followed.follow(3, "page", "a").unwrap();
        let err = followed.follow(4, "after_id", "a").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected API response: page 4 pointed back to a page already read (`after_id=a`): \
             the API is paginating in a loop, so the call stopped instead of reading it again"
        );
    }

    #[test]
    fn the_compliance_function_never_uses_the_admin_key() {
        let admin_only =
            Connection::new("https://x", Some("sk-ant-admin01-k".into()), None).unwrap();
        let err = choose_key(
            RequestFunction::ClaudeComplianceApiRequest,
            &admin_only,
            "/v1/compliance/x",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("no Compliance Access Key on this connection")
        );
        assert_eq!(
            choose_key(
                RequestFunction::ClaudeApiRequest,
                &admin_only,
                "/v1/compliance/x"
            )
            .unwrap(),
            KeyKind::Admin
        );
        let both = Connection::new(
            "https://x",
            Some("sk-ant-admin01-k".into()),
            Some("sk-ant-api01-k".into()),
        )
        .unwrap();
        assert_eq!(
            choose_key(
                RequestFunction::ClaudeComplianceApiRequest,
                &both,
                "/v1/compliance/x"
            )
            .unwrap(),
            KeyKind::Compliance
        );
    }

    #[test]
    fn with_both_keys_each_api_gets_its_own_key_and_other_paths_the_compliance_key() {
        let both = Connection::new(
            "https://x",
            Some("sk-ant-admin01-k".into()),
            Some("sk-ant-api01-k".into()),
        )
        .unwrap();
        let compliance_only =
            Connection::new("https://x", None, Some("sk-ant-api01-k".into())).unwrap();
        let key = |connection: &Connection, path: &str| {
            choose_key(RequestFunction::ClaudeApiRequest, connection, path).unwrap()
        };
        assert_eq!(key(&both, "/v1/organizations/users"), KeyKind::Admin);
        assert_eq!(key(&both, "/v1/organizations"), KeyKind::Admin);
        assert_eq!(key(&both, "/v1/compliance/groups"), KeyKind::Compliance);
        assert_eq!(
            key(&both, "/v1/models"),
            KeyKind::Compliance,
            "the product's rule"
        );
        assert_eq!(key(&both, "/v1/organizationsx"), KeyKind::Compliance);
        assert_eq!(
            key(&compliance_only, "/v1/organizations/users"),
            KeyKind::Compliance,
            "no Admin key: the one there is"
        );
    }
}
