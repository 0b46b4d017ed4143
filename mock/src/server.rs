//! The mock as an HTTP server on loopback: routing, auth, the request log
//! (what a test asserts on), `request-id` headers like the real API, and the
//! API's latency and request budget when the behaviour asks for them. It
//! speaks plain HTTP, or HTTPS with a certificate the caller made
//! ([`MockServer::start_https`]), as an API behind a company CA would.

use super::api_error::{ApiError, Family};
use super::auth::{self, KeySeen};
use super::behaviour::{Behaviour, FaultKind};
use super::faulty_body::{self, BreaksOff, MockBody, Trickle};
use super::org::MockOrg;
use super::paging::{Json, Params};
use super::rate_window::{RateWindow, Verdict};
use super::routes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// One request as the mock saw it (the key's kind, never the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub key: KeySeen,
    pub anthropic_version: Option<String>,
    /// The `anthropic-beta` header, as sent.
    pub anthropic_beta: Option<String>,
    pub status: u16,
}

struct MockState {
    org: RwLock<MockOrg>,
    behaviour: RwLock<Behaviour>,
    log: Mutex<Vec<MockRequest>>,
    next_request_id: AtomicU64,
    /// Requests seen so far on the fault's path.
    fault_hits: AtomicUsize,
    /// The requests counted against the behaviour's rate limit.
    rate_window: Mutex<RateWindow>,
    /// TCP connections accepted so far.
    connections_accepted: AtomicU64,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// One request being answered, counted while it lasts.
struct Answering<'s>(&'s MockState);

