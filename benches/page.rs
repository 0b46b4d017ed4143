//! The guest's per-record cost, natively: one realistic page per stream shape
//! read through `plugin::read_page`, the function the component's `read-page`
//! export calls, against a host that answers every request with a canned
//! body. So each iteration is exactly the guest's work on a page: load the
//! connection, parse the settings, take the response body, redact, parse,
//! shape and serialise every record, redact the page on its way out.
//!
//! ```sh
//! cargo bench -p anthropic-connector --bench page                    # every shape
//! cargo bench -p anthropic-connector --bench page -- usage_report    # shapes whose name contains it
//! cargo bench -p anthropic-connector --bench page -- --iterations 5  # a fixed count (for callgrind)
//! cargo bench -p anthropic-connector --bench page -- --dump DIR      # write each shape's records
//! ```
//!
//! Prints, per shape: records and body size, the median time of one page,
//! records/s and MB/s of response body (1 MB = 10^6 bytes).

use anthropic_connector::host::{Host, HttpRequest, HttpResponse, LogLevel, TransportError};
use anthropic_connector::model::{Page, ReadRequest, SyncStrategy};
use anthropic_connector::plugin;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Keys of the real length (a 95-character secret part), so the redaction
/// pre-filters and searches see as many windows as they would in production.
const ADMIN_KEY: &str = concat!(
    "sk-ant-admin01-",
    "Qx7Lm2Vb8Kp4Rt6Wy1Nc3ZZtestADMINsecretHf5Jd9Gs0Ua2Ye4Ti6Ro8Pw1Eq3Cz5Xv7Bn9Mk2Lj4Hg6Fd8Sa0-",
    "AbCdEfAA"
);
const COMPLIANCE_KEY: &str = concat!(
    "sk-ant-api01-",
    "Wz3Nq8Yh1Kc6Vb4Tx9Lm2ZZtestCOMPLIANCEsecretJp7Fs5Dg0Ra3Ue6Io8Pk1Qw4Ex7Cz2Mv5Bn9Hl3Gj6Td8_",
    "AbCdEfAA"
);

/// A host whose API answers every request with one body.
struct CannedApi {
    body: Vec<u8>,
}

impl Host for CannedApi {
    fn secret(&self, name: &str) -> Option<String> {
        match name {
            "admin-api-key" => Some(ADMIN_KEY.to_owned()),
            "compliance-access-key" => Some(COMPLIANCE_KEY.to_owned()),
            _ => None,
        }
    }

    fn log(&self, _: LogLevel, _: &str) {}

    fn send(&self, _: &HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: self.body.clone(),
        })
    }
}

/// One stream shape: a request and the body its API answers with.
struct Shape {
    name: &'static str,
    stream: &'static str,
    strategy: SyncStrategy,
    settings_json: &'static str,
    body: Vec<u8>,
    records: usize,
}

/// Builds a shape's page (only the shapes asked for are built).
type MakeShape = fn() -> Shape;

/// Deterministic pseudo-random tokens, like the API's ids.
struct Tokens(u64);

