//! A sync's progress as the Airbyte protocol's LOG messages, and a stream
//! that failed as a TRACE error naming it.

use super::messages::Emitter;
use crate::sync::{Outcome, Progress, StreamReport};
use std::time::Duration;

pub struct LogProgress {
    pub emitter: Emitter,
}

impl Progress for LogProgress {
    fn stream_started(&mut self, stream: &str, strategy: &str) {
        self.emitter
            .log("INFO", &format!("reading {stream} ({strategy})"));
    }

    fn retrying(&mut self, stream: &str, attempt: u32, wait: Duration, reason: &str) {
        self.emitter.log(
            "WARN",
            &format!(
                "{stream}: waiting {:.1} s before retry {attempt}: {reason}",
                wait.as_secs_f64()
            ),
        );
    }

    fn stream_finished(&mut self, report: &StreamReport) {
        match &report.outcome {
            Outcome::Succeeded => self.emitter.log(
                "INFO",
                &format!(
                    "{}: {} records in {} pages",
                    report.stream, report.rows, report.pages
                ),
            ),
            Outcome::Failed(why) => self.emitter.error(
                Some(&report.stream),
                &format!("{} failed: {why}", report.stream),
                report.diagnostic.as_deref().unwrap_or(why),
                false,
            ),
            Outcome::Skipped(why) => self
                .emitter
                .log("WARN", &format!("{} skipped: {why}", report.stream)),
        }
    }
}
