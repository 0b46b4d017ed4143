//! Records as JSON text, without a tree of values in between.
//!
//! Every record the plugin hands over is the text `serde_json` writes for the
//! value it reads from the API's item ([`Canonical`]): compact, each key once
//! and in order, strings escaped and integers printed as it writes them. The
//! API's items nearly always come in that form already, so they are passed on
//! as the slices of the response body they are, or read ([`Object`]) and
//! edited ([`Fields`]) field by field; only an item that is not (an escaped letter, a float, spaces)
//! is parsed and written again. Either way the record's bytes are the ones a
//! parse into `serde_json::Value` and back would give.

mod canonical;
mod fields;
mod object;
mod scan;
#[cfg(test)]
pub mod testing;

pub use canonical::{Canonical, CanonicalError, nesting_depth};
pub use fields::{Fields, Name, string};
pub use object::{Object, decoded_string};
