//! A large organisation's cost report, on demand: a fixed number of rows every
//! day (workspaces × descriptions), where the ordinary mock derives cost from
//! a handful of usage records an hour. It is what makes a cost page weigh tens
//! of megabytes, as a real one does for an organisation with hundreds of
//! workspaces.
//!
//! Every row is a pure function of the seed, the day and its position, so a
//! page is generated on its own (nothing is kept, nothing sorted per request)
//! and a test computes the ground truth with the same function.

use super::reports::{TOKEN_TYPES, cents, mix, usage_epoch};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const MODELS: [&str; 5] = [
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-haiku-4-5",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
];
const SERVICE_TIERS: [&str; 2] = ["standard", "batch"];
const CONTEXT_WINDOWS: [&str; 2] = ["0-200k", "200k-1M"];

/// Distinct descriptions (model × token type × tier × context window) per workspace.
pub const DESCRIPTIONS_PER_WORKSPACE: usize =
    MODELS.len() * TOKEN_TYPES.len() * SERVICE_TIERS.len() * CONTEXT_WINDOWS.len();

/// The most a row costs, in micro-cents (50 cents).
const MAX_AMOUNT_MICROCENTS: u64 = 50_000_000;

/// The cost rows of the day starting at `day`, `rows_per_day` of them, in a
/// stable order, each with its amount in micro-cents. None before the
/// organisation's first day.
pub fn bulk_cost_results(seed: u64, day: DateTime<Utc>, rows_per_day: usize) -> Vec<(Value, u64)> {
    if day < usage_epoch() {
        return Vec::new();
    }
    (0..rows_per_day)
        .map(|row| bulk_cost_row(seed, day, row))
        .collect()
}

/// Row `row` of a day: its workspace is the row's rank among the
/// descriptions (the first is the default workspace, reported as null).
fn bulk_cost_row(seed: u64, day: DateTime<Utc>, row: usize) -> (Value, u64) {
    let workspace = row / DESCRIPTIONS_PER_WORKSPACE;
    let mut description = row % DESCRIPTIONS_PER_WORKSPACE;
    let mut pick = |len: usize| {
        let index = description % len;
        description /= len;
        index
    };
    let model = MODELS[pick(MODELS.len())];
    let token_type = TOKEN_TYPES[pick(TOKEN_TYPES.len())];
    let tier = SERVICE_TIERS[pick(SERVICE_TIERS.len())];
    let context_window = CONTEXT_WINDOWS[pick(CONTEXT_WINDOWS.len())];
    let amount =
        mix(seed ^ (day.timestamp() as u64) ^ (row as u64).wrapping_mul(0x2545_F491_4F6C_DD1D))
            % MAX_AMOUNT_MICROCENTS;
    let workspace_id = match workspace {
        0 => Value::Null,
        w => json!(format!("wrkspc_01Bulk{w:018}")),
    };
    let row = json!({
        "amount": cents(amount), "currency": "USD", "cost_type": "tokens",
        "description": format!("{model} Usage - {token_type} ({tier}, {context_window})"),
        "model": model, "token_type": token_type, "service_tier": tier,
        "context_window": context_window, "inference_geo": "global", "workspace_id": workspace_id,
    });
    (row, amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use std::collections::HashSet;

    fn day() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn exactly_the_rows_asked_for_each_one_distinct_and_the_same_every_time() {
        let rows = bulk_cost_results(7, day(), 450);
        assert_eq!(rows.len(), 450);
        assert_eq!(rows, bulk_cost_results(7, day(), 450));
        let keys: HashSet<String> = rows
            .iter()
            .map(|(r, _)| format!("{}|{}", r["workspace_id"], r["description"]))
            .collect();
        assert_eq!(keys.len(), 450, "workspace and description identify a row");
        assert!(rows[0].0["workspace_id"].is_null());
        assert_eq!(
            rows[DESCRIPTIONS_PER_WORKSPACE].0["workspace_id"],
            "wrkspc_01Bulk000000000000000001"
        );
        assert_ne!(
            bulk_cost_results(7, day() + Duration::days(1), 450),
            rows,
            "another day, other amounts"
        );
    }

    #[test]
    fn the_decimal_amount_is_the_micro_cents_given_with_it() {
        for (row, microcents) in bulk_cost_results(3, day(), 50) {
            assert_eq!(row["amount"], cents(microcents));
            assert!(microcents < MAX_AMOUNT_MICROCENTS);
        }
    }

    #[test]
    fn nothing_before_the_first_day() {
        assert!(bulk_cost_results(7, usage_epoch() - Duration::days(1), 10).is_empty());
    }
}
