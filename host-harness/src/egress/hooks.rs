//! The `wasi:http` hooks: every outgoing request of the plugin arrives here.
//! It is logged and checked against the [`EgressPolicy`] before anything is
//! opened, so a refused host never gets a connection; an allowed one goes out
//! through the connection's [`HttpTransport`] (pooled connections, the shared
//! request budget, the time limits).

use super::EgressPolicy;
use super::budget::RequestRate;
use super::log::{EgressLog, EgressRecord};
use super::stats::RequestCount;
use super::time_limits::HttpTimeouts;
use super::transport::HttpTransport;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::sync::Arc;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// The way out of one connection: its transport and the rate it may use.
#[derive(Clone)]
pub struct Route {
    pub transport: Arc<HttpTransport>,
    pub rate: RequestRate,
}

/// The `wasi:http` hooks enforcing an [`EgressPolicy`] and [`HttpTimeouts`].
pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    log: EgressLog,
    timeouts: HttpTimeouts,
    /// None for calls without a connection, whose policy allows nothing.
    route: Option<Route>,
    /// Counts the requests sent, when the caller asked.
    sent: Option<RequestCount>,
}

impl EgressHooks {
    pub fn new(
        policy: Arc<EgressPolicy>,
        log: EgressLog,
        timeouts: HttpTimeouts,
        route: Option<Route>,
        sent: Option<RequestCount>,
    ) -> Self {
        Self {
            policy,
            log,
            timeouts,
            route,
            sent,
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
        let route = self.route.clone();
        let sent = self.sent.clone();
        Box::new(async move {
            // Buffer the body before anything else: the guest writes it while
            // awaiting the response, and a body dropped early fails the request.
            let (parts, body) = request.into_parts();
            let body: Bytes = body.collect().await?.to_bytes();
            let allowed = policy.allows(&parts.uri) && route.is_some();
            log.lock().expect("egress log").record(EgressRecord {
                method: parts.method.to_string(),
                url: parts.uri.to_string(),
                allowed,
            });
            let Some(route) = route.filter(|_| allowed) else {
                return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
            };
            if let Some(sent) = &sent {
                sent.add_one();
            }
            let request = http::Request::from_parts(parts, Full::new(body));
            let response = route
                .transport
                .send(request, options, timeouts, route.rate)
                .await?;
            // The pooled client drives its connections in tasks of its own:
            // there is no connection future left for `wasi:http` to run.
            let io = async { Ok(()) };
            Ok((response, Box::new(io) as Box<dyn Future<Output = _> + Send>))
        })
    }
}
