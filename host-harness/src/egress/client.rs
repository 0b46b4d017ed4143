//! The connection's HTTP client: hyper-util's client with its pool of
//! keep-alive HTTP/1.1 connections, one pool per connection, shared by every
//! call into the plugin. A page read after another reuses the connection the
//! last one left idle instead of paying for TCP (and TLS) again.
//!
//! What the client is built with is [`ClientSettings`]: the connect timeout,
//! how long an idle connection is kept, the proxies and the certificate
//! authorities trusted besides the public ones. Connections through a proxy
//! are pooled like the others (keyed by the API's origin, as the tunnel is).

use super::connector::{Connector, Reach};
use super::failure::client_failure;
use super::proxy::ProxySettings;
use super::stats::HttpCounters;
use super::trust::ExtraRoots;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::capture_connection;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls::{self, ClientConfig};
use wasmtime_wasi_http::{Error, RequestOptions};

/// How the pooled client connects and keeps connections.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// The longest any connection may take to open (TCP and TLS); a request
    /// may ask for less (see [`super::HttpTimeouts`]).
    pub connect_timeout: Duration,
    /// How long an idle connection is kept for the next request. Servers
    /// close idle connections after a while of their own; closing ours first
    /// avoids sending a request into one they are closing.
    pub idle_timeout: Duration,
    /// The proxies requests go through (none by default).
    pub proxy: ProxySettings,
    /// Authorities trusted on top of the public roots (`--ca-cert`).
    pub extra_roots: ExtraRoots,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: super::HttpTimeouts::default().connect,
            idle_timeout: Duration::from_secs(30),
            proxy: ProxySettings::default(),
            extra_roots: ExtraRoots::default(),
        }
    }
}

/// A keep-alive HTTP/1.1 client with a connection pool per origin.
pub struct PooledClient {
    client: Client<Connector, Full<Bytes>>,
}

impl PooledClient {
    pub fn new(settings: ClientSettings, counters: Arc<HttpCounters>) -> Self {
        let reach = Reach {
            tls: tls_config(&settings.extra_roots),
            extra_roots: !settings.extra_roots.is_empty(),
            proxy: settings.proxy,
        };
        let connector = Connector::new(reach, settings.connect_timeout, counters);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(settings.idle_timeout)
            .build(connector);
        Self { client }
    }

    /// Send `request` (an absolute URL) and wait for the response's headers,
    /// within `limits`: `connect_timeout` to get a connection (an idle one at
    /// once, or a new one), then `first_byte_timeout` for the answer. The
    /// body's own limits are the caller's to apply.
    pub async fn send(
        &self,
        mut request: http::Request<Full<Bytes>>,
        limits: &RequestOptions,
    ) -> Result<http::Response<Incoming>, Error> {
        let defaults = super::HttpTimeouts::default();
        let connect = limits.connect_timeout.unwrap_or(defaults.connect);
        let first_byte = limits.first_byte_timeout.unwrap_or(defaults.first_byte);
        // The client tells when the request has its connection: the connect
        // stage ends there, and the first-byte stage begins.
        let mut connection = capture_connection(&mut request);
        let mut response = std::pin::pin!(self.client.request(request));
        let connected = async {
            tokio::select! {
                biased;
                answered = &mut response => Some(answered),
                _ = async { connection.wait_for_connection_metadata().await.is_some() } => None,
            }
        };
        let answered = tokio::time::timeout(connect, connected)
            .await
            .map_err(|_| Error::ConnectionTimeout)?;
        let answered = match answered {
            Some(answered) => answered,
            None => tokio::time::timeout(first_byte, response)
                .await
                .map_err(|_| Error::ConnectionReadTimeout)?,
        };
        answered.map_err(|e| client_failure(&e))
    }
}

/// Server certificates are checked against the Mozilla roots (and `extra`),
/// with rustls on `ring`: the same stack `wasmtime-wasi-http` uses, so nothing
/// else is built.
fn tls_config(extra: &ExtraRoots) -> Arc<ClientConfig> {
    Arc::new(client_config(extra))
}

/// A TLS client trusting the public roots and `extra`, on the ring provider
/// rustls is built with here: the API's and the database's alike.
pub fn client_config(extra: &ExtraRoots) -> ClientConfig {
    let roots = extra.root_store();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls's default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
