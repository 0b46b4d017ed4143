//! The endpoints the mock serves, each with the API's own defaults and limits.

use super::api_error::ApiError;
use super::behaviour::Behaviour;
use super::org::MockOrg;
use super::paging::{Params, id_cursor_page, page_token_page};
use serde_json::{Value, json};

/// Answer one authorised request.
pub fn route(
    org: &MockOrg,
    behaviour: &Behaviour,
    method: &str,
    path: &str,
    params: &Params,
) -> Result<Value, ApiError> {
    if method != "GET" {
        return Err(ApiError::not_found(format!(
            "The mock serves no {method} {path}."
        )));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "organizations", "users"] => {
            let users = filtered(&org.admin_users, |u| {
                params.get("email").is_none_or(|email| {
                    u["email"]
                        .as_str()
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
                })
            });
            id_cursor_page(&users, "id", params, 20, 1000)
        }
        ["v1", "organizations", "workspaces"] => {
            let include_archived = params.get("include_archived") == Some("true");
            let workspaces = filtered(&org.workspaces, |w| {
                include_archived || w["archived_at"].is_null()
            });
            id_cursor_page(&workspaces, "id", params, 20, 1000)
        }
        ["v1", "organizations", "api_keys"] => {
            let keys = filtered(&org.api_keys, |k| {
                params.get("status").is_none_or(|s| k["status"] == s)
                    && params
                        .get("workspace_id")
                        .is_none_or(|w| k["workspace_id"] == w)
            });
            id_cursor_page(&keys, "id", params, 20, 1000)
        }
        ["v1", "organizations", "invites"] => id_cursor_page(&org.invites, "id", params, 20, 1000),
        ["v1", "compliance", "organizations"] if behaviour.organizations_unpaginated => {
            Ok(json!({ "data": org.organizations }))
        }
        ["v1", "compliance", "organizations"] => {
            page_token_page(&org.organizations, params, 1000, 1000)
        }
        ["v1", "compliance", "organizations", uuid, "users"] => {
            let users = MockOrg::children_of(&org.organization_users, uuid)
                .ok_or_else(|| unknown_org(uuid))?;
            page_token_page(users, params, 500, 1000)
        }
        ["v1", "compliance", "organizations", uuid, "roles"] => {
            let roles = MockOrg::children_of(&org.organization_roles, uuid)
                .ok_or_else(|| unknown_org(uuid))?;
            page_token_page(roles, params, 500, 1000)
        }
        ["v1", "compliance", "groups"] => page_token_page(&org.groups, params, 500, 1000),
        ["v1", "compliance", "groups", id, "members"] => {
            let members = MockOrg::children_of(&org.group_members, id)
                .ok_or_else(|| ApiError::not_found("Group not found."))?;
            page_token_page(members, params, 500, 1000)
        }
        // The feed is only needed for the connection test so far: an empty, well-formed list.
        ["v1", "compliance", "activities"] => id_cursor_page(&[], "id", params, 100, 5000),
        _ => Err(ApiError::not_found(format!(
            "The mock serves no GET {path}."
        ))),
    }
}

fn filtered(items: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    items.iter().filter(|item| keep(item)).cloned().collect()
}

fn unknown_org(uuid: &str) -> ApiError {
    ApiError::not_found(format!(
        "The \"{uuid}\" organization does not exist or the requester is not authorized to access it."
    ))
}
