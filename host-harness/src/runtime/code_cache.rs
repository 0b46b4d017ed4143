//! Where compiled plugin code is kept between processes, so that a second
//! `harness` run (or test process) loads the component in milliseconds instead
//! of compiling it again. This is wasmtime's own compilation cache: entries are
//! keyed by a hash of the component's bytes, the wasmtime version and the
//! compiler settings, so a rebuilt component or another wasmtime never reads a
//! stale entry.

use std::path::PathBuf;
use wasmtime::{Cache, CacheConfig, Config};

/// Where compiled code is cached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CodeCache {
    /// wasmtime's directory for this user (on Linux `~/.cache/wasmtime`).
    #[default]
    UserDefault,
    /// This directory (created when missing).
    Directory(PathBuf),
    /// No cache: compile on every start.
    Off,
}

impl CodeCache {
    /// Turn the cache on in an engine configuration.
    pub(super) fn configure(&self, config: &mut Config) -> wasmtime::Result<()> {
        let mut cache = CacheConfig::new();
        match self {
            Self::Off => return Ok(()),
            Self::UserDefault => {}
            Self::Directory(dir) => {
                let dir = std::path::absolute(dir)?;
                cache.with_directory(dir);
            }
        }
        config.cache(Some(Cache::new(cache)?));
        Ok(())
    }
}
