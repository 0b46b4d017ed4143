//! Large lists paged in small pages: every item once, in the API's order,
//! whichever scheme and direction; unknown cursors refused as before.

use crate::common::*;
use anthropic_mock::OrgSize;
use serde_json::{Value, json};

/// Walk an id-cursor list forward from `query` (which sets the limit), with
/// `after_id` set to each page's `last_id`; the ids in the order served.
async fn walk_forward(client: &mut Client, key: &str, path: &str, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = format!("{path}?{query}");
    loop {
        let page = client.get(key, &next).await;
        assert_eq!(page.status, 200, "{next}: {}", page.body);
        ids.extend(field_of_data(&page.body, "id"));
        if page.body["has_more"] == false {
            return ids;
        }
        let last = page.body["last_id"].as_str().expect("a cursor");
        next = format!("{path}?{query}&after_id={last}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_thousand_users_in_small_pages_come_each_once_in_order_both_ways() {
    let mock = mock(OrgSize {
        admin_users: 20_000,
        ..OrgSize::default()
    })
    .await;
    let truth: Vec<String> = {
        let org = mock.org();
        (0..org.admin_users.len())
            .map(|p| org.admin_users.id(p).unwrap().to_owned())
            .collect()
    };
    let mut client = Client::connect(&mock).await;
    let users = "/v1/organizations/users";
    let forward = walk_forward(&mut client, ADMIN, users, "limit=37").await;
    assert_eq!(forward.len(), 20_000);
    assert_eq!(forward, truth);

    // Backwards from the last user with before_id: the same users, page by page.
    let mut backward: Vec<String> = vec![truth.last().unwrap().clone()];
    loop {
        let first = backward.last().unwrap().clone();
        let page = client
            .get(ADMIN, &format!("{users}?limit=500&before_id={first}"))
            .await;
        let mut ids = field_of_data(&page.body, "id");
        assert_eq!(
            page.body["first_id"].as_str(),
            ids.first().map(String::as_str)
        );
        ids.reverse();
        backward.extend(ids);
        if page.body["has_more"] == false {
            break;
        }
    }
    backward.reverse();
    assert_eq!(backward, truth);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_in_small_pages_is_every_kept_event_once_newest_first() {
    let mock = mock(OrgSize {
        activities: 20_000,
        ..OrgSize::default()
    })
    .await;
    let truth = |wanted: &dyn Fn(&Value) -> bool| -> Vec<String> {
        let org = mock.org();
        let mut events: Vec<&Value> = org.activities.iter().filter(|e| wanted(e)).collect();
        events.sort_by(|a, b| {
            (b["created_at"].as_str(), b["id"].as_str())
                .cmp(&(a["created_at"].as_str(), a["id"].as_str()))
        });
        events
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut client = Client::connect(&mock).await;
    let feed = "/v1/compliance/activities";
    let all = walk_forward(&mut client, COMPLIANCE, feed, "limit=250").await;
    assert_eq!(all, truth(&|_| true));
    assert_eq!(all.len(), 20_000);

    // A window of time without one type, oldest first.
    let (gte, lt) = ("2024-01-05T00:00:00Z", "2024-01-20T00:00:00Z");
    let query = format!(
        "limit=33&order=asc&created_at.gte={gte}&created_at.lt={lt}&exclude_activity_types[]=user_signed_in_sso"
    );
    let window = walk_forward(&mut client, COMPLIANCE, feed, &query).await;
    let mut expected = truth(&|e| {
        let at = e["created_at"].as_str().unwrap();
        (gte..lt).contains(&at) && e["type"] != "user_signed_in_sso"
    });
    expected.reverse();
    assert!(!expected.is_empty());
    assert_eq!(window, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn chats_of_ten_users_and_members_of_a_big_group_come_each_once_in_order() {
    let mock = mock(OrgSize {
        compliance_users: 3_000,
        groups: Some(3),
        members_per_group: Some(2_500),
        chats_per_user: Some(30),
        ..OrgSize::default()
    })
    .await;
    let (users, chats_of_users, group, members) = {
        let org = mock.org();
        let users: Vec<String> = org.organization_users[0].1[100..110]
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect();
        let chats: Vec<String> = org
            .chats
            .iter()
            .filter(|c| users.iter().any(|u| c["user"]["id"] == u.as_str()))
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        let (group, members) = &org.group_members[1];
        let members: Vec<String> = members
            .iter()
            .map(|m| m["user_id"].as_str().unwrap().to_owned())
            .collect();
        (users, chats, group.clone(), members)
    };
    let mut client = Client::connect(&mock).await;
    let query: Vec<String> = users.iter().map(|u| format!("user_ids[]={u}")).collect();
    let chats = walk_forward(
        &mut client,
        COMPLIANCE,
        "/v1/compliance/apps/chats",
        &format!("limit=7&{}", query.join("&")),
    )
    .await;
    assert_eq!(chats.len(), 300);
    assert_eq!(chats, chats_of_users);

    let path = format!("/v1/compliance/groups/{group}/members");
    let mut seen = Vec::new();
    let mut next = format!("{path}?limit=100");
    loop {
        let page = client.get(COMPLIANCE, &next).await;
        seen.extend(field_of_data(&page.body, "user_id"));
        match page.body["next_page"].as_str() {
            Some(token) => next = format!("{path}?limit=100&page={token}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 2_500);
    assert_eq!(seen, members);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_cursor_is_refused_as_the_api_refuses_it() {
    let mock = mock(OrgSize::default()).await;
    let mut client = Client::connect(&mock).await;
    for (key, path, cursor) in [
        (ADMIN, "/v1/organizations/users", "after_id"),
        (ADMIN, "/v1/organizations/users", "before_id"),
        (COMPLIANCE, "/v1/compliance/activities", "after_id"),
        (COMPLIANCE, "/v1/compliance/apps/chats", "before_id"),
    ] {
        let answer = client
            .get(key, &format!("{path}?{cursor}=user_01NoSuchUser"))
            .await;
        assert_eq!(answer.status, 400);
        let expected = json!({
            "type": "invalid_request_error",
            "message": format!("Invalid `{cursor}`. No object found for `{cursor}` \"user_01NoSuchUser\""),
        });
        assert_eq!(answer.body["error"], expected, "{path}");
    }
    // An id the filters leave out is as unknown as one that does not exist.
    let archived = {
        let org = mock.org();
        org.workspaces
            .iter()
            .find(|w| !w["archived_at"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let answer = client
        .get(
            ADMIN,
            &format!("/v1/organizations/workspaces?after_id={archived}"),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body["error"]["message"],
        format!("Invalid `after_id`. No object found for `after_id` \"{archived}\"")
    );
    let listed = client
        .get(
            ADMIN,
            &format!("/v1/organizations/workspaces?include_archived=true&after_id={archived}"),
        )
        .await;
    assert_eq!(listed.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn late_events_join_the_feed_in_their_place() {
    let mock = mock(OrgSize::default()).await;
    let mut client = Client::connect(&mock).await;
    let feed = "/v1/compliance/activities";
    let before = walk_forward(&mut client, COMPLIANCE, feed, "limit=40").await;
    let late_id = {
        let mut late = String::new();
        mock.update_org(|org| {
            // Events come every 97 s: this one is just after the sixth (485 s).
            let at = chrono::DateTime::from_timestamp(1_704_067_200 + 486, 0).unwrap();
            let event = org.new_activity(at);
            late = event["id"].as_str().unwrap().to_owned();
            org.activities.push(event);
        });
        late
    };
    let after = walk_forward(&mut client, COMPLIANCE, feed, "limit=40").await;
    let mut expected = before.clone();
    // Newest first, the sixth event is sixth from the end: the late one comes before it.
    expected.insert(before.len() - 6, late_id.clone());
    assert_eq!(after, expected);
    let next = client
        .get(COMPLIANCE, &format!("{feed}?limit=1&after_id={late_id}"))
        .await;
    assert_eq!(
        field_of_data(&next.body, "id"),
        [before[before.len() - 6].clone()]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn workspace_members_page_by_user_id_and_an_unknown_workspace_is_404() {
    let mock = mock(OrgSize::default()).await;
    let (workspace, truth) = {
        let org = mock.org();
        let (workspace, members) = org
            .workspace_members
            .iter()
            .find(|(id, _)| id == anthropic_mock::DEFAULT_WORKSPACE_ID)
            .expect("the default workspace has members")
            .clone();
        let ids: Vec<String> = members
            .iter()
            .map(|m| m["user_id"].as_str().unwrap().to_owned())
            .collect();
        (workspace, ids)
    };
    assert!(truth.len() > 3, "{truth:?}");
    let mut client = Client::connect(&mock).await;
    let path = format!("/v1/organizations/workspaces/{workspace}/members");
    let mut walked = Vec::new();
    let mut next = format!("{path}?limit=3");
    loop {
        let page = client.get(ADMIN, &next).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let ids = field_of_data(&page.body, "user_id");
        assert_eq!(
            page.body["last_id"].as_str(),
            ids.last().map(String::as_str)
        );
        assert!(
            page.body["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["type"] == "workspace_member" && m["workspace_id"] == workspace)
        );
        walked.extend(ids);
        if page.body["has_more"] == false {
            break;
        }
        next = format!(
            "{path}?limit=3&after_id={}",
            page.body["last_id"].as_str().unwrap()
        );
    }
    assert_eq!(walked, truth);
    let before = client
        .get(ADMIN, &format!("{path}?limit=2&before_id={}", truth[3]))
        .await;
    assert_eq!(field_of_data(&before.body, "user_id"), truth[1..3]);

    let gone = client
        .get(
            ADMIN,
            "/v1/organizations/workspaces/wrkspc_01NoSuchOne/members",
        )
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["type"], "error");
    assert_eq!(gone.body["error"]["type"], "not_found_error");
    let too_many = client.get(ADMIN, &format!("{path}?limit=1001")).await;
    assert_eq!(too_many.status, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn analytics_need_their_beta_header_and_page_by_rows() {
    let mock = mock(OrgSize::default()).await;
    let mut client = Client::connect(&mock).await;
    let start = (chrono::Utc::now() - chrono::Duration::days(5))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string();
    let path = format!(
        "/v1/organizations/analytics/cost?starting_at={start}&time_bucket_width=1d&group_by[]=model&limit=4"
    );
    let refused = client.get(ADMIN, &path).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["type"], "error", "the Admin API's error shape");
    assert_eq!(refused.body["error"]["type"], "invalid_request_error");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("anthropic-beta: analytics-usage-cost-2026-08-24"),
        "{}",
        refused.body
    );
    let beta = [(
        "anthropic-beta",
        "fast-mode-2026-02-01, analytics-usage-cost-2026-08-24",
    )];
    let mut rows = Vec::new();
    let mut next = path.clone();
    loop {
        let page = client.get_with(ADMIN, &next, &beta).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let data = page.body["data"].as_array().unwrap();
        assert!(data.len() <= 4);
        rows.extend(data.iter().cloned());
        if page.body["has_more"] == false {
            assert!(page.body["next_page"].is_null());
            break;
        }
        next = format!("{path}&page={}", page.body["next_page"].as_str().unwrap());
    }
    assert!(rows.len() > 4, "{} rows over several pages", rows.len());
    assert!(
        rows.iter()
            .all(|r| r["cost"]["currency"] == "USD" && r["group"].as_object().unwrap().len() == 21)
    );
    let logged = mock.requests();
    assert_eq!(
        logged.last().unwrap().anthropic_beta.as_deref(),
        Some(beta[0].1)
    );
}
