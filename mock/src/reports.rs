//! The report endpoints: usage (`/usage_report/messages`), cost
//! (`/cost_report`) and Claude Code (`/usage_report/claude_code`).
//!
//! Usage is generated as "atoms": a few fully-dimensioned usage records per
//! hour, a pure function of the seed and the hour, plus late revisions a test
//! can add. Every report is an aggregation of those atoms, so any granularity
//! and grouping agree with each other, and a test can compute the ground truth
//! with the same functions the endpoints use.

use super::api_error::ApiError;
use super::paging::Params;
use chrono::{DateTime, Duration, DurationRound, NaiveDate, TimeZone, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The grouping dimensions of the usage report: an atom's own eight, in the
/// API's order, then `speed` (fast mode), derived from them ([`Atom::speed`]).
pub const USAGE_DIMENSIONS: [&str; 9] = [
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "account_id",
    "service_account_id",
    "speed",
];

/// Where `speed` is in [`USAGE_DIMENSIONS`].
const SPEED: usize = 8;

/// The beta the usage report's `speed` (grouping and filter) requires.
pub const FAST_MODE_BETA: &str = "fast-mode-2026-02-01";

/// The usage report's filters: each parameter and the dimension it selects on.
const USAGE_FILTERS: [(&str, usize); 9] = [
    ("api_key_ids[]", 0),
    ("workspace_ids[]", 1),
    ("models[]", 2),
    ("service_tiers[]", 3),
    // Singular, as the API names it.
    ("context_window[]", 4),
    ("inference_geos[]", 5),
    ("account_ids[]", 6),
    ("service_account_ids[]", 7),
    ("speeds[]", SPEED),
];

/// Token counters of a usage row, flattened with dots as the connector lands them.
pub const USAGE_COUNTERS: [&str; 6] = [
    "uncached_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
    "server_tool_use.web_search_requests",
];

/// Usage starts here: nothing is recorded before.
pub fn usage_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// One fully-dimensioned usage record within an hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub at: DateTime<Utc>,
    pub dims: [Option<String>; 8],
    /// In [`USAGE_COUNTERS`] order.
    pub counters: [u64; 6],
}

impl Atom {
    /// The value of usage dimension `d` ([`USAGE_DIMENSIONS`]).
    pub fn dimension(&self, d: usize) -> Option<String> {
        match d {
            SPEED => Some(self.speed().to_owned()),
            d => self.dims[d].clone(),
        }
    }

    /// Fast mode (`speed`): some of the largest model's usage, by minute.
    /// Derived rather than drawn, so the atoms are what they always were.
    pub fn speed(&self) -> &'static str {
        match self.dims[2].as_deref() == Some("claude-opus-5") && self.at.timestamp() % 180 == 0 {
            true => "fast",
            false => "standard",
        }
    }

    /// The requests the usage took (the analytics API counts them).
    pub fn requests(&self) -> u64 {
        1 + self.counters[0] % 5
    }

    /// List price over the price paid: batch usage is billed at half.
    pub fn list_price_factor(&self) -> u64 {
        match self.dims[3].as_deref() {
            Some("batch") => 2,
            _ => 1,
        }
    }
}

/// The values each dimension draws from (a null is "default workspace", "not grouped"…),
/// and how usage is reported.
pub struct Pools {
    pub values: [Vec<Option<String>>; 8],
    /// Usage series reporting every minute ([`series_atom`]); none: a few
    /// records an hour at random minutes.
    pub series: Option<usize>,
}

/// Revisions: extra output tokens added late to the first atom of an hour.
pub type Revisions = BTreeMap<i64, u64>;

pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The atoms of the hour starting at `hour` (0 to 4 of them), revisions applied.
pub fn atoms_of_hour(
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    hour: DateTime<Utc>,
) -> Vec<Atom> {
    if hour < usage_epoch() {
        return Vec::new();
    }
    let mut atoms: Vec<Atom> = match pools.series {
        Some(series) => (0..60)
            .flat_map(|minute| {
                (0..series)
                    .map(move |s| series_atom(seed, pools, hour + Duration::minutes(minute), s))
            })
            .collect(),
        None => {
            let mut state = mix(seed ^ hour.timestamp() as u64);
            let mut next = || {
                state = mix(state);
                state
            };
            let count = (next() % 5) as usize;
            (0..count)
                .map(|_| {
                    let minute = (next() % 60) as i64;
                    let dims = std::array::from_fn(|d| {
                        let pool = &pools.values[d];
                        pool[(next() % pool.len() as u64) as usize].clone()
                    });
                    let counters = std::array::from_fn(|c| next() % COUNTER_RANGES[c]);
                    Atom {
                        at: hour + Duration::minutes(minute),
                        dims,
                        counters,
                    }
                })
                .collect()
        }
    };
    if let Some(extra) = revisions.get(&hour.timestamp()) {
        match atoms.first_mut() {
            Some(first) => first.counters[4] += extra,
            None => atoms.push(Atom {
                at: hour,
                dims: std::array::from_fn(|d| pools.values[d][0].clone()),
                counters: [0, 0, 0, 0, *extra, 0],
            }),
        }
    }
    atoms
}

/// Each counter of an atom is below this.
const COUNTER_RANGES: [u64; 6] = [5000, 300, 700, 2000, 3000, 4];

/// The record of usage series `s` in the minute starting at `minute`. Series
/// `s` always has the same dimensions (the digits of `s` in the pools' mixed
/// radix, so series differ as long as there are combinations left), and
/// counters of its own every minute.
pub fn series_atom(seed: u64, pools: &Pools, minute: DateTime<Utc>, s: usize) -> Atom {
    let mut rest = s;
    let dims = std::array::from_fn(|d| {
        let pool = &pools.values[d];
        let value = pool[rest % pool.len()].clone();
        rest /= pool.len();
        value
    });
    let mut state = mix(seed ^ minute.timestamp() as u64 ^ mix(s as u64));
    let counters = std::array::from_fn(|c| {
        state = mix(state);
        state % COUNTER_RANGES[c]
    });
    Atom {
        at: minute,
        dims,
        counters,
    }
}

/// Bucket widths the usage report knows: (name, length, default and maximum buckets per page).
pub fn width(name: &str) -> Option<(Duration, usize, usize)> {
    match name {
        "1d" => Some((Duration::days(1), 7, 31)),
        "1h" => Some((Duration::hours(1), 24, 168)),
        "1m" => Some((Duration::minutes(1), 60, 1440)),
        _ => None,
    }
}

