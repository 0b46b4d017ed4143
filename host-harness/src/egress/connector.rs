//! How the pooled client reaches an origin when it has no idle connection to
//! it: TCP (DNS, both address families, `TCP_NODELAY`, a connect timeout:
//! hyper-util's `HttpConnector`), through the connection's proxy when one
//! applies (hyper-util's `CONNECT` [`Tunnel`], see [`super::proxy`]), then TLS
//! for `https` (rustls, with the roots the client was built with). Each
//! connection opened is counted.
//!
//! Its failures keep what the plugin needs to name them (a DNS failure, a
//! refused connection, a timeout, TLS, a rejected certificate, a proxy that
//! would not tunnel), as [`ConnectFailure`]: the client hands them back
//! wrapped in its own error, from which [`super::failure`] takes them out again.

use super::Origin;
use super::certificate::RejectedCertificate;
use super::proxy::{ProxyRoute, ProxySettings};
use super::stats::HttpCounters;
use http::Uri;
use http::uri::Scheme;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig};
use tower_service::Service;

/// Opens connections for the pooled client.
#[derive(Clone)]
pub struct Connector {
    tcp: HttpConnector,
    tls: TlsConnector,
    /// Whether `--ca-cert` added authorities: an unknown issuer is then
    /// described differently.
    extra_roots: bool,
    proxy: ProxySettings,
    /// Covers TCP, the proxy's tunnel and TLS together: a connection not up
    /// by then is abandoned, even one no request waits for any more.
    timeout: Duration,
    counters: Arc<HttpCounters>,
}

/// How the connector reaches the origins: the TLS configuration (with
/// whether it trusts more than the public roots) and the proxies.
pub struct Reach {
    pub tls: Arc<ClientConfig>,
    pub extra_roots: bool,
    pub proxy: ProxySettings,
}

impl Connector {
    pub fn new(reach: Reach, timeout: Duration, counters: Arc<HttpCounters>) -> Self {
        let mut tcp = HttpConnector::new();
        // `https` URLs come here too; TLS is layered on below.
        tcp.enforce_http(false);
        // Requests and answers are small writes: Nagle would only delay them.
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(timeout));
        Self {
            tcp,
            tls: TlsConnector::from(reach.tls),
            extra_roots: reach.extra_roots,
            proxy: reach.proxy,
            timeout,
            counters,
        }
    }

    /// A TCP stream to `uri`'s origin: direct, or through the proxy's tunnel.
    fn open_tcp(
        &mut self,
        uri: &Uri,
    ) -> Pin<Box<dyn Future<Output = Result<TcpStream, ConnectFailure>> + Send>> {
        let Some(route) = self.proxy.route(uri) else {
            let tcp = self.tcp.call(uri.clone());
            return Box::pin(async move {
                Ok(tcp.await.map_err(|e| ConnectFailure::tcp(&e))?.into_inner())
            });
        };
        let target = tunnel_target(uri);
        let mut tunnel = Tunnel::new(route.proxy.clone(), self.tcp.clone());
        if let Some(authorization) = route.authorization.clone() {
            tunnel = tunnel.with_auth(authorization);
        }
        // No readiness to wait for: `Tunnel` is ready when `HttpConnector`
        // is, and that always is.
        let tunnelled = tunnel.call(target.clone());
        Box::pin(async move {
            match tunnelled.await {
                Ok(io) => Ok(io.into_inner()),
                Err(error) => Err(ConnectFailure::proxy(&route, &target, &error)),
            }
        })
    }
}

/// What `CONNECT` asks the proxy for: the origin with its port spelt out
/// (hyper-util assumes 443 when the URL has none, which is wrong for `http`).
fn tunnel_target(uri: &Uri) -> Uri {
    Origin::of(uri)
        .and_then(|origin| {
            Uri::builder()
                .scheme(origin.scheme.as_str())
                .authority(format!("{}:{}", origin.host, origin.port))
                .path_and_query("/")
                .build()
                .ok()
        })
        .unwrap_or_else(|| uri.clone())
}

type Connecting = Pin<Box<dyn Future<Output = Result<TokioIo<Stream>, ConnectFailure>> + Send>>;

impl Service<Uri> for Connector {
    type Response = TokioIo<Stream>;
    type Error = ConnectFailure;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ConnectFailure>> {
        self.tcp.poll_ready(cx).map_err(|e| ConnectFailure::tcp(&e))
    }

