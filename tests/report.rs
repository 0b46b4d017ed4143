//! `harness report`: the numbers it shows are the tables' own (from SQLite
//! and from PostgreSQL alike), a stream never synced leaves a note rather
//! than an error, and the page renders in a headless browser with every
//! chart drawn.

use crate::common::postgres_server::PgSchema;
use crate::common::truth::microcents;
use crate::common::warehouse::{Db, select, sync};
use crate::common::{BOTH, connection, harness, mock, stderr, stdout};
use host_harness::sync::SyncOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

fn every_stream() -> SyncOptions {
    SyncOptions {
        settings_json: r#"{"page_size":50}"#.into(),
        ..SyncOptions::default()
    }
}

/// Write the report of `db` into `out`, and read it back.
fn report(db: &(impl Db + ?Sized), out: &Path) -> String {
    let into = db.cli_args();
    let mut args = vec!["report", "--from", into[1].as_str()];
    if let Some(schema) = into.get(3) {
        args.extend(["--schema", schema.as_str()]);
    }
    args.extend(["--out", out.to_str().unwrap()]);
    let made = tokio::task::block_in_place(|| harness(&args, None, BOTH));
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stdout(&made).starts_with("wrote "), "{}", stdout(&made));
    std::fs::read_to_string(out).unwrap()
}

/// The value of `data-total` on the element with `id`.
fn total(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\" data-total=\""))
        .unwrap_or_else(|| panic!("no #{id} in the report"));
    let rest = &html[start..];
    let value = &rest[rest.find("data-total=\"").unwrap() + 12..];
    value[..value.find('"').unwrap()].to_owned()
}

/// An amount of micro-cents in dollars, rounded to the cent as the report shows it.
fn dollars(microcents: u64) -> String {
    let cents = (microcents + 500_000) / 1_000_000;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("${grouped}.{:02}", cents % 100)
}

/// The cost of the API key that cost the most, from `cost_analytics`.
fn top_key_cost(db: &(impl Db + ?Sized)) -> String {
    let mut by_key: std::collections::HashMap<String, u64> = Default::default();
    for row in select(db, "SELECT api_key_id, amount FROM cost_analytics") {
        *by_key.entry(row[0].clone()).or_default() += microcents(&row[1]);
    }
    dollars(by_key.into_values().max().unwrap())
}

fn tables_say(db: &(impl Db + ?Sized)) -> (String, String, String) {
    let cost: u64 = select(db, "SELECT amount FROM cost_report")
        .iter()
        .map(|row| microcents(&row[0]))
        .sum();
    let tokens: u64 = select(
        db,
        "SELECT uncached_input_tokens, \"cache_creation.ephemeral_1h_input_tokens\", \
         \"cache_creation.ephemeral_5m_input_tokens\", cache_read_input_tokens, output_tokens \
         FROM usage_report",
    )
    .iter()
    .flatten()
    .map(|v| v.parse::<u64>().unwrap_or(0))
    .sum();
    let users = select(db, "SELECT count(*) FROM admin_users")[0][0].clone();
    (dollars(cost), tokens.to_string(), users)
}

