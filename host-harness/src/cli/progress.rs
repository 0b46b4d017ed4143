//! Sync progress on stderr. On a terminal: one live line per running stream
//! (rows, pages, rows a second, time so far, or what it is waiting for), and
//! a plain line above them as each stream ends. Off a terminal, and with
//! `--json`: plain lines, at most one a second, so logs stay readable.

use crate::cli::output::covered;
use crate::sync::{Outcome, Progress, StreamReport};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a live line is redrawn without news (the spinner, the clock).
const TICK: Duration = Duration::from_millis(200);

pub struct TerminalProgress {
    display: Display,
}

enum Display {
    /// Live lines, one per running stream.
    Live {
        lines: MultiProgress,
        running: HashMap<String, (ProgressBar, Instant)>,
    },
    /// Plain lines, throttled.
    Plain { last_output: Instant },
}

impl TerminalProgress {
    /// Live lines when stderr is a terminal and `live` allows them (not
    /// with `--json`, whose readers parse lines), plain lines otherwise.
    pub fn stderr(live: bool) -> Self {
        if live && std::io::stderr().is_terminal() {
            Self::live(ProgressDrawTarget::stderr())
        } else {
            Self {
                display: Display::Plain {
                    last_output: Instant::now(),
                },
            }
        }
    }

    /// Live lines drawn to `target`.
    pub fn live(target: ProgressDrawTarget) -> Self {
        Self {
            display: Display::Live {
                lines: MultiProgress::with_draw_target(target),
                running: HashMap::new(),
            },
        }
    }
}

fn line_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix:<26} {msg}")
        .expect("a valid template")
        .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ")
}

/// A stream's finished line: rows, pages, time and outcome.
fn finished_line(report: &StreamReport) -> String {
    let mut outcome = match &report.outcome {
        Outcome::Succeeded => "done".to_owned(),
        Outcome::Failed(why) => format!("FAILED: {why}"),
        Outcome::Skipped(why) => format!("skipped: {why}"),
    };
    if let Some(coverage) = &report.coverage {
        outcome.push_str(&format!(", {}", covered(coverage)));
    }
    format!(
        "{}: {} rows, {} pages in {:.1?}, {outcome}",
        report.stream, report.rows, report.pages, report.duration
    )
}

/// The wait before a retry, in words.
fn waiting(attempt: u32, wait: Duration, reason: &str) -> String {
    format!(
        "waiting {:.1} s before retry {attempt}: {reason}",
        wait.as_secs_f64()
    )
}

impl Progress for TerminalProgress {
    fn stream_started(&mut self, stream: &str, strategy: &str) {
        match &mut self.display {
            Display::Live { lines, running } => {
                let line = lines.add(ProgressBar::new_spinner());
                line.set_style(line_style());
                line.set_prefix(stream.to_owned());
                line.set_message(format!("started ({strategy})"));
                line.enable_steady_tick(TICK);
                running.insert(stream.to_owned(), (line, Instant::now()));
            }
            Display::Plain { last_output } => {
                eprintln!("{stream}: started ({strategy})");
                *last_output = Instant::now();
            }
        }
    }

    fn page_committed(&mut self, stream: &str, rows: u64, pages: u64) {
        match &mut self.display {
            Display::Live { running, .. } => {
                if let Some((line, started)) = running.get(stream) {
                    let seconds = started.elapsed().as_secs_f64();
                    let rate = if seconds > 0.0 {
                        rows as f64 / seconds
                    } else {
                        0.0
                    };
                    line.set_message(format!(
                        "{rows} rows, {pages} pages, {rate:.0} rows/s, {seconds:.1} s"
                    ));
                }
            }
            Display::Plain { last_output } => {
                if last_output.elapsed() >= Duration::from_secs(1) {
                    *last_output = Instant::now();
                    eprintln!("{stream}: {rows} rows, {pages} pages");
                }
            }
        }
    }

    fn retrying(&mut self, stream: &str, attempt: u32, wait: Duration, reason: &str) {
        let text = waiting(attempt, wait, reason);
        match &mut self.display {
            Display::Live { running, .. } => {
                if let Some((line, _)) = running.get(stream) {
                    line.set_message(text);
                }
            }
            Display::Plain { .. } => eprintln!("{stream}: {text}"),
        }
    }

    fn stream_finished(&mut self, report: &StreamReport) {
        let text = finished_line(report);
        match &mut self.display {
            Display::Live { lines, running } => {
                if let Some((line, _)) = running.remove(&report.stream) {
                    line.finish_and_clear();
                    lines.remove(&line);
                }
                let _ = lines.println(text);
            }
            Display::Plain { .. } => eprintln!("{text}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::{InMemoryTerm, TermLike};

    /// The screen once `shows` holds (lines are redrawn at the target's
    /// rate and on the spinner's tick, not at once), or the last one seen.
    fn screen_once(term: &InMemoryTerm, shows: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = term.contents();
            if shows(&screen) || Instant::now() > deadline {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_terminal_shows_a_live_line_per_running_stream_and_a_plain_line_per_finished_one() {
        let term = InMemoryTerm::new(10, 100);
        let mut progress =
            TerminalProgress::live(ProgressDrawTarget::term_like(Box::new(term.clone())));
        progress.stream_started("admin_users", "full_refresh");
        progress.stream_started("activities", "incremental");
        progress.page_committed("admin_users", 500, 5);
        progress.retrying(
            "activities",
            1,
            Duration::from_secs(30),
            "rate limited (retry-after): slow down",
        );
        let waiting_line = "activities                 waiting 30.0 s before retry 1: rate \
                            limited (retry-after): slow down";
        let screen = screen_once(&term, |s| {
            s.contains("500 rows, 5 pages") && s.contains(waiting_line)
        });
        assert!(
            screen.contains("admin_users") && screen.contains("500 rows, 5 pages"),
            "{screen}"
        );
        assert!(screen.contains(waiting_line), "{screen}");

        let mut report = StreamReport::new("admin_users", "full_refresh");
        report.rows = 500;
        report.pages = 5;
        progress.stream_finished(&report);
        let finished = |s: &str| {
            s.lines().next().is_some_and(|l| {
                l.starts_with("admin_users: 500 rows, 5 pages in ") && l.ends_with(", done")
            })
        };
        let screen = screen_once(&term, |s| {
            finished(s) && s.matches("admin_users").count() == 1
        });
        assert!(
            finished(&screen),
            "the finished stream is a plain line above the live ones: {screen}"
        );
        assert_eq!(
            screen.matches("admin_users").count(),
            1,
            "and no longer a live line: {screen}"
        );
        assert!(screen.contains(waiting_line), "{screen}");
        assert_eq!(term.width(), 100);
    }
}
