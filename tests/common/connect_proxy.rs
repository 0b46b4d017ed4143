//! A company proxy on loopback, started by the test: it answers `CONNECT`
//! only (hyper's server, with upgrades), records every tunnel asked for, may
//! require credentials (407 without the right ones), and joins an opened
//! tunnel to 127.0.0.1 on the target's port whatever the target's host: the
//! tests' API host names (`api.example.test`) resolve nowhere, so a request
//! that arrives did come through this proxy.

use bytes::Bytes;
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One `CONNECT` the proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelAsked {
    /// `host:port`, as the client asked.
    pub target: String,
    /// The `Proxy-Authorization` header, if any.
    pub authorization: Option<String>,
    /// Whether the proxy opened it (the credentials were right).
    pub opened: bool,
}

pub struct ConnectProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<TunnelAsked>>>,
    task: JoinHandle<()>,
}

impl ConnectProxy {
    /// A proxy that requires this `Proxy-Authorization` value when given
    /// (`Basic …`, written out by the test rather than computed the way the
    /// host computes it).
    pub async fn start(required_authorization: Option<&str>) -> Self {
        let expected = required_authorization.map(str::to_owned);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorded = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = recorded.clone();
                let expected = expected.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let answer = tunnel(request, expected.as_deref(), &seen);
                        async move { Ok::<_, std::convert::Infallible>(answer) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                });
            }
        });
        Self { addr, seen, task }
    }

    /// `http://127.0.0.1:PORT`, with `user:password@` when given.
    pub fn url(&self, credentials: Option<&str>) -> String {
        match credentials {
            Some(c) => format!("http://{c}@{}", self.addr),
            None => format!("http://{}", self.addr),
        }
    }

    /// Every `CONNECT` so far, in order.
    pub fn tunnels(&self) -> Vec<TunnelAsked> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Answer one request: a `CONNECT` is recorded, then refused (407) or opened.
fn tunnel(
    request: Request<Incoming>,
    expected: Option<&str>,
    seen: &Mutex<Vec<TunnelAsked>>,
) -> Response<Empty<Bytes>> {
    let status = |code| {
        let mut response = Response::new(Empty::new());
        *response.status_mut() = code;
        response
    };
    if request.method() != Method::CONNECT {
        return status(StatusCode::METHOD_NOT_ALLOWED);
    }
    let target = request
        .uri()
        .authority()
        .map(ToString::to_string)
        .unwrap_or_default();
    let authorization = request
        .headers()
        .get(hyper::header::PROXY_AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let opened = expected.is_none_or(|e| authorization.as_deref() == Some(e));
    seen.lock().unwrap().push(TunnelAsked {
        target,
        authorization,
        opened,
    });
    if !opened {
        let mut refused = status(StatusCode::PROXY_AUTHENTICATION_REQUIRED);
        refused.headers_mut().insert(
            hyper::header::PROXY_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Basic realm=\"test\""),
        );
        return refused;
    }
    let port = request.uri().port_u16().unwrap_or(443);
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(request).await else {
            return;
        };
        let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", port)).await else {
            return;
        };
        let _ = tokio::io::copy_bidirectional(&mut TokioIo::new(upgraded), &mut upstream).await;
    });
    status(StatusCode::OK)
}
