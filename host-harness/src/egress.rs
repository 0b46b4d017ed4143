//! The outgoing-HTTP policy: every `wasi:http` request of the plugin passes
//! here. Only the hosts the connection allows (its base URL's host) are
//! reached; anything else is refused with `HttpRequestDenied` and reported.
//! Every request, allowed or not, is logged (method, URL, decision: no headers,
//! so no key); the log keeps the most recent ones and totals of the rest. An
//! allowed request goes out through the connection's [`HttpTransport`]: a pool
//! of keep-alive connections, a request budget shared by all of the
//! connection's calls ([`RequestRate`], the API's rate-limit headers, 429s),
//! the host's time limits ([`HttpTimeouts`]), failures reported precisely, and
//! counters of it all ([`HttpStats`]). The transport may go through a company
//! proxy ([`ProxySettings`]) and trust a company CA ([`ExtraRoots`]); the
//! policy is checked before either, on the API origin the plugin asked for,
//! so a proxy is never a way around it.

mod budget;
mod certificate;
mod client;
mod connector;
mod failure;
mod hooks;
mod log;
mod proxy;
mod rate_limit_headers;
mod stats;
mod time_limits;
mod transport;
mod trust;

pub use budget::{MAX_HOLD, RequestRate};
pub use client::{ClientSettings, client_config};
pub use hooks::{EgressHooks, Route};
pub use log::{DEFAULT_CAPACITY, EgressHistory, EgressLog, EgressRecord};
pub use proxy::{ProxyChoice, ProxyError, ProxySettings};
pub use stats::{HttpStats, RequestCount};
pub use time_limits::HttpTimeouts;
pub use transport::HttpTransport;
pub use trust::{CaCertError, ExtraRoots};

use std::net::IpAddr;

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
