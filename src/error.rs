//! The guest's error type. Every variant maps one-to-one onto the contract's
//! `plugin-error`, so a host can act on it (retry, fix the config, give up).
//! Messages are written for the person running the sync and never carry a secret.

use thiserror::Error;

/// An error of the connector, as the host will see it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConnectorError {
    /// The connection or the settings are wrong; the message says what to fix.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The API refused the key (401).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The key lacks a scope (403), or the organisation is not entitled (404 on the feed).
    #[error("not entitled: {0}")]
    NotEntitled(String),
    /// The API asked to slow down (429).
    #[error("rate limited: {message}")]
    RateLimited {
        retry_after_ms: Option<u64>,
        message: String,
    },
    /// Network failure, timeout or 5xx: worth a retry.
    #[error("transient failure: {0}")]
    Transient(String),
    /// The API answered something unusable (other 4xx, broken body, bad pagination).
    #[error("unexpected API response: {0}")]
    Upstream(String),
    /// An operation this version of the plugin does not support.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// A bug in the plugin.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ConnectorError {
    /// Whether the host should try again (the contract's retryable kinds).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient(_))
    }

    /// The same error with every secret (or fragment of one) removed from its
    /// message. A second wall: messages are built without secrets in the first place.
    pub fn redacted(self, redactor: &crate::redact::Redactor) -> Self {
        let clean = |text| crate::redact::text(redactor, text);
        match self {
            Self::InvalidConfig(m) => Self::InvalidConfig(clean(m)),
            Self::Auth(m) => Self::Auth(clean(m)),
            Self::NotEntitled(m) => Self::NotEntitled(clean(m)),
            Self::RateLimited {
                retry_after_ms,
                message,
            } => Self::RateLimited {
                retry_after_ms,
                message: clean(message),
            },
            Self::Transient(m) => Self::Transient(clean(m)),
            Self::Upstream(m) => Self::Upstream(clean(m)),
            Self::Unsupported(m) => Self::Unsupported(clean(m)),
            Self::Internal(m) => Self::Internal(clean(m)),
        }
    }
}

pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;
