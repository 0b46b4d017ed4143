//! `activities`: the compliance activity feed, `GET /v1/compliance/activities`,
//! newest first, id cursors.
//!
//! A run reads one window `[start, now − 1 min)`: incremental runs start at
//! `watermark − overlap` (activities can be indexed late; rows are upserted by
//! id, so the overlap never duplicates), full refreshes at the configured
//! start (or the beginning). The window travels in the page cursor, and the
//! watermark moves to the window's end only with the last page, so a run that
//! stops half-way re-reads its window next time instead of skipping events.
//!
//! The state also records where its history begins (`covered_from`): a start
//! date earlier than that is a gap, read first as a window of its own
//! (`[start date, covered_from)`), before the run's ordinary window
//! ([`crate::streams::incremental::plan_run`]).

use crate::error::Result;
use crate::http::{ApiClient, Query};
use crate::json::{Canonical, Fields, Object};
use crate::model::{Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use crate::streams::incremental::{
    Coverage, Saved, committed_coverage, cursor_walk, mid_walk, plan_run, saved_state,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

const PATH: &str = "/v1/compliance/activities";
const MAX_LIMIT: u32 = 5000;
/// Events younger than this may not be queryable yet.
const SETTLE: Duration = Duration::minutes(1);
/// The feed read without a start date covers all of it: its coverage is
/// recorded from the Unix epoch, before any event.
const FEED_BEGINNING: DateTime<Utc> = DateTime::UNIX_EPOCH;

/// The window a run reads, carried from page to page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Window {
    /// `created_at.gte`, when bounded.
    gte: Option<DateTime<Utc>>,
    /// The end of the run: `created_at.lt` of its ordinary window.
    lt: DateTime<Utc>,
    /// The next page's `after_id`.
    after_id: Option<String>,
    /// The watermark before this run, which the new one never goes below.
    #[serde(default)]
    previous: Option<DateTime<Utc>>,
    /// What the state may claim, and the gap read first.
    #[serde(default)]
    coverage: Coverage<DateTime<Utc>>,
}

impl Window {
    /// `created_at.lt` of this window: the end of the gap while one is read.
    fn end(&self) -> DateTime<Utc> {
        self.coverage
            .read_until()
            .map_or(self.lt, |gap_end| gap_end.min(self.lt))
    }
}

/// The committed state: everything before the watermark has been read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    watermark: DateTime<Utc>,
    /// Where the history the state holds begins; absent from states written
    /// before it was recorded (unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    covered_from: Option<DateTime<Utc>>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn first_window(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    now: DateTime<Utc>,
) -> Result<Window> {
    let state: Option<State> = saved_state(request)?;
    let (start, coverage) = plan_run(
        state.as_ref().map(|state| Saved {
            covered_from: state.covered_from,
            watermark: state.watermark,
            resume_at: state.watermark - ctx.settings.activities_overlap,
        }),
        ctx.settings.start_date,
        FEED_BEGINNING,
    );
    let end = now - SETTLE;
    Ok(Window {
        // The whole feed needs no lower bound. A start within the last minute
        // reads nothing yet, not a reversed window.
        gte: (start > FEED_BEGINNING).then(|| start.min(end)),
        lt: end,
        after_id: None,
        previous: state.map(|s| s.watermark),
        coverage,
    })
}

pub fn read(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let window: Window = match cursor_walk(request)? {
        Some(window) => window,
        None => first_window(ctx, request, Utc::now())?,
    };
    let end = window.end();
    let query = Query::new()
        .set("limit", ctx.settings.page_size(MAX_LIMIT))
        .set_opt("created_at.gte", window.gte.map(rfc3339))
        .set("created_at.lt", rfc3339(end))
        .set_array(
            "exclude_activity_types",
            &ctx.settings.activities_exclude_types,
        )
        .set_opt("after_id", window.after_id.as_deref());
    let key = crate::streams::read_key(ctx.connection, request)?;
    let client = ApiClient::new(ctx.host, ctx.connection, key)?;
    let into_error = |e: crate::http::ApiError| e.into_connector_error(client.field());
    let response = client.get(PATH, &query).map_err(into_error)?;
    let page = Scheme::IdCursor.page(client.read_list(&response).map_err(into_error)?)?;
    let records = page.data.into_iter().map(flatten_actor).collect();
    if let Some(after_id) = page.next {
        let next = Window {
            after_id: Some(after_id),
            ..window
        };
        return Ok(mid_walk(records, &next, Vec::new()));
    }
    // The window is read. A backfilled gap ends before the old watermark,
    // which therefore stays; the ordinary window moves it to its end.
    let watermark = window.previous.map_or(end, |previous| previous.max(end));
    let (coverage, resume_at) = window.coverage.advance(end);
    let state = State {
        watermark,
        covered_from: coverage.covered_from,
    };
    let next_cursor = resume_at.filter(|at| *at < window.lt).map(|at| {
        serde_json::to_string(&Window {
            gte: Some(at),
            lt: window.lt,
            after_id: None,
            previous: Some(watermark),
            coverage,
        })
        .expect("a window serialises")
    });
    Ok(Page {
        records,
        state_json: Some(serde_json::to_string(&state).expect("state serialises")),
        next_cursor,
        warnings: Vec::new(),
        // The watermark keeps its fraction of a second (it is `now - 1 min`):
        // written as the state writes it, the end is exactly the watermark.
        coverage: committed_coverage(request, state.covered_from, state.watermark, |t| {
            t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        }),
        // A feed read in time windows, never the whole of a current set.
        snapshot_complete: false,
    })
}

