//! What a user sees when a run cannot start or is refused: settings refused
//! once and up front (before any stream runs, naming the setting and the
//! valid values), a setting no stream of the run reads as a warning, echoed
//! input with its control characters escaped, and with `--json` errors as
//! JSON lines on stdout. A run that could not start exits 2.

use crate::common::warehouse::*;
use crate::common::*;
use host_harness::sync::{SyncError, SyncOptions};
use rusqlite::Connection;
use std::path::Path;

fn tables(db: &Path) -> Vec<String> {
    select(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .concat()
}

fn state_rows(db: &Path) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM _connector_state", [], |r| r.get(0))
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_the_manifest_declares_invalid_is_refused_before_any_stream_runs() {
    let mock = mock(5, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), BOTH);
    let mut grouping = options(&["admin_users", "usage_report"], 10);
    grouping.settings_json = r#"{"usage_report_grouping":"model,colour"}"#.into();
    let err = refused(&conn, &db, &grouping).await;
    assert!(matches!(err, SyncError::Settings(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "usage_report_grouping value `colour` is not valid; use any of: api_key_id, \
         workspace_id, model, service_tier, context_window, inference_geo, account_id, \
         service_account_id, speed"
    );
    assert!(mock.requests().is_empty(), "refused before any request");
    assert!(
        !tables(&db).contains(&"admin_users".to_owned()),
        "no stream ran: {:?}",
        tables(&db)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_value_only_the_plugin_can_judge_stops_the_run_on_its_first_read() {
    let mock = mock(5, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let conn = connection(&mock.base_url(), BOTH);
    let every_stream = SyncOptions {
        settings_json: r#"{"activities_overlap_minutes":99999}"#.into(),
        ..SyncOptions::default()
    };
    let err = refused(&conn, &db, &every_stream).await;
    assert_eq!(
        err.to_string(),
        "the plugin refused the settings: activities_overlap_minutes 99999 is not valid; use a \
         number of minutes up to 10080"
    );
    assert!(mock.requests().is_empty(), "no stream read anything");
    assert_eq!(state_rows(&db), 0, "no stream committed anything");
}

#[test]
fn the_harness_refuses_bad_settings_once_and_warns_of_settings_without_effect() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let run = |args: &[&str]| {
        let mut all = vec!["sync", "--mock", "--mock-users", "3", "--into"];
        all.push(db.to_str().unwrap());
        all.extend(args);
        harness(
            &all,
            None,
            Keys {
                admin: None,
                compliance: None,
            },
        )
    };

    let refused = run(&["--set", "usage_report_granularity=2h"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert_eq!(
        err.matches("is not valid").count(),
        1,
        "refused once, not per stream: {err}"
    );
    assert!(
        err.contains(
            r#"error: usage_report_granularity "2h" is not valid; use one of: 1d, 1h, 1m"#
        ),
        "{err}"
    );
    assert!(!err.contains(": started"), "no stream started: {err}");

    let warned = run(&[
        "--streams",
        "admin_users",
        "--set",
        "usage_report_granularity=1h",
    ]);
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(
        stdout(&warned).contains(
            "warning: setting usage_report_granularity has no effect on this run: it applies to \
             usage_report, cost_report, none of which is synced"
        ),
        "{}",
        stdout(&warned)
    );
}

#[test]
fn echoed_names_have_their_control_characters_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let none = Keys {
        admin: None,
        compliance: None,
    };
    let stream = harness(
        &[
            "sync",
            "--mock",
            "--streams",
            "admin\u{1b}[2J_users",
            "--into",
            db.to_str().unwrap(),
        ],
        None,
        none,
    );
    let setting = harness(
        &[
            "sync",
            "--mock",
            "--set",
            "granularity\r\u{7}=1h",
            "--into",
            db.to_str().unwrap(),
        ],
        None,
        none,
    );
    for output in [&stream, &setting] {
        assert_eq!(output.status.code(), Some(2));
        let everything = format!("{}{}", stdout(output), stderr(output));
        assert!(
            !everything.chars().any(|c| c.is_control() && c != '\n'),
            "a control character was echoed: {everything:?}"
        );
    }
    assert!(
        stderr(&stream).contains("error: unknown stream `admin\\u{1b}[2J_users`; the streams are:"),
        "{}",
        stderr(&stream)
    );
    assert!(
        stderr(&setting)
            .contains("error: unknown setting `granularity\\r\\u{7}`; the settings are:"),
        "{}",
        stderr(&setting)
    );
}

#[test]
fn with_json_an_error_is_one_json_line_on_stdout_and_the_exit_code_says_it_could_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let none = Keys {
        admin: None,
        compliance: None,
    };
    let error_of = |output: &std::process::Output| -> String {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(output));
        let lines: Vec<serde_json::Value> = stdout(output)
            .lines()
            .map(|l| serde_json::from_str(l).expect("stdout is JSON lines"))
            .collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        lines[0]["error"]["message"].as_str().unwrap().to_owned()
    };
    let unknown = harness(
        &[
            "--json",
            "sync",
            "--mock",
            "--streams",
            "users",
            "--into",
            db.to_str().unwrap(),
        ],
        None,
        none,
    );
    assert!(
        error_of(&unknown).starts_with("unknown stream `users`; the streams are: activities"),
        "{}",
        stdout(&unknown)
    );
    let no_key = harness(&["--json", "streams"], None, none);
    assert!(error_of(&no_key).starts_with("no API key found"));
    let bad_flag = harness(&["sync", "--max-pages", "lots", "--json"], None, none);
    assert_eq!(
        error_of(&bad_flag),
        "invalid value 'lots' for '--max-pages <N>': invalid digit found in string"
    );
}
