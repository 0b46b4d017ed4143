//! Switches that make the mock misbehave the way the real API can, and the
//! latency and request budget that make it answer like the real one.

use std::time::Duration;

/// How the mock answers. Tests flip these through [`super::MockServer::set_behaviour`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// When false, every compliance endpoint answers 404 (the organisation is
    /// not entitled to the Compliance API).
    pub compliance_entitled: bool,
    /// When true, a Compliance Access Key gets 403 "missing scopes" everywhere.
    pub compliance_missing_scopes: bool,
    /// A scope the Compliance Access Key lacks (e.g. `read:compliance_user_data`):
    /// only the endpoints needing it answer 403.
    pub missing_scope: Option<String>,
    /// When true, an Admin key gets 403 on the Admin API.
    pub admin_forbidden: bool,
    /// When false, an Admin key lacks the activity feed's scope (it was
    /// created before the Compliance API was enabled): 403 on the feed too.
    pub admin_feed_scope: bool,
    /// When true, `/v1/compliance/organizations` answers the older, unpaginated
    /// shape (`{"data": [...]}` only).
    pub organizations_unpaginated: bool,
    /// When true, rate limit entries come in the older shape, without `id`.
    pub rate_limits_legacy: bool,
    /// Ids of parents (an organisation, group or project) deleted after they
    /// were listed: the lists still show them, but their children's
    /// endpoints answer 404 as the API does for an unknown id.
    pub deleted_parents: Vec<String>,
    /// When true, the first Console user's `name` is the key the request came
    /// with, every character written as a JSON `\u` escape (a server echoing
    /// a credential in a form no plain search would find).
    pub echo_key_in_user_name: bool,
    /// A fault injected on one path.
    pub fault: Option<Fault>,
    /// How long every request waits before it is answered, as a round trip
    /// to the real API does; other requests are served meanwhile.
    pub latency: Duration,
    /// Requests per minute, shared by every key and endpoint as the
    /// Compliance API's 600 per organisation are ([`super::rate_window`]):
    /// past it a request gets 429 with `retry-after`, and every
    /// authenticated answer carries the `anthropic-ratelimit-requests-*`
    /// headers. None: no limit, no headers.
    pub requests_per_minute: Option<u32>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            compliance_entitled: true,
            compliance_missing_scopes: false,
            missing_scope: None,
            admin_forbidden: false,
            admin_feed_scope: true,
            organizations_unpaginated: false,
            rate_limits_legacy: false,
            deleted_parents: Vec::new(),
            echo_key_in_user_name: false,
            fault: None,
            latency: Duration::ZERO,
            requests_per_minute: None,
        }
    }
}

/// A failure on requests to one path: after `after` good answers, the next
/// `times` requests (all of them when none) fail as `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub path: String,
    pub kind: FaultKind,
    pub after: usize,
    pub times: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// 500 `api_error`.
    ServerError,
    /// 429 `rate_limit_error` with `retry-after` in seconds.
    RateLimited { retry_after_seconds: u32 },
    /// 200 with the JSON body cut in half.
    TruncatedBody,
    /// 200 with `has_more: true` and no cursor.
    MissingCursor,
    /// Pagination without end: every answer is the first page again, with
    /// `has_more: true` and a cursor never given before (the cursor sent is
    /// ignored).
    FreshCursor,
    /// Pagination in a loop: every answer is the first page again, with
    /// `has_more: true` and, in turn, one of two cursors.
    AlternatingCursors,
    /// 200 with the page padded by a `padding` field of this many bytes: a
    /// response too large for a small sandbox.
    OversizedBody { bytes: usize },
    /// 200, after holding the answer back this long: a call that outlives
    /// its time limit.
    Slow { millis: u64 },
    /// 429 `rate_limit_error` for a reached spend limit: `error.details.error_code`
    /// `enforced_spend_limit_reached` and no `retry-after`.
    SpendLimit,
    /// 500 `api_error` with `x-should-retry: false`.
    NotRetryable,
    /// 200 whose body is the API's error envelope (`overloaded_error`).
    ErrorEnvelope,
    /// The request is read and never answered.
    Stall,
    /// 200 whose body is sent one byte every `interval_ms`.
    Trickle { interval_ms: u64 },
    /// 200 announcing the whole body, then the connection drops half-way.
    DropMidBody,
    /// 200 with more headers than an HTTP client accepts (150 extra).
    TooManyHeaders,
}

impl FaultKind {
    /// Whether the answer ignores the cursor sent and serves the first page.
    pub fn replays_first_page(&self) -> bool {
        matches!(self, Self::FreshCursor | Self::AlternatingCursors)
    }
}
