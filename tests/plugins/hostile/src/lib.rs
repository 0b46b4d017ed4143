//! A plugin that misbehaves on purpose, one way per stream, so the end-to-end
//! tests can show that the harness survives each and that the destination keeps
//! what was committed before:
//!
//! | stream   | what `read-page` does                                         |
//! |----------|---------------------------------------------------------------|
//! | `before` | returns one good record                                      |
//! | `trap`   | panics (a trap)                                               |
//! | `spin`   | loops forever (stopped by the epoch deadline)                 |
//! | `grow`   | allocates until the memory limit stops it                     |
//! | `flood`  | calls the `logging` import without end                        |
//! | `escape` | sends a request to a host outside the allow-list             |
//! | `after`  | returns one good record (the run goes on after a failure)     |
//!
//! It is built for `wasm32-wasip2` only, by `host-harness/build.rs`; natively it
//! is empty.

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod component;
