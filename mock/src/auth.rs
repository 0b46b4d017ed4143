//! Authentication and entitlement as the API does them: by key prefix (401
//! for a key of the wrong kind or a revoked one), 403 for a key without the
//! endpoint's scope, 404 on the compliance feed for an organisation that is not
//! entitled. Switches in [`Behaviour`] turn the failure cases on.

use super::api_error::{ApiError, Family};
use super::behaviour::Behaviour;

pub const ADMIN_PREFIX: &str = "sk-ant-admin01-";
pub const COMPLIANCE_PREFIX: &str = "sk-ant-api01-";

/// Keys containing this marker are treated as revoked (valid prefix, 401).
pub const REVOKED_MARKER: &str = "revoked";

/// What kind of key a request carried (recorded in the request log instead of the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySeen {
    None,
    Admin,
    Compliance,
    Other,
}

impl KeySeen {
    pub fn of(key: Option<&str>) -> Self {
        match key {
            None => Self::None,
            Some(k) if k.starts_with(ADMIN_PREFIX) => Self::Admin,
            Some(k) if k.starts_with(COMPLIANCE_PREFIX) => Self::Compliance,
            Some(_) => Self::Other,
        }
    }
}

/// The scope each compliance endpoint needs, as the API names it in a 403.
pub fn compliance_scope(path: &str) -> &'static str {
    if path.starts_with("/v1/compliance/activities") {
        "read:compliance_activities"
    } else if path.starts_with("/v1/compliance/groups/") && path.ends_with("/members")
        || path.starts_with("/v1/compliance/apps/")
        || (path.starts_with("/v1/compliance/organizations/") && path.ends_with("/users"))
    {
        "read:compliance_user_data"
    } else {
        "read:compliance_org_data"
    }
}

/// Check a request's key against the endpoint's family; `Ok` lets it through.
pub fn authorize(path: &str, key: Option<&str>, behaviour: &Behaviour) -> Result<(), ApiError> {
    let family = Family::of(path);
    let Some(key) = key else {
        return Err(ApiError::new(
            401,
            "authentication_error",
            "x-api-key header is required",
        ));
    };
    if key.contains(REVOKED_MARKER) {
        return Err(invalid_key(family));
    }
    match (family, KeySeen::of(Some(key))) {
        (Family::Admin, KeySeen::Admin) if behaviour.admin_forbidden => Err(ApiError::new(
            403,
            "permission_error",
            "Your API key does not have permission to use the Admin API.",
        )),
        (Family::Admin, KeySeen::Admin) => Ok(()),
        (Family::Compliance, KeySeen::Compliance | KeySeen::Admin)
            if !behaviour.compliance_entitled =>
        {
            Err(ApiError::not_found("Not Found"))
        }
        (Family::Compliance, KeySeen::Compliance) if behaviour.compliance_missing_scopes => {
            Err(missing_scope(path, "read:compliance_activities"))
        }
        (Family::Compliance, KeySeen::Compliance)
            if behaviour.missing_scope.as_deref() == Some(compliance_scope(path)) =>
        {
            let granted: Vec<&str> = [
                "read:compliance_activities",
                "read:compliance_user_data",
                "read:compliance_org_data",
            ]
            .into_iter()
            .filter(|s| Some(*s) != behaviour.missing_scope.as_deref())
            .collect();
            Err(missing_scope(path, &granted.join("', '")))
        }
        (Family::Compliance, KeySeen::Compliance) => Ok(()),
        // Admin keys reach only the feed, and only with the feed scope: 403 elsewhere.
        (Family::Compliance, KeySeen::Admin)
            if behaviour.admin_feed_scope && path == "/v1/compliance/activities" =>
        {
            Ok(())
        }
        (Family::Compliance, KeySeen::Admin) => Err(missing_scope(
            path,
            if behaviour.admin_feed_scope {
                "read:compliance_activities"
            } else {
                ""
            },
        )),
        _ => Err(invalid_key(family)),
    }
}

fn invalid_key(family: Family) -> ApiError {
    let message = match family {
        Family::Compliance => "The API key provided is invalid or has been revoked.",
        _ => "invalid x-api-key",
    };
    ApiError::new(401, "authentication_error", message)
}

fn missing_scope(path: &str, got: &str) -> ApiError {
    let got = if got.is_empty() {
        String::new()
    } else {
        format!("'{got}'")
    };
    ApiError::new(
        403,
        "permission_error",
        format!(
            "Missing required scopes. Got: [{got}] Needed: ['{}']",
            compliance_scope(path)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_judged_by_prefix_and_family() {
        let b = Behaviour::default();
        let users = "/v1/organizations/users";
        let orgs = "/v1/compliance/organizations";
        assert!(authorize(users, Some("sk-ant-admin01-x"), &b).is_ok());
        assert_eq!(
            authorize(users, Some("sk-ant-api01-x"), &b)
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(authorize(users, None, &b).unwrap_err().status, 401);
        assert!(authorize(orgs, Some("sk-ant-api01-x"), &b).is_ok());
        assert_eq!(
            authorize(orgs, Some("sk-ant-admin01-x"), &b)
                .unwrap_err()
                .status,
            403
        );
        let feed = "/v1/compliance/activities";
        assert!(authorize(feed, Some("sk-ant-admin01-x"), &b).is_ok());
        let unscoped = Behaviour {
            admin_feed_scope: false,
            ..Behaviour::default()
        };
        let err = authorize(feed, Some("sk-ant-admin01-x"), &unscoped).unwrap_err();
        assert_eq!(
            (err.status, err.message.as_str()),
            (
                403,
                "Missing required scopes. Got: [] Needed: ['read:compliance_activities']"
            )
        );
        assert_eq!(
            authorize(orgs, Some("sk-ant-api03-x"), &b)
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            authorize(orgs, Some("sk-ant-api01-revoked"), &b)
                .unwrap_err()
                .status,
            401
        );
    }

    #[test]
    fn switches_give_403_and_404() {
        let b = Behaviour {
            compliance_entitled: false,
            ..Behaviour::default()
        };
        assert_eq!(
            authorize("/v1/compliance/activities", Some("sk-ant-api01-x"), &b)
                .unwrap_err()
                .status,
            404
        );
        let b = Behaviour {
            compliance_missing_scopes: true,
            ..Behaviour::default()
        };
        let err =
            authorize("/v1/compliance/organizations", Some("sk-ant-api01-x"), &b).unwrap_err();
        assert_eq!(err.status, 403);
        assert!(
            err.message.contains("read:compliance_org_data"),
            "{}",
            err.message
        );
    }
}
