//! The outgoing-HTTP policy: every `wasi:http` request of the plugin passes
//! here. Only the hosts the connection allows (its base URL's host) are
//! reached; anything else is refused with `HttpRequestDenied` and reported.
//! Every request, allowed or not, is logged (method, URL, decision: no headers,
//! so no key); the log keeps the most recent ones and totals of the rest. An
//! allowed request gets the host's time limits ([`HttpTimeouts`]) and its
//! failures are reported precisely.

mod failure;
mod log;
mod time_limits;

pub use log::{DEFAULT_CAPACITY, EgressHistory, EgressLog, EgressRecord};
pub use time_limits::HttpTimeouts;

use bytes::Bytes;
use failure::precise;
use http_body_util::{BodyExt, Full};
use std::net::IpAddr;
use std::sync::Arc;
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

    /// Whether the host is this machine: `localhost`, 127.0.0.0/8 or ::1.
    pub fn is_loopback(&self) -> bool {
        // The URI keeps an IPv6 host in brackets.
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// A warning when requests to this origin would carry the keys in clear
    /// text over a network: plain `http://` to anything but this machine.
    pub fn cleartext_warning(&self) -> Option<String> {
        (self.scheme == "http" && !self.is_loopback()).then(|| {
            format!(
                "{self} is plain HTTP to another machine: the API keys would cross the \
                 network in clear text; use https://"
            )
        })
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
            log.lock().expect("egress log").record(EgressRecord {
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

    #[test]
    fn plain_http_is_warned_about_unless_it_stays_on_this_machine() {
        let warning = |u: &str| Origin::parse(u).unwrap().cleartext_warning();
        for local in [
            "http://127.0.0.1:8787",
            "http://127.8.9.10",
            "http://[::1]:8080/v1",
            "http://localhost:8787",
            "http://LOCALHOST",
            "https://api.anthropic.com",
            "https://10.0.0.5",
        ] {
            assert_eq!(warning(local), None, "{local}");
        }
        assert_eq!(
            warning("http://api.example.com/v1").as_deref(),
            Some(
                "http://api.example.com:80 is plain HTTP to another machine: the API keys \
                 would cross the network in clear text; use https://"
            )
        );
        for remote in [
            "http://10.0.0.5:8080",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
            "http://128.0.0.1",
        ] {
            assert!(warning(remote).is_some(), "{remote}");
        }
    }
}
