//! The connection test: per key present, one cheap call for each scope its
//! streams need (a list with `limit=1`), the answers mapped to the product's
//! troubleshooting text. A key that lacks some scopes still works for the
//! streams that do not need them: the check says which those are, and what
//! the others need.

use crate::connection::{ADMIN_KEY, COMPLIANCE_KEY, Connection, KeyField};
use crate::host::Host;
use crate::http::{ApiClient, ApiError, Query};
use crate::model::{KeyCheck, KeyKind};
use crate::streams;

/// The scopes a Compliance Access Key needs for every stream of this connector.
pub const COMPLIANCE_SCOPES: &str =
    "read:compliance_activities, read:compliance_user_data, read:compliance_org_data";

/// The streams a key reads that need one scope (none: the key's own
/// access), and the call that tests it: the endpoint of the first of them
/// that needs no parent.
struct Probe {
    scope: Option<&'static str>,
    streams: Vec<&'static str>,
    path: &'static str,
}

/// The probes of the streams `connection` reads with its key of `kind`, by
/// scope, in stream order.
fn probes(connection: &Connection, kind: KeyKind) -> Vec<Probe> {
    let mut probes: Vec<Probe> = Vec::new();
    for spec in streams::all().filter(|s| s.key_for(connection) == Some(kind)) {
        let path = (spec.parent.is_none()).then(|| {
            let path = spec.endpoint.trim_start_matches("GET ");
            path.split('?').next().unwrap_or(path)
        });
        match probes.iter_mut().find(|p| p.scope == spec.scope) {
            Some(probe) => {
                probe.streams.push(spec.name);
                if probe.path.is_empty() {
                    probe.path = path.unwrap_or_default();
                }
            }
            None => probes.push(Probe {
                scope: spec.scope,
                streams: vec![spec.name],
                path: path.unwrap_or_default(),
            }),
        }
    }
    probes.retain(|probe| !probe.path.is_empty());
    probes
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
    let result = |ok: bool, status: Option<u16>, message: String| KeyCheck {
        key: kind,
        field: field.name.to_owned(),
        ok,
        status,
        message,
    };
    let client = match ApiClient::new(host, connection, kind) {
        Ok(client) => client,
        Err(e) => {
            let err = ApiError {
                message: e.to_string(),
                ..ApiError::default()
            };
            return result(false, None, failure_message(field, "", &err));
        }
    };
    let probes = probes(connection, kind);
    let mut lacking: Vec<(&Probe, ApiError)> = Vec::new();
    for probe in &probes {
        if let Err(err) = client.get_json(probe.path, &Query::new().set("limit", 1)) {
            // Anything but a missing scope (a refused key, no entitlement, no
            // answer) is the key's, whatever the stream.
            if err.status != Some(403) {
                return result(false, err.status, failure_message(field, probe.path, &err));
            }
            lacking.push((probe, err));
        }
    }
    let total: usize = probes.iter().map(|p| p.streams.len()).sum();
    let family = match kind {
        KeyKind::Admin => "Admin",
        KeyKind::Compliance => "Compliance",
    };
    match lacking.as_slice() {
        [] => {
            let calls: Vec<String> = probes.iter().map(|p| format!("`GET {}`", p.path)).collect();
            result(
                true,
                Some(200),
                format!(
                    "{} works: {} answered; all {total} {family} streams available.",
                    field.label,
                    calls.join(", ")
                ),
            )
        }
        [(probe, err), ..] if lacking.len() == probes.len() => {
            result(false, err.status, failure_message(field, probe.path, err))
        }
        _ => {
            let unavailable: usize = lacking.iter().map(|(p, _)| p.streams.len()).sum();
            let needs: Vec<String> = lacking
                .iter()
                .map(|(probe, _)| {
                    let verb = if probe.streams.len() == 1 {
                        "needs"
                    } else {
                        "need"
                    };
                    let scope = probe.scope.unwrap_or("a key with access to them");
                    format!("{} {verb} {scope}", probe.streams.join(", "))
                })
                .collect();
            result(
                true,
                Some(200),
                format!(
                    "{} of {total} {family} streams available; {}. Scopes are fixed when a key \
                     is created: create a key with them to read those streams too.",
                    total - unavailable,
                    needs.join("; ")
                ),
            )
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(admin: bool, compliance: bool) -> Connection {
        Connection::new(
            "https://api.example",
            admin.then(|| "sk-ant-admin01-k".to_owned()),
            compliance.then(|| "sk-ant-api01-k".to_owned()),
        )
        .unwrap()
    }

    fn described(probes: &[Probe]) -> Vec<(Option<&str>, &str, usize)> {
        probes
            .iter()
            .map(|p| (p.scope, p.path, p.streams.len()))
            .collect()
    }

    #[test]
    fn one_probe_per_scope_on_an_endpoint_that_needs_no_parent() {
        let both = connection(true, true);
        assert_eq!(
            described(&probes(&both, KeyKind::Compliance)),
            [
                (
                    Some("read:compliance_activities"),
                    "/v1/compliance/activities",
                    1
                ),
                (
                    Some("read:compliance_org_data"),
                    "/v1/compliance/organizations",
                    3
                ),
                (
                    Some("read:compliance_user_data"),
                    "/v1/compliance/apps/projects",
                    5
                ),
            ]
        );
        assert_eq!(
            described(&probes(&both, KeyKind::Admin)),
            [(None, "/v1/organizations/users", 11)]
        );
        assert_eq!(
            described(&probes(&connection(true, false), KeyKind::Admin)),
            [
                (
                    Some("read:compliance_activities"),
                    "/v1/compliance/activities",
                    1
                ),
                (None, "/v1/organizations/users", 11),
            ],
            "an Admin key alone reads the feed too"
        );
    }
}
