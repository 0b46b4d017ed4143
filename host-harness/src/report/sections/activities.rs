//! The activity feed's events per day and type, from `activities`.

use super::missing;
use super::tokens::compact;
use crate::report::ReportError;
use crate::report::amount::thousands;
use crate::report::chart;
use crate::report::html::{Section, escape, table};
use crate::report::series::{Daily, Provenance, day};
use crate::report::source::ReportSource;

pub async fn per_day(source: &mut ReportSource) -> Result<Section, ReportError> {
    let mut by_type = Daily::default();
    let mut provenance = Provenance::default();
    let found = source
        .scan(
            "activities",
            &["created_at", "type", "_synced_at"],
            &mut |row| {
                provenance.synced(row[2]);
                let Some(on) = day(row[0]) else { return };
                provenance.day(on);
                by_type.add(on, row[1].unwrap_or("(no type)").to_owned(), 1.0);
            },
        )
        .await?;
    let section = |body, provenance| Section {
        id: "activities",
        title: "Activity feed",
        provenance,
        body,
    };
    if !found || by_type.is_empty() {
        return Ok(section(
            Err(missing(
                "activities",
                "the activity feed's events per day and type",
            )),
            None,
        ));
    }
    let mut body = String::from("<h3>Events per day, by type</h3><div class=\"chart\">");
    body.push_str(&chart::lines(&by_type.days(), &by_type.lines(), &compact)?);
    body.push_str("</div>");
    let rows: Vec<Vec<String>> = by_type
        .ranked()
        .iter()
        .map(|(kind, count)| vec![escape(kind), thousands(*count as u64)])
        .collect();
    body.push_str(&table(
        "activities-by-type",
        &["Event type", "Events"],
        &rows,
    ));
    Ok(section(Ok(body), Some(provenance.describe("activities"))))
}
