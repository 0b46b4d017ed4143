//! Reading one page of a plain list endpoint, the shape most streams share.

use super::ReadContext;
use crate::error::Result;
use crate::http::{ApiClient, Query};
use crate::model::{KeyKind, Page};
use crate::pagination::Scheme;
use serde_json::Value;

/// A list endpoint: path, key, pagination scheme and its largest `limit`.
pub struct ListEndpoint<'a> {
    pub key: KeyKind,
    pub path: &'a str,
    pub scheme: Scheme,
    pub max_limit: u32,
}

/// Read the page at `cursor` (the first when none) and shape each item into a record.
pub fn read_page(
    ctx: &ReadContext<'_>,
    endpoint: &ListEndpoint<'_>,
    query: Query,
    cursor: Option<&str>,
    shape: impl Fn(Value) -> Value,
) -> Result<Page> {
    let client = ApiClient::new(ctx.host, ctx.connection, endpoint.key)?;
    let query = query.set("limit", ctx.settings.page_size(endpoint.max_limit));
    let query = endpoint.scheme.with_cursor(query, cursor);
    let body = client
        .get_json(endpoint.path, &query)
        .map_err(|e| e.into_connector_error(client.field()))?;
    let page = endpoint.scheme.parse(body)?;
    Ok(Page {
        records: page
            .data
            .into_iter()
            .map(|item| shape(item).to_string())
            .collect(),
        state_json: None,
        next_cursor: page.next,
        warnings: Vec::new(),
    })
}
