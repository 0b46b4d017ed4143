//! The connection test: one cheap call per key present, its answer mapped to
//! the product's troubleshooting text.

use crate::connection::{ADMIN_KEY, COMPLIANCE_KEY, Connection, KeyField};
use crate::host::Host;
use crate::http::{ApiClient, ApiError, Query};
use crate::model::{KeyCheck, KeyKind};

/// The scopes a Compliance Access Key needs for every stream of this connector.
pub const COMPLIANCE_SCOPES: &str =
    "read:compliance_activities, read:compliance_user_data, read:compliance_org_data";

/// The smoke-test call of each key: a list with `limit=1`.
fn smoke_test_path(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Admin => "/v1/organizations/users",
        KeyKind::Compliance => "/v1/compliance/activities",
    }
}

/// Test every key the connection has; one result per key.
pub fn check_connection(host: &dyn Host, connection: &Connection) -> Vec<KeyCheck> {
    connection
        .kinds()
        .into_iter()
        .map(|kind| check_key(host, connection, kind))
        .collect()
}

fn check_key(host: &dyn Host, connection: &Connection, kind: KeyKind) -> KeyCheck {
    let field = KeyField::of(kind);
    let path = smoke_test_path(kind);
    let outcome = ApiClient::new(host, connection, kind)
        .map_err(|e| ApiError {
            message: e.to_string(),
            ..ApiError::default()
        })
        .and_then(|client| client.get_json(path, &Query::new().set("limit", 1)));
    let (ok, status, message) = match outcome {
        Ok(_) => (
            true,
            Some(200),
            format!("{} works: `GET {path}` answered.", field.label),
        ),
        Err(err) => (false, err.status, failure_message(field, path, &err)),
    };
    KeyCheck {
        key: kind,
        field: field.name.to_owned(),
        ok,
        status,
        message,
    }
}

/// The troubleshooting text for a failed smoke test.
fn failure_message(field: KeyField, path: &str, err: &ApiError) -> String {
    let api_said = err.describe();
    match (err.status, field.kind) {
        (Some(401), KeyKind::Compliance) => format!(
            "Connection failed (401): the {} was refused. Confirm the key starts with `{}` and \
             that Compliance API access has been enabled on your Anthropic organization. (API: {api_said})",
            field.display(),
            COMPLIANCE_KEY.prefix
        ),
        (Some(401), KeyKind::Admin) => format!(
            "Connection failed (401): the {} was refused. Confirm the key starts with `{}` and was \
             created under the Anthropic Console for your organization. (API: {api_said})",
            field.display(),
            ADMIN_KEY.prefix
        ),
        (Some(403), KeyKind::Compliance) => format!(
            "Connection failed (403): the {} is valid but lacks a scope. This connector needs \
             {COMPLIANCE_SCOPES}; scopes are fixed when a key is created, so create a new key with \
             them. (API: {api_said})",
            field.display()
        ),
        (Some(403), KeyKind::Admin) => format!(
            "Connection failed (403): the {} is not allowed to use the Admin API. Use an Admin key \
             created by an organization admin under Settings → Admin Keys. (API: {api_said})",
            field.display()
        ),
        (Some(404), KeyKind::Compliance) => format!(
            "Connection failed (404): the {} is valid but the organization is not entitled to the \
             Compliance API ({path}). Pursue Compliance enablement with your Anthropic account team, \
             or remove the Compliance Access Key and operate with the Admin API Key only. (API: {api_said})",
            field.display()
        ),
        (Some(status), _) => format!(
            "Connection failed ({status}) for the {} on `GET {path}`: {api_said}",
            field.display()
        ),
        (None, _) if err.denied => format!(
            "Connection failed: the host refused the request for the {} ({api_said}). Check the \
             base URL and the host's allowed hosts.",
            field.display()
        ),
        // The description says what was wrong with the certificate and what to do.
        (None, _) if err.certificate => format!(
            "Connection failed: the API's TLS certificate was not accepted for the {}: {api_said}",
            field.display()
        ),
        (None, _) => format!(
            "Connection failed: no answer from the API for the {} ({api_said}). Check the base URL \
             and the network.",
            field.display()
        ),
    }
}
