//! Durations in reports are whole milliseconds:
//! `#[serde(serialize_with = "crate::duration_ms::serialize")]`.

use std::time::Duration;

pub fn serialize<S: serde::Serializer>(duration: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}
