//! Errors of a call into the plugin. A [`PluginFailure`] is data (the plugin's
//! own error, for the caller to act on); the other variants are the host's or
//! the sandbox's business: traps, limits, loading.

use super::model::PluginError;
use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// The plugin's own error (`plugin-error` in the contract).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFailure(pub PluginError);

impl PluginFailure {
    /// Whether trying again later may succeed (rate limits, transient failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0,
            PluginError::RateLimited { .. } | PluginError::Transient(_)
        )
    }

    /// The delay the API asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.0 {
            PluginError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Short name of the variant, as the contract spells it.
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    pub fn message(&self) -> &str {
        self.0.message()
    }
}

impl fmt::Display for PluginFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
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
