//! The Admin API's directory lists: users, workspaces, API keys and invites.
//! All use id cursors (`after_id` / `has_more` / `last_id`, `limit` up to 1000)
//! and land as the API gives them.

use crate::error::Result;
use crate::http::Query;
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ListEndpoint};

const fn endpoint(path: &'static str) -> ListEndpoint<'static> {
    ListEndpoint {
        key: KeyKind::Admin,
        path,
        scheme: Scheme::IdCursor,
        max_limit: 1000,
    }
}

fn read(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    path: &'static str,
    query: Query,
) -> Result<Page> {
    list::read_page(
        ctx,
        &endpoint(path),
        query,
        request.page_cursor.as_deref(),
        |item| item.into_string(),
    )
}

/// `admin_users`: `GET /v1/organizations/users`.
pub fn users(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    read(ctx, request, "/v1/organizations/users", Query::new())
}

/// `workspaces`: `GET /v1/organizations/workspaces`, archived ones and the
/// organisation's default workspace included (the API leaves both out unless
/// asked), so API keys and members of the default workspace join to a row.
pub fn workspaces(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    read(
        ctx,
        request,
        "/v1/organizations/workspaces",
        Query::new()
            .set("include_archived", true)
            .set("include_default", true),
    )
}

/// `api_keys`: `GET /v1/organizations/api_keys`, every status.
pub fn api_keys(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    read(ctx, request, "/v1/organizations/api_keys", Query::new())
}

/// `invites`: `GET /v1/organizations/invites` (pending, accepted and expired).
pub fn invites(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    read(ctx, request, "/v1/organizations/invites", Query::new())
}
