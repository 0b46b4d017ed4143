//! The endpoints the mock serves, each with the API's own defaults and limits.

use super::api_error::ApiError;
use super::behaviour::Behaviour;
use super::org::MockOrg;
use super::paging::{Params, id_cursor_page, page_token_page};
use super::reports;
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
        ["v1", "organizations", "rate_limits"] => {
            let entries: Vec<Value> = org
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
        ["v1", "organizations", "usage_report", "messages"] => reports::usage_report(
            org.size.seed,
            &org.usage_pools(),
            &org.usage_revisions,
            params,
        ),
        ["v1", "organizations", "cost_report"] => reports::cost_report(
            org.size.seed,
            &org.usage_pools(),
            &org.usage_revisions,
            org.size.cost_rows_per_day,
            params,
        ),
        ["v1", "organizations", "usage_report", "claude_code"] => {
            reports::claude_code_report(org.size.seed, &org.claude_code_actors(), params)
        }
        ["v1", "compliance", "organizations"] if behaviour.organizations_unpaginated => {
            Ok(json!({ "data": org.organizations }))
        }
        ["v1", "compliance", "organizations"] => {
            page_token_page(&org.organizations, params, 1000, 1000)
        }
        ["v1", "compliance", "organizations", uuid, "users"] => {
            let users = MockOrg::children_of(&org.organization_users, uuid)
                .filter(|_| !deleted(behaviour, uuid))
                .ok_or_else(|| unknown_org(uuid))?;
            page_token_page(users, params, 500, 1000)
        }
        ["v1", "compliance", "organizations", uuid, "roles"] => {
            let roles = MockOrg::children_of(&org.organization_roles, uuid)
                .filter(|_| !deleted(behaviour, uuid))
                .ok_or_else(|| unknown_org(uuid))?;
            page_token_page(roles, params, 500, 1000)
        }
        ["v1", "compliance", "groups"] => page_token_page(&org.groups, params, 500, 1000),
        ["v1", "compliance", "groups", id, "members"] => {
            let members = MockOrg::children_of(&org.group_members, id)
                .filter(|_| !deleted(behaviour, id))
                .ok_or_else(|| ApiError::not_found("Group not found."))?;
            page_token_page(members, params, 500, 1000)
        }
        ["v1", "compliance", "apps", "projects"] => page_token_page(&org.projects, params, 20, 100),
        ["v1", "compliance", "apps", "projects", id, "attachments"] => {
            let attachments = MockOrg::children_of(&org.project_attachments, id)
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
            let chats = filtered(&org.chats, |c| {
                user_ids.is_empty() || user_ids.iter().any(|u| c["user"]["id"] == *u)
            });
            id_cursor_page(&chats, "id", params, 100, 1000)
        }
        ["v1", "compliance", "activities"] => activities(org, params),
        _ => Err(ApiError::not_found(format!(
            "The mock serves no GET {path}."
        ))),
    }
}

/// Whether a parent was deleted after it was listed (its children are gone).
fn deleted(behaviour: &Behaviour, id: &str) -> bool {
    behaviour.deleted_parents.iter().any(|d| d == id)
}

fn filtered(items: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    items.iter().filter(|item| keep(item)).cloned().collect()
}

fn unknown_org(uuid: &str) -> ApiError {
    ApiError::not_found(format!(
        "The \"{uuid}\" organization does not exist or the requester is not authorized to access it."
    ))
}

/// The feed: filtered by time and type, newest first (ties by id), id cursors.
fn activities(org: &MockOrg, params: &Params) -> Result<Value, ApiError> {
    let included = params.all("activity_types[]");
    let excluded = params.all("exclude_activity_types[]");
    if !included.is_empty() && !excluded.is_empty() {
        return Err(ApiError::invalid_request(
            "`activity_types[]` and `exclude_activity_types[]` cannot be combined.",
        ));
    }
    let bound = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
        params
            .get(name)
            .map(|raw| {
                chrono::DateTime::parse_from_rfc3339(raw).map(|t| t.to_utc()).map_err(|_| {
                    ApiError::invalid_request(format!(
                        "The `{name}` parameter contains an invalid timestamp format. Timestamps must be \
                         provided in RFC 3339 format e.g., \"2024-03-01T00:00:00Z\". Got \"{raw}\"."
                    ))
                })
            })
            .transpose()
    };
    let (gte, gt, lte, lt) = (
        bound("created_at.gte")?,
        bound("created_at.gt")?,
        bound("created_at.lte")?,
        bound("created_at.lt")?,
    );
    let mut feed: Vec<Value> = filtered(&org.activities, |a| {
        let kind = a["type"].as_str().unwrap_or_default();
        let at = a["created_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.to_utc());
        let Some(at) = at else { return false };
        (included.is_empty() || included.contains(&kind))
            && !excluded.contains(&kind)
            && gte.is_none_or(|b| at >= b)
            && gt.is_none_or(|b| at > b)
            && lte.is_none_or(|b| at <= b)
            && lt.is_none_or(|b| at < b)
    });
    feed.sort_by(|a, b| {
        (b["created_at"].as_str(), b["id"].as_str())
            .cmp(&(a["created_at"].as_str(), a["id"].as_str()))
    });
    if params.get("order") == Some("asc") {
        feed.reverse();
    }
    id_cursor_page(&feed, "id", params, 100, 5000)
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
fn rate_limits_page(entries: &[Value], params: &Params) -> Result<Value, ApiError> {
    if params.get("limit").is_none() && params.get("page").is_none() {
        return Ok(json!({"data": entries, "next_page": null}));
    }
    let mut page = page_token_page(entries, params, 1000, 1000)?;
    if let Value::Object(map) = &mut page {
        map.remove("has_more");
    }
    Ok(page)
}
