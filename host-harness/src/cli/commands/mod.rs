//! The commands of `harness`, one file each.

pub mod airbyte;
pub mod call;
pub mod check;
pub mod docs;
pub mod mock;
pub mod report;
pub mod reset;
pub mod runs;
pub mod streams;
pub mod sync;
