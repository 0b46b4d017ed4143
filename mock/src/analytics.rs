//! The Usage and Cost Analytics API (beta): `GET /v1/organizations/analytics/usage`
//! and `/analytics/cost`.
//!
//! Both aggregate the same usage atoms as the legacy reports ([`super::reports`]),
//! so their tokens and cost agree with `usage_report` and `cost_report`; they
//! only group them differently: one flat row per time bucket and combination
//! of the `group_by[]` dimensions, with every dimension present in `group`
//! (null unless grouped), paged by rows (`limit`, `page` ← `next_page`).
//!
//! Where the reference is silent (its "uncertain" list), the mock picks the
//! documented shape's most likely reading and says so here:
//! - `limit`: 100 rows by default, 1 to 1000 (not documented);
//! - a range spans at most 31 days (documented for the sibling endpoints);
//! - the default workspace is `workspace_id: null`, as in the legacy reports;
//! - `order_by` / `order` are accepted and ignored: rows come by bucket, then
//!   largest metric first (`total_tokens`, or `amount`), then by group;
//! - the dimensions this organisation has no usage for (agents, Slack,
//!   sessions…) are null on every row, grouped or not.

use super::api_error::ApiError;
use super::paging::{Json, Params, page_token_page};
use super::records::Records;
use super::reports::{
    Atom, Pools, Revisions, TOKEN_TYPES, atoms_between, cents, price_microcents, required_time,
};
use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The beta header both endpoints require.
pub const ANALYTICS_BETA: &str = "analytics-usage-cost-2026-08-24";

/// The grouping dimensions of `/analytics/usage`, in the API's (alphabetical) order.
pub const USAGE_GROUP_BY: [&str; 19] = [
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "user_profile_id",
    "workspace_id",
];

/// `/analytics/cost` groups by the usage dimensions and by what the cost is of.
pub const COST_ONLY_GROUP_BY: [&str; 2] = ["cost_type", "token_type"];

/// Each filter parameter and the dimension it selects on.
const FILTERS: [(&str, &str); 18] = [
    ("actor_types[]", "actor_type"),
    ("agent_ids[]", "agent_id"),
    ("api_key_ids[]", "api_key_id"),
    ("claude_tag_categories[]", "claude_tag_category"),
    ("claude_tag_user_ids[]", "claude_tag_user_id"),
    ("context_windows[]", "context_window"),
    ("deployment_ids[]", "deployment_id"),
    ("environment_ids[]", "environment_id"),
    ("inference_geos[]", "inference_geo"),
    ("models[]", "model"),
    ("products[]", "product"),
    ("rbac_group_ids[]", "rbac_group_id"),
    ("service_tiers[]", "service_tier"),
    ("session_ids[]", "session_id"),
    ("slack_channel_ids[]", "slack_channel_id"),
    ("speeds[]", "speed"),
    ("user_profile_ids[]", "user_profile_id"),
    ("workspace_ids[]", "workspace_id"),
];

/// The earliest `starting_at` the API accepts.
pub fn analytics_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// How far back `starting_at` may reach.
pub const MAX_HISTORY: Duration = Duration::days(365);
/// The longest range one request may span.
pub const MAX_RANGE: Duration = Duration::days(31);

/// Which of the two endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metrics {
    Usage,
    Cost,
}

impl Metrics {
    fn allows(self, dimension: &str) -> bool {
        USAGE_GROUP_BY.contains(&dimension)
            || (self == Self::Cost && COST_ONLY_GROUP_BY.contains(&dimension))
    }
}

/// The value of `dimension` for usage `atom`: its own dimensions where the
/// legacy reports have them, derived from them otherwise (the actor from the
/// account, service account or key it was made with), null where this
/// organisation has no such usage.
pub fn dimension(atom: &Atom, dimension: &str) -> Value {
    let text = |value: &Option<String>| value.clone().map_or(Value::Null, Value::String);
    match dimension {
        "api_key_id" => text(&atom.dims[0]),
        "workspace_id" => text(&atom.dims[1]),
        "model" => text(&atom.dims[2]),
        "service_tier" => text(&atom.dims[3]),
        "context_window" => text(&atom.dims[4]),
        "inference_geo" => text(&atom.dims[5]),
        "speed" => Value::String(atom.speed().into()),
        "actor" => actor(atom),
        "actor_type" => actor(atom).get("type").cloned().unwrap_or(Value::Null),
        // Usage over OAuth is Claude Code's; API usage has no product.
        "product" if atom.dims[6].is_some() => Value::String("claude_code".into()),
        _ => Value::Null,
    }
}