    fn call(&mut self, uri: Uri) -> Connecting {
        let tcp = self.open_tcp(&uri);
        let tls = (uri.scheme() == Some(&Scheme::HTTPS)).then(|| self.tls.clone());
        let counters = self.counters.clone();
        let timeout = self.timeout;
        let extra_roots = self.extra_roots;
        let connect = async move {
            let tcp = tcp.await?;
            counters.connection_opened();
            let stream = match tls {
                None => Stream::Plain(tcp),
                Some(tls) => {
                    let name = server_name(&uri)?;
                    let tls = tls
                        .connect(name, tcp)
                        .await
                        .map_err(|e| ConnectFailure::tls(&e, &uri, extra_roots))?;
                    Stream::Tls(Box::new(tls))
                }
            };
            Ok(TokioIo::new(stream))
        };
        Box::pin(async move {
            tokio::time::timeout(timeout, connect)
                .await
                .unwrap_or(Err(ConnectFailure::TimedOut))
        })
    }
}

/// The name the server's certificate must carry: the URL's host, or its IP address.
fn server_name(uri: &Uri) -> Result<ServerName<'static>, ConnectFailure> {
    let host = uri.host().unwrap_or_default();
    // The URI keeps an IPv6 host in brackets.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ServerName::from(ip));
    }
    ServerName::try_from(host.to_owned()).map_err(|_| ConnectFailure::ServerName(host.to_owned()))
}

/// Why no connection could be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectFailure {
    /// DNS or TCP: `context` says which ("dns error", "tcp connect error").
    #[error("{context}: {message}")]
    Tcp {
        context: String,
        kind: io::ErrorKind,
        message: String,
    },
    #[error("the connection was not up in time")]
    TimedOut,
    #[error("TLS handshake failed: {message}")]
    Tls {
        kind: io::ErrorKind,
        message: String,
    },
    /// The server's certificate was not accepted: what was wrong, and what to do.
    #[error("{}", .0.description)]
    Certificate(RejectedCertificate),
    #[error("`{0}` is not a name a TLS certificate can be checked against")]
    ServerName(String),
    /// The proxy could not be reached or would not open the tunnel; the
    /// message names the proxy (never its credentials) and what to do.
    #[error("{0}")]
    Proxy(String),
}

impl ConnectFailure {
    /// From a failed TLS handshake with `uri`'s server: a rejected
    /// certificate is described (see [`super::certificate`]).
    fn tls(error: &io::Error, uri: &Uri, extra_roots: bool) -> Self {
        let rejected = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if let Some(rustls::Error::InvalidCertificate(problem)) = rejected {
            let host = Origin::of(uri).map_or_else(
                || uri.host().unwrap_or_default().to_owned(),
                |o| format!("{}:{}", o.host, o.port),
            );
            return Self::Certificate(RejectedCertificate::describe(problem, &host, extra_roots));
        }
        Self::Tls {
            kind: error.kind(),
            message: error.to_string(),
        }
    }

    /// From the proxy's tunnel to `target` failing, in words that name the
    /// proxy and say what to do.
    fn proxy(route: &ProxyRoute, target: &Uri, error: &(dyn std::error::Error + 'static)) -> Self {
        let proxy = route.proxy.to_string();
        let proxy = proxy.trim_end_matches('/');
        let target = target.authority().map_or("the API", |a| a.as_str());
        Self::Proxy(match TunnelProblem::of(error) {
            TunnelProblem::Unreachable => {
                let why = match error.source().map(Self::tcp) {
                    Some(Self::TimedOut) => "it did not answer in time".to_owned(),
                    Some(Self::Tcp { message, .. }) => message,
                    _ => error.to_string(),
                };
                format!(
                    "could not connect to the proxy {proxy} ({why}); check the proxy's address \
                     (--proxy, HTTPS_PROXY), or list {target} in NO_PROXY to reach it directly"
                )
            }
            TunnelProblem::AuthRequired if route.authorization.is_some() => format!(
                "the proxy {proxy} refused its credentials (407 Proxy Authentication Required); \
                 check the user and password in the proxy URL"
            ),
            TunnelProblem::AuthRequired => format!(
                "the proxy {proxy} asks for credentials (407 Proxy Authentication Required); put \
                 them in the proxy URL, http://USER:PASSWORD@host:port, in HTTPS_PROXY or the \
                 connections file (never on the command line)"
            ),
            TunnelProblem::Refused => format!(
                "the proxy {proxy} refused to open a tunnel to {target} (its answer to CONNECT was \
                 not 200); ask whoever runs it to allow {target}"
            ),
            TunnelProblem::Closed => format!(
                "the proxy {proxy} closed the connection while opening a tunnel to {target}"
            ),
            TunnelProblem::Other => {
                format!("the proxy {proxy} could not open a tunnel to {target} ({error})")
            }
        })
    }

    /// From hyper-util's error, keeping the I/O error inside it.
    fn tcp(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<io::Error>() {
                if io.kind() == io::ErrorKind::TimedOut {
                    return Self::TimedOut;
                }
                return Self::Tcp {
                    context: error.to_string(),
                    kind: io.kind(),
                    message: io.to_string(),
                };
            }
            source = cause.source();
        }
        Self::Tcp {
            context: error.to_string(),
            kind: io::ErrorKind::Other,
            message: error.to_string(),
        }
    }

