//! The API keys that use the most, from `usage_report` grouped by API key
//! (its tokens), named from `api_keys`.

use super::tokens::{TOKEN_COLUMNS, compact, tokens};
use super::{missing, named};
use crate::report::ReportError;
use crate::report::amount::thousands;
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::{Provenance, day};
use crate::report::source::ReportSource;
use std::collections::HashMap;

/// How many keys the ranking shows.
const TOP: usize = 15;

pub async fn top(source: &mut ReportSource) -> Result<Section, ReportError> {
    let names = super::names(source, "api_keys").await?;
    let mut by_key: HashMap<String, u64> = HashMap::new();
    let mut provenance = Provenance::default();
    let mut columns = vec!["api_key_id", "bucket_start", "_synced_at"];
    columns.extend(TOKEN_COLUMNS);
    let found = source
        .scan("usage_report", &columns, &mut |row| {
            provenance.synced(row[2]);
            if let Some(on) = day(row[1]) {
                provenance.day(on);
            }
            // Usage not made with an API key (the Console, Claude Code with a seat).
            let key = row[0].map_or_else(|| "(no API key)".into(), |id| named(id, &names));
            *by_key.entry(key).or_default() += tokens(row, 3);
        })
        .await?;
    let section = |body, provenance| Section {
        id: "api-keys",
        title: "Top API keys",
        provenance,
        body,
    };
    if !found || by_key.is_empty() {
        return Ok(section(
            Err(missing(
                "usage_report",
                "the API keys that use the most (grouped by api_key_id, the default grouping)",
            )),
            None,
        ));
    }
    let mut ranked: Vec<(String, u64)> = by_key.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(TOP);
    let bars: Vec<(String, f64)> = ranked.iter().map(|(k, t)| (k.clone(), *t as f64)).collect();
    let mut body = format!(
        "<p>The {} API keys with the most tokens.</p><div class=\"chart\">",
        ranked.len()
    );
    body.push_str(&chart::bars(&bars, &compact)?);
    body.push_str("</div>");
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|(key, tokens)| vec![escape(key), thousands(*tokens)])
        .collect();
    body.push_str(&table("top-api-keys", &["API key", "Tokens"], &rows));
    Ok(section(Ok(body), Some(provenance.describe("usage_report"))))
}
