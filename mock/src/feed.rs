//! The compliance activity feed (`GET /v1/compliance/activities`): events
//! newest first (ties by id), filtered by time and type, paged by id cursors.
//!
//! The order is computed once from the stored events (and again when they
//! change); a request finds its time window by binary search and walks it
//! from its cursor, so it costs its page, not the feed.

use super::api_error::ApiError;
use super::paging::{CursorList, Json, Params, id_cursor_page};
use super::records::Records;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::borrow::Cow;

/// The feed's order over the stored events, and what its filters read.
#[derive(Debug, Clone, Default)]
pub struct Feed {
    /// The revision of the events this was built from.
    revision: u64,
    /// The events with a readable time, newest first (equal times: greater id first).
    entries: Vec<Entry>,
    /// Each event's rank in `entries`, by its position in the events (none: not in the feed).
    rank: Vec<Option<u32>>,
    /// The event types seen, each once; entries refer to them by index.
    kinds: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    at: DateTime<Utc>,
    position: u32,
    kind: u32,
}

/// The two fields of an event the feed reads.
#[derive(Deserialize)]
struct Stamp<'a> {
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
}

impl Feed {
    /// The feed of `events`.
    pub fn of(events: &Records) -> Self {
        let mut kinds: Vec<String> = Vec::new();
        let mut entries: Vec<Entry> = Vec::with_capacity(events.len());
        for position in 0..events.len() {
            // An event whose time is missing or unreadable never matches the feed's filters.
            let Some((at, kind)) = stamp(events, position) else {
                continue;
            };
            let kind = match kinds.iter().position(|k| *k == kind) {
                Some(k) => k,
                None => {
                    kinds.push(kind.into_owned());
                    kinds.len() - 1
                }
            };
            entries.push(Entry {
                at,
                position: position as u32,
                kind: kind as u32,
            });
        }
        // Events are mostly stored oldest first: reversed, they are mostly in
        // order already, which the sort finds at once.
        entries.reverse();
        entries.sort_by(|a, b| {
            b.at.cmp(&a.at).then_with(|| {
                events
                    .id(b.position as usize)
                    .cmp(&events.id(a.position as usize))
            })
        });
        let mut rank = vec![None; events.len()];
        for (r, entry) in entries.iter().enumerate() {
            rank[entry.position as usize] = Some(r as u32);
        }
        Self {
            revision: events.revision(),
            entries,
            rank,
            kinds,
        }
    }

    /// Whether this is the feed of `events` as they are now.
    pub fn is_of(&self, events: &Records) -> bool {
        self.revision == events.revision()
    }
}

/// The time and type of an event (a missing type reads as empty).
fn stamp(events: &Records, position: usize) -> Option<(DateTime<Utc>, Cow<'_, str>)> {
    let (created_at, kind) = match events.decode::<Stamp<'_>>(position) {
        Ok(stamp) => (stamp.created_at?, stamp.kind.unwrap_or_default()),
        // Not the shape above (a field of another type): read it as a value.
        Err(_) => {
            let event = events.get(position)?;
            let created_at = event["created_at"].as_str()?.to_owned();
            let kind = event["type"].as_str().unwrap_or_default().to_owned();
            (Cow::Owned(created_at), Cow::Owned(kind))
        }
    };
    let at = DateTime::parse_from_rfc3339(&created_at).ok()?.to_utc();
    Some((at, kind))
}

/// `GET /v1/compliance/activities`: the feed of `events` (`feed` is its
/// order) as `params` filter and page it.
pub fn activities_page(events: &Records, feed: &Feed, params: &Params) -> Result<Json, ApiError> {
    let included = params.all("activity_types[]");
    let excluded = params.all("exclude_activity_types[]");
    if !included.is_empty() && !excluded.is_empty() {
        return Err(ApiError::invalid_request(
            "`activity_types[]` and `exclude_activity_types[]` cannot be combined.",
        ));
    }
    let bound = |name: &str| -> Result<Option<DateTime<Utc>>, ApiError> {
        params
            .get(name)
            .map(|raw| {
                DateTime::parse_from_rfc3339(raw).map(|t| t.to_utc()).map_err(|_| {
                    ApiError::invalid_request(format!(
                        "The `{name}` parameter contains an invalid timestamp format. Timestamps must be \
                         provided in RFC 3339 format e.g., \"2024-03-01T00:00:00Z\". Got \"{raw}\"."
                    ))
                })
            })
            .transpose()
    };
    let (gte, gt, lte, lt) = (
        bound("created_at.gte")?,
        bound("created_at.gt")?,
        bound("created_at.lte")?,
        bound("created_at.lt")?,
    );
    // Newest first: upper bounds cut the start of the order, lower bounds its end.
    let entries = &feed.entries;
    let first = [
        lte.map(|b| entries.partition_point(|e| e.at > b)),
        lt.map(|b| entries.partition_point(|e| e.at >= b)),
    ];
    let end = [
        gte.map(|b| entries.partition_point(|e| e.at >= b)),
        gt.map(|b| entries.partition_point(|e| e.at > b)),
    ];
    let first = first.into_iter().flatten().max().unwrap_or(0);
    let end = end.into_iter().flatten().min().unwrap_or(entries.len());
    let kept_kinds = feed
        .kinds
        .iter()
        .map(|kind| {
            (included.is_empty() || included.contains(&kind.as_str()))
                && !excluded.contains(&kind.as_str())
        })
        .collect();
    let window = Window {
        events,
        feed,
        first,
        end: end.max(first),
        ascending: params.get("order") == Some("asc"),
        kept_kinds,
    };
    id_cursor_page(&window, params, 100, 5000)
}

/// The part of the feed one request reads: a time window, in either
/// direction, of the kinds it asks for.
struct Window<'a> {
    events: &'a Records,
    feed: &'a Feed,
    /// Ranks `first..end` of the feed are within the time bounds.
    first: usize,
    end: usize,
    ascending: bool,
    /// By kind index: whether the type filters keep it.
    kept_kinds: Vec<bool>,
}

impl CursorList for Window<'_> {
    fn records(&self) -> &Records {
        self.events
    }

    fn ranks(&self) -> usize {
        self.end - self.first
    }

    fn position(&self, rank: usize) -> usize {
        let rank = if self.ascending {
            self.end - 1 - rank
        } else {
            self.first + rank
        };
        self.feed.entries[rank].position as usize
    }

    fn rank(&self, position: usize) -> Option<usize> {
        let rank = (*self.feed.rank.get(position)?)? as usize;
        if !(self.first..self.end).contains(&rank) {
            return None;
        }
        Some(if self.ascending {
            self.end - 1 - rank
        } else {
            rank - self.first
        })
    }

    fn keeps(&self, position: usize) -> bool {
        self.feed.rank[position]
            .is_some_and(|rank| self.kept_kinds[self.feed.entries[rank as usize].kind as usize])
    }
}
