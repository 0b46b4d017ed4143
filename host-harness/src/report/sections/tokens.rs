//! Tokens per day, by model and by service tier, from `usage_report`:
//! every kind of token added up (uncached input, cache writes and reads,
//! output).

use super::missing;
use crate::report::ReportError;
use crate::report::amount::thousands;
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::{Daily, Provenance, day};
use crate::report::source::ReportSource;

/// The token counts of a usage row, added up.
pub const TOKEN_COLUMNS: [&str; 5] = [
    "uncached_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
];

/// The tokens of a row whose token columns start at `from`.
pub fn tokens(row: &[Option<&str>], from: usize) -> u64 {
    row[from..from + TOKEN_COLUMNS.len()]
        .iter()
        .filter_map(|v| v.and_then(|v| v.parse::<u64>().ok()))
        .sum()
}

pub async fn by_day(source: &mut ReportSource) -> Result<Section, ReportError> {
    let (mut by_model, mut by_tier) = (Daily::default(), Daily::default());
    let mut total: u64 = 0;
    let mut provenance = Provenance::default();
    let mut columns = vec!["bucket_start", "model", "service_tier", "_synced_at"];
    columns.extend(TOKEN_COLUMNS);
    let found = source
        .scan("usage_report", &columns, &mut |row| {
            provenance.synced(row[3]);
            let Some(on) = day(row[0]) else { return };
            provenance.day(on);
            let count = tokens(row, 4);
            total += count;
            let model = row[1].unwrap_or("(not by model)").to_owned();
            let tier = row[2].unwrap_or("(not by service tier)").to_owned();
            by_model.add(on, model, count as f64);
            by_tier.add(on, tier, count as f64);
        })
        .await?;
    let section = |body, provenance| Section {
        id: "tokens",
        title: "Tokens per day",
        provenance,
        body,
    };
    if !found || by_model.is_empty() {
        return Ok(section(
            Err(missing(
                "usage_report",
                "tokens per day by model and service tier",
            )),
            None,
        ));
    }
    let count = |v: f64| compact(v);
    let days = by_model.days();
    let mut body = format!(
        "<p id=\"tokens-total\" data-total=\"{total}\">Total: <strong>{}</strong> tokens</p>",
        thousands(total)
    );
    body.push_str("<h3>By model</h3><div class=\"chart\">");
    body.push_str(&chart::lines(&days, &by_model.lines(), &count)?);
    body.push_str("</div><h3>By service tier</h3><div class=\"chart\">");
    body.push_str(&chart::lines(&days, &by_tier.lines(), &count)?);
    body.push_str("</div>");
    let rows: Vec<Vec<String>> = by_model
        .ranked()
        .iter()
        .map(|(model, tokens)| vec![escape(model), thousands(*tokens as u64)])
        .collect();
    body.push_str(&table("tokens-by-model", &["Model", "Tokens"], &rows));
    Ok(section(Ok(body), Some(provenance.describe("usage_report"))))
}

/// A count for an axis: 1.2k, 3.4M.
pub fn compact(v: f64) -> String {
    match v.abs() {
        a if a >= 1e9 => format!("{:.1}G", v / 1e9),
        a if a >= 1e6 => format!("{:.1}M", v / 1e6),
        a if a >= 1e3 => format!("{:.1}k", v / 1e3),
        _ => format!("{v:.0}"),
    }
}