/// Every atom in `[start, end)`.
pub fn atoms_between(
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<Atom> {
    let mut hour = start.duration_trunc(Duration::hours(1)).expect("in range");
    let mut atoms = Vec::new();
    while hour < end {
        atoms.extend(
            atoms_of_hour(seed, pools, revisions, hour)
                .into_iter()
                .filter(|a| a.at >= start && a.at < end),
        );
        hour += Duration::hours(1);
    }
    atoms
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The usage rows of one bucket: atoms summed by the grouped dimensions, the
/// others null, in a stable order. `speed`, a beta, is in a row only when grouped.
pub fn usage_results(atoms: &[Atom], group_by: &[usize]) -> Vec<Value> {
    let mut groups: BTreeMap<Vec<Option<String>>, [u64; 6]> = BTreeMap::new();
    for atom in atoms {
        let key = group_by.iter().map(|d| atom.dimension(*d)).collect();
        let sums = groups.entry(key).or_insert([0; 6]);
        for (s, c) in sums.iter_mut().zip(atom.counters) {
            *s += c;
        }
    }
    groups
        .into_iter()
        .map(|(key, sums)| {
            let mut row = Map::new();
            for (d, name) in USAGE_DIMENSIONS.iter().enumerate() {
                if d == SPEED && !group_by.contains(&SPEED) {
                    continue;
                }
                let value = group_by
                    .iter()
                    .position(|g| *g == d)
                    .and_then(|i| key[i].clone());
                row.insert((*name).into(), value.map_or(Value::Null, Value::String));
            }
            row.insert("uncached_input_tokens".into(), json!(sums[0]));
            row.insert(
                "cache_creation".into(),
                json!({"ephemeral_1h_input_tokens": sums[1], "ephemeral_5m_input_tokens": sums[2]}),
            );
            row.insert("cache_read_input_tokens".into(), json!(sums[3]));
            row.insert("output_tokens".into(), json!(sums[4]));
            row.insert(
                "server_tool_use".into(),
                json!({"web_search_requests": sums[5]}),
            );
            Value::Object(row)
        })
        .collect()
}

/// Price of one token in millionths of a cent, by counter (input, cache 1h, cache 5m, cache read, output).
const PRICE_MICROCENTS: [u64; 5] = [300, 600, 375, 30, 1500];
pub const TOKEN_TYPES: [&str; 5] = [
    "uncached_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
];

/// Price of one token of `TOKEN_TYPES[t]`, in millionths of a cent.
pub fn price_microcents(t: usize) -> u64 {
    PRICE_MICROCENTS[t]
}

/// Micro-cents as the API's decimal string in cents ("123.78912").
pub fn cents(microcents: u64) -> String {
    let text = format!("{}.{:06}", microcents / 1_000_000, microcents % 1_000_000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The API's decimal string in cents ("123.78912") as micro-cents, exactly.
pub fn microcents(amount: &str) -> u64 {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    whole.parse::<u64>().unwrap_or(0) * 1_000_000
        + format!("{fraction:0<6}").parse::<u64>().unwrap_or(0)
}

/// The cost rows of one day, grouped by workspace and description, amounts in micro-cents.
pub fn cost_results(atoms: &[Atom]) -> Vec<(Value, u64)> {
    let mut groups: BTreeMap<(Option<String>, String, String, usize), u64> = BTreeMap::new();
    for atom in atoms {
        let model = atom.dims[2].clone().unwrap_or_default();
        let tier = atom.dims[3].clone().unwrap_or_else(|| "standard".into());
        for (t, price) in PRICE_MICROCENTS.iter().enumerate() {
            let tokens = atom.counters[t];
            if tokens > 0 {
                *groups
                    .entry((atom.dims[1].clone(), model.clone(), tier.clone(), t))
                    .or_default() += tokens * price;
            }
        }
    }
    groups
        .into_iter()
        .map(|((workspace, model, tier, t), amount)| {
            let row = json!({
                "amount": cents(amount), "currency": "USD", "cost_type": "tokens",
                "description": format!("{model} Usage - {}", TOKEN_TYPES[t]),
                "model": model, "token_type": TOKEN_TYPES[t], "service_tier": tier,
                "context_window": "0-200k", "inference_geo": "global", "workspace_id": workspace,
            });
            (row, amount)
        })
        .collect()
}

/// The time parameter `name` (RFC 3339), when the request has it.
pub(crate) fn required_time(
    params: &Params,
    name: &str,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    params
        .get(name)
        .map(|raw| {
            DateTime::parse_from_rfc3339(raw)
                .map(|t| t.to_utc())
                .map_err(|_| {
                    ApiError::invalid_request(format!(
                        "`{name}` must be an RFC 3339 timestamp. Got \"{raw}\"."
                    ))
                })
        })
        .transpose()
}

/// One bucket of a report: `[start, end)`.
pub type Bucket = (DateTime<Utc>, DateTime<Utc>);

/// The buckets `[starting_at, ending_at)` of a report request, paged by `page`
/// (an opaque bucket offset) and `limit` (buckets per page, bounded per width).
/// `make` gives the results of each bucket of the page, all at once.
fn bucket_page(
    params: &Params,
    width_name: &str,
    make: impl Fn(&[Bucket]) -> Vec<Vec<Value>>,
) -> Result<Value, ApiError> {
    let (length, default_limit, max_limit) = width(width_name).ok_or_else(|| {
        ApiError::invalid_request(format!(
            "`bucket_width` must be one of 1d, 1h, 1m. Got \"{width_name}\"."
        ))
    })?;
    let start = required_time(params, "starting_at")?
        .ok_or_else(|| ApiError::invalid_request("`starting_at` is required."))?;
    let start = start.duration_trunc(length).expect("in range");
    let end = required_time(params, "ending_at")?.unwrap_or(start + length * default_limit as i32);
    if end <= start {
        return Err(ApiError::invalid_request(
            "`ending_at` must be after `starting_at`.",
        ));
    }
    let limit = params.limit(default_limit, max_limit)?;
    let total = ((end - start).num_seconds() as f64 / length.num_seconds() as f64).ceil() as usize;
    let offset = match params.get("page") {
        None => 0,
        Some(token) => token
            .strip_prefix("page_")
            .and_then(|t| t.parse::<usize>().ok())
            .filter(|o| *o < total)
            .ok_or_else(|| ApiError::invalid_request(format!("Invalid page token \"{token}\".")))?,
    };
    let last = (offset + limit).min(total);
    let buckets: Vec<Bucket> = (offset..last)
        .map(|i| {
            let bucket_start = start + length * i as i32;
            (bucket_start, (bucket_start + length).min(end))
        })
        .collect();
    let data: Vec<Value> = buckets
        .iter()
        .zip(make(&buckets))
        .map(|((from, to), results)| {
            json!({"starting_at": rfc3339(*from), "ending_at": rfc3339(*to), "results": results})
        })
        .collect();
    let has_more = last < total;
    Ok(json!({
        "data": data,
        "has_more": has_more,
        "next_page": if has_more { json!(format!("page_{last}")) } else { Value::Null },
    }))
}

/// Whether `atom` passes every filter of a usage report request.
pub fn usage_selected(atom: &Atom, params: &Params) -> bool {
    USAGE_FILTERS.iter().all(|(param, d)| {
        let wanted = params.all(param);
        wanted.is_empty()
            || match atom.dimension(*d) {
                Some(value) => wanted.contains(&value.as_str()),
                // Rows of models that predate inference_geo are asked for as `not_available`.
                None => *d == 5 && wanted.contains(&"not_available"),
            }
    })
}

/// `GET /v1/organizations/usage_report/messages`. `speed`, grouped or
/// filtered on, needs the fast-mode beta (`betas`: the request's `anthropic-beta`).
pub fn usage_report(
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    params: &Params,
    betas: &[&str],
) -> Result<Value, ApiError> {
    let mut group_by = Vec::new();
    for name in params.all("group_by[]") {
        let d = USAGE_DIMENSIONS
            .iter()
            .position(|d| *d == name)
            .ok_or_else(|| {
                ApiError::invalid_request(format!("Invalid `group_by` value \"{name}\"."))
            })?;
        if !group_by.contains(&d) {
            group_by.push(d);
        }
    }
    let speed = group_by.contains(&SPEED) || !params.all("speeds[]").is_empty();
    if speed && !betas.contains(&FAST_MODE_BETA) {
        return Err(ApiError::invalid_request(format!(
            "`speed` is in beta: send the header `anthropic-beta: {FAST_MODE_BETA}` to group or \
             filter by it."
        )));
    }
    let width_name = params.get("bucket_width").unwrap_or("1d");
    bucket_page(params, width_name, |buckets| {
        atoms_by_bucket(seed, pools, revisions, buckets)
            .iter()
            .map(|atoms| {
                let selected: Vec<Atom> = atoms
                    .iter()
                    .filter(|atom| usage_selected(atom, params))
                    .cloned()
                    .collect();
                usage_results(&selected, &group_by)
            })
            .collect()
    })
}

/// The atoms of each of `buckets` (contiguous, in order) up to now, generated
/// once for the whole page rather than hour by hour for every bucket.
fn atoms_by_bucket(
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    buckets: &[Bucket],
) -> Vec<Vec<Atom>> {
    let mut by_bucket = vec![Vec::new(); buckets.len()];
    let (Some((start, _)), Some((_, end))) = (buckets.first(), buckets.last()) else {
        return by_bucket;
    };
    for atom in atoms_between(seed, pools, revisions, *start, (*end).min(Utc::now())) {
        let bucket = buckets.partition_point(|(from, _)| *from <= atom.at) - 1;
        by_bucket[bucket].push(atom);
    }
    by_bucket
}

/// `GET /v1/organizations/cost_report` (daily only). With `rows_per_day`, a
/// large organisation's cost ([`super::bulk_cost`]); otherwise the cost of the
/// usage records.
pub fn cost_report(
    seed: u64,
    pools: &Pools,
    revisions: &Revisions,
    rows_per_day: Option<usize>,
    params: &Params,
) -> Result<Value, ApiError> {
    let width_name = params.get("bucket_width").unwrap_or("1d");
    if width_name != "1d" {
        return Err(ApiError::invalid_request(format!(
            "`bucket_width` must be \"1d\". Got \"{width_name}\"."
        )));
    }
    let rows_only = |results: Vec<(Value, u64)>| results.into_iter().map(|(row, _)| row).collect();
    bucket_page(params, "1d", |buckets| match rows_per_day {
        Some(rows) => buckets
            .iter()
            .map(|(from, _)| match *from <= Utc::now() {
                true => rows_only(super::bulk_cost::bulk_cost_results(seed, *from, rows)),
                false => Vec::new(),
            })
            .collect(),
        None => atoms_by_bucket(seed, pools, revisions, buckets)
            .iter()
            .map(|atoms| rows_only(cost_results(atoms)))
            .collect(),
    })
}

/// The Claude Code rows of one day: a few actors, split by terminal and remote flag.
pub fn claude_code_rows(seed: u64, day: NaiveDate, actors: &[String]) -> Vec<Value> {
    if actors.is_empty() {
        return Vec::new();
    }
    let mut state =
        mix(seed ^ day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() as u64 ^ 0xC0DE);
    let mut next = || {
        state = mix(state);
        state
    };
    let count = (next() % 4) as usize;
    let terminals = ["vscode", "iTerm.app", "tmux"];
    let mut rows: Vec<Value> = Vec::new();
    for r in 0..count {
        let actor = &actors[(next() % actors.len() as u64) as usize];
        let terminal = terminals[r % terminals.len()];
        let is_remote = r % 3 == 2;
        let actor_json = if r % 4 == 3 {
            json!({"type": "api_actor", "api_key_name": format!("ci-key-{}", next() % 3)})
        } else {
            json!({"type": "user_actor", "email_address": actor})
        };
        if rows.iter().any(|x| {
            x["actor"] == actor_json
                && x["terminal_type"] == terminal
                && x["is_remote"] == is_remote
        }) {
            continue;
        }
        rows.push(json!({
            "date": format!("{day}T00:00:00Z"),
            "actor": actor_json,
            "organization_id": "12345678-1234-5678-1234-567812345678",
            "customer_type": "api",
            "subscription_type": Value::Null,
            "terminal_type": terminal,
            "is_remote": is_remote,
            "core_metrics": {"num_sessions": next() % 20, "lines_of_code": {"added": next() % 500, "removed": next() % 200},
                             "commits_by_claude_code": next() % 9, "pull_requests_by_claude_code": next() % 3},
            "tool_actions": {"edit_tool": {"accepted": next() % 30, "rejected": next() % 5}},
            "model_breakdown": [{"model": "claude-opus-5", "tokens": {"input": next() % 50000, "output": next() % 15000, "cache_read": 10, "cache_creation": 5},
                                 "estimated_cost": {"amount": next() % 300, "currency": "USD"}}],
        }));
    }
    // Every third day an API key is named like a user (by their email): a
    // row with the same actor id, terminal and remote flag as that user's,
    // of another actor.
    if chrono::Datelike::ordinal(&day).is_multiple_of(3)
        && let Some(user) = rows.first().filter(|r| r["actor"]["type"] == "user_actor")
    {
        let mut twin = user.clone();
        twin["actor"] =
            json!({"type": "api_actor", "api_key_name": user["actor"]["email_address"]});
        twin["core_metrics"]["num_sessions"] = json!(next() % 20);
        rows.push(twin);
    }
    rows
}

/// `GET /v1/organizations/usage_report/claude_code`: one day per request.
pub fn claude_code_report(
    seed: u64,
    actors: &[String],
    params: &Params,
) -> Result<super::paging::Json, ApiError> {
    let raw = params
        .get("starting_at")
        .ok_or_else(|| ApiError::invalid_request("`starting_at` is required."))?;
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ApiError::invalid_request(format!(
            "`starting_at` must match ^\\d{{4}}-\\d{{2}}-\\d{{2}}$. Got \"{raw}\"."
        ))
    })?;
    // Only data older than an hour is served.
    let rows = if day.and_hms_opt(0, 0, 0).unwrap().and_utc() + Duration::hours(1) <= Utc::now()
        && day >= usage_epoch().date_naive()
    {
        claude_code_rows(seed, day, actors)
    } else {
        Vec::new()
    };
    super::paging::page_token_page(&rows.into(), params, 20, 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{MockOrg, OrgSize};

    fn report(org: &MockOrg, query: &str) -> Value {
        usage_report(
            org.size.seed,
            &org.usage_pools(),
            &org.usage_revisions,
            &Params::parse(Some(query)),
            &[FAST_MODE_BETA],
        )
        .unwrap()
    }

    const FULL_GROUPING: &str = "group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=model&\
        group_by[]=service_tier&group_by[]=context_window&group_by[]=inference_geo&\
        group_by[]=account_id&group_by[]=service_account_id";

    #[test]
    fn usage_series_report_every_minute_with_distinct_dimensions() {
        let org = MockOrg::generate(OrgSize {
            usage_series: Some(12),
            ..OrgSize::default()
        });
        let day = report(
            &org,
            &format!(
                "starting_at=2025-03-01T00:00:00Z&ending_at=2025-03-02T00:00:00Z&bucket_width=1m&limit=1440&{FULL_GROUPING}"
            ),
        );
        let buckets = day["data"].as_array().unwrap();
        assert_eq!(buckets.len(), 1440);
        assert!(
            buckets
                .iter()
                .all(|b| b["results"].as_array().unwrap().len() == 12),
            "twelve rows every minute"
        );
        let hourly = report(&org, "starting_at=2025-03-01T00:00:00Z&bucket_width=1h");
        assert_eq!(hourly["data"][0]["results"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn speed_needs_the_fast_mode_beta_and_filters_select_usage() {
        let org = MockOrg::generate(OrgSize::default());
        let query = |q: &str, betas: &[&str]| {
            usage_report(
                org.size.seed,
                &org.usage_pools(),
                &org.usage_revisions,
                &Params::parse(Some(q)),
                betas,
            )
        };
        let day = "starting_at=2026-11-01T00:00:00Z&bucket_width=1d&limit=7";
        for speed in ["group_by[]=speed", "speeds[]=fast"] {
            let err = query(&format!("{day}&{speed}"), &[]).unwrap_err();
            assert_eq!(err.status, 400, "{speed}");
            assert!(err.message.contains(FAST_MODE_BETA), "{}", err.message);
        }
        let by_speed = query(
            &format!("{day}&group_by[]=speed&group_by[]=model"),
            &[FAST_MODE_BETA],
        )
        .unwrap();
        let rows: Vec<&Value> = by_speed["data"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["results"].as_array().unwrap())
            .collect();
        assert!(rows.iter().any(|r| r["speed"] == "fast"));
        assert!(
            rows.iter()
                .all(|r| r["speed"] == "standard" || r["model"] == "claude-opus-5")
        );
        let plain = query(day, &[]).unwrap();
        assert!(
            plain["data"][0]["results"][0].get("speed").is_none(),
            "no speed unless grouped"
        );

        let filtered = query(
            &format!("{day}&group_by[]=model&group_by[]=service_tier&models[]=claude-haiku-4-5&service_tiers[]=batch&context_window[]=0-200k"),
            &[],
        )
        .unwrap();
        let rows: Vec<&Value> = filtered["data"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["results"].as_array().unwrap())
            .collect();
        assert!(!rows.is_empty());
        assert!(
            rows.iter()
                .all(|r| r["model"] == "claude-haiku-4-5" && r["service_tier"] == "batch")
        );
    }

    #[test]
    fn a_page_of_buckets_holds_what_each_bucket_holds_on_its_own() {
        for series in [None, Some(3)] {
            let mut org = MockOrg::generate(OrgSize {
                usage_series: series,
                ..OrgSize::default()
            });
            let revised = DateTime::parse_from_rfc3339("2025-03-01T02:00:00Z").unwrap();
            org.usage_revisions.insert(revised.timestamp(), 777);
            for (width, length) in [("1m", Duration::minutes(1)), ("1h", Duration::hours(1))] {
                let page = report(
                    &org,
                    &format!(
                        "starting_at=2025-03-01T01:17:00Z&bucket_width={width}&limit=90&group_by[]=model"
                    ),
                );
                for bucket in page["data"].as_array().unwrap() {
                    let from =
                        DateTime::parse_from_rfc3339(bucket["starting_at"].as_str().unwrap())
                            .unwrap()
                            .to_utc();
                    let atoms = atoms_between(
                        org.size.seed,
                        &org.usage_pools(),
                        &org.usage_revisions,
                        from,
                        from + length,
                    );
                    assert_eq!(bucket["results"], json!(usage_results(&atoms, &[2])));
                }
            }
        }
    }
}
