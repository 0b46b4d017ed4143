//! Errors of a call into the plugin. A [`PluginFailure`] is data (the plugin's
//! WIT error, for the caller to act on); the other variants are the host's or
//! the sandbox's business: traps, limits, loading.

use super::bindings::types::PluginError;
use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// The plugin's own error (`plugin-error` in the contract).
#[derive(Debug, Clone)]
pub struct PluginFailure(pub PluginError);

impl PluginFailure {
    /// Whether trying again later may succeed (rate limits, transient failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0,
            PluginError::RateLimited(_) | PluginError::Transient(_)
        )
    }

    /// The delay the API asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.0 {
            PluginError::RateLimited(r) => r.retry_after_ms.map(Duration::from_millis),
            _ => None,
        }
    }

    /// Short name of the variant, as the contract spells it.
    pub fn kind(&self) -> &'static str {
        match self.0 {
            PluginError::InvalidConfig(_) => "invalid-config",
            PluginError::Auth(_) => "auth",
            PluginError::NotEntitled(_) => "not-entitled",
            PluginError::RateLimited(_) => "rate-limited",
            PluginError::Transient(_) => "transient",
            PluginError::Upstream(_) => "upstream",
            PluginError::Unsupported(_) => "unsupported",
            PluginError::Internal(_) => "internal",
        }
    }

    pub fn message(&self) -> &str {
        match &self.0 {
            PluginError::InvalidConfig(m)
            | PluginError::Auth(m)
            | PluginError::NotEntitled(m)
            | PluginError::Transient(m)
            | PluginError::Upstream(m)
            | PluginError::Unsupported(m)
            | PluginError::Internal(m) => m,
            PluginError::RateLimited(r) => &r.message,
        }
    }
}

impl fmt::Display for PluginFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

impl std::error::Error for PluginFailure {}

#[derive(Debug, Error)]
pub enum CallError {
    /// The plugin answered with an error.
    #[error(transparent)]
    Plugin(#[from] PluginFailure),
    /// The plugin trapped (a bug, or a sandbox limit such as memory).
    #[error("the plugin trapped: {0}")]
    Trap(String),
    /// The call ran past its time limit.
    #[error("the plugin call took longer than its limit of {0:?}")]
    Timeout(Duration),
    /// Setting the call up failed (instantiation, bad connection config).
    #[error("could not run the plugin: {0}")]
    Setup(String),
}

impl CallError {
    pub fn as_plugin(&self) -> Option<&PluginFailure> {
        match self {
            Self::Plugin(p) => Some(p),
            _ => None,
        }
    }
}
