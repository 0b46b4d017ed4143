//! The sandbox: how much memory and time one call into the plugin may take.

use std::time::Duration;

/// Limits applied to every call into the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Largest linear memory the plugin may grow to, in bytes.
    pub memory_bytes: usize,
    /// Wall-clock time one call may take (guest code and its HTTP waits together).
    pub call_timeout: Duration,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            memory_bytes: 256 << 20,
            call_timeout: Duration::from_secs(300),
        }
    }
}

/// How often the epoch ticks; the CPU deadline is counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(100);

impl SandboxLimits {
    /// The call timeout in epoch ticks (at least one).
    pub fn epoch_ticks(&self) -> u64 {
        (self.call_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}
