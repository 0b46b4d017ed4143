//! Sync progress on stderr: a line redrawn in place on a terminal, plain lines
//! (at most one a second per stream) otherwise.

use crate::cli::output::covered;
use crate::sync::{Outcome, Progress, StreamReport};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct TerminalProgress {
    interactive: bool,
    last_output: Instant,
}

impl TerminalProgress {
    pub fn stderr() -> Self {
        Self {
            interactive: std::io::stderr().is_terminal(),
            last_output: Instant::now(),
        }
    }

    fn throttle(&self) -> Duration {
        if self.interactive {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(1)
        }
    }
}

impl Progress for TerminalProgress {
    fn stream_started(&mut self, stream: &str, strategy: &str) {
        if !self.interactive {
            eprintln!("{stream}: started ({strategy})");
        }
        self.last_output = Instant::now();
    }

    fn page_committed(&mut self, stream: &str, rows: u64, pages: u64) {
        if self.last_output.elapsed() < self.throttle() {
            return;
        }
        self.last_output = Instant::now();
        if self.interactive {
            eprint!("\r\x1b[2K{stream}: {rows} rows, {pages} pages");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{stream}: {rows} rows, {pages} pages");
        }
    }

    fn retrying(&mut self, stream: &str, attempt: u32, wait: Duration, reason: &str) {
        if self.interactive {
            eprint!("\r\x1b[2K");
        }
        eprintln!(
            "{stream}: waiting {:.1} s before retry {attempt}: {reason}",
            wait.as_secs_f64()
        );
    }

    fn stream_finished(&mut self, report: &StreamReport) {
        if self.interactive {
            eprint!("\r\x1b[2K");
        }
        let mut outcome = match &report.outcome {
            Outcome::Succeeded => "done".to_owned(),
            Outcome::Failed(why) => format!("FAILED: {why}"),
            Outcome::Skipped(why) => format!("skipped: {why}"),
        };
        if let Some(coverage) = &report.coverage {
            outcome.push_str(&format!(", {}", covered(coverage)));
        }
        eprintln!(
            "{}: {} rows, {} pages in {:.1?}, {outcome}",
            report.stream, report.rows, report.pages, report.duration
        );
    }
}
