//! The plugin contracts this host runs, one module per WIT version
//! (`wit/since_vX.Y.Z/`). Each module generates that version's bindings, links
//! its imports, and converts its types to and from the host's own
//! ([`super::model`]) at the edge, so nothing outside `runtime/` names a
//! generated type.
//!
//! Adding a contract version: freeze the folder, add a module here that binds
//! it, and let [`super::PluginRuntime`] pick the module whose world the
//! component fits (the newest first). A version no component can use any more
//! is dropped with a note in `wit/CHANGELOG.md`.
//!
//! Each version replaced the one before rather than joining it: no component
//! of an earlier version was ever built outside this repository, so there is
//! none left to run.

pub mod v0_4_0;

/// The version components built from this workspace implement.
pub use v0_4_0 as current;
