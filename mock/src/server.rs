//! The mock as an HTTP server on loopback: routing, auth, the request log
//! (what a test asserts on), and `request-id` headers like the real API.

use super::api_error::{ApiError, Family};
use super::auth::{self, KeySeen};
use super::behaviour::{Behaviour, FaultKind};
use super::org::MockOrg;
use super::paging::Params;
use super::routes;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request as the mock saw it (the key's kind, never the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub key: KeySeen,
    pub anthropic_version: Option<String>,
    pub status: u16,
}

struct MockState {
    org: RwLock<MockOrg>,
    behaviour: RwLock<Behaviour>,
    log: Mutex<Vec<MockRequest>>,
    next_request_id: AtomicU64,
    /// Requests seen so far on the fault's path.
    fault_hits: AtomicUsize,
}

/// A running mock. Dropping it stops the server.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<MockState>,
    task: JoinHandle<()>,
}

impl MockServer {
    /// Serve `org` on an ephemeral loopback port.
    pub async fn start(org: MockOrg) -> std::io::Result<Self> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), org).await
    }

    /// Serve `org` on `addr`.
    pub async fn bind(addr: SocketAddr, org: MockOrg) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState {
            org: RwLock::new(org),
            behaviour: RwLock::new(Behaviour::default()),
            log: Mutex::new(Vec::new()),
            next_request_id: AtomicU64::new(1),
            fault_hits: AtomicUsize::new(0),
        });
        let served = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // Answers are small writes: do not let Nagle hold them back.
                let _ = stream.set_nodelay(true);
                let state = served.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
                    });
                    // A client hanging up mid-answer is its business, not the mock's.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`: the base URL to give a connection.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The ground truth. Hold the guard briefly: the server reads it too.
    pub fn org(&self) -> std::sync::RwLockReadGuard<'_, MockOrg> {
        self.state.org.read().expect("org lock")
    }

    /// Change the data while serving (new or late activities, revised buckets).
    pub fn update_org(&self, change: impl FnOnce(&mut MockOrg)) {
        change(&mut self.state.org.write().expect("org lock"));
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.state.behaviour.write().expect("behaviour lock") = behaviour;
        self.state.fault_hits.store(0, Ordering::Relaxed);
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

async fn handle(state: &MockState, request: Request<Incoming>) -> Response<Full<Bytes>> {
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
    let answer = auth::authorize(&path, key.as_deref(), &behaviour).and_then(|()| {
        routes::route(
            &state.org.read().expect("org lock"),
            &behaviour,
            parts.method.as_str(),
            &path,
            &Params::parse(Some(&query)),
        )
    });
    let answer = answer.and_then(|body| inject_fault(state, &behaviour, &path, body));
    let (status, body, extra_headers) = match answer {
        Ok(Answer::Json(body)) => (200, body.to_string(), Vec::new()),
        Ok(Answer::Raw(text)) => (200, text, Vec::new()),
        Err(ApiError {
            status,
            error_type,
            message,
            headers,
        }) => {
            let error = ApiError {
                status,
                error_type,
                message,
                headers: Vec::new(),
            };
            (status, error.body(family, &request_id).to_string(), headers)
        }
    };
    state.log.lock().expect("log lock").push(MockRequest {
        method: parts.method.to_string(),
        path,
        query,
        key: KeySeen::of(key.as_deref()),
        anthropic_version: header("anthropic-version"),
        status,
    });
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("request-id", &request_id);
    for (name, value) in extra_headers {
        response = response.header(name, value);
    }
    response
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

/// A successful answer: JSON, or raw text when a fault broke it on purpose.
enum Answer {
    Json(serde_json::Value),
    Raw(String),
}

/// Apply the behaviour's fault, if this request is one it hits.
fn inject_fault(
    state: &MockState,
    behaviour: &Behaviour,
    path: &str,
    body: serde_json::Value,
) -> Result<Answer, ApiError> {
    let Some(fault) = behaviour.fault.as_ref().filter(|f| f.path == path) else {
        return Ok(Answer::Json(body));
    };
    let hit = state.fault_hits.fetch_add(1, Ordering::Relaxed);
    let active = hit >= fault.after && fault.times.is_none_or(|times| hit < fault.after + times);
    if !active {
        return Ok(Answer::Json(body));
    }
    match fault.kind {
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
        FaultKind::TruncatedBody => {
            let text = body.to_string();
            Ok(Answer::Raw(text[..text.len() / 2].to_owned()))
        }
        FaultKind::MissingCursor => {
            let mut body = body;
            body["has_more"] = serde_json::Value::Bool(true);
            for cursor in ["last_id", "next_page"] {
                if body.get(cursor).is_some() {
                    body[cursor] = serde_json::Value::Null;
                }
            }
            Ok(Answer::Json(body))
        }
    }
}
