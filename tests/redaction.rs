//! A key the API echoes in a form no plain search finds (JSON `\u` escapes),
//! or pieces of one, never lands anywhere; and a key or a credential given in
//! the wrong place is refused without being repeated.

use crate::common::warehouse::{options, sync};
use crate::common::*;
use anthropic_mock::Behaviour;
use rusqlite::OptionalExtension;

const NO_KEYS: Keys<'static> = Keys {
    admin: None,
    compliance: None,
};

/// Panic if `text` holds `key`, or any 16 characters in a row of the part
/// after its public prefix.
fn assert_no_fragment_of(key: &str, what: &str, text: &str) {
    let secret = redaction::secret_part(key);
    assert!(!text.contains(key), "the whole key leaked into {what}");
    for start in 0..=secret.len() - redaction::FRAGMENT_LEN {
        let fragment = &secret[start..start + redaction::FRAGMENT_LEN];
        assert!(
            !text.contains(fragment),
            "`{fragment}` of the key leaked into {what}:\n{text}"
        );
    }
}

/// Every byte of every file in `dir` (the database and its journals), as text.
fn files_in(dir: &std::path::Path) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            String::from_utf8_lossy(&std::fs::read(entry.unwrap().path()).unwrap()).into_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_echoed_with_escapes_lands_in_no_table_output_or_log() {
    let mock = mock(30, 1).await;
    mock.set_behaviour(Behaviour {
        echo_key_in_user_name: true,
        ..Behaviour::default()
    });
    let url = mock.base_url();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let db_arg = db.to_str().unwrap().to_owned();

    // Through the binary: one page, so exactly one user carries the key.
    let output = tokio::task::block_in_place(|| {
        harness(
            &[
                "--verbose",
                "sync",
                "--streams",
                "admin_users",
                "--set",
                "page_size=1000",
                "--into",
                &db_arg,
            ],
            Some(&url),
            ADMIN_ONLY,
        )
    });
    assert!(output.status.success(), "{}", stderr(&output));

    // What landed: the echoed name is the redaction mark, in the column and in `_raw`.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let redacted: Vec<(String, String)> = conn
        .prepare("SELECT name, _raw FROM admin_users WHERE name = '[REDACTED]'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(redacted.len(), 1, "one user's name was the key");
    let raw: serde_json::Value = serde_json::from_str(&redacted[0].1).unwrap();
    assert_eq!(raw["name"], "[REDACTED]");
    let others: i64 = conn
        .query_row("SELECT COUNT(*) FROM admin_users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(others, 30, "every user still lands");
    let lost: Option<String> = conn
        .query_row(
            "SELECT id FROM admin_users WHERE name IS NULL OR name = ''",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap();
    assert_eq!(lost, None);
    drop(conn);

    // Through the library too, so the in-process plugin log is checked.
    let library_db = dir.path().join("library.sqlite");
    let report = sync(
        &connection(&url, ADMIN_ONLY),
        &library_db,
        &options(&["admin_users"], 1000),
    )
    .await;
    assert!(report.succeeded(), "{report:?}");

    for (what, text) in [
        ("stdout", stdout(&output)),
        ("stderr", stderr(&output)),
        ("the warehouse files", files_in(dir.path())),
        ("the plugin log", plugin_log().lock().unwrap().join("\n")),
    ] {
        assert_no_fragment_of(ADMIN_KEY, what, &text);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_passed_as_the_secrets_file_is_refused_without_being_shown() {
    let output = tokio::task::block_in_place(|| {
        harness(&["check", "--secrets-file", ADMIN_KEY], None, NO_KEYS)
    });
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(
            "--secrets-file expects the path of a file holding the keys, but the value given \
             looks like an API key itself (it is not shown here)"
        ),
        "{err}"
    );
    assert!(err.contains("ANTHROPIC_ADMIN_API_KEY=…"), "{err}");
    assert_no_fragment_of(ADMIN_KEY, "stderr", &err);
    assert_no_fragment_of(ADMIN_KEY, "stdout", &stdout(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_base_url_with_credentials_is_refused_without_showing_them() {
    let mock = mock(5, 1).await;
    let password = "ZZtestPASSWORDsecretW3x8Rq";
    let url = format!("http://svc-user:{password}@{}", mock.addr());
    for command in [&["check"][..], &["sync", "--streams", "admin_users"][..]] {
        let output = tokio::task::block_in_place(|| harness(command, Some(&url), ADMIN_ONLY));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command:?}: {}",
            stderr(&output)
        );
        let err = stderr(&output);
        assert!(
            err.contains(
                "the base URL carries credentials (`user:password@`), which are not shown here"
            ),
            "{err}"
        );
        for shown in [stdout(&output), err] {
            assert!(!shown.contains(password), "{shown}");
            assert!(!shown.contains("svc-user"), "{shown}");
        }
    }
    assert!(mock.requests().is_empty(), "no request left");
}
