//! Named connections and grants, for the request functions.
//!
//! A connections file (JSON) maps slugs to a base URL, a secrets file and
//! whether writes are allowed, and roles to the functions they are granted:
//!
//! ```json
//! {
//!   "connections": {
//!     "prod": {"base_url": "https://api.anthropic.com", "secrets_file": "prod.env", "allow_writes": false,
//!              "into": "postgres://sync@db.internal:5432/warehouse", "schema": "anthropic_prod",
//!              "proxy": "http://sync:PASSWORD@proxy.corp.example:3128", "no_proxy": "internal.example",
//!              "ca_cert": "corp-ca.pem"}
//!   },
//!   "roles": {
//!     "auditor": ["claude_compliance_api_request"],
//!     "platform": ["claude_api_request", "claude_compliance_api_request"]
//!   }
//! }
//! ```
//!
//! Grants deny by default: a role may call only what it is granted; a caller
//! without a role is the local owner of the connection and may call both.
//! The plugin only ever sees the resolved connection's secrets.
//!
//! `proxy`, `no_proxy` and `ca_cert` are the connection's `--proxy`,
//! `--no-proxy` and `--ca-cert` (a flag given on the command line wins; a CA
//! file adds to those of the flags). A proxy's `user:password` may be written
//! here, in the file, and never on the command line; it is redacted like a key.

use crate::runtime::ConnectionConfig;
use crate::secrets::{Secrets, SecretsError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The two functions, by the names grants use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    ClaudeApiRequest,
    ClaudeComplianceApiRequest,
}

impl Function {
    pub fn grant_name(self) -> &'static str {
        match self {
            Self::ClaudeApiRequest => "claude_api_request",
            Self::ClaudeComplianceApiRequest => "claude_compliance_api_request",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedConnection {
    pub base_url: String,
    /// Relative paths are read from the connections file's folder.
    pub secrets_file: PathBuf,
    #[serde(default)]
    pub allow_writes: bool,
    /// Where `harness sync --connection SLUG` writes (as `--into` takes it);
    /// the default SQLite file when absent.
    #[serde(default)]
    pub into: Option<String>,
    /// The connection's schema in a PostgreSQL `into`; the slug when absent.
    #[serde(default)]
    pub schema: Option<String>,
    /// The `anthropic-version` its requests send (`--anthropic-version` wins).
    #[serde(default)]
    pub anthropic_version: Option<String>,
    /// The HTTP proxy of the connection's requests (`http://[USER:PASSWORD@]host:port`).
    #[serde(default)]
    pub proxy: Option<ProxyUrl>,
    /// Hosts reached without the proxy (`NO_PROXY`'s syntax).
    #[serde(default)]
    pub no_proxy: Option<String>,
    /// A PEM file of certificate authorities to trust besides the public
    /// ones; relative paths are read from the connections file's folder.
    #[serde(default)]
    pub ca_cert: Option<PathBuf>,
}

/// A proxy URL as the file has it, which may hold a password: `Debug` does
/// not show it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ProxyUrl(pub String);

impl std::fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProxyUrl([REDACTED])")
    }
}

/// How a named connection reaches the network, as its entry says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedNetwork {
    /// The proxy URL, with where it was written (for messages).
    pub proxy: Option<(ProxyUrl, String)>,
    pub no_proxy: Option<String>,
    /// The CA file, resolved against the connections file's folder.
    pub ca_cert: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionsFile {
    #[serde(default)]
    pub connections: BTreeMap<String, NamedConnection>,
    #[serde(default)]
    pub roles: BTreeMap<String, Vec<String>>,
    #[serde(skip)]
    folder: PathBuf,
}

#[derive(Debug, Error)]
pub enum ConnectionsError {
    #[error("cannot read the connections file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("unknown connection `{slug}`; the connections are: {known}")]
    UnknownSlug { slug: String, known: String },
    #[error("role `{role}` may not call {function}: it is not granted (grants deny by default)")]
    NotGranted {
        role: String,
        function: &'static str,
    },
    #[error("connection `{slug}`: {source}")]
    Secrets { slug: String, source: SecretsError },
    #[error("connection `{slug}`: {reason}")]
    Invalid { slug: String, reason: String },
}

