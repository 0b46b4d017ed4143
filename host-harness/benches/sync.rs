//! Sync throughput: the real component under the real host against the mock,
//! on loopback. Prints rows/s, bytes/s (record JSON) and the process's peak
//! memory, for side-by-side variants measured in one run:
//!
//! - into SQLite vs into a destination that discards (the cost of the warehouse),
//! - page size 1000 vs 100 (the cost of round trips through the plugin).
//!
//! Run: `cargo bench -p host-harness --bench sync` (add `-- 100000` for more users).

use anthropic_mock::{DEMO_ADMIN_KEY, MockOrg, MockServer, OrgSize};
use async_trait::async_trait;
use host_harness::destinations::{
    Checkpoint, Destination, DestinationError, SqliteDestination, TableSpec, WrittenRows,
};
use host_harness::runtime::{ConnectionConfig, LogSink, PluginRuntime, RuntimeOptions};
use host_harness::secrets::Secrets;
use host_harness::sync::{Silent, SyncEngine, SyncOptions};
use std::sync::Arc;
use std::time::Instant;

/// Counts what passes through, and optionally forwards it.
struct Counting<D> {
    inner: Option<D>,
    bytes: u64,
}

#[async_trait]
impl<D: Destination> Destination for Counting<D> {
    async fn prepare(&mut self, table: &TableSpec) -> Result<(), DestinationError> {
        match self.inner.as_mut() {
            Some(d) => d.prepare(table).await,
            None => Ok(()),
        }
    }

    async fn commit_page(
        &mut self,
        table: &TableSpec,
        records: &[String],
        checkpoint: &Checkpoint,
    ) -> Result<WrittenRows, DestinationError> {
        self.bytes += records.iter().map(|r| r.len() as u64).sum::<u64>();
        match self.inner.as_mut() {
            Some(d) => d.commit_page(table, records, checkpoint).await,
            // Distinct keys of a single read: every record is a new row.
            None => Ok(WrittenRows {
                new: records.len() as u64,
                ..WrittenRows::default()
            }),
        }
    }

    async fn checkpoint(&mut self, stream: &str) -> Result<Option<Checkpoint>, DestinationError> {
        match self.inner.as_mut() {
            Some(d) => d.checkpoint(stream).await,
            None => Ok(None),
        }
    }

    async fn reset(&mut self, stream: &str) -> Result<bool, DestinationError> {
        match self.inner.as_mut() {
            Some(d) => d.reset(stream).await,
            None => Ok(false),
        }
    }

    fn describe(&self) -> String {
        self.inner
            .as_ref()
            .map_or("nowhere".into(), |d| d.describe())
    }
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let users: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let log: LogSink = Arc::new(|_, _| {});
    let loaded = Instant::now();
    let runtime =
        PluginRuntime::embedded(&RuntimeOptions::default(), log).expect("component loads");
    println!(
        "component compiled and pre-instantiated in {:.0?}",
        loaded.elapsed()
    );

    // The fixed cost of one call into the plugin, without HTTP: a fresh store,
    // instantiation and the manifest export.
    let calls = 200;
    let started = Instant::now();
    for _ in 0..calls {
        runtime.manifest().await.expect("manifest");
    }
    println!(
        "one call without HTTP (instantiate + manifest): {:.2?}",
        started.elapsed() / calls
    );

    let mock = MockServer::start(MockOrg::generate(OrgSize {
        admin_users: users,
        organizations: 1,
        compliance_users: 0,
        activities: 0,
        cost_rows_per_day: None,
        seed: 1,
        ..OrgSize::default()
    }))
    .await
    .expect("mock starts");
    let mut secrets = Secrets::default();
    secrets.insert("admin-api-key", DEMO_ADMIN_KEY.into());
    let connection = ConnectionConfig::new(mock.base_url(), secrets).unwrap();
    let dir = tempfile::tempdir().unwrap();

    println!(
        "{:<28} {:>8} {:>6} {:>9} {:>10} {:>9} {:>10}",
        "variant", "rows", "pages", "seconds", "rows/s", "MiB/s", "peak MiB"
    );
    for (name, page_size, sqlite) in [
        ("sqlite, page 1000", 1000, true),
        ("discard, page 1000", 1000, false),
        ("sqlite, page 100", 100, true),
        ("discard, page 100", 100, false),
    ] {
        let path = dir
            .path()
            .join(format!("{}.sqlite", name.replace([',', ' '], "_")));
        let mut destination = Counting {
            inner: sqlite.then(|| SqliteDestination::open(&path).unwrap()),
            bytes: 0,
        };
        let options = SyncOptions {
            streams: Some(vec!["admin_users".into()]),
            settings_json: format!(r#"{{"page_size":{page_size}}}"#),
            ..SyncOptions::default()
        };
        let started = Instant::now();
        let report = SyncEngine {
            runtime: &runtime,
            connection: &connection,
            destination: &mut destination,
            progress: &mut Silent,
        }
        .run(&options)
        .await
        .expect("sync runs");
        let seconds = started.elapsed().as_secs_f64();
        let stream = report.stream("admin_users").unwrap();
        assert!(
            report.succeeded() && stream.rows == users as u64,
            "{report:?}"
        );
        println!(
            "{name:<28} {:>8} {:>6} {seconds:>9.3} {:>10.0} {:>9.1} {:>10.1}",
            stream.rows,
            stream.pages,
            stream.rows as f64 / seconds,
            destination.bytes as f64 / seconds / (1 << 20) as f64,
            peak_rss_mib()
        );
    }
}
