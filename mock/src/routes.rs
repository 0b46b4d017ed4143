//! The endpoints the mock serves, each with the API's own defaults and limits.

use super::analytics::{self, Metrics};
use super::api_error::ApiError;
use super::behaviour::Behaviour;
use super::feed::activities_page;
use super::org::{DEFAULT_WORKSPACE_ID, MockOrg};
use super::paging::{
    InListOrder, Json, Params, Subset, id_cursor_page, page_body, page_token_page, page_token_range,
};
use super::records::Records;
use super::reports;
use serde_json::Value;

/// Answer one authorised request with its JSON body. Lists are served from
/// their stored records: a request costs its page. `betas` are the values
/// of the request's `anthropic-beta` header.
pub fn route(
    org: &MockOrg,
    behaviour: &Behaviour,
    method: &str,
    path: &str,
    params: &Params,
    betas: &[&str],
) -> Result<Json, ApiError> {
    if method != "GET" {
        return Err(ApiError::not_found(format!(
            "The mock serves no {method} {path}."
        )));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v1", "organizations", "users"] => {
            let email = params.get("email").map(|email| {
                move |u: &Value| {
                    u["email"]
                        .as_str()
                        .is_some_and(|e| e.eq_ignore_ascii_case(email))
                }
            });
            id_cursor_page(&InListOrder::new(&org.admin_users, email), params, 20, 1000)
        }
        ["v1", "organizations", "workspaces"] => {
            let include_archived = params.get("include_archived") == Some("true");
            let include_default = params.get("include_default") == Some("true");
            let listed = (!include_archived || !include_default).then_some(move |w: &Value| {
                (include_archived || w["archived_at"].is_null())
                    && (include_default || w["id"] != DEFAULT_WORKSPACE_ID)
            });
            id_cursor_page(&InListOrder::new(&org.workspaces, listed), params, 20, 1000)
        }
        ["v1", "organizations", "workspaces", id, "members"] => {
            let members = org
                .workspace_members
                .children(id)
                .filter(|_| !deleted(behaviour, id))
                .ok_or_else(|| {
                    ApiError::not_found(format!("Workspace with id '{id}' was not found."))
                })?;
            id_cursor_page(&InListOrder::all(members), params, 20, 1000)
        }
        ["v1", "organizations", "api_keys"] => {
            let (status, workspace) = (params.get("status"), params.get("workspace_id"));
            let matching = (status.is_some() || workspace.is_some()).then_some(|k: &Value| {
                status.is_none_or(|s| k["status"] == s)
                    && workspace.is_none_or(|w| k["workspace_id"] == w)
            });
            id_cursor_page(&InListOrder::new(&org.api_keys, matching), params, 20, 1000)
        }
        ["v1", "organizations", "invites"] => {
            id_cursor_page(&InListOrder::all(&org.invites), params, 20, 1000)
        }
        ["v1", "organizations", "rate_limits"] => {
            let entries: Records = org
                .rate_limits
                .iter()
                .filter(|e| {
                    params
                        .get("group_type")
                        .is_none_or(|g| e["group_type"] == g)
                })
                .map(|e| {
                    if behaviour.rate_limits_legacy {
                        legacy_rate_limit(e)
                    } else {
                        e.clone()
                    }
                })
                .collect();
            rate_limits_page(&entries, params)
        }
        ["v1", "organizations", "usage_report", "messages"] => json(reports::usage_report(
            org.size.seed,
            &org.usage_pools(),
            &org.usage_revisions,
            params,
            betas,
        )),
        ["v1", "organizations", "cost_report"] => json(reports::cost_report(
            org.size.seed,
            &org.usage_pools(),
            &org.usage_revisions,
            org.size.cost_rows_per_day,
            params,
        )),
        [
            "v1",
            "organizations",
            "analytics",
            endpoint @ ("usage" | "cost"),
        ] => {
            let metrics = match *endpoint {
                "usage" => Metrics::Usage,
                _ => Metrics::Cost,
            };
            analytics::analytics_page(
                metrics,
                org.size.seed,
                &org.usage_pools(),
                &org.usage_revisions,
                params,
                betas,
            )
        }
        ["v1", "organizations", "usage_report", "claude_code"] => {
            reports::claude_code_report(org.size.seed, &org.claude_code_actors(), params)
        }
        ["v1", "compliance", "organizations"] if behaviour.organizations_unpaginated => Ok(
            page_body(&org.organizations, 0..org.organizations.len(), &[]),
        ),
        ["v1", "compliance", "organizations"] => {
            page_token_page(&org.organizations, params, 1000, 1000)
        }
        ["v1", "compliance", "organizations", uuid, "users"] => {
            let users = org
                .organization_users
                .children(uuid)
                .filter(|_| !deleted(behaviour, uuid))
                .ok_or_else(|| unknown_org(uuid))?;
            page_token_page(users, params, 500, 1000)
        }
        ["v1", "compliance", "organizations", uuid, "roles"] => {
            let roles = org
                .organization_roles
                .children(uuid)
                .filter(|_| !deleted(behaviour, uuid))
                .ok_or_else(|| unknown_org(uuid))?;
            page_token_page(roles, params, 500, 1000)
        }
        ["v1", "compliance", "groups"] => page_token_page(&org.groups, params, 500, 1000),
        ["v1", "compliance", "groups", id, "members"] => {
            let members = org
                .group_members
                .children(id)
                .filter(|_| !deleted(behaviour, id))
                .ok_or_else(|| ApiError::not_found("Group not found."))?;
            page_token_page(members, params, 500, 1000)
        }
        ["v1", "compliance", "apps", "projects"] => page_token_page(&org.projects, params, 20, 100),
        ["v1", "compliance", "apps", "projects", id, "attachments"] => {
            let attachments = org
                .project_attachments
                .children(id)
                .filter(|_| !deleted(behaviour, id))
                .ok_or_else(|| ApiError::not_found("No project is found with the provided id."))?;
            page_token_page(attachments, params, 20, 100)
        }
        ["v1", "compliance", "apps", "chats"] => {
            let user_ids = params.all("user_ids[]");
            if user_ids.len() > 10 {
                return Err(ApiError::invalid_request(format!(
                    "user_ids[] accepts at most 10 values. Got {}.",
                    user_ids.len()
                )));
            }
            if user_ids.is_empty() {
                id_cursor_page(&InListOrder::all(&org.chats), params, 100, 1000)
            } else {
                let theirs = Subset::new(&org.chats, org.chats_by_user().chats_of(&user_ids));
                id_cursor_page(&theirs, params, 100, 1000)
            }
        }
        ["v1", "compliance", "activities"] => activities_page(&org.activities, &org.feed(), params),
        _ => Err(ApiError::not_found(format!(
            "The mock serves no GET {path}."
        ))),
    }
}