impl<'s> Answering<'s> {
    fn begin(state: &'s MockState) -> Self {
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(state)
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running mock. Dropping it stops the server.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<MockState>,
    task: JoinHandle<()>,
    /// `https` when it serves TLS.
    scheme: &'static str,
}

/// The certificate the mock presents over HTTPS: the server's certificate
/// first, then any intermediates, and its private key.
pub struct ServerIdentity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl MockServer {
    /// Serve `org` on an ephemeral loopback port.
    pub async fn start(org: MockOrg) -> std::io::Result<Self> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), org).await
    }

    /// Serve `org` over HTTPS on an ephemeral loopback port, presenting
    /// `identity`. A certificate that rustls refuses to serve fails here.
    pub async fn start_https(org: MockOrg, identity: ServerIdentity) -> std::io::Result<Self> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| {
                b.with_no_client_auth()
                    .with_single_cert(identity.chain, identity.key)
            })
            .map_err(std::io::Error::other)?;
        let tls = TlsAcceptor::from(Arc::new(config));
        Self::serve(SocketAddr::from(([127, 0, 0, 1], 0)), org, Some(tls)).await
    }

    /// Serve `org` on `addr`.
    pub async fn bind(addr: SocketAddr, org: MockOrg) -> std::io::Result<Self> {
        Self::serve(addr, org, None).await
    }

    async fn serve(
        addr: SocketAddr,
        org: MockOrg,
        tls: Option<TlsAcceptor>,
    ) -> std::io::Result<Self> {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState {
            org: RwLock::new(org),
            behaviour: RwLock::new(Behaviour::default()),
            log: Mutex::new(Vec::new()),
            next_request_id: AtomicU64::new(1),
            fault_hits: AtomicUsize::new(0),
            rate_window: Mutex::new(RateWindow::default()),
            connections_accepted: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        });
        let served = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                served.connections_accepted.fetch_add(1, Ordering::Relaxed);
                // Answers are small writes: do not let Nagle hold them back.
                let _ = stream.set_nodelay(true);
                let state = served.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => answer(stream, state).await,
                        Some(tls) => {
                            // A client that refuses the certificate ends the
                            // handshake: nothing to answer then.
                            if let Ok(stream) = tls.accept(stream).await {
                                answer(stream, state).await;
                            }
                        }
                    }
                });
            }
        });
        Ok(Self {
            addr,
            state,
            task,
            scheme,
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` when it serves TLS): the base URL
    /// to give a connection.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The ground truth. Hold the guard briefly: the server reads it too.
    pub fn org(&self) -> std::sync::RwLockReadGuard<'_, MockOrg> {
        self.state.org.read().expect("org lock")
    }

    /// Change the data while serving (new or late activities, revised
    /// buckets); the indexes follow.
    pub fn update_org(&self, change: impl FnOnce(&mut MockOrg)) {
        let mut org = self.state.org.write().expect("org lock");
        change(&mut org);
        org.reindex();
    }

    /// Answer from now on as `behaviour` says: its fault counts requests
    /// from zero, its rate limit starts with an empty window.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.state.behaviour.write().expect("behaviour lock") = behaviour;
        self.state.fault_hits.store(0, Ordering::Relaxed);
        self.state.rate_window.lock().expect("rate lock").clear();
    }

    /// TCP connections accepted so far: requests sent over kept-alive
    /// connections share one.
    pub fn connections_accepted(&self) -> u64 {
        self.state.connections_accepted.load(Ordering::Relaxed)
    }

    /// The most requests the mock was answering at one time so far: how
    /// many a client had in flight together.
    pub fn most_in_flight(&self) -> usize {
        self.state.most_in_flight.load(Ordering::SeqCst)
    }

    /// Count the most requests in flight afresh from now.
    pub fn reset_most_in_flight(&self) {
        self.state.most_in_flight.store(0, Ordering::SeqCst);
    }

    /// Every request served so far, in order.
    pub fn requests(&self) -> Vec<MockRequest> {
        self.state.log.lock().expect("log lock").clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answer the requests of one connection (TCP, or TLS over it).
async fn answer<S>(stream: S, state: Arc<MockState>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
    });
    // A client hanging up mid-answer is its business, not the mock's.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn handle(state: &MockState, request: Request<Incoming>) -> Response<MockBody> {
    let _answering = Answering::begin(state);
    let (parts, body) = request.into_parts();
    // Read the body whole, so the client never sees its upload cut short.
    let _ = body.collect().await;
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let key = header("x-api-key");
    let request_id = format!(
        "req_mock{:016}",
        state.next_request_id.fetch_add(1, Ordering::Relaxed)
    );
    let behaviour = state.behaviour.read().expect("behaviour lock").clone();
    let family = Family::of(&path);
    let authorized = auth::authorize(&path, key.as_deref(), &behaviour);
    // As with the API, a request failing authentication does not count; one
    // refused a scope does.
    let quota = match (&authorized, behaviour.requests_per_minute) {
        (Err(error), _) if error.status == 401 => None,
        (_, Some(limit)) => Some(
            state
                .rate_window
                .lock()
                .expect("rate lock")
                .admit(Instant::now(), limit),
        ),
        (_, None) => None,
    };
    if !behaviour.latency.is_zero() {
        tokio::time::sleep(behaviour.latency).await;
    }
    let authorized = match quota {
        Some(verdict) if !verdict.admitted => Err(rate_limited(&verdict, family)),
        _ => authorized,
    };
    let answer = authorized.and_then(|()| {
        let fault = active_fault(state, &behaviour, &path);
        let mut params = Params::parse(Some(&query));
        if fault.is_some_and(|(kind, _)| kind.replays_first_page()) {
            params
                .0
                .retain(|(name, _)| name != "after_id" && name != "page");
        }
        let beta = header("anthropic-beta").unwrap_or_default();
        let betas: Vec<&str> = beta.split(',').map(str::trim).collect();
        let body = routes::route(
            &state.org.read().expect("org lock"),
            &behaviour,
            parts.method.as_str(),
            &path,
            &params,
            &betas,
        )?;
        let answer = match (&key, behaviour.echo_key_in_user_name) {
            (Some(key), true) if path == "/v1/organizations/users" => echo_key(body, key),
            _ => Answer::Json(body),
        };
        match fault {
            Some((kind, hit)) => inject_fault(kind, hit, answer),
            None => Ok((answer, Delivery::Whole)),
        }
    });
    let (status, body, mut extra_headers, delivery) = match answer {
        Ok((Answer::Json(body) | Answer::Raw(body), delivery)) => (200, body, Vec::new(), delivery),
        Err(mut error) => {
            let headers = std::mem::take(&mut error.headers);
            let body = error.body(family, &request_id).to_string().into_bytes();
            (error.status, body, headers, Delivery::Whole)
        }
    };
    if let Some(verdict) = quota {
        extra_headers.extend(quota_headers(&verdict));
    }
    state.log.lock().expect("log lock").push(MockRequest {
        method: parts.method.to_string(),
        path,
        query,
        key: KeySeen::of(key.as_deref()),
        anthropic_version: header("anthropic-version"),
        anthropic_beta: header("anthropic-beta"),
        status,
    });
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("request-id", &request_id);
    for (name, value) in extra_headers {
        response = response.header(name, value);
    }
    let body = match delivery {
        Delivery::Whole => faulty_body::whole(body),
        Delivery::Late(delay) => {
            tokio::time::sleep(delay).await;
            faulty_body::whole(body)
        }
        Delivery::Stall => std::future::pending().await,
        Delivery::Trickle(interval) => Trickle::new(body, interval).boxed(),
        Delivery::BreaksOff => BreaksOff::new(body).boxed(),
        Delivery::ManyHeaders(count) => {
            for n in 0..count {
                response = response.header(format!("x-mock-padding-{n}"), "x");
            }
            faulty_body::whole(body)
        }
    };
    response.body(body).expect("valid response")
}

/// A successful answer: JSON, or raw bytes when a fault broke it on purpose.
enum Answer {
    Json(Json),
    Raw(Vec<u8>),
}

/// 429 for a request past the rate limit, with the API's message and
/// `retry-after` (whole seconds, at least one).
fn rate_limited(verdict: &Verdict, family: Family) -> ApiError {
    let limit = verdict.limit;
    let message = match family {
        Family::Compliance => format!(
            "Compliance API rate limit of {limit} requests per minute per parent organization has \
             been exceeded. Retry after the time indicated by the retry-after header. Quote the \
             request-id response header when contacting Anthropic support."
        ),
        _ => format!(
            "Rate limit of {limit} requests per minute for your organization has been exceeded. \
             Retry after the time indicated by the retry-after header."
        ),
    };
    let mut error = ApiError::new(429, "rate_limit_error", message);
    let seconds = verdict.retry_in.as_secs_f64().ceil().max(1.0) as u64;
    error.headers.push(("retry-after", seconds.to_string()));
    error
}

/// The `anthropic-ratelimit-requests-*` headers: the limit, what is left of
/// it, and when it is whole again (RFC 3339, rounded up to the second).
fn quota_headers(verdict: &Verdict) -> [(&'static str, String); 3] {
    let whole_at = chrono::Utc::now() + verdict.replenished_in;
    let whole_at = chrono::DurationRound::duration_round_up(whole_at, chrono::Duration::seconds(1))
        .unwrap_or(whole_at);
    [
        (
            "anthropic-ratelimit-requests-limit",
            verdict.limit.to_string(),
        ),
        (
            "anthropic-ratelimit-requests-remaining",
            verdict.remaining.to_string(),
        ),
        (
            "anthropic-ratelimit-requests-reset",
            whole_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    ]
}

/// How an answer travels: whole, or broken on purpose.
enum Delivery {
    Whole,
    /// Whole, after holding it back this long.
    Late(Duration),
    /// Never answered.
    Stall,
    /// One byte at a time, this far apart.
    Trickle(Duration),
    /// Half the body, then the connection drops.
    BreaksOff,
    /// With this many extra headers.
    ManyHeaders(usize),
}

/// The users page with the first user's `name` replaced by `key`, every
/// character of it a `\u` escape. Serialising would write it plainly, so the
/// escaped text is put in after.
fn echo_key(page: Json, key: &str) -> Answer {
    const MARK: &str = "mock-echoed-key-goes-here";
    let Ok(mut body) = serde_json::from_slice::<serde_json::Value>(&page) else {
        return Answer::Json(page);
    };
    let Some(user) = body.pointer_mut("/data/0") else {
        return Answer::Json(page);
    };
    user["name"] = serde_json::Value::from(MARK);
    let escaped: String = key
        .chars()
        .map(|c| format!("\\u{:04x}", u32::from(c)))
        .collect();
    Answer::Raw(body.to_string().replacen(MARK, &escaped, 1).into_bytes())
}

/// The behaviour's fault, if this request is one it hits, and how many
/// requests on its path came before (counting this one in).
fn active_fault<'a>(
    state: &MockState,
    behaviour: &'a Behaviour,
    path: &str,
) -> Option<(&'a FaultKind, usize)> {
    let fault = behaviour.fault.as_ref().filter(|f| f.path == path)?;
    let hit = state.fault_hits.fetch_add(1, Ordering::Relaxed);
    let active = hit >= fault.after && fault.times.is_none_or(|times| hit < fault.after + times);
    active.then_some((&fault.kind, hit))
}

/// Break a good answer the way `kind` says; `hit` counts the fault's requests.
fn inject_fault(
    kind: &FaultKind,
    hit: usize,
    answer: Answer,
) -> Result<(Answer, Delivery), ApiError> {
    // Faults that rewrite the page need it as a value; a raw answer goes as it is.
    let rewrite = |answer: Answer, change: &dyn Fn(serde_json::Value) -> serde_json::Value| {
        Ok(match answer {
            Answer::Json(body) => match serde_json::from_slice(&body) {
                Ok(page) => {
                    let changed = serde_json::to_vec(&change(page)).expect("a value serialises");
                    (Answer::Json(changed), Delivery::Whole)
                }
                Err(_) => (Answer::Json(body), Delivery::Whole),
            },
            raw => (raw, Delivery::Whole),
        })
    };
    match kind {
        FaultKind::ServerError => Err(ApiError::new(500, "api_error", "Internal server error")),
        FaultKind::RateLimited {
            retry_after_seconds,
        } => {
            let mut error = ApiError::new(
                429,
                "rate_limit_error",
                "Rate limit exceeded. Retry after the time indicated by the retry-after header.",
            );
            error
                .headers
                .push(("retry-after", retry_after_seconds.to_string()));
            Err(error)
        }
        FaultKind::SpendLimit => {
            let mut error = ApiError::new(
                429,
                "rate_limit_error",
                "Your organization has reached its monthly usage tier spend cap. Access resumes \
                 at the start of next month.",
            );
            error.error_code = Some("enforced_spend_limit_reached");
            Err(error)
        }
        FaultKind::NotRetryable => {
            let mut error = ApiError::new(
                500,
                "api_error",
                "This response would have exceeded the maximum of 1,000 organizations returned in one request.",
            );
            error.headers.push(("x-should-retry", "false".into()));
            Err(error)
        }
        FaultKind::ErrorEnvelope => Err(ApiError::new(200, "overloaded_error", "Overloaded")),
        FaultKind::TruncatedBody => {
            let (Answer::Json(mut body) | Answer::Raw(mut body)) = answer;
            body.truncate(body.len() / 2);
            Ok((Answer::Raw(body), Delivery::Whole))
        }
        FaultKind::MissingCursor => rewrite(answer, &|body| with_next_cursor(body, None)),
        FaultKind::FreshCursor => {
            let cursor = format!("fresh_{hit}");
            rewrite(answer, &|body| with_next_cursor(body, Some(&cursor)))
        }
        FaultKind::AlternatingCursors => {
            let cursor = ["loop_a", "loop_b"][hit % 2];
            rewrite(answer, &|body| with_next_cursor(body, Some(cursor)))
        }
        FaultKind::OversizedBody { bytes } => rewrite(answer, &|mut body| {
            body["padding"] = serde_json::Value::String("x".repeat(*bytes));
            body
        }),
        FaultKind::Slow { millis } => Ok((answer, Delivery::Late(Duration::from_millis(*millis)))),
        FaultKind::Stall => Ok((answer, Delivery::Stall)),
        FaultKind::Trickle { interval_ms } => Ok((
            answer,
            Delivery::Trickle(Duration::from_millis(*interval_ms)),
        )),
        FaultKind::DropMidBody => Ok((answer, Delivery::BreaksOff)),
        FaultKind::TooManyHeaders => Ok((answer, Delivery::ManyHeaders(150))),
    }
}

/// The page with `has_more: true` and `cursor` (none: null) as its next
/// page, in whichever scheme it uses.
fn with_next_cursor(mut body: serde_json::Value, cursor: Option<&str>) -> serde_json::Value {
    body["has_more"] = serde_json::Value::Bool(true);
    for field in ["last_id", "next_page"] {
        if body.get(field).is_some() {
            body[field] = cursor.map_or(serde_json::Value::Null, serde_json::Value::from);
        }
    }
    body
}
