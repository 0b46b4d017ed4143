//! The Compliance API's directory: organisations, their users and roles,
//! groups and their members. Page tokens throughout (`page` / `next_page`).
//! Children get their parent's id from the parent record the host passes, and
//! carry it as a column where the API leaves it out; a parent deleted since it
//! was listed (a 404 on its children) is skipped with a warning.

use crate::error::{ConnectorError, Result};
use crate::http::Query;
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ChildrenOf, ListEndpoint};
use serde_json::Value;

const fn endpoint(path: &str, max_limit: u32) -> ListEndpoint<'_> {
    ListEndpoint {
        key: KeyKind::Compliance,
        path,
        scheme: Scheme::PageToken,
        max_limit,
    }
}

/// `organizations`: `GET /v1/compliance/organizations`. Older revisions answer
/// one unpaginated `{"data": [...]}`, which reads as a single last page.
pub fn organizations(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let endpoint = endpoint("/v1/compliance/organizations", 1000);
    list::read_page(
        ctx,
        &endpoint,
        Query::new(),
        request.page_cursor.as_deref(),
        |org| org,
    )
}

/// The one parent record of a child read, and the text field `field` of it.
pub fn parent_field(request: &ReadRequest, field: &str) -> Result<(Value, String)> {
    let [parent] = request.parents.as_slice() else {
        return Err(ConnectorError::InvalidConfig(format!(
            "stream `{}` reads one parent at a time, got {}",
            request.stream_name,
            request.parents.len()
        )));
    };
    let parent: Value = serde_json::from_str(parent)
        .map_err(|e| ConnectorError::InvalidConfig(format!("parent record is not JSON: {e}")))?;
    let id = parent
        .get(field)
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            ConnectorError::InvalidConfig(format!(
                "the parent record of `{}` has no `{field}`",
                request.stream_name
            ))
        })?;
    Ok((parent, id))
}

/// Path segments from parent ids are percent-encoded: an id is data, never a path.
fn segment(id: &str) -> String {
    crate::http::percent_encode(id)
}

/// Add `name: value` to a record (the API omits the parent's id).
pub(super) fn with_field(mut record: Value, name: &str, value: &str) -> Value {
    if let Value::Object(map) = &mut record {
        map.insert(name.to_owned(), Value::String(value.to_owned()));
    }
    record
}

/// `organization_users`: `GET /v1/compliance/organizations/{uuid}/users`; the
/// same user appears in several organisations, so `organization_uuid` is added
/// and is part of the key. `email_address` is accepted for `email` (the API varied).
pub fn organization_users(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, uuid) = parent_field(request, "uuid")?;
    let path = format!("/v1/compliance/organizations/{}/users", segment(&uuid));
    list::read_child_page(
        ctx,
        &endpoint(&path, 1000),
        &ChildrenOf {
            kind: "organization",
            id: &uuid,
            children: "users",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |user| {
            let mut user = with_field(user, "organization_uuid", &uuid);
            if user.get("email").is_none()
                && let Some(email) = user.get("email_address").cloned()
            {
                user["email"] = email;
            }
            user
        },
    )
}

/// `organization_roles`: `GET /v1/compliance/organizations/{uuid}/roles`.
pub fn organization_roles(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, uuid) = parent_field(request, "uuid")?;
    let path = format!("/v1/compliance/organizations/{}/roles", segment(&uuid));
    list::read_child_page(
        ctx,
        &endpoint(&path, 1000),
        &ChildrenOf {
            kind: "organization",
            id: &uuid,
            children: "roles",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |role| with_field(role, "organization_uuid", &uuid),
    )
}

/// `groups`: `GET /v1/compliance/groups` (parent-level, no organisation field).
pub fn groups(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let endpoint = endpoint("/v1/compliance/groups", 1000);
    list::read_page(
        ctx,
        &endpoint,
        Query::new(),
        request.page_cursor.as_deref(),
        |group| group,
    )
}

/// `group_members`: `GET /v1/compliance/groups/{id}/members`; the group id is added.
pub fn group_members(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, group_id) = parent_field(request, "id")?;
    let path = format!("/v1/compliance/groups/{}/members", segment(&group_id));
    list::read_child_page(
        ctx,
        &endpoint(&path, 1000),
        &ChildrenOf {
            kind: "group",
            id: &group_id,
            children: "members",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |member| with_field(member, "group_id", &group_id),
    )
}
