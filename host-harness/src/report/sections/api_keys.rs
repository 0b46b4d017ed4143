//! The API keys that cost the most, from `cost_analytics` (cost per API
//! key, its default grouping), or, without it, the keys that use the most
//! tokens from `usage_report`; keys are named from `api_keys`.

use super::tokens::{TOKEN_COLUMNS, compact, tokens};
use super::{missing, named};
use crate::report::ReportError;
use crate::report::amount::{Cents, thousands};
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::{Provenance, day};
use crate::report::source::ReportSource;
use std::collections::HashMap;

/// How many keys the ranking shows.
const TOP: usize = 15;

/// Usage not made with an API key (the Console, Claude Code with a seat).
const NO_KEY: &str = "(no API key)";

pub async fn top(source: &mut ReportSource) -> Result<Section, ReportError> {
    let names = super::names(source, "api_keys").await?;
    let key_of = |id: Option<&str>| id.map_or_else(|| NO_KEY.to_owned(), |id| named(id, &names));
    let mut by_cost: HashMap<String, Cents> = HashMap::new();
    let mut provenance = Provenance::default();
    let columns = ["api_key_id", "amount", "bucket_start", "_synced_at"];
    let found = source
        .scan("cost_analytics", &columns, &mut |row| {
            provenance.synced(row[3]);
            if let Some(on) = day(row[2]) {
                provenance.day(on);
            }
            if let Some(amount) = row[1].and_then(Cents::parse) {
                by_cost.entry(key_of(row[0])).or_default().add(amount);
            }
        })
        .await?;
    let section = |body, provenance| Section {
        id: "api-keys",
        title: "Top API keys",
        provenance,
        body,
    };
    if found && !by_cost.is_empty() {
        let mut ranked: Vec<(String, Cents)> = by_cost.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(TOP);
        let bars: Vec<(String, f64)> = ranked
            .iter()
            .map(|(k, c)| (k.clone(), c.dollars_f64()))
            .collect();
        let rows: Vec<Vec<String>> = ranked
            .iter()
            .map(|(key, cost)| vec![escape(key), escape(&cost.dollars())])
            .collect();
        let body = ranking(
            &format!("The {} API keys that cost the most.", ranked.len()),
            chart::bars(&bars, &|v| format!("${v:.2}"))?,
            table("top-api-keys", &["API key", "Cost"], &rows),
        );
        return Ok(section(
            Ok(body),
            Some(provenance.describe("cost_analytics")),
        ));
    }

    let mut by_tokens: HashMap<String, u64> = HashMap::new();
    let mut provenance = Provenance::default();
    let mut columns = vec!["api_key_id", "bucket_start", "_synced_at"];
    columns.extend(TOKEN_COLUMNS);
    let found = source
        .scan("usage_report", &columns, &mut |row| {
            provenance.synced(row[2]);
            if let Some(on) = day(row[1]) {
                provenance.day(on);
            }
            *by_tokens.entry(key_of(row[0])).or_default() += tokens(row, 3);
        })
        .await?;
    if !found || by_tokens.is_empty() {
        return Ok(section(
            Err(missing(
                "cost_analytics",
                "the API keys that cost the most (or usage_report, for the keys that use the most tokens)",
            )),
            None,
        ));
    }
    let mut ranked: Vec<(String, u64)> = by_tokens.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(TOP);
    let bars: Vec<(String, f64)> = ranked.iter().map(|(k, t)| (k.clone(), *t as f64)).collect();
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|(key, tokens)| vec![escape(key), thousands(*tokens)])
        .collect();
    let body = ranking(
        &format!(
            "The {} API keys that use the most tokens (sync cost_analytics for their cost).",
            ranked.len()
        ),
        chart::bars(&bars, &compact)?,
        table("top-api-keys", &["API key", "Tokens"], &rows),
    );
    Ok(section(Ok(body), Some(provenance.describe("usage_report"))))
}

fn ranking(lead: &str, chart: String, table: String) -> String {
    format!(
        "<p>{}</p><div class=\"chart\">{chart}</div>{table}",
        escape(lead)
    )
}
