//! The Admin API's directory lists: users, workspaces and their members, API
//! keys and invites. All use id cursors (`after_id` / `has_more` / `last_id`,
//! `limit` up to 1000) and land as the API gives them.

use crate::error::Result;
use crate::http::Query;
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ChildrenOf, ListEndpoint};
use crate::streams::parent::{parent_field, segment, with_field};

const fn endpoint(path: &str) -> ListEndpoint<'_> {
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

/// `workspace_members`: `GET /v1/organizations/workspaces/{id}/members`, for
/// one workspace (the default one too: `workspaces` lists it). The API names
/// the workspace in each member; it is set from the parent all the same, so
/// the key (`workspace_id` + `user_id`) is whole whatever a response carries.
/// A workspace gone since it was listed (404) is skipped with a warning.
pub fn workspace_members(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, workspace_id) = parent_field(request, "id")?;
    let path = format!(
        "/v1/organizations/workspaces/{}/members",
        segment(&workspace_id)
    );
    list::read_child_page(
        ctx,
        &endpoint(&path),
        &ChildrenOf {
            kind: "workspace",
            id: &workspace_id,
            children: "members",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |member| with_field(member, "workspace_id", &workspace_id),
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
