//! A plugin call past the sandbox's limits (a response too large to hold in
//! its memory, an answer slower than its time limit) fails its stream with
//! one line saying what happened, on which page of which stream, and what to
//! raise; the wasm backtrace is kept for `--verbose` only; the pages
//! committed before it stay as they were and the next stream runs.

use crate::common::warehouse::*;
use crate::common::*;
use anthropic_mock::{Behaviour, Fault, FaultKind};
use host_harness::destinations::SqliteDestination;
use host_harness::runtime::{PluginRuntime, RuntimeOptions, SandboxLimits};
use host_harness::sync::{Outcome, Silent, SyncEngine, SyncReport};
use std::time::Duration;

const USERS: &str = "/v1/organizations/users";
const SMALL_MEMORY_MB: usize = 16;

/// The third request for users answers a page padded far past the sandbox.
fn oversized_third_page() -> Behaviour {
    Behaviour {
        fault: Some(Fault {
            path: USERS.into(),
            kind: FaultKind::OversizedBody { bytes: 64 << 20 },
            after: 2,
            times: Some(1),
        }),
        ..Behaviour::default()
    }
}

const OUT_OF_MEMORY: &str = "page 3 of `admin_users`: the plugin ran out of memory (its limit is \
     16 MiB), most likely on a response too large to hold: raise --memory-mb (now 16), or lower \
     the page size (--set page_size=N)";

/// Sync `admin_users` then `invites`, ten records a page, under `limits`.
async fn sync_within(
    limits: SandboxLimits,
    mock: &anthropic_mock::MockServer,
    db: &std::path::Path,
) -> SyncReport {
    let runtime = PluginRuntime::embedded(
        &RuntimeOptions {
            limits,
            ..RuntimeOptions::default()
        },
        std::sync::Arc::new(|_, _| {}),
    )
    .expect("the component loads");
    let conn = connection(&mock.base_url(), ADMIN_ONLY);
    let mut destination = SqliteDestination::open(db).unwrap();
    SyncEngine {
        runtime: &runtime,
        connection: &conn,
        destination: &mut destination,
        progress: &mut Silent,
    }
    .run(&options(&["admin_users", "invites"], 10))
    .await
    .expect("the run starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_too_large_for_the_memory_limit_fails_its_stream_in_one_line_and_harms_nothing() {
    let mock = mock(100, 1).await;
    mock.set_behaviour(oversized_third_page());
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let limits = SandboxLimits {
        memory_bytes: SMALL_MEMORY_MB << 20,
        ..SandboxLimits::default()
    };
    let report = sync_within(limits, &mock, &db).await;

    let users = report.stream("admin_users").unwrap();
    assert_eq!(users.outcome, Outcome::Failed(OUT_OF_MEMORY.into()));
    assert_eq!((users.rows, users.pages, users.retries), (20, 2, 0));
    let diagnostic = users.diagnostic.as_deref().unwrap();
    assert!(diagnostic.contains("wasm backtrace"), "{diagnostic}");
    assert_eq!(
        report.stream("invites").unwrap().outcome,
        Outcome::Succeeded,
        "the next stream runs in a fresh sandbox"
    );
    let landed = rows(&db, "admin_users", "id");
    let first_two_pages = truth(&mock.org().admin_users[..20], "id");
    assert_eq!(landed, first_two_pages, "the committed pages are intact");
    let (_, position) = checkpoint(&db, "admin_users");
    let position: host_harness::sync::ResumePoint =
        serde_json::from_str(&position.unwrap()).unwrap();
    assert_eq!(
        position.cursor,
        mock.org().admin_users[19]["id"].as_str().unwrap(),
        "the next run resumes after the last committed page"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_harness_prints_the_line_and_the_backtrace_only_with_verbose() {
    let mock = mock(100, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let url = mock.base_url();
    let run = |db: &str, verbose: bool| {
        mock.set_behaviour(oversized_third_page());
        let memory = SMALL_MEMORY_MB.to_string();
        let mut args = vec!["--memory-mb", &memory, "sync", "--streams", "admin_users"];
        args.extend(["--set", "page_size=10", "--into", db]);
        if verbose {
            args.insert(0, "--verbose");
        }
        tokio::task::block_in_place(|| harness(&args, Some(&url), ADMIN_ONLY))
    };
    let quiet = run(dir.path().join("q.sqlite").to_str().unwrap(), false);
    assert_eq!(quiet.status.code(), Some(1), "{}", stderr(&quiet));
    let (out, err) = (stdout(&quiet), stderr(&quiet));
    assert!(out.contains(&format!("failed: {OUT_OF_MEMORY}")), "{out}");
    assert!(
        err.contains("admin_users: 20 rows, 2 pages") && err.contains(OUT_OF_MEMORY),
        "{err}"
    );
    for text in [&out, &err] {
        assert!(!text.contains("backtrace"), "{text}");
        assert!(!text.contains("0x"), "no frame of a backtrace: {text}");
    }

    let verbose = run(dir.path().join("v.sqlite").to_str().unwrap(), true);
    assert_eq!(verbose.status.code(), Some(1));
    let out = stdout(&verbose);
    assert!(out.contains(&format!("failed: {OUT_OF_MEMORY}")), "{out}");
    assert!(
        out.contains("admin_users: ") && out.contains("wasm backtrace"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_past_its_time_limit_fails_its_stream_in_one_line_saying_what_to_raise() {
    let mock = mock(100, 1).await;
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: USERS.into(),
            kind: FaultKind::Slow { millis: 4_000 },
            after: 1,
            times: Some(1),
        }),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let limits = SandboxLimits {
        call_timeout: Duration::from_secs(1),
        ..SandboxLimits::default()
    };
    let report = sync_within(limits, &mock, &db).await;

    let users = report.stream("admin_users").unwrap();
    assert_eq!(
        users.outcome,
        Outcome::Failed(
            "page 2 of `admin_users`: the plugin call took longer than its limit of 1 s: raise \
             --call-timeout (now 1)"
                .into()
        )
    );
    assert_eq!((users.rows, users.pages, users.retries), (10, 1, 0));
    assert_eq!(
        rows(&db, "admin_users", "id"),
        truth(&mock.org().admin_users[..10], "id")
    );
    assert_eq!(
        report.stream("invites").unwrap().outcome,
        Outcome::Succeeded
    );
}
