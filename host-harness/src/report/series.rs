//! What a section adds up while it scans a table: values per day and
//! series (a workspace, a model, an event type), totals per series, the days
//! covered and when the rows were synced.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// The most series a chart draws; the rest are added up as "other".
pub const MOST_SERIES: usize = 8;

/// Values per day and series.
#[derive(Debug, Default)]
pub struct Daily {
    values: BTreeMap<NaiveDate, HashMap<String, f64>>,
    totals: HashMap<String, f64>,
}

/// Series in a chart's order: each name with one value per day of `days`.
pub type Lines = Vec<(String, Vec<f64>)>;

impl Daily {
    pub fn add(&mut self, day: NaiveDate, series: String, value: f64) {
        *self.totals.entry(series.clone()).or_default() += value;
        *self
            .values
            .entry(day)
            .or_default()
            .entry(series)
            .or_default() += value;
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every day from the first to the last (days without data as zero).
    pub fn days(&self) -> Vec<NaiveDate> {
        match (self.values.keys().next(), self.values.keys().next_back()) {
            (Some(first), Some(last)) => first.iter_days().take_while(|d| d <= last).collect(),
            _ => Vec::new(),
        }
    }

    /// Series by total, largest first, ties by name.
    pub fn ranked(&self) -> Vec<(String, f64)> {
        let mut ranked: Vec<(String, f64)> =
            self.totals.iter().map(|(s, v)| (s.clone(), *v)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked
    }

    /// The largest series and "other" for the rest, one value per day.
    pub fn lines(&self) -> Lines {
        let days = self.days();
        let ranked = self.ranked();
        let (shown, rest): (Vec<_>, Vec<_>) = ranked
            .iter()
            .enumerate()
            .partition(|(i, _)| *i < MOST_SERIES - 1 || ranked.len() == MOST_SERIES);
        let mut lines: Lines = shown
            .iter()
            .map(|(_, (name, _))| {
                let per_day = days
                    .iter()
                    .map(|d| {
                        self.values
                            .get(d)
                            .and_then(|v| v.get(name))
                            .copied()
                            .unwrap_or(0.0)
                    })
                    .collect();
                (name.clone(), per_day)
            })
            .collect();
        if !rest.is_empty() {
            let others: Vec<&String> = rest.iter().map(|(_, (name, _))| name).collect();
            let per_day = days
                .iter()
                .map(|d| {
                    self.values.get(d).map_or(0.0, |v| {
                        others.iter().filter_map(|o| v.get(*o)).sum::<f64>()
                    })
                })
                .collect();
            lines.push((format!("other ({})", others.len()), per_day));
        }
        lines
    }
}

/// The days a table's rows cover and when they were last synced.
#[derive(Debug, Default)]
pub struct Provenance {
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    synced: Option<DateTime<Utc>>,
    rows: u64,
}

impl Provenance {
    pub fn day(&mut self, day: NaiveDate) {
        self.first = Some(self.first.map_or(day, |f| f.min(day)));
        self.last = Some(self.last.map_or(day, |l| l.max(day)));
    }

    pub fn synced(&mut self, at: Option<&str>) {
        self.rows += 1;
        if let Some(at) = at.and_then(instant) {
            self.synced = Some(self.synced.map_or(at, |s| s.max(at)));
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// "Covers 2026-11-01 to 2026-11-30 · 1,234 rows of cost_report, synced 2026-12-07 10:00 UTC".
    pub fn describe(&self, table: &str) -> String {
        let covers = match (self.first, self.last) {
            (Some(first), Some(last)) => format!("Covers {first} to {last} · "),
            _ => String::new(),
        };
        let synced = self.synced.map_or_else(String::new, |at| {
            format!(", synced {}", at.format("%Y-%m-%d %H:%M UTC"))
        });
        format!(
            "{covers}{} rows of {table}{synced}",
            super::amount::thousands(self.rows)
        )
    }
}

/// A day from a timestamp or date as either database gives it as text
/// (`2026-11-01T00:00:00Z`, `2026-11-01 00:00:00+00`, `2026-11-01`).
pub fn day(text: Option<&str>) -> Option<NaiveDate> {
    let text = text?;
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// An instant as either database gives it as text.
pub fn instant(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        day(Some(text)).unwrap()
    }

    #[test]
    fn days_and_instants_read_the_same_from_either_database() {
        assert_eq!(d("2026-11-01T05:00:00Z"), d("2026-11-01 05:00:00+00"));
        assert_eq!(
            instant("2026-12-07T10:00:00.123456Z"),
            instant("2026-12-07 10:00:00.123456+00")
        );
        assert_eq!(day(Some("garbage")), None);
    }

    #[test]
    fn the_largest_series_are_drawn_and_the_rest_added_up_day_by_day() {
        let mut daily = Daily::default();
        for i in 0..10 {
            daily.add(d("2026-11-01"), format!("s{i}"), f64::from(i + 1));
        }
        daily.add(d("2026-11-03"), "s0".into(), 5.0);
        assert_eq!(daily.days().len(), 3, "the day between is drawn as zero");
        let lines = daily.lines();
        assert_eq!(lines.len(), MOST_SERIES);
        assert_eq!(lines[0], ("s9".to_owned(), vec![10.0, 0.0, 0.0]));
        // s0 (1 + 5 = 6) outranks s1 to s4; s1, s2 and s3 are added up.
        assert!(lines.contains(&("s0".to_owned(), vec![1.0, 0.0, 5.0])));
        let other = lines.last().unwrap();
        assert_eq!(other, &("other (3)".to_owned(), vec![9.0, 0.0, 0.0]));
    }
}
