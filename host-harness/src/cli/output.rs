//! Output shared by the commands: aligned tables for people (each command
//! prints JSON lines itself with `--json`).

use crate::runtime::model::Coverage;

/// The history an incremental stream's state covers, as people read it.
pub fn covered(coverage: &Coverage) -> String {
    format!("covered {} to {}", coverage.start, coverage.end)
}

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