fn actor(atom: &Atom) -> Value {
    match (&atom.dims[6], &atom.dims[7], &atom.dims[0]) {
        (Some(user), _, _) => json!({"type": "user_actor", "user_id": user}),
        (None, Some(account), _) => {
            json!({"type": "service_account_actor", "service_account_id": account})
        }
        (None, None, Some(key)) => json!({"type": "api_actor", "api_key_id": key}),
        (None, None, None) => Value::Null,
    }
}

/// The tagged id `actor_ids[]` selects an actor by.
fn actor_id(atom: &Atom) -> Option<&str> {
    atom.dims[6]
        .as_deref()
        .or(atom.dims[7].as_deref())
        .or(atom.dims[0].as_deref())
}

/// Whether `atom` passes every filter of the request.
fn selected(atom: &Atom, params: &Params) -> bool {
    let actors = params.all("actor_ids[]");
    if !actors.is_empty() && !actor_id(atom).is_some_and(|id| actors.contains(&id)) {
        return false;
    }
    FILTERS.iter().all(|(param, dim)| {
        let wanted = params.all(param);
        wanted.is_empty()
            || match dimension(atom, dim) {
                Value::String(value) => wanted.contains(&value.as_str()),
                // Rows with no region set are asked for as `not_available`.
                _ => *dim == "inference_geo" && wanted.contains(&"not_available"),
            }
    })
}

/// One row's sums: the usage counters, requests, and the cost of each token type.
#[derive(Debug, Clone, Default)]
struct Sums {
    counters: [u64; 6],
    requests: u64,
    microcents: u64,
    list_microcents: u64,
}

