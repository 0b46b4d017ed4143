//! The mock over HTTP: pages of large lists, cursors, latency, the request
//! budget and connection counting. One binary, a module per concern.

mod common;
mod connections;
mod pacing;
mod paging;
