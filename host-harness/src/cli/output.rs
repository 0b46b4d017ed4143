//! Printing results: aligned tables for people, JSON lines with `--json`.

use crate::runtime::types::{KeyCheck, KeyKind, StreamDescriptor, SyncStrategy};
use crate::sync::{Outcome, SyncReport};
use serde_json::json;

/// Print rows as a table with a header, columns padded to their widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
}

pub fn key_name(key: KeyKind) -> &'static str {
    match key {
        KeyKind::Admin => "admin",
        KeyKind::Compliance => "compliance",
    }
}

fn strategies(d: &StreamDescriptor) -> Vec<&'static str> {
    d.strategies
        .iter()
        .map(|s| match s {
            SyncStrategy::FullRefresh => "full_refresh",
            SyncStrategy::Incremental => "incremental",
        })
        .collect()
}

pub fn print_streams(streams: &[StreamDescriptor], as_json: bool) {
    if as_json {
        for d in streams {
            println!(
                "{}",
                json!({
                    "name": d.name, "key": key_name(d.required_key), "endpoint": d.endpoint,
                    "strategies": strategies(d), "primary_key": d.primary_key,
                    "cursor_field": d.cursor_field, "parent": d.parent,
                    "parent_batch_size": d.parent_batch_size, "implemented": d.implemented,
                })
            );
        }
        return;
    }
    let rows: Vec<Vec<String>> = streams
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                key_name(d.required_key).into(),
                strategies(d).join(","),
                d.primary_key.join(" + "),
                d.parent.clone().unwrap_or_else(|| "-".into()),
                if d.implemented { "yes" } else { "not yet" }.into(),
            ]
        })
        .collect();
    print_table(
        &[
            "STREAM",
            "KEY",
            "STRATEGIES",
            "PRIMARY KEY",
            "PARENT",
            "IMPLEMENTED",
        ],
        &rows,
    );
}

pub fn print_checks(checks: &[KeyCheck], as_json: bool) {
    for c in checks {
        if as_json {
            println!(
                "{}",
                json!({"key": key_name(c.key), "field": c.field, "ok": c.ok, "status": c.status, "message": c.message})
            );
        } else {
            let verdict = if c.ok { "OK  " } else { "FAIL" };
            println!("{verdict} {} ({}): {}", key_name(c.key), c.field, c.message);
        }
    }
}

pub fn print_report(report: &SyncReport, as_json: bool) {
    if as_json {
        println!(
            "{}",
            serde_json::to_string(report).expect("report serialises")
        );
        return;
    }
    let rows: Vec<Vec<String>> = report
        .streams
        .iter()
        .map(|s| {
            let outcome = match &s.outcome {
                Outcome::Succeeded => "ok".to_owned(),
                Outcome::Failed(why) => format!("failed: {why}"),
                Outcome::Skipped(why) => format!("skipped: {why}"),
            };
            let mut outcome = outcome;
            for w in &s.warnings {
                outcome.push_str(&format!(" (warning: {w})"));
            }
            vec![
                s.stream.clone(),
                s.strategy.clone(),
                s.rows.to_string(),
                s.pages.to_string(),
                format!("{:.2}s", s.duration.as_secs_f64()),
                outcome,
            ]
        })
        .collect();
    print_table(
        &["STREAM", "STRATEGY", "ROWS", "PAGES", "TIME", "OUTCOME"],
        &rows,
    );
    println!(
        "{} rows into {} in {:.2}s",
        report.total_rows(),
        report.destination,
        report.duration.as_secs_f64()
    );
}
