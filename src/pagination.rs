//! The API's two pagination schemes, as pages a stream reader can walk one at a
//! time. The host carries the cursor between `read-page` calls as an opaque string.
//!
//! - Id cursors (`limit`, `after_id` → `data`, `has_more`, `first_id`, `last_id`):
//!   Admin directory lists, the activity feed, chats.
//! - Page tokens (`limit`, `page` → `data`, `has_more`, `next_page`): reports,
//!   rate limits and most Compliance directory lists. Some endpoints omit
//!   `has_more` (then `next_page` alone decides) or, in older revisions, are not
//!   paginated at all (`{"data": [...]}`).

use crate::error::ConnectorError;
use crate::http::Query;
use serde_json::Value;

/// One page of either scheme: its items and the cursor of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    pub data: Vec<Value>,
    /// None when this was the last page.
    pub next: Option<String>,
}

/// Which scheme an endpoint uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `after_id` / `has_more` / `last_id`.
    IdCursor,
    /// `page` / `has_more` / `next_page`.
    PageToken,
}

impl Scheme {
    /// Add the cursor of the next page to a query.
    pub fn with_cursor(self, query: Query, cursor: Option<&str>) -> Query {
        match self {
            Scheme::IdCursor => query.set_opt("after_id", cursor),
            Scheme::PageToken => query.set_opt("page", cursor),
        }
    }

    /// Read one response body of this scheme.
    pub fn parse(self, body: Value) -> Result<ListPage, ConnectorError> {
        match self {
            Scheme::IdCursor => parse_id_cursor(body),
            Scheme::PageToken => parse_page_token(body),
        }
    }
}

fn take_data(body: &mut Value) -> Result<Vec<Value>, ConnectorError> {
    match body.get_mut("data").map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ConnectorError::Upstream(format!(
            "`data` should be a list, got {}",
            kind_of(&other)
        ))),
        None => Err(ConnectorError::Upstream(
            "the response has no `data` list".into(),
        )),
    }
}

fn has_more(body: &Value) -> Result<Option<bool>, ConnectorError> {
    match body.get("has_more") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ConnectorError::Upstream(format!(
            "`has_more` should be a boolean, got {}",
            kind_of(other)
        ))),
    }
}

fn text_field(body: &Value, name: &str) -> Option<String> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_id_cursor(mut body: Value) -> Result<ListPage, ConnectorError> {
    let more = has_more(&body)?
        .ok_or_else(|| ConnectorError::Upstream("the response has no `has_more` flag".into()))?;
    let data = take_data(&mut body)?;
    let next = if more {
        // The SDKs stop on an empty page too; with has_more set that would
        // silently lose rows, so it is an error here.
        let last = text_field(&body, "last_id").ok_or_else(|| {
            ConnectorError::Upstream(
                "`has_more` is true but `last_id` is missing: refusing to stop early".into(),
            )
        })?;
        if data.is_empty() {
            return Err(ConnectorError::Upstream(
                "`has_more` is true but the page is empty".into(),
            ));
        }
        Some(last)
    } else {
        None
    };
    Ok(ListPage { data, next })
}

fn parse_page_token(mut body: Value) -> Result<ListPage, ConnectorError> {
    let more = has_more(&body)?;
    let token = text_field(&body, "next_page");
    let data = take_data(&mut body)?;
    let next = next_page_token(more, token)?;
    Ok(ListPage { data, next })
}

/// The page-token scheme's next page, from a response's `has_more` and
/// `next_page` (an empty token is no token).
pub fn next_page_token(
    has_more: Option<bool>,
    next_page: Option<String>,
) -> Result<Option<String>, ConnectorError> {
    match (has_more, next_page.filter(|t| !t.is_empty())) {
        (Some(true), None) => Err(ConnectorError::Upstream(
            "`has_more` is true but `next_page` is missing: refusing to stop early".into(),
        )),
        (Some(false), _) => Ok(None),
        // No `has_more` (rate limits, sessions, unpaginated revisions): the token decides.
        (_, token) => Ok(token),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_cursor_follows_last_id_until_has_more_is_false() {
        let page = Scheme::IdCursor
            .parse(json!({"data":[{"id":"a"},{"id":"b"}],"has_more":true,"first_id":"a","last_id":"b"}))
            .unwrap();
        assert_eq!(page.next.as_deref(), Some("b"));
        let last = Scheme::IdCursor
            .parse(json!({"data":[{"id":"c"}],"has_more":false,"first_id":"c","last_id":"c"}))
            .unwrap();
        assert_eq!(last.next, None);
        assert_eq!(last.data.len(), 1);
    }

    #[test]
    fn has_more_without_a_cursor_is_an_error_not_the_end() {
        for body in [
            json!({"data":[{"id":"a"}],"has_more":true,"last_id":null}),
            json!({"data":[],"has_more":true,"last_id":"a"}),
        ] {
            assert!(matches!(
                Scheme::IdCursor.parse(body),
                Err(ConnectorError::Upstream(_))
            ));
        }
        assert!(matches!(
            Scheme::PageToken.parse(json!({"data":[],"has_more":true,"next_page":null})),
            Err(ConnectorError::Upstream(_))
        ));
    }

    #[test]
    fn page_token_handles_every_revision_shape() {
        let paged = Scheme::PageToken
            .parse(json!({"data":[1],"has_more":true,"next_page":"page_x"}))
            .unwrap();
        assert_eq!(paged.next.as_deref(), Some("page_x"));
        let unpaginated = Scheme::PageToken.parse(json!({"data":[1,2]})).unwrap();
        assert_eq!((unpaginated.data.len(), unpaginated.next), (2, None));
        let no_has_more = Scheme::PageToken
            .parse(json!({"data":[1],"next_page":"t"}))
            .unwrap();
        assert_eq!(no_has_more.next.as_deref(), Some("t"));
    }

    #[test]
    fn a_body_without_data_is_refused() {
        assert!(Scheme::PageToken.parse(json!({"items":[]})).is_err());
        assert!(
            Scheme::IdCursor
                .parse(json!({"data":{},"has_more":false}))
                .is_err()
        );
    }

    #[test]
    fn cursor_goes_into_the_right_parameter() {
        assert_eq!(
            Scheme::IdCursor
                .with_cursor(Query::new(), Some("x"))
                .encode(),
            "?after_id=x"
        );
        assert_eq!(
            Scheme::PageToken
                .with_cursor(Query::new(), Some("x"))
                .encode(),
            "?page=x"
        );
        assert_eq!(
            Scheme::PageToken.with_cursor(Query::new(), None).encode(),
            ""
        );
    }
}
