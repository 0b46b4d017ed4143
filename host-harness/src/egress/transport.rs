//! What every call of one connection shares to reach the API: the pooled
//! client, the request budget and the counters. Each call into the plugin gets
//! a fresh store and fresh hooks, so these live with the connection
//! ([`crate::runtime::ConnectionConfig`] holds them behind an `Arc`) and every
//! call, concurrent or one after another, draws on the same ones.

use super::budget::{Lane, RequestBudget, RequestRate};
use super::client::{ClientSettings, PooledClient};
use super::rate_limit_headers::BudgetSignal;
use super::stats::{HttpCounters, HttpStats, TimedBody};
use super::time_limits::{BetweenBytesBody, DeadlineBody, HttpTimeouts};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use std::sync::Arc;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// A connection's way out to the API.
pub struct HttpTransport {
    client: PooledClient,
    budget: RequestBudget,
    counters: Arc<HttpCounters>,
}

impl Default for HttpTransport {
    fn default() -> Self {
        Self::new(ClientSettings::default())
    }
}

impl HttpTransport {
    pub fn new(settings: ClientSettings) -> Self {
        let counters = Arc::new(HttpCounters::default());
        Self {
            client: PooledClient::new(settings, counters.clone()),
            budget: RequestBudget::default(),
            counters,
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> HttpStats {
        self.counters.snapshot()
    }

    /// Send a request the egress policy allowed: wait for its turn in the
    /// budget (`rate`), send it within `timeouts` (each stage capped, and a
    /// deadline for the whole, body included, counted from when it leaves the
    /// budget), and take in what the answer says about the API's budget.
    pub async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
        asked: Option<RequestOptions>,
        timeouts: HttpTimeouts,
        rate: RequestRate,
    ) -> Result<http::Response<WasiBody>, Error> {
        let lane = Lane::of(request.uri().path());
        let waited = self.budget.wait_turn(lane, rate).await;
        self.counters.paced_for(waited);
        let in_flight = self.counters.request_sent();
        let limits = timeouts.cap(asked);
        let deadline = tokio::time::Instant::now() + timeouts.whole_request;
        let response = tokio::time::timeout_at(deadline, self.client.send(request, &limits))
            .await
            .map_err(|_| Error::HttpResponseTimeout)??;
        self.budget.observe(
            lane,
            BudgetSignal::read(response.status(), response.headers(), chrono::Utc::now()),
        );
        let between_bytes = limits
            .between_bytes_timeout
            .unwrap_or(timeouts.between_bytes);
        Ok(response.map(|body| {
            let body = BetweenBytesBody::new(body, between_bytes).boxed_unsync();
            TimedBody::new(DeadlineBody::new(body, deadline), in_flight).boxed_unsync()
        }))
    }
}
