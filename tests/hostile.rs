//! A plugin that misbehaves on purpose (`tests/plugins/hostile`): each way it
//! can fail ends its stream with a clear error, the rest of the run goes on,
//! and the destination keeps what was committed.

use crate::common::warehouse::select;
use host_harness::destinations::SqliteDestination;
use host_harness::runtime::{
    CodeCache, ConnectionConfig, LogSink, PluginRuntime, RuntimeOptions, SandboxLimits,
};
use host_harness::secrets::Secrets;
use host_harness::sync::{Outcome, RetryPolicy, Silent, SyncEngine, SyncOptions, SyncReport};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long one call into the hostile plugin may take.
const CALL_LIMIT: Duration = Duration::from_secs(2);

struct Hostile {
    runtime: PluginRuntime,
    log_lines: Arc<AtomicU64>,
}

fn hostile() -> Hostile {
    let wasm = std::fs::read(env!("HOSTILE_PLUGIN_WASM")).expect("the hostile plugin was built");
    let log_lines = Arc::new(AtomicU64::new(0));
    let counter = log_lines.clone();
    let sink: LogSink = Arc::new(move |_, _| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let options = RuntimeOptions {
        limits: SandboxLimits {
            memory_bytes: 32 << 20,
            call_timeout: CALL_LIMIT,
        },
        code_cache: CodeCache::Off,
    };
    Hostile {
        runtime: PluginRuntime::load(&wasm, &options, sink).expect("the hostile plugin loads"),
        log_lines,
    }
}

/// A connection whose only allowed host (its base URL's origin) is a closed
/// loopback port.
fn connection() -> ConnectionConfig {
    ConnectionConfig::new("http://127.0.0.1:9", Secrets::default()).expect("valid base URL")
}

/// Sync `before`, the misbehaving stream and `after` into a fresh SQLite file.
async fn sync_around(hostile: &Hostile, stream: &str) -> (SyncReport, Duration, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut destination = SqliteDestination::open(&dir.path().join("w.sqlite")).unwrap();
    let options = SyncOptions {
        streams: Some(vec!["before".into(), stream.into(), "after".into()]),
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..SyncOptions::default()
    };
    let started = Instant::now();
    let report = SyncEngine {
        runtime: &hostile.runtime,
        connection: &connection(),
        destination: &mut destination,
        progress: &mut Silent,
    }
    .run(&options)
    .await
    .expect("the run starts");
    (report, started.elapsed(), dir)
}

/// The misbehaving stream failed with a message containing `expected`; the
/// streams around it succeeded and their rows are in an intact file.
fn assert_contained(report: &SyncReport, stream: &str, expected: &str, dir: &tempfile::TempDir) {
    let failed = report.stream(stream).unwrap();
    assert!(
        matches!(&failed.outcome, Outcome::Failed(m) if m.contains(expected) && !m.contains('\n')),
        "{stream}: {:?}",
        failed.outcome
    );
    for good in ["before", "after"] {
        let s = report.stream(good).unwrap();
        assert_eq!((&s.outcome, s.rows), (&Outcome::Succeeded, 1), "{good}");
    }
    let db = dir.path().join("w.sqlite");
    assert_eq!(select(&db, "PRAGMA integrity_check"), [["ok"]]);
    assert_eq!(
        select(
            &db,
            "SELECT (SELECT count(*) FROM before), (SELECT count(*) FROM after)"
        ),
        [["1", "1"]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trap_fails_only_its_stream() {
    let hostile = hostile();
    let (report, _, dir) = sync_around(&hostile, "trap").await;
    assert_contained(
        &report,
        "trap",
        "page 1 of `trap`: the plugin crashed (wasm trap: wasm `unreachable` instruction executed); \
         run with --verbose for its wasm backtrace",
        &dir,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_loop_is_stopped_at_the_call_limit() {
    let hostile = hostile();
    let (report, took, dir) = sync_around(&hostile, "spin").await;
    assert_contained(
        &report,
        "spin",
        "page 1 of `spin`: the plugin call took longer than its limit of 2 s: raise --call-timeout (now 2)",
        &dir,
    );
    // Liveness, not speed: the loop is cut near the limit, not left to run.
    assert!(took < CALL_LIMIT * 10, "took {took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unbounded_memory_growth_stops_at_the_memory_limit() {
    let hostile = hostile();
    let (report, _, dir) = sync_around(&hostile, "grow").await;
    assert_contained(
        &report,
        "grow",
        "page 1 of `grow`: the plugin ran out of memory (its limit is 32 MiB)",
        &dir,
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_host_calls_is_cut_at_the_call_limit() {
    let hostile = hostile();
    let (report, took, dir) = sync_around(&hostile, "flood").await;
    assert_contained(
        &report,
        "flood",
        "page 1 of `flood`: the plugin call took longer than its limit of 2 s: raise --call-timeout (now 2)",
        &dir,
    );
    assert!(took < CALL_LIMIT * 10, "took {took:?}");
    assert!(hostile.log_lines.load(Ordering::Relaxed) > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_to_a_forbidden_host_is_refused_and_logged() {
    let hostile = hostile();
    let (report, _, dir) = sync_around(&hostile, "escape").await;
    assert_contained(&report, "escape", "the host refused the request", &dir);
    let log = hostile.runtime.egress_log().lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|r| !r.allowed && r.url.starts_with("http://example.com/exfiltrate")),
        "{log:?}"
    );
}