    /// The `wasi:http` error the plugin gets. DNS and TCP failures go through
    /// `wasmtime-wasi-http`'s own reading of an I/O error (a failed lookup
    /// becomes a DNS error, the rest a refused connection), as they did when
    /// it opened the connections itself.
    pub fn to_wasi(&self) -> wasmtime_wasi_http::Error {
        use wasmtime_wasi_http::Error;
        match self {
            Self::Tcp { kind, message, .. } => {
                Error::Connect(io::Error::new(*kind, message.clone()))
            }
            Self::TimedOut => Error::ConnectionTimeout,
            Self::Tls { kind, message } => Error::Tls(io::Error::new(*kind, message.clone())),
            // The alert the client sent on rejecting the certificate, with
            // the description as its message (see `super::certificate`).
            Self::Certificate(rejected) => Error::TlsAlertReceived {
                alert_id: Some(rejected.alert),
                alert_message: Some(rejected.description.clone()),
            },
            Self::ServerName(_) => Error::DnsError {
                rcode: Some("invalid dns name".into()),
                info_code: None,
            },
            // `wasi:http` has no code for a proxy; its description is the message.
            Self::Proxy(description) => Error::InternalError(Some(description.clone())),
        }
    }
}

/// Why hyper-util's tunnel failed. Its error type is not exported (0.1.21:
/// its module is private), so the variants are told apart by their fixed
/// `Display` texts; `Other` keeps any text a later version may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TunnelProblem {
    Unreachable,
    AuthRequired,
    Refused,
    Closed,
    Other,
}

impl TunnelProblem {
    fn of(error: &dyn std::error::Error) -> Self {
        match error.to_string().trim_start_matches("tunnel error: ") {
            "failed to create underlying connection" => Self::Unreachable,
            "proxy authorization required" => Self::AuthRequired,
            "unsuccessful" => Self::Refused,
            "unexpected end of file" | "io error establishing tunnel" => Self::Closed,
            _ => Self::Other,
        }
    }
}

/// A connection, in clear or over TLS.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        match self {
            Self::Plain(tcp) => tcp.connected(),
            Self::Tls(tls) => tls.get_ref().0.connected(),
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            Self::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_are_checked_against_the_host_or_its_address() {
        let name = |url: &str| server_name(&url.parse().unwrap());
        assert_eq!(
            name("https://api.anthropic.com/v1").unwrap(),
            ServerName::try_from("api.anthropic.com").unwrap()
        );
        assert_eq!(
            name("https://127.0.0.1:8443/").unwrap(),
            ServerName::from("127.0.0.1".parse::<IpAddr>().unwrap())
        );
        assert_eq!(
            name("https://[::1]:8443/").unwrap(),
            ServerName::from("::1".parse::<IpAddr>().unwrap())
        );
    }

    #[test]
    fn failures_become_the_errors_the_plugin_names() {
        use wasmtime_wasi_http::Error;
        let lookup = ConnectFailure::Tcp {
            context: "dns error".into(),
            kind: io::ErrorKind::Other,
            message: "failed to lookup address information: Name or service not known".into(),
        };
        assert!(matches!(lookup.to_wasi(), Error::Connect(e)
            if e.to_string().starts_with("failed to lookup address information")));
        assert!(matches!(
            ConnectFailure::TimedOut.to_wasi(),
            Error::ConnectionTimeout
        ));
        let refused = io::Error::new(io::ErrorKind::ConnectionRefused, "refused");
        let wrapped = Wrapper("tcp connect error", refused);
        assert_eq!(
            ConnectFailure::tcp(&wrapped),
            ConnectFailure::Tcp {
                context: "tcp connect error".into(),
                kind: io::ErrorKind::ConnectionRefused,
                message: "refused".into(),
            }
        );
        let timed_out = Wrapper("tcp connect error", io::ErrorKind::TimedOut.into());
        assert_eq!(ConnectFailure::tcp(&timed_out), ConnectFailure::TimedOut);
    }

    /// An error with an I/O cause, as hyper-util's connect errors are.
    #[derive(Debug)]
    struct Wrapper(&'static str, io::Error);

    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.1)
        }
    }
}