impl ConnectionsFile {
    pub fn load(path: &Path) -> Result<Self, ConnectionsError> {
        let read_error = |reason: String| ConnectionsError::Read {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| read_error(e.to_string()))?;
        let mut file: Self = serde_json::from_str(&text).map_err(|e| read_error(e.to_string()))?;
        file.folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (role, grants) in &file.roles {
            for grant in grants {
                if ![
                    Function::ClaudeApiRequest,
                    Function::ClaudeComplianceApiRequest,
                ]
                .iter()
                .any(|f| f.grant_name() == grant)
                {
                    return Err(read_error(format!(
                        "role `{role}` is granted `{grant}`; grants are claude_api_request and claude_compliance_api_request"
                    )));
                }
            }
        }
        Ok(file)
    }

    /// May `role` call `function`? No role: the local owner, who may call both.
    pub fn authorize(
        &self,
        role: Option<&str>,
        function: Function,
    ) -> Result<(), ConnectionsError> {
        authorize(&self.roles, role, function)
    }

    /// The connection behind `slug`, with its secrets read.
    pub fn resolve(&self, slug: &str) -> Result<ConnectionConfig, ConnectionsError> {
        let named = self.named(slug)?;
        let secrets_path = self.folder.join(&named.secrets_file);
        let secrets =
            Secrets::from_file(&secrets_path).map_err(|source| ConnectionsError::Secrets {
                slug: slug.to_owned(),
                source,
            })?;
        let mut config = ConnectionConfig::new(named.base_url.clone(), secrets).map_err(|e| {
            ConnectionsError::Invalid {
                slug: slug.to_owned(),
                reason: e.to_string(),
            }
        })?;
        config.allow_writes = named.allow_writes;
        config.anthropic_version = named.anthropic_version.clone();
        Ok(config)
    }

    /// The proxy and CA of the connection behind `slug`.
    pub fn network(&self, slug: &str) -> Result<NamedNetwork, ConnectionsError> {
        let named = self.named(slug)?;
        Ok(NamedNetwork {
            proxy: named
                .proxy
                .clone()
                .map(|url| (url, format!("the `proxy` of connection `{slug}`"))),
            no_proxy: named.no_proxy.clone(),
            ca_cert: named.ca_cert.as_ref().map(|path| self.folder.join(path)),
        })
    }

    /// The entry of `slug`, as the file has it.
    pub fn named(&self, slug: &str) -> Result<&NamedConnection, ConnectionsError> {
        self.connections
            .get(slug)
            .ok_or_else(|| ConnectionsError::UnknownSlug {
                slug: slug.to_owned(),
                known: if self.connections.is_empty() {
                    "(none)".to_owned()
                } else {
                    self.connections
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })
    }
}

/// Grants, deny by default.
pub fn authorize(
    roles: &BTreeMap<String, Vec<String>>,
    role: Option<&str>,
    function: Function,
) -> Result<(), ConnectionsError> {
    let Some(role) = role else { return Ok(()) };
    let granted = roles
        .get(role)
        .is_some_and(|g| g.iter().any(|f| f == function.grant_name()));
    if granted {
        Ok(())
    } else {
        Err(ConnectionsError::NotGranted {
            role: role.to_owned(),
            function: function.grant_name(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_deny_by_default() {
        let mut roles = BTreeMap::new();
        roles.insert(
            "auditor".to_owned(),
            vec!["claude_compliance_api_request".to_owned()],
        );
        assert!(authorize(&roles, None, Function::ClaudeApiRequest).is_ok());
        assert!(
            authorize(
                &roles,
                Some("auditor"),
                Function::ClaudeComplianceApiRequest
            )
            .is_ok()
        );
        let err = authorize(&roles, Some("auditor"), Function::ClaudeApiRequest)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "role `auditor` may not call claude_api_request: it is not granted (grants deny by default)"
        );
        assert!(
            authorize(
                &roles,
                Some("stranger"),
                Function::ClaudeComplianceApiRequest
            )
            .is_err()
        );
    }
}
