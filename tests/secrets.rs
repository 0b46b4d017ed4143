//! A distinctive fake key never shows up in stdout, stderr, the plugin's log,
//! errors, or any table of the warehouse.

use crate::common::*;
use anthropic_mock::Behaviour;

#[tokio::test(flavor = "multi_thread")]
async fn fake_keys_never_leak_anywhere() {
    let mock = mock(120, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let url = mock.base_url();
    let db_arg = db.to_str().unwrap().to_owned();

    let mut outputs = Vec::new();
    tokio::task::block_in_place(|| {
        outputs.push(harness(
            &[
                "--verbose",
                "sync",
                "--set",
                "page_size=25",
                "--into",
                &db_arg,
            ],
            Some(&url),
            BOTH,
        ));
        outputs.push(harness(&["--verbose", "check"], Some(&url), BOTH));
        outputs.push(harness(&["--json", "streams"], Some(&url), BOTH));
    });
    mock.set_behaviour(Behaviour {
        compliance_entitled: false,
        admin_forbidden: true,
        ..Behaviour::default()
    });
    tokio::task::block_in_place(|| {
        outputs.push(harness(&["--verbose", "check"], Some(&url), BOTH));
        outputs.push(harness(
            &["--verbose", "sync", "--into", &db_arg],
            Some(&url),
            BOTH,
        ));
    });
    assert!(outputs[0].status.success(), "{}", stderr(&outputs[0]));
    assert!(
        stderr(&outputs[0]).contains("[plugin debug] GET /v1/organizations/users"),
        "verbose shows requests"
    );
    for output in &outputs {
        assert_no_secret("stdout", &stdout(output));
        assert_no_secret("stderr", &stderr(output));
    }

    // The library's errors and the plugin's log, too.
    let err = runtime()
        .list_streams(&connection(
            &url,
            Keys {
                admin: Some("sk-ant-api03-ZZtestADMINsecretX"),
                compliance: None,
            },
        ))
        .await
        .unwrap_err();
    assert_no_secret("an error", &err.to_string());
    assert_no_secret("the plugin log", &plugin_log().lock().unwrap().join("\n"));

    // Every byte of the database files.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert_no_secret("the warehouse", &String::from_utf8_lossy(&bytes));
    }
}