impl Tokens {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghijkmnpqrstuvwxyz";
        (0..len)
            .map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

fn timestamp(i: usize) -> String {
    let seconds = 1_767_225_600 + i as i64 * 37;
    chrono::DateTime::from_timestamp(seconds, 123_456_000)
        .expect("in range")
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// 1,000 events of the compliance activity feed, actors of both kinds.
fn activities() -> Shape {
    const KINDS: [&str; 5] = [
        "claude_chat_created",
        "claude_project_created",
        "user_signed_in_sso",
        "claude_file_uploaded",
        "compliance_api_accessed",
    ];
    let mut tokens = Tokens(1);
    let data: Vec<Value> = (0..1000)
        .map(|i| {
            let kind = KINDS[i % KINDS.len()];
            let actor = if kind == "compliance_api_accessed" {
                json!({"type": "api_actor", "api_key_id": format!("apikey_01{}", tokens.token(22)),
                       "ip_address": "192.0.2.10", "user_agent": "anthropic-connector/0.1.0"})
            } else {
                json!({"type": "user_actor", "user_id": format!("user_01{}", tokens.token(22)),
                       "email_address": format!("person.{}@example.com", i % 97),
                       "ip_address": format!("198.51.100.{}", i % 250),
                       "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15"})
            };
            let mut activity = json!({
                "id": format!("activity_01{}", tokens.token(22)),
                "created_at": timestamp(i),
                "organization_id": format!("org_01{}", tokens.token(22)),
                "organization_uuid": format!("{}-{}-{}", tokens.token(8), tokens.token(4), tokens.token(12)),
                "actor": actor,
                "type": kind,
            });
            if kind == "claude_chat_created" {
                activity["claude_chat_id"] = json!(format!("claude_chat_01{}", tokens.token(22)));
            }
            activity
        })
        .collect();
    list_shape(
        "activities",
        "activities",
        SyncStrategy::Incremental,
        r#"{"page_size":1000}"#,
        data,
    )
}

/// 1,000 Console users; one name in seven has letters the API writes as `\u` escapes.
fn admin_users() -> Shape {
    const NAMES: [&str; 7] = [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
        "Barbara Liskov",
        "Donald Knuth",
        "Jos\u{e9} Garc\u{ed}a",
    ];
    const ROLES: [&str; 5] = ["user", "developer", "billing", "admin", "claude_code_user"];
    let mut tokens = Tokens(2);
    let data: Vec<Value> = (0..1000)
        .map(|i| {
            json!({
                "id": format!("user_01{}", tokens.token(22)),
                "type": "user",
                "email": format!("person.{i}@example.com"),
                "name": NAMES[i % NAMES.len()],
                "role": ROLES[i % ROLES.len()],
                "added_at": timestamp(i),
            })
        })
        .collect();
    list_shape(
        "admin_users",
        "admin_users",
        SyncStrategy::FullRefresh,
        r#"{"page_size":1000}"#,
        data,
    )
}

/// A page of an id-cursor list whose last page it is not.
fn list_shape(
    name: &'static str,
    stream: &'static str,
    strategy: SyncStrategy,
    settings_json: &'static str,
    data: Vec<Value>,
) -> Shape {
    let first = data[0]["id"].clone();
    let last = data[data.len() - 1]["id"].clone();
    let records = data.len();
    // Written as a Python service writes JSON: ASCII only, other letters escaped.
    let body = ascii_json(&json!({
        "data": data, "has_more": true, "first_id": first, "last_id": last,
    }));
    Shape {
        name,
        stream,
        strategy,
        settings_json,
        body,
        records,
    }
}

/// A usage report page of 10,000 rows: ten hourly buckets of 1,000 rows,
/// grouped by every dimension.
fn usage_report() -> Shape {
    const MODELS: [&str; 3] = ["claude-opus-5", "claude-sonnet-5", "claude-haiku-4-5"];
    const TIERS: [&str; 3] = ["standard", "batch", "priority"];
    let mut tokens = Tokens(3);
    let api_keys: Vec<String> = (0..40)
        .map(|_| format!("apikey_01{}", tokens.token(22)))
        .collect();
    let workspaces: Vec<String> = (0..8)
        .map(|_| format!("wrkspc_01{}", tokens.token(22)))
        .collect();
    let accounts: Vec<String> = (0..50)
        .map(|_| format!("user_01{}", tokens.token(22)))
        .collect();
    let buckets: Vec<Value> = (0..10)
        .map(|b| {
            let start = chrono::DateTime::from_timestamp(1_767_225_600 + b * 3600, 0).unwrap();
            let end = start + chrono::Duration::hours(1);
            let results: Vec<Value> = (0..1000)
                .map(|r| {
                    let n = tokens.next();
                    json!({
                        "api_key_id": api_keys[r % api_keys.len()],
                        "workspace_id": workspaces[r % workspaces.len()],
                        "model": MODELS[r % MODELS.len()],
                        "service_tier": TIERS[(r / 3) % TIERS.len()],
                        "context_window": if r % 5 == 0 { "200k-1M" } else { "0-200k" },
                        "inference_geo": if r % 4 == 0 { "us" } else { "global" },
                        "account_id": accounts[r % accounts.len()],
                        "service_account_id": null,
                        "uncached_input_tokens": n % 100_000,
                        "cache_creation": {
                            "ephemeral_1h_input_tokens": (n >> 8) % 5_000,
                            "ephemeral_5m_input_tokens": (n >> 16) % 20_000,
                        },
                        "cache_read_input_tokens": (n >> 24) % 400_000,
                        "output_tokens": (n >> 32) % 30_000,
                        "server_tool_use": {"web_search_requests": (n >> 48) % 7},
                    })
                })
                .collect();
            json!({
                "starting_at": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "ending_at": end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "results": results,
            })
        })
        .collect();
    let body = ascii_json(&json!({"data": buckets, "has_more": false, "next_page": null}));
    Shape {
        name: "usage_report",
        stream: "usage_report",
        strategy: SyncStrategy::Incremental,
        settings_json: r#"{"usage_report_granularity":"1h","usage_report_grouping":"api_key_id,workspace_id,model,service_tier,context_window,inference_geo,account_id,service_account_id"}"#,
        body,
        records: 10_000,
    }
}

/// `value` as compact JSON with every non-ASCII character written as a `\u` escape.
fn ascii_json(value: &Value) -> Vec<u8> {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.into_bytes()
}

/// One page, start to end. Not inlined, so `valgrind --tool=callgrind
/// --toggle-collect='page::read'` counts exactly this.
#[inline(never)]
fn read(shape: &Shape, host: &CannedApi) -> Page {
    let request = ReadRequest {
        stream_name: shape.stream.into(),
        strategy: shape.strategy,
        settings_json: shape.settings_json.into(),
        state_json: None,
        page_cursor: None,
        parents: Vec::new(),
    };
    let page = plugin::read_page(host, "https://api.anthropic.com", &request)
        .unwrap_or_else(|e| panic!("{}: {e}", shape.name));
    assert_eq!(page.records.len(), shape.records, "{}", shape.name);
    page
}

struct Options {
    filter: Option<String>,
    iterations: Option<usize>,
    dump: Option<std::path::PathBuf>,
}

fn options() -> Options {
    let mut options = Options {
        filter: None,
        iterations: None,
        dump: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // Passed by `cargo bench`.
            "--bench" => {}
            "--iterations" => {
                options.iterations = args.next().and_then(|n| n.parse().ok());
                assert!(options.iterations.is_some(), "--iterations takes a number");
            }
            "--dump" => options.dump = args.next().map(Into::into),
            other if !other.starts_with('-') => options.filter = Some(other.to_owned()),
            other => panic!("unknown option {other}"),
        }
    }
    options
}

fn main() {
    let options = options();
    let shapes: [(&str, MakeShape); 3] = [
        ("activities", activities),
        ("admin_users", admin_users),
        ("usage_report", usage_report),
    ];
    println!(
        "{:<14} {:>8} {:>10} {:>12} {:>14} {:>10}",
        "shape", "records", "body MB", "ms/page", "records/s", "MB/s"
    );
    for (_, make) in shapes
        .iter()
        .filter(|(name, _)| options.filter.as_ref().is_none_or(|f| name.contains(f)))
    {
        let shape = &make();
        let host = CannedApi {
            body: shape.body.clone(),
        };
        if let Some(dir) = &options.dump {
            let page = read(shape, &host);
            std::fs::create_dir_all(dir).expect("dump directory");
            let path = dir.join(format!("{}.jsonl", shape.name));
            std::fs::write(&path, page.records.join("\n")).expect("dump file");
        }
        let mut times: Vec<Duration> = Vec::new();
        match options.iterations {
            Some(n) => {
                for _ in 0..n {
                    let started = Instant::now();
                    std::hint::black_box(read(shape, &host));
                    times.push(started.elapsed());
                }
            }
            None => {
                // Warm up, then at least 20 pages and at least two seconds.
                for _ in 0..3 {
                    std::hint::black_box(read(shape, &host));
                }
                let began = Instant::now();
                while times.len() < 20 || began.elapsed() < Duration::from_secs(2) {
                    let started = Instant::now();
                    std::hint::black_box(read(shape, &host));
                    times.push(started.elapsed());
                }
            }
        }
        times.sort_unstable();
        let median = times[times.len() / 2].as_secs_f64();
        let megabytes = shape.body.len() as f64 / 1e6;
        println!(
            "{:<14} {:>8} {:>10.2} {:>12.3} {:>14.0} {:>10.1}",
            shape.name,
            shape.records,
            megabytes,
            median * 1e3,
            shape.records as f64 / median,
            megabytes / median
        );
    }
}
