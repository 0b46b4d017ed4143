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
    match path {
        "/v1/organizations/users" => {
            let users: Vec<Value> = match params.get("email") {
                Some(email) => org
                    .admin_users
                    .iter()
                    .filter(|u| {
                        u["email"]
                            .as_str()
                            .is_some_and(|e| e.eq_ignore_ascii_case(email))
                    })
                    .cloned()
                    .collect(),
                None => org.admin_users.clone(),
            };
            id_cursor_page(&users, "id", params, 20, 1000)
        }
        "/v1/compliance/organizations" if behaviour.organizations_unpaginated => {
            Ok(json!({ "data": org.organizations }))
        }
        "/v1/compliance/organizations" => page_token_page(&org.organizations, params, 1000, 1000),
        // The feed is only needed for the connection test so far: an empty, well-formed list.
        "/v1/compliance/activities" => id_cursor_page(&[], "id", params, 100, 5000),
        _ => Err(ApiError::not_found(format!(
            "The mock serves no GET {path}."
        ))),
    }
}