/// Add the actor's common fields as top-level columns; the actor and the whole
/// event stay as they are (each activity type carries its own fields). An
/// event that is no object stays as it is.
fn flatten_actor(mut activity: Canonical<'_>) -> String {
    let Some(event) = activity.object() else {
        return activity.into_string();
    };
    let actor = event.get("actor").and_then(Object::of);
    // The first of `names` the actor has, not null: its value as it came.
    let pick = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| actor.as_ref()?.get(n).filter(|v| *v != "null"))
            .unwrap_or("null")
    };
    let columns = [
        ("actor_type", pick(&["type"])),
        ("actor_user_id", pick(&["user_id"])),
        (
            "actor_email_address",
            pick(&["email_address", "unauthenticated_email_address"]),
        ),
        (
            "actor_api_key_id",
            pick(&["api_key_id", "admin_api_key_id"]),
        ),
        ("actor_ip_address", pick(&["ip_address"])),
        ("actor_user_agent", pick(&["user_agent"])),
    ];
    let mut fields = Fields::from(event);
    for (name, value) in columns {
        fields.insert(name, value);
    }
    fields.to_canonical().into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn flatten_actor(activity: Value) -> Value {
        let text = activity.to_string();
        serde_json::from_str(&super::flatten_actor(Canonical::of(&text).unwrap())).unwrap()
    }

    /// The event as the tree-of-values code shaped it.
    fn flattened_as_values(mut activity: Value) -> Value {
        let actor = activity.get("actor").cloned().unwrap_or(Value::Null);
        let pick = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| actor.get(*n).filter(|v| !v.is_null()).cloned())
                .unwrap_or(Value::Null)
        };
        let columns = [
            ("actor_type", pick(&["type"])),
            ("actor_user_id", pick(&["user_id"])),
            (
                "actor_email_address",
                pick(&["email_address", "unauthenticated_email_address"]),
            ),
            (
                "actor_api_key_id",
                pick(&["api_key_id", "admin_api_key_id"]),
            ),
            ("actor_ip_address", pick(&["ip_address"])),
            ("actor_user_agent", pick(&["user_agent"])),
        ];
        if let Value::Object(map) = &mut activity {
            for (name, value) in columns {
                map.insert(name.to_owned(), value);
            }
        }
        activity
    }

    proptest::proptest! {

        #![proptest_config(crate::properties::config())]

        /// Byte for byte the record a parse, an edit of the tree of values
        /// and a write gave, whatever form the event came in.
        #[test]
        fn records_are_what_the_tree_of_values_wrote(
            text in crate::json::testing::item(&[
                "id", "type", "actor", "user_id", "email_address", "unauthenticated_email_address",
                "api_key_id", "admin_api_key_id", "ip_address", "user_agent", "actor_type",
                "actor_user_agent", "x",
            ])
        ) {
            if let Some(value) = crate::json::testing::parsed(&text) {
                let record = super::flatten_actor(Canonical::of(&text).unwrap());
                proptest::prop_assert_eq!(record, flattened_as_values(value).to_string());
            }
        }
    }

    #[test]
    fn a_state_and_a_window_written_before_coverage_still_load_and_read_the_same() {
        let state: State = serde_json::from_str(r#"{"watermark":"2026-01-20T10:00:00Z"}"#).unwrap();
        assert_eq!(state.covered_from, None);
        let window: Window = serde_json::from_str(
            r#"{"gte":"2026-01-20T09:50:00Z","lt":"2026-01-21T10:00:00Z","after_id":"activity_1","previous":"2026-01-20T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(window.coverage, Coverage::default());
        assert_eq!(rfc3339(window.end()), "2026-01-21T10:00:00Z");
        let written = serde_json::to_string(&State {
            covered_from: Some(FEED_BEGINNING),
            ..state
        })
        .unwrap();
        assert_eq!(
            written,
            r#"{"watermark":"2026-01-20T10:00:00Z","covered_from":"1970-01-01T00:00:00Z"}"#
        );
    }

    #[test]
    fn actor_fields_are_flattened_whatever_the_actor_type() {
        let user = flatten_actor(
            json!({"id":"a","actor":{"type":"user_actor","email_address":"e@x","user_id":"user_1","ip_address":"192.0.2.1","user_agent":"ua"}}),
        );
        assert_eq!(
            (user["actor_type"].as_str(), user["actor_user_id"].as_str()),
            (Some("user_actor"), Some("user_1"))
        );
        let admin = flatten_actor(
            json!({"id":"b","actor":{"type":"admin_api_key_actor","admin_api_key_id":"apikey_1"}}),
        );
        assert_eq!(admin["actor_api_key_id"], "apikey_1");
        assert!(admin["actor_email_address"].is_null());
        assert_eq!(
            admin["actor"]["admin_api_key_id"], "apikey_1",
            "the actor object stays"
        );
    }
}
