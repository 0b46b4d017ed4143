//! The report's sections, one per question people ask of the data. Each
//! scans the tables it needs; a table that was never synced leaves its
//! section out with a note saying which stream to sync.

mod access;
mod activities;
mod api_keys;
mod claude_code;
mod cost;
mod tokens;

use super::html::Section;
use super::source::ReportSource;
use crate::report::ReportError;
use std::collections::HashMap;

/// Every section, in the report's order.
pub async fn all(source: &mut ReportSource) -> Result<Vec<Section>, ReportError> {
    let workspaces = names(source, "workspaces").await?;
    Ok(vec![
        cost::by_day(source, &workspaces).await?,
        tokens::by_day(source).await?,
        api_keys::top(source).await?,
        claude_code::per_user(source).await?,
        activities::per_day(source).await?,
        access::who(source).await?,
    ])
}

/// The note of a section whose stream was not synced.
fn missing(stream: &str, what: &str) -> String {
    format!("No {stream} in this warehouse: sync the {stream} stream to see {what}.")
}

/// `id → name` of a directory stream's rows (none when it was not synced).
async fn names(
    source: &mut ReportSource,
    table: &str,
) -> Result<HashMap<String, String>, ReportError> {
    let mut names = HashMap::new();
    source
        .scan(table, &["id", "name"], &mut |row| {
            if let (Some(id), Some(name)) = (row[0], row[1]) {
                names.insert(id.to_owned(), name.to_owned());
            }
        })
        .await?;
    Ok(names)
}

/// A name and its id, or the id alone when the name is not known.
fn named(id: &str, names: &HashMap<String, String>) -> String {
    match names.get(id) {
        Some(name) if name != id => format!("{name} ({id})"),
        _ => id.to_owned(),
    }
}
