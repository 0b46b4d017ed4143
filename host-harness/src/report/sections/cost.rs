//! Cost per day, by workspace and by model, from `cost_report`, with the
//! exact total.

use super::{missing, named};
use crate::report::ReportError;
use crate::report::amount::Cents;
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::{Daily, Provenance, day};
use crate::report::source::ReportSource;
use std::collections::HashMap;

pub async fn by_day(
    source: &mut ReportSource,
    workspaces: &HashMap<String, String>,
) -> Result<Section, ReportError> {
    let (mut by_workspace, mut by_model) = (Daily::default(), Daily::default());
    let mut totals: HashMap<String, Cents> = HashMap::new();
    let mut total = Cents::default();
    let mut provenance = Provenance::default();
    let mut unreadable = 0u64;
    let columns = [
        "bucket_start",
        "workspace_id",
        "model",
        "amount",
        "_synced_at",
    ];
    let found = source
        .scan("cost_report", &columns, &mut |row| {
            provenance.synced(row[4]);
            let (Some(on), Some(amount)) = (day(row[0]), row[3].and_then(Cents::parse)) else {
                unreadable += 1;
                return;
            };
            provenance.day(on);
            // No workspace: the organisation's default workspace.
            let workspace =
                row[1].map_or_else(|| "Default workspace".into(), |id| named(id, workspaces));
            let model = row[2].unwrap_or("(not by model)").to_owned();
            by_workspace.add(on, workspace.clone(), amount.dollars_f64());
            by_model.add(on, model, amount.dollars_f64());
            totals.entry(workspace).or_default().add(amount);
            total.add(amount);
        })
        .await?;
    let section = |body, provenance| Section {
        id: "cost",
        title: "Cost per day",
        provenance,
        body,
    };
    if !found || by_workspace.is_empty() {
        return Ok(section(
            Err(missing(
                "cost_report",
                "cost per day by workspace and model",
            )),
            None,
        ));
    }
    // Cents matter on a small organisation's axis, not on a large one's.
    let dollars = |v: f64| {
        if v.abs() < 10.0 {
            format!("${v:.2}")
        } else {
            format!("${v:.0}")
        }
    };
    let days = by_workspace.days();
    let mut body = format!(
        "<p id=\"cost-total\" data-total=\"{}\">Total: <strong>{}</strong> ({} in cost_report)</p>",
        escape(&total.dollars()),
        escape(&total.dollars()),
        if unreadable > 0 {
            format!("{unreadable} rows without a readable day or amount left out")
        } else {
            "every row".into()
        },
    );
    body.push_str("<h3>By workspace</h3><div class=\"chart\">");
    body.push_str(&chart::lines(&days, &by_workspace.lines(), &dollars)?);
    body.push_str("</div><h3>By model</h3><div class=\"chart\">");
    body.push_str(&chart::lines(&days, &by_model.lines(), &dollars)?);
    body.push_str("</div>");
    let mut rows: Vec<(String, Cents)> = totals.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(workspace, cents)| vec![escape(workspace), escape(&cents.dollars())])
        .collect();
    body.push_str(&table("cost-by-workspace", &["Workspace", "Cost"], &rows));
    Ok(section(Ok(body), Some(provenance.describe("cost_report"))))
}
