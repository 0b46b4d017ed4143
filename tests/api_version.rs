//! The API version every request asks for: the plugin's default, or the one
//! the connection's owner chose (`--anthropic-version`, a named
//! connection's `anthropic_version`), carried by the contract's connection
//! record; a value that is not a version is refused before any request.

use crate::common::warehouse::{options, sync};
use crate::common::{ADMIN_ONLY, BOTH, connection, harness, mock, runtime, stderr};

#[tokio::test(flavor = "multi_thread")]
async fn requests_carry_the_default_version_or_the_one_the_connection_chose() {
    let mock = mock(15, 1).await;
    let versions = || {
        let mut seen: Vec<Option<String>> = mock
            .requests()
            .iter()
            .map(|r| r.anthropic_version.clone())
            .collect();
        seen.dedup();
        seen
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let default = connection(&mock.base_url(), BOTH);
    assert!(
        sync(&default, &db, &options(&["admin_users"], 5))
            .await
            .succeeded()
    );
    assert_eq!(versions(), [Some("2023-06-01".to_owned())]);

    let before = mock.requests().len();
    let mut chosen = connection(&mock.base_url(), BOTH);
    chosen.anthropic_version = Some("2026-10-21".into());
    assert!(
        sync(&chosen, &db, &options(&["admin_users", "groups"], 5))
            .await
            .succeeded()
    );
    assert!(
        mock.requests()[before..]
            .iter()
            .all(|r| r.anthropic_version.as_deref() == Some("2026-10-21")),
        "every request of the run"
    );
    let checks = runtime().check_connection(&chosen).await.unwrap();
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    assert_eq!(
        mock.requests().last().unwrap().anthropic_version.as_deref(),
        Some("2026-10-21")
    );

    let before = mock.requests().len();
    let mut wrong = connection(&mock.base_url(), ADMIN_ONLY);
    wrong.anthropic_version = Some("late\nst".into());
    let refused = runtime().check_connection(&wrong).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        "invalid-config: anthropic-version `late\\nst` is not an API version: give a date such \
         as 2023-06-01"
    );
    assert_eq!(mock.requests().len(), before, "refused before any request");

    let cli = tokio::task::block_in_place(|| {
        harness(
            &["check", "--anthropic-version", "2026-10-21"],
            Some(&mock.base_url()),
            ADMIN_ONLY,
        )
    });
    assert!(cli.status.success(), "{}", stderr(&cli));
    assert_eq!(
        mock.requests().last().unwrap().anthropic_version.as_deref(),
        Some("2026-10-21")
    );
}
