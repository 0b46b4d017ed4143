//! Who has access: Console users by role, API keys by status, and the
//! claude.ai groups with their members. Rows marked deleted (gone from the
//! API) are not counted.

use crate::report::ReportError;
use crate::report::amount::thousands;
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::Provenance;
use crate::report::source::ReportSource;
use std::collections::HashMap;

/// How many groups the table lists.
const TOP_GROUPS: usize = 20;

pub async fn who(source: &mut ReportSource) -> Result<Section, ReportError> {
    let mut body = String::new();
    let mut notes = Vec::new();
    let mut described = Vec::new();

    let (users, users_seen) = count_by(source, "admin_users", "role").await?;
    match users {
        Some(by_role) => {
            body.push_str(&format!(
                "<h3>Console users by role</h3><p id=\"access-users\" data-total=\"{0}\">{0} users</p>",
                users_seen.rows()
            ));
            body.push_str(&bars_and_table("users-by-role", "Role", "Users", &by_role)?);
            described.push(users_seen.describe("admin_users"));
        }
        None => notes.push("admin_users (Console users by role)"),
    }
    let (keys, keys_seen) = count_by(source, "api_keys", "status").await?;
    match keys {
        Some(by_status) => {
            body.push_str("<h3>API keys by status</h3>");
            body.push_str(&bars_and_table(
                "keys-by-status",
                "Status",
                "API keys",
                &by_status,
            )?);
            described.push(keys_seen.describe("api_keys"));
        }
        None => notes.push("api_keys (API keys by status)"),
    }
    let groups = super::names(source, "groups").await?;
    let mut members: HashMap<String, u64> = HashMap::new();
    let mut members_seen = Provenance::default();
    let has_members = source
        .scan("group_members", &["group_id", "_synced_at"], &mut |row| {
            members_seen.synced(row[1]);
            *members
                .entry(row[0].unwrap_or_default().to_owned())
                .or_default() += 1;
        })
        .await?;
    if groups.is_empty() {
        notes.push("groups and group_members (claude.ai groups and their members)");
    } else {
        let mut rows: Vec<(String, u64)> = groups
            .iter()
            .map(|(id, name)| (name.clone(), members.get(id).copied().unwrap_or(0)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        body.push_str(&format!("<h3>Groups</h3><p>{} groups", rows.len()));
        if !has_members {
            body.push_str(" (sync group_members to count their members)");
        }
        body.push_str("</p>");
        rows.truncate(TOP_GROUPS);
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|(name, count)| vec![escape(name), thousands(*count)])
            .collect();
        body.push_str(&table("groups", &["Group", "Members"], &rows));
        if has_members {
            described.push(members_seen.describe("group_members"));
        }
    }
    if !notes.is_empty() {
        body.push_str(&format!(
            "<p class=\"missing\">Not in this warehouse: {}; sync those streams to see them.</p>",
            escape(&notes.join("; "))
        ));
    }
    Ok(Section {
        id: "access",
        title: "Who has access",
        provenance: (!described.is_empty()).then(|| described.join(" · ")),
        body: if notes.len() == 3 {
            Err("No admin_users, api_keys or groups in this warehouse: sync them to see who has access.".into())
        } else {
            Ok(body)
        },
    })
}

/// Rows of `table` counted by `column`, largest first; None when the table
/// was not synced.
async fn count_by(
    source: &mut ReportSource,
    table: &str,
    column: &str,
) -> Result<(Option<Vec<(String, f64)>>, Provenance), ReportError> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut seen = Provenance::default();
    let found = source
        .scan(table, &[column, "_synced_at"], &mut |row| {
            seen.synced(row[1]);
            *counts
                .entry(row[0].unwrap_or("(none)").to_owned())
                .or_default() += 1;
        })
        .await?;
    if !found {
        return Ok((None, seen));
    }
    let mut counts: Vec<(String, f64)> = counts.into_iter().map(|(k, v)| (k, v as f64)).collect();
    counts.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok((Some(counts), seen))
}

fn bars_and_table(
    id: &str,
    what: &str,
    unit: &str,
    counts: &[(String, f64)],
) -> Result<String, ReportError> {
    let mut html = String::from("<div class=\"chart\">");
    html.push_str(&chart::bars(counts, &|v| format!("{v:.0}"))?);
    html.push_str("</div>");
    let rows: Vec<Vec<String>> = counts
        .iter()
        .map(|(name, count)| vec![escape(name), thousands(*count as u64)])
        .collect();
    html.push_str(&table(id, &[what, unit], &rows));
    Ok(html)
}
