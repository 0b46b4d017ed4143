//! `harness check`: one call per key, mapped to the troubleshooting text, naming
//! the key's field and never its value.

use crate::common::*;
use anthropic_mock::Behaviour;

async fn check(behaviour: Behaviour, keys: Keys<'_>) -> (Option<i32>, String, String) {
    let mock = mock(3, 1).await;
    mock.set_behaviour(behaviour);
    let output = tokio::task::block_in_place(|| harness(&["check"], Some(&mock.base_url()), keys));
    let (out, err) = (stdout(&output), stderr(&output));
    assert_no_secret("check output", &out);
    assert_no_secret("check errors", &err);
    (output.status.code(), out, err)
}

#[tokio::test(flavor = "multi_thread")]
async fn good_keys_pass() {
    let (code, out, _) = check(Behaviour::default(), BOTH).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("OK   compliance (compliance-access-key)"),
        "{out}"
    );
    assert!(out.contains("OK   admin (admin-api-key)"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_prefix_is_refused_before_any_request_naming_the_field() {
    let wrong = "sk-ant-api03-ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3";
    let (code, _, err) = check(
        Behaviour::default(),
        Keys {
            admin: Some(wrong),
            compliance: None,
        },
    )
    .await;
    assert_eq!(code, Some(2));
    assert!(
        err.contains("the Admin API Key (`admin-api-key`) does not start with `sk-ant-admin01-`"),
        "{err}"
    );
    let wrong = "sk-ant-admin01-ZZtestCOMPLIANCEsecretH5j8Df2Gs9Qa4Ue7";
    let (code, _, err) = check(
        Behaviour::default(),
        Keys {
            admin: None,
            compliance: Some(wrong),
        },
    )
    .await;
    assert_eq!(code, Some(2));
    assert!(
        err.contains(
            "Compliance Access Key (`compliance-access-key`) does not start with `sk-ant-api01-`"
        ),
        "{err}"
    );
    assert!(
        err.contains("looks like a key for the Admin API Key (`admin-api-key`) field"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_gives_the_troubleshooting_text_of_each_key() {
    let revoked = Keys {
        admin: Some("sk-ant-admin01-ZZtestADMINsecret-revoked"),
        compliance: Some("sk-ant-api01-ZZtestCOMPLIANCEsecret-revoked"),
    };
    let (code, out, _) = check(Behaviour::default(), revoked).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(
        "FAIL admin (admin-api-key): Connection failed (401): the Admin API Key (`admin-api-key`) was refused. \
         Confirm the key starts with `sk-ant-admin01-` and was created under the Anthropic Console for your organization."
    ), "{out}");
    assert!(out.contains(
        "FAIL compliance (compliance-access-key): Connection failed (401): the Compliance Access Key \
         (`compliance-access-key`) was refused. Confirm the key starts with `sk-ant-api01-` and that \
         Compliance API access has been enabled on your Anthropic organization."
    ), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_403_names_the_missing_scopes() {
    let behaviour = Behaviour {
        compliance_missing_scopes: true,
        admin_forbidden: true,
        ..Behaviour::default()
    };
    let (code, out, _) = check(behaviour, BOTH).await;
    assert_eq!(code, Some(1));
    assert!(
        out.contains("FAIL compliance (compliance-access-key): Connection failed (403)"),
        "{out}"
    );
    assert!(
        out.contains(
            "read:compliance_activities, read:compliance_user_data, read:compliance_org_data"
        ),
        "{out}"
    );
    assert!(
        out.contains("Missing required scopes"),
        "the API's own words are kept: {out}"
    );
    assert!(
        out.contains("FAIL admin (admin-api-key): Connection failed (403)"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_404_on_the_feed_means_not_entitled_and_the_admin_key_still_works() {
    let behaviour = Behaviour {
        compliance_entitled: false,
        ..Behaviour::default()
    };
    let (code, out, _) = check(behaviour, BOTH).await;
    assert_eq!(code, Some(1));
    assert!(out.contains(
        "FAIL compliance (compliance-access-key): Connection failed (404): the Compliance Access Key \
         (`compliance-access-key`) is valid but the organization is not entitled to the Compliance API"
    ), "{out}");
    assert!(
        out.contains("Pursue Compliance enablement with your Anthropic account team"),
        "{out}"
    );
    assert!(out.contains("OK   admin (admin-api-key)"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_server_is_reported_per_key_not_as_a_crash() {
    // Bind and drop a listener: nothing answers on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = tokio::task::block_in_place(|| harness(&["check"], Some(&url), ADMIN_ONLY));
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("FAIL admin (admin-api-key): Connection failed: no answer from the API"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_lacking_some_scopes_works_for_the_streams_that_do_not_need_them() {
    let only = |scope: &str| Behaviour {
        missing_scope: Some(scope.into()),
        ..Behaviour::default()
    };
    let (code, out, _) = check(only("read:compliance_activities"), COMPLIANCE_ONLY).await;
    assert_eq!(code, Some(0), "not a failure: {out}");
    assert!(
        out.contains(
            "OK   compliance (compliance-access-key): 8 of 9 Compliance streams available; \
             activities needs read:compliance_activities. Scopes are fixed when a key is \
             created: create a key with them to read those streams too."
        ),
        "{out}"
    );
    let (code, out, _) = check(only("read:compliance_user_data"), COMPLIANCE_ONLY).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "4 of 9 Compliance streams available; organization_users, group_members, projects, \
             project_attachments, user_chats need read:compliance_user_data."
        ),
        "{out}"
    );
    let (code, out, _) = check(Behaviour::default(), COMPLIANCE_ONLY).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "Compliance Access Key works: `GET /v1/compliance/activities`, \
             `GET /v1/compliance/organizations`, `GET /v1/compliance/apps/projects` answered; \
             all 9 Compliance streams available."
        ),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_key_alone_is_checked_for_the_activity_feed_too() {
    let (code, out, _) = check(Behaviour::default(), ADMIN_ONLY).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("all 12 Admin streams available"), "{out}");
    let unscoped = Behaviour {
        admin_feed_scope: false,
        ..Behaviour::default()
    };
    let (code, out, _) = check(unscoped, ADMIN_ONLY).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "OK   admin (admin-api-key): 11 of 12 Admin streams available; activities needs \
             read:compliance_activities."
        ),
        "{out}"
    );
}
