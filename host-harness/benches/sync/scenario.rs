//! The scenarios: each one a mock organisation (served by `harness mock` in a
//! process of its own) and one `harness sync` of some streams against it, at
//! full volume and at one tenth, so growth shows.

use chrono::{Duration, Utc};

/// Every usage dimension: the report's largest grouping.
const FULL_GROUPING: &str = "api_key_id,workspace_id,model,service_tier,context_window,\
                             inference_geo,account_id,service_account_id";

/// Plugin calls in flight for the latency-bound scenarios.
pub const LATENCY_CONCURRENCY: usize = 8;
/// Injected per-request latency of the latency-bound scenarios.
pub const LATENCY_MS: u64 = 50;
/// The request rate the mock admits and the harness keeps to in the
/// latency-bound scenarios: above what 8 requests in flight at 50 ms reach
/// (160 a second), so latency, not the budget, bounds them.
pub const LATENCY_REQUESTS_PER_MINUTE: u32 = 12_000;

#[derive(Debug, Clone)]
pub struct Scenario {
    /// e.g. `activities 1M`.
    pub name: String,
    /// What the pair of volumes is called, to compare them.
    pub family: &'static str,
    pub full_volume: bool,
    /// Flags of `harness mock`.
    pub mock: Vec<String>,
    /// `--streams` of the sync.
    pub streams: &'static str,
    /// `--set NAME=VALUE` of the sync.
    pub settings: Vec<String>,
    pub concurrency: usize,
    /// The request budget of the mock and of the harness, when set.
    pub requests_per_minute: Option<u32>,
    /// Injected latency per request, for the bound `requests × latency ÷ concurrency`.
    pub latency_ms: u64,
    /// Also run the plain script and the native floor on this data.
    pub yardsticks: bool,
    /// Sync into PostgreSQL (a local server of the benchmark's own) instead
    /// of a SQLite file.
    pub into_postgres: bool,
}

fn days_ago(days: i64) -> String {
    (Utc::now() - Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// Every scenario, each at one tenth then at full volume.
pub fn all() -> Vec<Scenario> {
    let mut scenarios = Vec::new();
    for full_volume in [false, true] {
        let scale = |n: usize| if full_volume { n } else { n / 10 };
        let count = |n: usize| {
            if n >= 1_000_000 {
                format!("{}M", n as f64 / 1e6)
            } else {
                format!("{}k", n / 1000)
            }
        };
        // The rest of the organisation kept small, so only the scenario's data
        // costs anything; the scenario's own sizes replace these.
        let small_org = |own: &[String]| {
            let mut flags = Vec::new();
            for (flag, value) in [
                ("--users", "10"),
                ("--organizations", "1"),
                ("--compliance-users", "10"),
                ("--activities", "10"),
            ] {
                if !own.iter().any(|f| f == flag) {
                    flags.extend([flag.to_owned(), value.to_owned()]);
                }
            }
            flags.extend_from_slice(own);
            flags
        };
        let scenario = |name: String, family, mock: Vec<String>, streams| Scenario {
            name,
            family,
            full_volume,
            mock,
            streams,
            settings: Vec::new(),
            concurrency: 1,
            requests_per_minute: None,
            latency_ms: 0,
            yardsticks: false,
            into_postgres: false,
        };

        let activities = scale(1_000_000);
        scenarios.push(Scenario {
            yardsticks: true,
            ..scenario(
                format!("activities {}", count(activities)),
                "activities",
                small_org(&["--activities".into(), activities.to_string()]),
                "activities",
            )
        });
        // The same sync into PostgreSQL: the two load rates side by side.
        scenarios.push(Scenario {
            into_postgres: true,
            ..scenario(
                format!("activities {} → PostgreSQL", count(activities)),
                "activities → PostgreSQL",
                small_org(&["--activities".into(), activities.to_string()]),
                "activities",
            )
        });

        let users = scale(1_000_000);
        scenarios.push(scenario(
            format!("admin_users {}", count(users)),
            "admin_users",
            small_org(&["--users".into(), users.to_string()]),
            "admin_users",
        ));
        scenarios.push(Scenario {
            into_postgres: true,
            ..scenario(
                format!("admin_users {} → PostgreSQL", count(users)),
                "admin_users → PostgreSQL",
                small_org(&["--users".into(), users.to_string()]),
                "admin_users",
            )
        });

        // 12 series × 10,080 minutes ≈ 121k rows in a week at 1m.
        let series = if full_volume { 12 } else { 1 };
        scenarios.push(Scenario {
            settings: vec![
                "usage_report_granularity=1m".into(),
                format!("usage_report_grouping={FULL_GROUPING}"),
                format!("start_date={}", days_ago(7)),
            ],
            ..scenario(
                format!("usage_report 1m 7d ×{series}"),
                "usage_report",
                small_org(&["--usage-series".into(), series.to_string()]),
                "usage_report",
            )
        });

        // 30 days × 50,000 rows a day = 1.5M.
        let per_day = scale(50_000);
        scenarios.push(Scenario {
            settings: vec![format!("start_date={}", days_ago(30))],
            ..scenario(
                format!("cost_report {}", count(per_day * 30)),
                "cost_report",
                small_org(&["--cost-rows-per-day".into(), per_day.to_string()]),
                "cost_report",
            )
        });

        let latency = |flags: &[String]| {
            let mut flags = small_org(flags);
            flags.extend([
                "--latency-ms".into(),
                LATENCY_MS.to_string(),
                "--requests-per-minute".into(),
                LATENCY_REQUESTS_PER_MINUTE.to_string(),
            ]);
            flags
        };
        let groups = scale(2_000);
        scenarios.push(Scenario {
            concurrency: LATENCY_CONCURRENCY,
            requests_per_minute: Some(LATENCY_REQUESTS_PER_MINUTE),
            latency_ms: LATENCY_MS,
            ..scenario(
                format!("group_members {groups} groups"),
                "group_members",
                latency(&[
                    "--groups".into(),
                    groups.to_string(),
                    "--members-per-group".into(),
                    "5".into(),
                ]),
                "group_members",
            )
        });

        let users = scale(5_000);
        scenarios.push(Scenario {
            concurrency: LATENCY_CONCURRENCY,
            requests_per_minute: Some(LATENCY_REQUESTS_PER_MINUTE),
            latency_ms: LATENCY_MS,
            ..scenario(
                format!("user_chats {users} users"),
                "user_chats",
                latency(&[
                    "--compliance-users".into(),
                    users.to_string(),
                    "--chats-per-user".into(),
                    "2".into(),
                ]),
                "user_chats",
            )
        });
    }
    scenarios
}
