//! Claude Code activity per user, from `claude_code_usage_report`:
//! sessions, lines added and removed, commits and pull requests.

use super::missing;
use crate::report::ReportError;
use crate::report::amount::thousands;
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::{Provenance, day};
use crate::report::source::ReportSource;
use serde_json::Value;
use std::collections::HashMap;

/// How many users the table and chart show.
const TOP: usize = 20;

#[derive(Debug, Default, Clone, Copy)]
struct Activity {
    sessions: u64,
    added: u64,
    removed: u64,
    commits: u64,
    pull_requests: u64,
}

pub async fn per_user(source: &mut ReportSource) -> Result<Section, ReportError> {
    let mut by_actor: HashMap<String, Activity> = HashMap::new();
    let mut provenance = Provenance::default();
    let columns = ["date", "actor_id", "core_metrics", "_synced_at"];
    let found = source
        .scan("claude_code_usage_report", &columns, &mut |row| {
            provenance.synced(row[3]);
            if let Some(on) = day(row[0]) {
                provenance.day(on);
            }
            let metrics: Value = row[2]
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or(Value::Null);
            let count = |path: &[&str]| {
                path.iter()
                    .try_fold(&metrics, |v, part| v.get(part))
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            };
            let actor = by_actor
                .entry(row[1].unwrap_or("(unknown)").to_owned())
                .or_default();
            actor.sessions += count(&["num_sessions"]);
            actor.added += count(&["lines_of_code", "added"]);
            actor.removed += count(&["lines_of_code", "removed"]);
            actor.commits += count(&["commits_by_claude_code"]);
            actor.pull_requests += count(&["pull_requests_by_claude_code"]);
        })
        .await?;
    let section = |body, provenance| Section {
        id: "claude-code",
        title: "Claude Code per user",
        provenance,
        body,
    };
    if !found || by_actor.is_empty() {
        return Ok(section(
            Err(missing(
                "claude_code_usage_report",
                "Claude Code sessions, lines, commits and pull requests per user",
            )),
            None,
        ));
    }
    let mut ranked: Vec<(String, Activity)> = by_actor.into_iter().collect();
    ranked.sort_by(|a, b| {
        (b.1.sessions, b.1.added)
            .cmp(&(a.1.sessions, a.1.added))
            .then_with(|| a.0.cmp(&b.0))
    });
    let users = ranked.len();
    ranked.truncate(TOP);
    let bars: Vec<(String, f64)> = ranked
        .iter()
        .map(|(actor, a)| (actor.clone(), a.sessions as f64))
        .collect();
    let mut body = format!(
        "<p>{users} users; the {} with the most sessions.</p><div class=\"chart\">",
        ranked.len()
    );
    body.push_str(&chart::bars(&bars, &|v| format!("{v:.0}"))?);
    body.push_str("</div>");
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|(actor, a)| {
            vec![
                escape(actor),
                thousands(a.sessions),
                thousands(a.added),
                thousands(a.removed),
                thousands(a.commits),
                thousands(a.pull_requests),
            ]
        })
        .collect();
    body.push_str(&table(
        "claude-code-per-user",
        &[
            "User",
            "Sessions",
            "Lines added",
            "Lines removed",
            "Commits",
            "Pull requests",
        ],
        &rows,
    ));
    Ok(section(
        Ok(body),
        Some(provenance.describe("claude_code_usage_report")),
    ))
}
