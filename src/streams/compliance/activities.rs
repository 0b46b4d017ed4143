//! `activities`: the compliance activity feed, `GET /v1/compliance/activities`,
//! newest first, id cursors.
//!
//! A run reads one window `[start, now − 1 min)`: incremental runs start at
//! `watermark − overlap` (activities can be indexed late; rows are upserted by
//! id, so the overlap never duplicates), full refreshes at the configured
//! start (or the beginning). The window travels in the page cursor, and the
//! watermark moves to the window's end only with the last page, so a run that
//! stops half-way re-reads its window next time instead of skipping events.

use crate::error::{ConnectorError, Result};
use crate::http::{ApiClient, Query};
use crate::model::{KeyKind, Page, ReadRequest};
use crate::pagination::Scheme;
use crate::streams::ReadContext;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const PATH: &str = "/v1/compliance/activities";
const MAX_LIMIT: u32 = 5000;
/// Events younger than this may not be queryable yet.
const SETTLE: Duration = Duration::minutes(1);

/// The window a run reads, carried from page to page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Window {
    /// `created_at.gte`, when bounded.
    gte: Option<String>,
    /// `created_at.lt`.
    lt: String,
    /// The next page's `after_id`.
    after_id: Option<String>,
    /// The watermark before this run, which the new one never goes below.
    #[serde(default)]
    previous: Option<String>,
}

/// The committed state: everything before the watermark has been read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    watermark: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn first_window(
    ctx: &ReadContext<'_>,
    request: &ReadRequest,
    now: DateTime<Utc>,
) -> Result<Window> {
    let state: Option<State> = crate::streams::incremental::saved_state(request)?;
    let previous = state.as_ref().map(|s| s.watermark.clone());
    let start = match state {
        Some(state) => {
            let watermark = DateTime::parse_from_rfc3339(&state.watermark)
                .map_err(|e| {
                    ConnectorError::InvalidConfig(format!(
                        "bad activities watermark ({e}); {}",
                        crate::streams::incremental::reset_hint("activities")
                    ))
                })?
                .with_timezone(&Utc);
            Some(watermark - ctx.settings.activities_overlap)
        }
        None => ctx.settings.start_date,
    };
    let end = now - SETTLE;
    Ok(Window {
        // A start in the future (a clock skew, a mistyped date) reads nothing, not an error.
        gte: start.map(|s| rfc3339(s.min(end))),
        lt: rfc3339(end),
        after_id: None,
        previous,
    })
}

pub fn read(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let window = match crate::streams::incremental::cursor_walk(request)? {
        Some(window) => window,
        None => first_window(ctx, request, Utc::now())?,
    };
    let query = Query::new()
        .set("limit", ctx.settings.page_size(MAX_LIMIT))
        .set_opt("created_at.gte", window.gte.as_deref())
        .set("created_at.lt", &window.lt)
        .set_array(
            "exclude_activity_types",
            &ctx.settings.activities_exclude_types,
        )
        .set_opt("after_id", window.after_id.as_deref());
    let client = ApiClient::new(ctx.host, ctx.connection, KeyKind::Compliance)?;
    let body = client
        .get_json(PATH, &query)
        .map_err(|e| e.into_connector_error(client.field()))?;
    let page = Scheme::IdCursor.parse(body)?;
    let records = page
        .data
        .into_iter()
        .map(|a| flatten_actor(a).to_string())
        .collect();
    Ok(match page.next {
        Some(after_id) => crate::streams::incremental::mid_walk(
            records,
            &Window {
                after_id: Some(after_id),
                ..window
            },
            Vec::new(),
        ),
        None => Page {
            records,
            state_json: Some(
                json!(State {
                    watermark: later(window.previous.as_deref(), window.lt)
                })
                .to_string(),
            ),
            next_cursor: None,
            warnings: Vec::new(),
        },
    })
}

/// The later of two RFC 3339 timestamps written the same way (as this module writes them).
fn later(previous: Option<&str>, next: String) -> String {
    match previous {
        Some(p) if p > next.as_str() => p.to_owned(),
        _ => next,
    }
}

/// Add the actor's common fields as top-level columns; the actor and the whole
/// event stay as they are (each activity type carries its own fields).
fn flatten_actor(mut activity: Value) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;

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
