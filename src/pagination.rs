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
use crate::json::Canonical;
use crate::list_body::{Data, ListBody};
use serde_json::Value;

/// One page of either scheme: its items (as the body has them, in canonical
/// form) and the cursor of the next page.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<'a> {
    pub data: Vec<Canonical<'a>>,
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
    pub fn page(self, body: ListBody<'_>) -> Result<ListPage<'_>, ConnectorError> {
        match self {
            Scheme::IdCursor => parse_id_cursor(body),
            Scheme::PageToken => parse_page_token(body),
        }
    }
}

fn take_data(data: Option<Data<'_>>) -> Result<Vec<Canonical<'_>>, ConnectorError> {
    match data {
        Some(Data::List(items)) => Ok(items),
        Some(Data::Other(kind)) => Err(ConnectorError::Upstream(format!(
            "`data` should be a list, got {kind}"
        ))),
        None => Err(ConnectorError::Upstream(
            "the response has no `data` list".into(),
        )),
    }
}

fn has_more(value: Option<&Value>) -> Result<Option<bool>, ConnectorError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ConnectorError::Upstream(format!(
            "`has_more` should be a boolean, got {}",
            kind_of(other)
        ))),
    }
}

fn text_field(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_id_cursor(body: ListBody<'_>) -> Result<ListPage<'_>, ConnectorError> {
    let more = has_more(body.has_more.as_ref())?
        .ok_or_else(|| ConnectorError::Upstream("the response has no `has_more` flag".into()))?;
    let data = take_data(body.data)?;
    let next = if more {
        // The SDKs stop on an empty page too; with has_more set that would
        // silently lose rows, so it is an error here.
        let last = text_field(body.last_id.as_ref()).ok_or_else(|| {
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

fn parse_page_token(body: ListBody<'_>) -> Result<ListPage<'_>, ConnectorError> {
    let more = has_more(body.has_more.as_ref())?;
    let token = text_field(body.next_page.as_ref());
    let data = take_data(body.data)?;
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

    /// Read `body` written out, as a response carries it: how many items the
    /// page has, and its next cursor.
    fn read(scheme: Scheme, body: Value) -> Result<(usize, Option<String>), ConnectorError> {
        let text = body.to_string();
        let page = scheme.page(ListBody::read(text.as_bytes()).unwrap())?;
        Ok((page.data.len(), page.next))
    }

    #[test]
    fn id_cursor_follows_last_id_until_has_more_is_false() {
        let (_, next) = read(
            Scheme::IdCursor,
            json!({"data":[{"id":"a"},{"id":"b"}],"has_more":true,"first_id":"a","last_id":"b"}),
        )
        .unwrap();
        assert_eq!(next.as_deref(), Some("b"));
        let last = read(
            Scheme::IdCursor,
            json!({"data":[{"id":"c"}],"has_more":false,"first_id":"c","last_id":"c"}),
        )
        .unwrap();
        assert_eq!(last, (1, None));
    }

    #[test]
    fn has_more_without_a_cursor_is_an_error_not_the_end() {
        for body in [
            json!({"data":[{"id":"a"}],"has_more":true,"last_id":null}),
            json!({"data":[],"has_more":true,"last_id":"a"}),
        ] {
            assert!(matches!(
                read(Scheme::IdCursor, body),
                Err(ConnectorError::Upstream(_))
            ));
        }
        assert!(matches!(
            read(
                Scheme::PageToken,
                json!({"data":[],"has_more":true,"next_page":null})
            ),
            Err(ConnectorError::Upstream(_))
        ));
    }

    #[test]
    fn page_token_handles_every_revision_shape() {
        let paged = read(
            Scheme::PageToken,
            json!({"data":[1],"has_more":true,"next_page":"page_x"}),
        )
        .unwrap();
        assert_eq!(paged.1.as_deref(), Some("page_x"));
        let unpaginated = read(Scheme::PageToken, json!({"data":[1,2]})).unwrap();
        assert_eq!(unpaginated, (2, None));
        let no_has_more = read(Scheme::PageToken, json!({"data":[1],"next_page":"t"})).unwrap();
        assert_eq!(no_has_more.1.as_deref(), Some("t"));
    }

    #[test]
    fn a_body_without_data_is_refused_saying_what_it_has() {
        assert!(read(Scheme::PageToken, json!({"items":[]})).is_err());
        let refused = |body| read(Scheme::IdCursor, body).unwrap_err().to_string();
        assert!(
            refused(json!({"data":{},"has_more":false}))
                .ends_with("`data` should be a list, got an object")
        );
        assert!(
            refused(json!({"data":[],"has_more":"yes"}))
                .ends_with("`has_more` should be a boolean, got a string")
        );
        assert!(refused(json!({"has_more":false})).ends_with("the response has no `data` list"));
        assert!(refused(json!({"data":[]})).ends_with("the response has no `has_more` flag"));
    }

    #[test]
    fn items_come_in_canonical_form() {
        let text = r#"{"data":[{"id":"a"},{"id":"J\u00f6rg", "n":1.0}],"has_more":false}"#;
        let page = Scheme::IdCursor
            .page(ListBody::read(text.as_bytes()).unwrap())
            .unwrap();
        let items: Vec<&str> = page.data.iter().map(Canonical::as_str).collect();
        assert_eq!(items, [r#"{"id":"a"}"#, r#"{"id":"Jörg","n":1.0}"#]);
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
