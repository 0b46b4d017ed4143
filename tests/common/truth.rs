//! The mock's ground truth of the reports, computed with the functions its
//! endpoints use, and what landed in a warehouse to compare it with.

use super::warehouse::select;
use anthropic_mock::MockServer;
use anthropic_mock::analytics::{Metrics, analytics_rows};
use anthropic_mock::bulk_cost::bulk_cost_results;
use anthropic_mock::paging::Params;
use anthropic_mock::reports::{
    USAGE_DIMENSIONS, atoms_between, claude_code_rows, cost_results, usage_results, usage_selected,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The single number a query returns (0 for NULL).
pub fn int(db: &Path, sql: &str) -> i64 {
    select(db, sql)[0][0].parse().unwrap_or(0)
}

/// The mock's usage rows (and output tokens) for the buckets in [start, cutoff).
pub fn usage_truth(
    mock: &MockServer,
    start: DateTime<Utc>,
    cutoff: DateTime<Utc>,
    width: Duration,
    grouping: &[&str],
) -> (usize, u64) {
    filtered_usage_truth(mock, (start, cutoff), width, grouping, "")
}

/// [`usage_truth`] of the usage the report's `filters` select (a query
/// string: `models[]=…&service_tiers[]=…`).
pub fn filtered_usage_truth(
    mock: &MockServer,
    (start, cutoff): (DateTime<Utc>, DateTime<Utc>),
    width: Duration,
    grouping: &[&str],
    filters: &str,
) -> (usize, u64) {
    let filters = Params::parse(Some(filters));
    let org = mock.org();
    let pools = org.usage_pools();
    let group_by: Vec<usize> = grouping
        .iter()
        .map(|g| USAGE_DIMENSIONS.iter().position(|d| d == g).unwrap())
        .collect();
    let (mut rows, mut output) = (0, 0);
    let mut bucket = start;
    while bucket < cutoff {
        let atoms: Vec<_> = atoms_between(
            org.size.seed,
            &pools,
            &org.usage_revisions,
            bucket,
            bucket + width,
        )
        .into_iter()
        .filter(|atom| usage_selected(atom, &filters))
        .collect();
        rows += usage_results(&atoms, &group_by).len();
        output += atoms.iter().map(|a| a.counters[4]).sum::<u64>();
        bucket += width;
    }
    (rows, output)
}

/// The `usage_report` rows that landed in `db` for the buckets ending by
/// `cutoff`, and their output tokens: what [`usage_truth`] counts.
pub fn landed_usage(db: &Path, cutoff: DateTime<Utc>) -> (usize, u64) {
    let closed = format!(
        "FROM usage_report WHERE bucket_end <= '{}'",
        rfc3339(cutoff)
    );
    (
        int(db, &format!("SELECT count(*) {closed}")) as usize,
        int(db, &format!("SELECT sum(output_tokens) {closed}")) as u64,
    )
}

/// The mock's cost rows and their amount in micro-cents for the days in
/// [start, end): a large organisation's rows when the mock has them, the cost
/// of its usage otherwise.
pub fn cost_truth(mock: &MockServer, start: DateTime<Utc>, end: DateTime<Utc>) -> (usize, u64) {
    let org = mock.org();
    let pools = org.usage_pools();
    let (mut rows, mut microcents) = (0, 0);
    let mut day = start;
    while day < end {
        let results = match org.size.cost_rows_per_day {
            Some(per_day) => bulk_cost_results(org.size.seed, day, per_day),
            None => cost_results(&atoms_between(
                org.size.seed,
                &pools,
                &org.usage_revisions,
                day,
                day + Duration::days(1),
            )),
        };
        rows += results.len();
        microcents += results.iter().map(|(_, m)| m).sum::<u64>();
        day += Duration::days(1);
    }
    (rows, microcents)
}

/// The mock's Claude Code rows for the days in [first, end).
pub fn claude_code_truth(mock: &MockServer, first: NaiveDate, end: NaiveDate) -> usize {
    let org = mock.org();
    let actors = org.claude_code_actors();
    first
        .iter_days()
        .take_while(|day| *day < end)
        .map(|day| claude_code_rows(org.size.seed, day, &actors).len())
        .sum()
}

pub use anthropic_mock::reports::microcents;

/// The cost rows that landed in `db` (`cost_report` rows matching `filter`,
/// a SQL condition) and their amount in micro-cents.
pub fn landed_cost(db: &Path, filter: &str) -> (usize, u64) {
    let amounts = select(
        db,
        &format!("SELECT amount FROM cost_report WHERE {filter}"),
    );
    let total = amounts.iter().map(|a| microcents(&a[0])).sum();
    (amounts.len(), total)
}

/// The mock's analytics rows for the buckets in [start, end) (at most 31
/// days), flattened as a record lands (without its id): the bucket as
/// `bucket_*`, each group dimension a field, the metrics' nested counters
/// dotted. An oracle of its own, not the connector's code.
pub fn analytics_truth(
    mock: &MockServer,
    metrics: Metrics,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    width: &str,
    group_by: &[&str],
) -> Vec<String> {
    let org = mock.org();
    let mut query = format!(
        "starting_at={}&ending_at={}&time_bucket_width={width}",
        rfc3339(start),
        rfc3339(end)
    );
    for dimension in group_by {
        query.push_str(&format!("&group_by[]={dimension}"));
    }
    let rows = analytics_rows(
        metrics,
        org.size.seed,
        &org.usage_pools(),
        &org.usage_revisions,
        &Params::parse(Some(&query)),
        Utc::now(),
    )
    .expect("a valid request");
    let mut flattened: Vec<String> = rows
        .iter()
        .map(|row| {
            let mut record = BTreeMap::new();
            record.insert("bucket_start".to_owned(), row["starting_at"].clone());
            record.insert("bucket_end".to_owned(), row["ending_at"].clone());
            record.insert("bucket_width".to_owned(), Value::from(width));
            for (name, value) in row["group"].as_object().unwrap() {
                record.insert(name.clone(), value.clone());
            }
            for body in ["usage", "cost"] {
                for (name, value) in row[body].as_object().into_iter().flatten() {
                    match value.as_object() {
                        Some(nested) => {
                            for (inner, v) in nested {
                                record.insert(format!("{name}.{inner}"), v.clone());
                            }
                        }
                        None => {
                            record.insert(name.clone(), value.clone());
                        }
                    }
                }
            }
            serde_json::to_string(&record).unwrap()
        })
        .collect();
    flattened.sort();
    flattened
}

/// The records of `table` whose bucket ends by `cutoff`, each without its id,
/// keys sorted (to compare with [`analytics_truth`]); and whether every id
/// is distinct.
pub fn landed_analytics(db: &Path, table: &str, cutoff: DateTime<Utc>) -> (Vec<String>, bool) {
    let rows = select(
        db,
        &format!(
            "SELECT id, _raw FROM {table} WHERE bucket_end <= '{}'",
            rfc3339(cutoff)
        ),
    );
    let ids: std::collections::BTreeSet<&String> = rows.iter().map(|r| &r[0]).collect();
    let distinct = ids.len() == rows.len();
    let mut landed: Vec<String> = rows
        .iter()
        .map(|row| {
            let mut record: BTreeMap<String, Value> = serde_json::from_str(&row[1]).unwrap();
            record.remove("id");
            serde_json::to_string(&record).unwrap()
        })
        .collect();
    landed.sort();
    (landed, distinct)
}