/// The rows of one bucket `[from, to)`: its atoms summed per group, each row
/// with its bucket, its group and its metrics.
fn bucket_rows(
    metrics: Metrics,
    atoms: &[&Atom],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    group_by: &[&str],
) -> Vec<(Value, u64)> {
    // Cost split by what it is of: one part per token type (all this
    // organisation's cost is of tokens).
    let split = group_by.iter().any(|d| COST_ONLY_GROUP_BY.contains(d));
    let mut groups: BTreeMap<String, (Map<String, Value>, Sums)> = BTreeMap::new();
    for atom in atoms {
        let parts: Vec<Option<usize>> = if split {
            (0..TOKEN_TYPES.len())
                .filter(|t| atom.counters[*t] > 0)
                .map(Some)
                .collect()
        } else {
            vec![None]
        };
        for part in parts {
            let mut group = Map::new();
            for name in USAGE_GROUP_BY {
                let value = match group_by.contains(&name) {
                    true => dimension(atom, name),
                    false => Value::Null,
                };
                group.insert(name.into(), value);
            }
            if metrics == Metrics::Cost {
                for name in COST_ONLY_GROUP_BY {
                    let value = match (group_by.contains(&name), part, name) {
                        (true, Some(_), "cost_type") => json!("tokens"),
                        (true, Some(t), _) => json!(TOKEN_TYPES[t]),
                        _ => Value::Null,
                    };
                    group.insert(name.into(), value);
                }
            }
            let key = Value::Object(group.clone()).to_string();
            let (_, sums) = groups
                .entry(key)
                .or_insert_with(|| (group, Sums::default()));
            let token_types: Vec<usize> = match part {
                Some(t) => vec![t],
                None => (0..TOKEN_TYPES.len()).collect(),
            };
            for t in token_types {
                let cost = atom.counters[t] * price_microcents(t);
                sums.microcents += cost;
                sums.list_microcents += cost * atom.list_price_factor();
            }
            if part.is_none() {
                for (s, c) in sums.counters.iter_mut().zip(atom.counters) {
                    *s += c;
                }
                sums.requests += atom.requests();
            }
        }
    }
    groups
        .into_values()
        .map(|(group, sums)| {
            let (body_name, body, rank) = match metrics {
                Metrics::Usage => {
                    let c = sums.counters;
                    let total = c[0] + c[1] + c[2] + c[3] + c[4];
                    let usage = json!({
                        "uncached_input_tokens": c[0],
                        "cache_creation": {"ephemeral_1h_input_tokens": c[1], "ephemeral_5m_input_tokens": c[2]},
                        "cache_read_input_tokens": c[3],
                        "output_tokens": c[4],
                        "server_tool_use": {"web_search_requests": c[5]},
                        "requests": sums.requests,
                        "total_tokens": total,
                    });
                    ("usage", usage, total)
                }
                Metrics::Cost => {
                    let cost = json!({
                        "amount": cents(sums.microcents),
                        "list_amount": cents(sums.list_microcents),
                        "currency": "USD",
                        // Requests cannot be split per cost component.
                        "requests": if split { Value::Null } else { json!(sums.requests) },
                    });
                    ("cost", cost, sums.microcents)
                }
            };
            let row = json!({
                "starting_at": rfc3339(from),
                "ending_at": rfc3339(to),
                "group": group,
                body_name: body,
            });
            (row, rank)
        })
        .collect()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Every row a request asks for, in the order they are served, as of `now`:
/// the whole answer, which `page` and `limit` then cut into pages.
pub fn analytics_rows(
    metrics: Metrics,
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    params: &Params,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, ApiError> {
    let start = required_time(params, "starting_at")?
        .ok_or_else(|| ApiError::invalid_request("`starting_at` is required."))?;
    let earliest = analytics_epoch().max(now - MAX_HISTORY);
    if start < earliest {
        return Err(ApiError::invalid_request(format!(
            "`starting_at` must be within the last 365 days and no earlier than \
             2026-01-01T00:00:00Z. Got \"{}\".",
            rfc3339(start)
        )));
    }
    let end = required_time(params, "ending_at")?.unwrap_or_else(|| now.min(start + MAX_RANGE));
    if end <= start {
        return Err(ApiError::invalid_request(
            "`ending_at` must be after `starting_at`.",
        ));
    }
    if end - start > MAX_RANGE {
        return Err(ApiError::invalid_request(
            "The range from `starting_at` to `ending_at` may span at most 31 days.",
        ));
    }
    let mut group_by: Vec<&str> = Vec::new();
    for name in params.all("group_by[]") {
        if !metrics.allows(name) {
            return Err(ApiError::invalid_request(format!(
                "Invalid `group_by` value \"{name}\"."
            )));
        }
        if !group_by.contains(&name) {
            group_by.push(name);
        }
    }
    if params.all("actor_ids[]").len() > 100 {
        return Err(ApiError::invalid_request(
            "`actor_ids` accepts at most 100 values.",
        ));
    }
    // Buckets: whole widths from the start; without a width, the range as
    // one bucket whose end is rounded down to the hour.
    let buckets: Vec<(DateTime<Utc>, DateTime<Utc>)> = match params.get("time_bucket_width") {
        Some(name) => {
            let length = match name {
                "1d" => Duration::days(1),
                "1h" => Duration::hours(1),
                "1m" => Duration::minutes(1),
                _ => {
                    return Err(ApiError::invalid_request(format!(
                        "`time_bucket_width` must be one of 1d, 1h, 1m. Got \"{name}\"."
                    )));
                }
            };
            let first = start.duration_trunc(length).expect("in range");
            let mut buckets = Vec::new();
            let mut from = first;
            while from < end {
                buckets.push((from, (from + length).min(end)));
                from += length;
            }
            buckets
        }
        None => {
            let to = end.duration_trunc(Duration::hours(1)).expect("in range");
            if to <= start {
                Vec::new()
            } else {
                vec![(start, to)]
            }
        }
    };
    let (Some((first, _)), Some((_, last))) = (buckets.first(), buckets.last()) else {
        return Ok(Vec::new());
    };
    let atoms: Vec<Atom> = atoms_between(seed, pools, revisions, *first, (*last).min(now))
        .into_iter()
        .filter(|atom| selected(atom, params))
        .collect();
    let mut rows = Vec::new();
    for bucket in buckets {
        let within: Vec<&Atom> = atoms
            .iter()
            .filter(|a| a.at >= bucket.0 && a.at < bucket.1)
            .collect();
        if within.is_empty() {
            continue;
        }
        let mut ranked = bucket_rows(metrics, &within, bucket, &group_by);
        // Largest first; the group (already in order) breaks ties.
        ranked.sort_by_key(|(_, rank)| std::cmp::Reverse(*rank));
        rows.extend(ranked.into_iter().map(|(row, _)| row));
    }
    Ok(rows)
}

/// `GET /v1/organizations/analytics/usage` or `/cost`: the beta header is
/// required; then one page of the request's rows.
pub fn analytics_page(
    metrics: Metrics,
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    params: &Params,
    betas: &[&str],
) -> Result<Json, ApiError> {
    if !betas.contains(&ANALYTICS_BETA) {
        return Err(ApiError::invalid_request(format!(
            "This endpoint is in beta: send the header `anthropic-beta: {ANALYTICS_BETA}`."
        )));
    }
    let rows: Records = analytics_rows(metrics, seed, pools, revisions, params, Utc::now())?.into();
    page_token_page(&rows, params, 100, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{MockOrg, OrgSize};
    use crate::reports::{cost_results, usage_results};

    fn rows(org: &MockOrg, metrics: Metrics, query: &str) -> Result<Vec<Value>, ApiError> {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        analytics_rows(
            metrics,
            org.size.seed,
            &org.usage_pools(),
            &org.usage_revisions,
            &Params::parse(Some(query)),
            now,
        )
    }

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn daily_cost_per_workspace_is_the_legacy_cost_report_summed() {
        let org = MockOrg::generate(OrgSize::default());
        let analytics = rows(
            &org,
            Metrics::Cost,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-08T00:00:00Z&time_bucket_width=1d&group_by[]=workspace_id",
        )
        .unwrap();
        let mut seen = 0;
        for d in 1..8 {
            let atoms = atoms_between(
                org.size.seed,
                &org.usage_pools(),
                &org.usage_revisions,
                day(d),
                day(d + 1),
            );
            let mut legacy: BTreeMap<Option<String>, u64> = BTreeMap::new();
            for (row, microcents) in cost_results(&atoms) {
                *legacy
                    .entry(row["workspace_id"].as_str().map(str::to_owned))
                    .or_default() += microcents;
            }
            let start = rfc3339(day(d));
            let ours: BTreeMap<Option<String>, String> = analytics
                .iter()
                .filter(|r| r["starting_at"] == start.as_str())
                .map(|r| {
                    let workspace = r["group"]["workspace_id"].as_str().map(str::to_owned);
                    (workspace, r["cost"]["amount"].as_str().unwrap().to_owned())
                })
                .collect();
            let legacy: BTreeMap<Option<String>, String> =
                legacy.into_iter().map(|(w, m)| (w, cents(m))).collect();
            assert_eq!(ours, legacy, "{start}");
            seen += ours.len();
        }
        assert!(seen > 7, "a week of cost: {seen} rows");
    }

    #[test]
    fn hourly_usage_per_model_is_the_legacy_usage_report_regrouped() {
        let org = MockOrg::generate(OrgSize::default());
        let analytics = rows(
            &org,
            Metrics::Usage,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-02T00:00:00Z&time_bucket_width=1h&group_by[]=model",
        )
        .unwrap();
        let mut expected = Vec::new();
        for h in 0..24 {
            let from = day(1) + Duration::hours(h);
            let atoms = atoms_between(
                org.size.seed,
                &org.usage_pools(),
                &org.usage_revisions,
                from,
                from + Duration::hours(1),
            );
            for row in usage_results(&atoms, &[2]) {
                expected.push((
                    rfc3339(from),
                    row["model"].clone(),
                    row["output_tokens"].clone(),
                ));
            }
        }
        let mut ours: Vec<_> = analytics
            .iter()
            .map(|r| {
                let group = r["group"].as_object().unwrap();
                assert_eq!(group.len(), 19, "every dimension is present");
                assert!(r["usage"]["requests"].as_u64().unwrap() > 0);
                (
                    r["starting_at"].as_str().unwrap().to_owned(),
                    r["group"]["model"].clone(),
                    r["usage"]["output_tokens"].clone(),
                )
            })
            .collect();
        ours.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
        expected.sort_by(|a, b| (&a.0, a.1.to_string()).cmp(&(&b.0, b.1.to_string())));
        assert_eq!(ours, expected);
        assert!(!ours.is_empty());
    }

    #[test]
    fn requests_are_null_when_cost_is_split_by_token_type() {
        let org = MockOrg::generate(OrgSize::default());
        let split = rows(
            &org,
            Metrics::Cost,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-03T00:00:00Z&time_bucket_width=1d&group_by[]=token_type&group_by[]=cost_type",
        )
        .unwrap();
        assert!(!split.is_empty());
        assert!(split.iter().all(|r| r["cost"]["requests"].is_null()
            && r["group"]["cost_type"] == "tokens"
            && TOKEN_TYPES.contains(&r["group"]["token_type"].as_str().unwrap())));
        let whole = rows(
            &org,
            Metrics::Cost,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-03T00:00:00Z&time_bucket_width=1d",
        )
        .unwrap();
        assert!(whole.iter().all(|r| r["cost"]["requests"].is_u64()));
        let total = |rows: &[Value]| -> u64 {
            rows.iter()
                .map(|r| crate::reports::microcents(r["cost"]["amount"].as_str().unwrap()))
                .sum()
        };
        assert_eq!(total(&split), total(&whole), "split or not, the same cost");
        let usage_err = rows(
            &org,
            Metrics::Usage,
            "starting_at=2026-11-01T00:00:00Z&group_by[]=token_type",
        )
        .unwrap_err();
        assert_eq!(
            usage_err.message,
            "Invalid `group_by` value \"token_type\"."
        );
    }

    #[test]
    fn filters_select_rows_and_the_range_is_checked() {
        let org = MockOrg::generate(OrgSize::default());
        let haiku = rows(
            &org,
            Metrics::Usage,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-04T00:00:00Z&time_bucket_width=1d&group_by[]=model&models[]=claude-haiku-4-5",
        )
        .unwrap();
        assert!(!haiku.is_empty());
        assert!(
            haiku
                .iter()
                .all(|r| r["group"]["model"] == "claude-haiku-4-5")
        );
        for (query, message) in [
            ("", "`starting_at` is required."),
            (
                "starting_at=2025-12-31T00:00:00Z",
                "`starting_at` must be within the last 365 days and no earlier than 2026-01-01T00:00:00Z. Got \"2025-12-31T00:00:00Z\".",
            ),
            (
                "starting_at=2026-10-01T00:00:00Z&ending_at=2026-11-02T00:00:00Z",
                "The range from `starting_at` to `ending_at` may span at most 31 days.",
            ),
            (
                "starting_at=2026-11-01T00:00:00Z&time_bucket_width=1w",
                "`time_bucket_width` must be one of 1d, 1h, 1m. Got \"1w\".",
            ),
        ] {
            let err = rows(&org, Metrics::Usage, query).unwrap_err();
            assert_eq!(
                (err.status, err.message.as_str()),
                (400, message),
                "{query}"
            );
        }
        // Without a width: one row per group over the range, its end on the hour.
        let whole = rows(
            &org,
            Metrics::Usage,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-02T05:30:00Z",
        )
        .unwrap();
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0]["ending_at"], "2026-11-02T05:00:00Z");
    }

    #[test]
    fn without_the_beta_header_the_endpoint_refuses() {
        let org = MockOrg::generate(OrgSize::default());
        let params = Params::parse(Some("starting_at=2026-11-01T00:00:00Z"));
        let page = |betas: &[&str]| {
            analytics_page(
                Metrics::Cost,
                org.size.seed,
                &org.usage_pools(),
                &org.usage_revisions,
                &params,
                betas,
            )
        };
        let err = page(&["fast-mode-2026-02-01"]).unwrap_err();
        assert_eq!((err.status, err.error_type), (400, "invalid_request_error"));
        assert!(err.message.contains(ANALYTICS_BETA), "{}", err.message);
        assert!(page(&["fast-mode-2026-02-01", ANALYTICS_BETA]).is_ok());
    }
}
