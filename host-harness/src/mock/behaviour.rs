//! Switches that make the mock misbehave the way the real API can.

/// How the mock answers. Tests flip these through [`super::MockServer::set_behaviour`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// When false, every compliance endpoint answers 404 (the organisation is
    /// not entitled to the Compliance API).
    pub compliance_entitled: bool,
    /// When true, a Compliance Access Key gets 403 "missing scopes" everywhere.
    pub compliance_missing_scopes: bool,
    /// When true, an Admin key gets 403 on the Admin API.
    pub admin_forbidden: bool,
    /// When true, `/v1/compliance/organizations` answers the older, unpaginated
    /// shape (`{"data": [...]}` only).
    pub organizations_unpaginated: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            compliance_entitled: true,
            compliance_missing_scopes: false,
            admin_forbidden: false,
            organizations_unpaginated: false,
        }
    }
}
