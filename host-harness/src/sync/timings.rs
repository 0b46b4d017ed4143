//! Where a run's time went, and how much memory it took: the time inside
//! plugin calls (the guest, and the HTTP requests it waits on), the time the
//! destination took to write, and the process's peak resident memory. Work
//! overlaps, so the parts are busy times that may add up to more than the
//! run's wall time.

use crate::egress::HttpStats;
use crate::runtime::ConnectionConfig;
use serde::Serialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunTimings {
    /// Time inside `read-page` calls, summed over every call.
    #[serde(
        rename = "plugin_calls_ms",
        serialize_with = "crate::duration_ms::serialize"
    )]
    pub plugin_calls: Duration,
    /// Time the destination took to prepare tables and write pages.
    #[serde(
        rename = "destination_ms",
        serialize_with = "crate::duration_ms::serialize"
    )]
    pub destination: Duration,
    /// The run's HTTP: requests, connections opened, bytes received, time
    /// in flight and time waiting on the request budget.
    pub http: HttpStats,
    /// The process's peak resident memory so far, where the system tells it.
    pub peak_rss_bytes: Option<u64>,
}

/// Busy time, added up by concurrent reads.
#[derive(Debug)]
pub struct Spent {
    plugin_calls: Mutex<Duration>,
    destination: Mutex<Duration>,
    /// The connection's HTTP counters when the run began.
    http_before: HttpStats,
}

impl Spent {
    pub fn new(connection: &ConnectionConfig) -> Self {
        Self {
            plugin_calls: Mutex::default(),
            destination: Mutex::default(),
            http_before: connection.http_stats(),
        }
    }

    /// Time a plugin call that began at `since`.
    pub fn plugin_call(&self, since: Instant) {
        *self.plugin_calls.lock().expect("timings lock") += since.elapsed();
    }

    /// Time a destination call that began at `since`.
    pub fn destination(&self, since: Instant) {
        *self.destination.lock().expect("timings lock") += since.elapsed();
    }

    pub fn timings(&self, connection: &ConnectionConfig) -> RunTimings {
        RunTimings {
            plugin_calls: *self.plugin_calls.lock().expect("timings lock"),
            destination: *self.destination.lock().expect("timings lock"),
            http: connection.http_stats().since(&self.http_before),
            peak_rss_bytes: peak_rss_bytes(),
        }
    }
}

/// The process's peak resident set (`VmHWM`), on Linux.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_times_add_up_and_the_peak_memory_is_read_on_linux() {
        let spent = Spent {
            plugin_calls: Mutex::default(),
            destination: Mutex::default(),
            http_before: HttpStats::default(),
        };
        let long_ago = Instant::now() - Duration::from_millis(5);
        spent.plugin_call(long_ago);
        spent.plugin_call(long_ago);
        let plugin = *spent.plugin_calls.lock().unwrap();
        assert!(plugin >= Duration::from_millis(10), "{plugin:?}");
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 0));
        }
    }
}
