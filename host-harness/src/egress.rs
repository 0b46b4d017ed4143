//! The outgoing-HTTP policy: every `wasi:http` request of the plugin passes
//! here. Only the hosts the connection allows (its base URL's host) are
//! reached; anything else is refused with `HttpRequestDenied` and reported.
//! Every request, allowed or not, is logged (method, URL, decision: no headers,
//! so no key). An allowed request gets the host's time limits
//! ([`HttpTimeouts`]) and its failures are reported precisely.

mod failure;
mod time_limits;

pub use time_limits::HttpTimeouts;

use bytes::Bytes;
use failure::precise;
use http_body_util::{BodyExt, Full};
use std::sync::{Arc, Mutex};
use time_limits::DeadlineBody;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// Destinations the plugin may reach: `scheme://host:port` triples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressPolicy {
    allowed: Vec<Origin>,
}

/// One origin, normalised (lower-case scheme and host, explicit port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// The origin of a URL, or none when it has no scheme or host.
    pub fn of(uri: &http::Uri) -> Option<Self> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().or(match scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        })?;
        Some(Self { scheme, host, port })
    }

    pub fn parse(url: &str) -> Option<Self> {
        Self::of(&url.parse().ok()?)
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

impl EgressPolicy {
    pub fn allow(origins: impl IntoIterator<Item = Origin>) -> Self {
        Self {
            allowed: origins.into_iter().collect(),
        }
    }

    /// The policy of a connection: its base URL's origin only.
    pub fn for_base_url(base_url: &str) -> Option<Self> {
        Origin::parse(base_url).map(|o| Self::allow([o]))
    }

    pub fn allows(&self, uri: &http::Uri) -> bool {
        Origin::of(uri).is_some_and(|o| self.allowed.contains(&o))
    }

    pub fn allowed(&self) -> &[Origin] {
        &self.allowed
    }
}

/// One outgoing request as the policy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgressRecord {
    pub method: String,
    pub url: String,
    pub allowed: bool,
}

/// The log of every request the plugin tried, shared across calls.
pub type EgressLog = Arc<Mutex<Vec<EgressRecord>>>;

/// The `wasi:http` hooks enforcing an [`EgressPolicy`] and [`HttpTimeouts`].
pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    log: EgressLog,
    timeouts: HttpTimeouts,
}

impl EgressHooks {
    pub fn new(policy: Arc<EgressPolicy>, log: EgressLog, timeouts: HttpTimeouts) -> Self {
        Self {
            policy,
            log,
            timeouts,
        }
    }
}

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for EgressHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> ResponseFuture {
        let policy = self.policy.clone();
        let log = self.log.clone();
        let timeouts = self.timeouts;
        Box::new(async move {
            // Buffer the body before anything else: the guest writes it while
            // awaiting the response, and a body dropped early fails the request.
            let (parts, body) = request.into_parts();
            let body: Bytes = body.collect().await?.to_bytes();
            let allowed = policy.allows(&parts.uri);
            log.lock().expect("egress log").push(EgressRecord {
                method: parts.method.to_string(),
                url: parts.uri.to_string(),
                allowed,
            });
            if !allowed {
                return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
            }
            let body = Full::new(body)
                .map_err(|never| match never {})
                .boxed_unsync();
            let request = http::Request::from_parts(parts, body);
            let deadline = tokio::time::Instant::now() + timeouts.whole_request;
            let sent = tokio::time::timeout_at(
                deadline,
                wasmtime_wasi_http::default_send_request(request, Some(timeouts.cap(options))),
            )
            .await;
            let (response, io) = sent
                .map_err(|_| wasmtime_wasi_http::Error::HttpResponseTimeout)?
                .map_err(precise)?;
            let io = async move { io.await.map_err(precise) };
            Ok((
                response
                    .map(|body| DeadlineBody::new(body.boxed_unsync(), deadline).boxed_unsync()),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_base_url_origin_is_allowed() {
        let policy = EgressPolicy::for_base_url("https://api.anthropic.com").unwrap();
        let allows = |u: &str| policy.allows(&u.parse().unwrap());
        assert!(allows("https://api.anthropic.com/v1/organizations/users"));
        assert!(allows("https://API.anthropic.com:443/v1"));
        assert!(!allows("http://api.anthropic.com/v1"));
        assert!(!allows("https://api.anthropic.com:8443/v1"));
        assert!(!allows("https://evil.example/v1"));
        assert!(!allows("https://api.anthropic.com.evil.example/v1"));
    }
}
