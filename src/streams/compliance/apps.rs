//! claude.ai content metadata from the Compliance API: projects, their
//! attachments, and chats (metadata only; message content is never read).

use crate::error::{ConnectorError, Result};
use crate::http::{Query, percent_encode};
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::list::{self, ChildrenOf, ListEndpoint};
use crate::streams::parent::{parent_field, with_field};

/// Most user ids one chats request may name.
pub const CHAT_USERS_PER_REQUEST: usize = 10;

/// `projects`: `GET /v1/compliance/apps/projects` (`limit` up to 100). Soft-deleted
/// projects stay in the list, with `deleted_at`.
pub fn projects(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let endpoint = ListEndpoint {
        key: KeyKind::Compliance,
        path: "/v1/compliance/apps/projects",
        scheme: Scheme::PageToken,
        max_limit: 100,
    };
    list::read_page(
        ctx,
        &endpoint,
        Query::new(),
        request.page_cursor.as_deref(),
        |item| item.into_string(),
    )
}

/// `project_attachments`: `GET /v1/compliance/apps/projects/{id}/attachments`,
/// files and documents alike; the project id is added (the API omits it).
pub fn project_attachments(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let (_, project_id) = parent_field(request, "id")?;
    let path = format!(
        "/v1/compliance/apps/projects/{}/attachments",
        percent_encode(&project_id)
    );
    let endpoint = ListEndpoint {
        key: KeyKind::Compliance,
        path: &path,
        scheme: Scheme::PageToken,
        max_limit: 100,
    };
    list::read_child_page(
        ctx,
        &endpoint,
        &ChildrenOf {
            kind: "project",
            id: &project_id,
            children: "attachments",
        },
        Query::new(),
        request.page_cursor.as_deref(),
        |attachment| with_field(attachment, "project_id", &project_id),
    )
}

/// `user_chats`: `GET /v1/compliance/apps/chats?user_ids[]=…` for a batch of up
/// to ten organisation users (one call serves them all), id-cursor paginated.
pub fn user_chats(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let mut user_ids: Vec<String> = Vec::new();
    for parent in &request.parents {
        let single = ReadRequest {
            parents: vec![parent.clone()],
            ..request.clone()
        };
        let (_, id) = parent_field(&single, "id")?;
        // A user in several organisations is one user to the chats endpoint.
        if !user_ids.contains(&id) {
            user_ids.push(id);
        }
    }
    if user_ids.len() > CHAT_USERS_PER_REQUEST {
        return Err(ConnectorError::InvalidConfig(format!(
            "user_chats takes at most {CHAT_USERS_PER_REQUEST} users per read, got {}",
            user_ids.len()
        )));
    }
    let endpoint = ListEndpoint {
        key: KeyKind::Compliance,
        path: "/v1/compliance/apps/chats",
        scheme: Scheme::IdCursor,
        max_limit: 1000,
    };
    let query = Query::new().set_array("user_ids", &user_ids);
    list::read_page(
        ctx,
        &endpoint,
        query,
        request.page_cursor.as_deref(),
        |item| item.into_string(),
    )
}
