//! The sync benchmark: every scenario against the mock, each in processes of
//! its own (the mock in one, `harness sync` in another), at one tenth and at
//! full volume. For each: rows, requests, wall time, rows/s, API MB/s, peak
//! memory of the sync, and where the time went (inside plugin calls, of which
//! HTTP in flight and waiting on the request budget, and the destination;
//! busy times summed over concurrent work, so they can exceed the wall time). On the `activities` data it also runs a plain
//! script doing the same job and a native floor, and prints the ratios. The
//! `→ PostgreSQL` scenarios sync the same data into a local PostgreSQL server
//! of the benchmark's own (durable settings), for the two load rates side by side.
//!
//! Run: `cargo bench -p host-harness --bench sync` (a word after `--` keeps
//! only the scenarios whose name contains it, e.g. `-- activities`).

mod floor;
#[path = "../../../tests/common/postgres_server.rs"]
mod postgres_server;
mod process;
mod scenario;

use process::{Mock, ScriptRun, SyncRun};
use scenario::Scenario;
use std::collections::BTreeMap;
use std::time::Duration;

const MIB: f64 = (1 << 20) as f64;

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let scenarios: Vec<Scenario> = scenario::all()
        .into_iter()
        .filter(|s| filter.as_ref().is_none_or(|f| s.name.contains(f.as_str())))
        .collect();
    let dir = tempfile::tempdir().expect("temporary folder");
    let cache = dir.path().join("code-cache");
    process::warm_up(&cache);

    println!(
        "{:<30} {:>9} {:>8} {:>8} {:>9} {:>7} {:>8} {:>8} {:>7} {:>7} {:>7}",
        "scenario",
        "rows",
        "requests",
        "wall s",
        "rows/s",
        "API MB/s",
        "peak MiB",
        "plugin s",
        "http s",
        "paced s",
        "dest s"
    );
    let mut runs: Vec<(Scenario, SyncRun)> = Vec::new();
    let mut yardsticks = Vec::new();
    // A durable server, as in production, started only if a scenario needs it.
    let postgres = scenarios
        .iter()
        .any(|s| s.into_postgres)
        .then(|| postgres_server::start(true));
    for (index, scenario) in scenarios.into_iter().enumerate() {
        let mock = Mock::start(&scenario);
        let database = dir.path().join(format!("{index}.sqlite"));
        let into = match &postgres {
            Some(server) if scenario.into_postgres => {
                vec![
                    "--into".into(),
                    server.url(),
                    "--schema".into(),
                    format!("bench_{index}"),
                ]
            }
            _ => vec!["--into".into(), database.display().to_string()],
        };
        let run = process::sync(&scenario, &mock, &into, &cache);
        print_sync(&scenario.name, &run);
        if scenario.yardsticks {
            let script =
                process::plain_script(&mock, &dir.path().join(format!("{index}.py.sqlite")));
            print_script(&format!("  plain script ({})", scenario.name), &script);
            let (rows, took) = floor::bulk_insert(
                &database,
                scenario.streams,
                &dir.path().join(format!("{index}.floor.sqlite")),
            );
            println!(
                "{:<30} {rows:>9} {:>8} {:>8.2} {:>9.0}",
                format!("  native floor ({})", scenario.name),
                "-",
                took.as_secs_f64(),
                rows as f64 / took.as_secs_f64()
            );
            yardsticks.push((scenario.name.clone(), run.clone(), script, took));
        }
        runs.push((scenario, run));
    }
    print_ratios(&runs, &yardsticks);
}

fn print_sync(name: &str, run: &SyncRun) {
    let seconds = run.wall.as_secs_f64();
    let optional = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    println!(
        "{name:<30} {:>9} {:>8} {seconds:>8.2} {:>9.0} {:>7} {:>8} {:>8.2} {:>7} {:>7} {:>7.2}",
        run.rows,
        optional(run.requests.map(|r| r.to_string())),
        run.rows as f64 / seconds,
        optional(
            run.api_bytes
                .map(|b| format!("{:.1}", b as f64 / MIB / seconds))
        ),
        optional(run.peak_rss_bytes.map(|b| format!("{:.0}", b as f64 / MIB))),
        run.plugin_calls.as_secs_f64(),
        optional(run.http.map(|h| format!("{:.2}", h.as_secs_f64()))),
        optional(run.paced.map(|h| format!("{:.2}", h.as_secs_f64()))),
        run.destination.as_secs_f64(),
    );
}

fn print_script(name: &str, run: &ScriptRun) {
    let seconds = run.wall.as_secs_f64();
    println!(
        "{name:<30} {:>9} {:>8} {seconds:>8.2} {:>9.0} {:>7.1} {:>8.0}",
        run.rows,
        run.requests,
        run.rows as f64 / seconds,
        run.api_bytes as f64 / MIB / seconds,
        run.peak_rss_bytes as f64 / MIB,
    );
}

/// Side-by-side ratios: against the yardsticks, full volume against one
/// tenth (time and memory), and latency-bound scenarios against their bound.
fn print_ratios(
    runs: &[(Scenario, SyncRun)],
    yardsticks: &[(String, SyncRun, ScriptRun, Duration)],
) {
    println!();
    for (name, run, script, floor) in yardsticks {
        println!(
            "{name}: the plain script takes {:.2}× the harness's time; the harness takes {:.2}× the native floor's",
            script.wall.as_secs_f64() / run.wall.as_secs_f64(),
            run.wall.as_secs_f64() / floor.as_secs_f64(),
        );
    }
    let mut families: BTreeMap<&str, [Option<&SyncRun>; 2]> = BTreeMap::new();
    for (scenario, run) in runs {
        families.entry(scenario.family).or_default()[usize::from(scenario.full_volume)] = Some(run);
    }
    for (family, [tenth, full]) in families {
        let (Some(tenth), Some(full)) = (tenth, full) else {
            continue;
        };
        let memory = match (tenth.peak_rss_bytes, full.peak_rss_bytes) {
            (Some(t), Some(f)) => format!(", peak memory {:.2}×", f as f64 / t as f64),
            _ => String::new(),
        };
        println!(
            "{family}: full volume takes {:.1}× the time of one tenth (linear: 10×){memory}",
            full.wall.as_secs_f64() / tenth.wall.as_secs_f64(),
        );
    }
    // The same sync into PostgreSQL and into SQLite, side by side.
    for (scenario, run) in runs.iter().filter(|(s, _)| s.into_postgres) {
        let into_sqlite = runs.iter().find(|(s, _)| {
            !s.into_postgres
                && s.streams == scenario.streams
                && s.full_volume == scenario.full_volume
                && s.mock == scenario.mock
        });
        if let Some((_, sqlite)) = into_sqlite {
            let rate = |r: &SyncRun| r.rows as f64 / r.wall.as_secs_f64();
            println!(
                "{}: {:.0} rows/s into PostgreSQL, {:.0} into SQLite ({:.2}×)",
                scenario.name,
                rate(run),
                rate(sqlite),
                rate(run) / rate(sqlite),
            );
        }
    }
    for (scenario, run) in runs.iter().filter(|(s, _)| s.latency_ms > 0) {
        let Some(requests) = run.requests else {
            continue;
        };
        let bound =
            requests as f64 * scenario.latency_ms as f64 / 1000.0 / scenario.concurrency as f64;
        println!(
            "{}: {requests} requests × {} ms ÷ {} in flight = {bound:.2} s; took {:.2}× that",
            scenario.name,
            scenario.latency_ms,
            scenario.concurrency,
            run.wall.as_secs_f64() / bound,
        );
    }
}