/// A body built as a value (the reports: computed per request, never stored).
fn json(body: Result<Value, ApiError>) -> Result<Json, ApiError> {
    body.map(|value| serde_json::to_vec(&value).expect("a value serialises"))
}

/// Whether a parent was deleted after it was listed (its children are gone).
fn deleted(behaviour: &Behaviour, id: &str) -> bool {
    behaviour.deleted_parents.iter().any(|d| d == id)
}

fn unknown_org(uuid: &str) -> ApiError {
    ApiError::not_found(format!(
        "The \"{uuid}\" organization does not exist or the requester is not authorized to access it."
    ))
}

/// The older shape of a rate limit entry: no `id`, no `group`.
fn legacy_rate_limit(entry: &Value) -> Value {
    let mut entry = entry.clone();
    if let Value::Object(map) = &mut entry {
        map.remove("id");
        map.remove("group");
    }
    entry
}

/// Rate limits: one page when `limit` is omitted; `next_page` and no `has_more` otherwise.
fn rate_limits_page(entries: &Records, params: &Params) -> Result<Json, ApiError> {
    if params.get("limit").is_none() && params.get("page").is_none() {
        return Ok(page_body(
            entries,
            0..entries.len(),
            &[("next_page", Value::Null)],
        ));
    }
    let page = page_token_range(entries.len(), params, 1000, 1000)?;
    let next = page.next.map_or(Value::Null, Value::String);
    Ok(page_body(entries, page.positions, &[("next_page", next)]))
}
