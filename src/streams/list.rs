//! Reading one page of a plain list endpoint, the shape most streams share,
//! and of a parent's children, whose parent may have gone since it was listed.
//!
//! Every list these readers serve is the API's current set (directories,
//! keys, projects, chats), never a time window: a read that reached its last
//! page has returned all of it, and says so (`snapshot_complete`).

use super::ReadContext;
use crate::error::Result;
use crate::host::HttpResponse;
use crate::http::{ApiClient, ApiError, Query};
use crate::json::Canonical;
use crate::model::{KeyKind, Page};
use crate::pagination::Scheme;

/// A list endpoint: path, key, pagination scheme and its largest `limit`.
pub struct ListEndpoint<'a> {
    pub key: KeyKind,
    pub path: &'a str,
    pub scheme: Scheme,
    pub max_limit: u32,
}

/// The parent whose children a read lists, as a warning names it: a `kind`
/// ("group"), its `id`, and what its children are ("members").
pub struct ChildrenOf<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub children: &'a str,
}

impl ChildrenOf<'_> {
    /// The page of a parent deleted between its listing and this read: no
    /// records, nothing more to read, and a warning naming it. The read is
    /// complete: a parent that is gone has no children left.
    fn vanished(&self) -> Page {
        Page {
            records: Vec::new(),
            state_json: None,
            next_cursor: None,
            coverage: None,
            snapshot_complete: true,
            warnings: vec![format!(
                "{} {} was not found (deleted since it was listed): its {} were skipped",
                self.kind,
                self.id.escape_debug(),
                self.children
            )],
        }
    }
}

/// Read the page at `cursor` (the first when none) and shape each item (in
/// canonical form, see [`crate::json`]) into a record.
pub fn read_page(
    ctx: &ReadContext<'_>,
    endpoint: &ListEndpoint<'_>,
    query: Query,
    cursor: Option<&str>,
    shape: impl Fn(Canonical<'_>) -> String,
) -> Result<Page> {
    let client = ApiClient::new(ctx.host, ctx.connection, endpoint.key)?;
    let response = get(&client, ctx, endpoint, query, cursor)
        .map_err(|e| e.into_connector_error(client.field()))?;
    records(&client, endpoint, &response, shape)
}

/// Read a page of `parent`'s children, like [`read_page`]. A 404 means the
/// parent is gone (deleted after the parent stream listed it): its children
/// are skipped with a warning, and the stream goes on with the next parent.
pub fn read_child_page(
    ctx: &ReadContext<'_>,
    endpoint: &ListEndpoint<'_>,
    parent: &ChildrenOf<'_>,
    query: Query,
    cursor: Option<&str>,
    shape: impl Fn(Canonical<'_>) -> String,
) -> Result<Page> {
    let client = ApiClient::new(ctx.host, ctx.connection, endpoint.key)?;
    match get(&client, ctx, endpoint, query, cursor) {
        Ok(response) => records(&client, endpoint, &response, shape),
        Err(error) if error.status == Some(404) => Ok(parent.vanished()),
        Err(error) => Err(error.into_connector_error(client.field())),
    }
}

fn get(
    client: &ApiClient<'_>,
    ctx: &ReadContext<'_>,
    endpoint: &ListEndpoint<'_>,
    query: Query,
    cursor: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let query = query.set("limit", ctx.settings.page_size(endpoint.max_limit));
    let query = endpoint.scheme.with_cursor(query, cursor);
    client.get(endpoint.path, &query)
}

fn records(
    client: &ApiClient<'_>,
    endpoint: &ListEndpoint<'_>,
    response: &HttpResponse,
    shape: impl Fn(Canonical<'_>) -> String,
) -> Result<Page> {
    let body = client
        .read_list(response)
        .map_err(|e| e.into_connector_error(client.field()))?;
    let page = endpoint.scheme.page(body)?;
    Ok(Page {
        records: page.data.into_iter().map(shape).collect(),
        state_json: None,
        snapshot_complete: page.next.is_none(),
        next_cursor: page.next,
        warnings: Vec::new(),
        coverage: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::Connection;
    use crate::error::ConnectorError;
    use crate::host::{Host, HttpRequest, HttpResponse, LogLevel, TransportError};
    use crate::settings::Settings;

    /// Answers every request with one status and body.
    struct Answering(u16, &'static str);

    impl Host for Answering {
        fn secret(&self, _name: &str) -> Option<String> {
            None
        }
        fn log(&self, _level: LogLevel, _message: &str) {}
        fn send(&self, _request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            Ok(HttpResponse {
                status: self.0,
                headers: Vec::new(),
                body: self.1.as_bytes().to_vec(),
            })
        }
    }

    fn read_members(host: &Answering) -> Result<Page> {
        let connection =
            Connection::new("https://api.example", None, Some("sk-ant-api01-k".into())).unwrap();
        let settings = Settings::default();
        let ctx = ReadContext {
            host,
            connection: &connection,
            settings: &settings,
        };
        let endpoint = ListEndpoint {
            key: KeyKind::Compliance,
            path: "/v1/compliance/groups/grp_x/members",
            scheme: Scheme::PageToken,
            max_limit: 1000,
        };
        let parent = ChildrenOf {
            kind: "group",
            id: "grp_x\u{1b}[2J",
            children: "members",
        };
        read_child_page(&ctx, &endpoint, &parent, Query::new(), None, |item| {
            item.into_string()
        })
    }

    #[test]
    fn only_the_last_page_of_a_list_says_its_read_is_complete() {
        let first = read_members(&Answering(
            200,
            r#"{"data":[{"id":"u1"}],"has_more":true,"next_page":"p2"}"#,
        ))
        .unwrap();
        assert_eq!(
            (first.next_cursor.as_deref(), first.snapshot_complete),
            (Some("p2"), false)
        );
        let last = read_members(&Answering(
            200,
            r#"{"data":[{"id":"u2"}],"has_more":false,"next_page":null}"#,
        ))
        .unwrap();
        assert_eq!((last.next_cursor, last.snapshot_complete), (None, true));
        assert_eq!(last.coverage, None, "a list is no history");
    }

    #[test]
    fn a_parent_gone_since_it_was_listed_is_an_empty_last_page_with_a_warning() {
        let page = read_members(&Answering(
            404,
            r#"{"error":{"type":"not_found_error","message":"Group not found."}}"#,
        ))
        .unwrap();
        assert_eq!((page.records.len(), page.next_cursor), (0, None));
        assert!(
            page.snapshot_complete,
            "the parent's children are all gone: none is a complete read"
        );
        assert_eq!(
            page.warnings,
            [
                "group grp_x\\u{1b}[2J was not found (deleted since it was listed): its members were skipped"
            ]
        );
    }

    #[test]
    fn other_failures_of_a_child_read_still_fail_it() {
        let error = read_members(&Answering(
            403,
            r#"{"error":{"type":"permission_error","message":"Missing scope."}}"#,
        ))
        .unwrap_err();
        assert!(matches!(error, ConnectorError::NotEntitled(_)), "{error:?}");
        let page = read_members(&Answering(
            200,
            r#"{"data":[{"id":"u1"}],"has_more":false,"next_page":null}"#,
        ))
        .unwrap();
        assert_eq!((page.records.len(), page.warnings.len()), (1, 0));
    }
}