fn shown(html: &str) -> (String, String, String) {
    (
        total(html, "cost-total"),
        total(html, "tokens-total"),
        total(html, "access-users"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_shows_the_tables_numbers_from_sqlite_and_from_postgres() {
    let mock = mock(12, 2).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("w.sqlite");
    let postgres = PgSchema::fresh("report");
    assert!(
        sync(&connection, &sqlite, &every_stream())
            .await
            .succeeded()
    );
    assert!(
        sync(&connection, &postgres, &every_stream())
            .await
            .succeeded()
    );

    let from_sqlite = report(&sqlite, &dir.path().join("sqlite.html"));
    let expected = tables_say(&sqlite);
    assert!(expected.0 != "$0.00" && expected.1 != "0", "{expected:?}");
    assert_eq!(shown(&from_sqlite), expected);
    let from_postgres = report(&postgres, &dir.path().join("postgres.html"));
    assert_eq!(shown(&from_postgres), expected);

    // The first row of the top API keys is the key that cost the most.
    let top = top_key_cost(&sqlite);
    for html in [&from_sqlite, &from_postgres] {
        let ranking = &html[html.find("id=\"top-api-keys\"").unwrap()..];
        let first_row = &ranking[ranking.find("<tbody><tr>").unwrap()..];
        let first_row = &first_row[..first_row.find("</tr>").unwrap()];
        assert!(
            first_row.contains(&format!("<td>{top}</td>")),
            "{first_row} vs {top}"
        );
    }
    for html in [&from_sqlite, &from_postgres] {
        assert!(
            !html.contains("class=\"missing\""),
            "every stream was synced"
        );
        assert!(html.contains("<svg"), "charts inline");
        assert!(!html.contains("<script"), "no script");
        assert!(
            !html.contains("http://") || !html.contains("src=\"http"),
            "nothing fetched"
        );
        for section in [
            "cost",
            "tokens",
            "api-keys",
            "claude-code",
            "activities",
            "access",
        ] {
            assert!(
                html.contains(&format!("<section id=\"{section}\">")),
                "{section}"
            );
        }
        assert!(html.contains("Covers "), "each section says what it covers");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_never_synced_leaves_a_note_not_an_error() {
    let mock = mock(5, 1).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    let mut options = every_stream();
    options.streams = Some(vec!["admin_users".into()]);
    assert!(sync(&connection, &db, &options).await.succeeded());
    let html = report(&db, &dir.path().join("r.html"));
    assert!(html.contains(
        "No cost_report in this warehouse: sync the cost_report stream to see cost per day by \
         workspace and model."
    ));
    assert!(html.contains("No activities in this warehouse"));
    assert_eq!(total(&html, "access-users"), "5");

    let nothing = tokio::task::block_in_place(|| {
        harness(
            &["report", "--from", "no-such.sqlite", "--out", "x.html"],
            None,
            BOTH,
        )
    });
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        stderr(&nothing).contains("no such file, so nothing was synced into it"),
        "{}",
        stderr(&nothing)
    );
}

/// Debian's Chromium; `.ci/run` installs it.
fn chromium() -> PathBuf {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("Chromium was not found: install Debian's `chromium` package (.ci/run does)")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_renders_in_a_browser_with_every_chart_drawn() {
    let mock = mock(12, 2).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.sqlite");
    assert!(sync(&connection, &db, &every_stream()).await.succeeded());
    let page = dir.path().join("report.html");
    report(&db, &page);
    let url = format!("file://{}", page.display());
    let browser = |extra: &[&str]| {
        let profile = dir.path().join("profile");
        Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .args(["--enable-logging=stderr", "--v=0"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let screenshot = dir.path().join("report.png");
    let shot = tokio::task::block_in_place(|| {
        browser(&[
            "--window-size=1100,5000",
            &format!("--screenshot={}", screenshot.display()),
        ])
    });
    let log = String::from_utf8_lossy(&shot.stderr);
    assert!(shot.status.success(), "{log}");
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert_eq!(&png[1..4], b"PNG");
    assert!(
        png.len() > 50_000,
        "a page with charts, not a blank one: {} bytes",
        png.len()
    );
    for error in ["Uncaught", "CONSOLE(", "Failed to load"] {
        assert!(!log.contains(error), "the page logged an error: {log}");
    }

    // The page as the browser built it: every chart has drawn marks.
    let dom = tokio::task::block_in_place(|| browser(&["--dump-dom"]));
    let dom = String::from_utf8_lossy(&dom.stdout);
    let charts: Vec<&str> = dom.split("<div class=\"chart\">").skip(1).collect();
    assert!(charts.len() >= 8, "{} charts", charts.len());
    for chart in charts {
        let svg = &chart[..chart.find("</svg>").expect("an inline svg")];
        // A line chart: lines of two points or more, or dots; a bar chart:
        // bars besides the background.
        let drawn = if svg.contains("<polyline") {
            svg.split("<polyline").skip(1).any(|line| {
                line.split("points=\"")
                    .nth(1)
                    .is_some_and(|p| p[..p.find('"').unwrap()].split(' ').count() >= 2)
            }) || svg.contains("<circle")
        } else {
            svg.matches("<rect").count() >= 2
        };
        assert!(drawn, "a chart without marks: {svg}");
    }
}
