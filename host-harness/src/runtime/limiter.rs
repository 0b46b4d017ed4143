//! The plugin's memory limit, enforced on every growth of its linear memory.
//!
//! Going over the limit traps the call (rather than letting `memory.grow`
//! return -1, which a Rust guest turns into an abort indistinguishable from a
//! bug), and the trap carries a typed [`MemoryLimitReached`], so the host can
//! tell "out of memory" from any other trap and say what to raise.

use thiserror::Error;
use wasmtime::ResourceLimiter;

/// The plugin asked for more memory than the sandbox allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the plugin asked to grow its memory to {desired} bytes, over its limit of {limit} bytes")]
pub struct MemoryLimitReached {
    pub desired: usize,
    pub limit: usize,
}

/// A store's limiter: linear memories up to `memory_bytes`, tables as their
/// own types allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimiter {
    memory_bytes: usize,
}

impl SandboxLimiter {
    pub fn new(memory_bytes: usize) -> Self {
        Self { memory_bytes }
    }
}

impl ResourceLimiter for SandboxLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_bytes {
            return Err(MemoryLimitReached {
                desired,
                limit: self.memory_bytes,
            }
            .into());
        }
        Ok(maximum.is_none_or(|max| desired <= max))
    }

    /// A growth the limit allowed but the system refused is a trap too, with
    /// the system's reason kept.
    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        Err(error)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|max| desired <= max))
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_past_the_limit_is_a_typed_error_and_within_it_is_allowed() {
        let mut limiter = SandboxLimiter::new(1 << 20);
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap());
        assert!(!limiter.memory_growing(0, 1 << 19, Some(1 << 18)).unwrap());
        let error = limiter.memory_growing(1 << 20, 2 << 20, None).unwrap_err();
        assert_eq!(
            error.downcast_ref::<MemoryLimitReached>(),
            Some(&MemoryLimitReached {
                desired: 2 << 20,
                limit: 1 << 20
            })
        );
    }
}
