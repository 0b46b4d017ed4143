//! What a connection's HTTP has cost so far, for the sync report: requests
//! sent, TCP connections opened, bytes received, time spent with requests in
//! flight and time spent waiting on the request budget. Counted with atomics,
//! so every concurrent call of the connection adds to the same totals and a
//! snapshot costs five loads.

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;

/// A snapshot of a connection's HTTP counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct HttpStats {
    /// Requests handed to the HTTP client (allowed by the policy and the budget).
    pub requests: u64,
    /// New TCP connections opened; the rest of the requests reused one.
    pub connections_opened: u64,
    /// The sum of every request's time in flight: from leaving the budget to
    /// the last byte of its body (or its failure, or the plugin dropping it).
    /// Concurrent requests each count, so this can exceed the wall time.
    #[serde(
        rename = "in_flight_ms",
        serialize_with = "crate::duration_ms::serialize"
    )]
    pub in_flight: Duration,
    /// The sum of the time requests waited on the request budget before being sent.
    #[serde(rename = "paced_ms", serialize_with = "crate::duration_ms::serialize")]
    pub paced: Duration,
    /// Bytes of response bodies received.
    pub received_bytes: u64,
}

impl HttpStats {
    /// What happened between `earlier` and this snapshot of the same counters.
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            requests: self.requests.saturating_sub(earlier.requests),
            connections_opened: self
                .connections_opened
                .saturating_sub(earlier.connections_opened),
            in_flight: self.in_flight.saturating_sub(earlier.in_flight),
            paced: self.paced.saturating_sub(earlier.paced),
            received_bytes: self.received_bytes.saturating_sub(earlier.received_bytes),
        }
    }
}

/// The live counters behind [`HttpStats`].
#[derive(Debug, Default)]
pub struct HttpCounters {
    requests: AtomicU64,
    connections_opened: AtomicU64,
    in_flight_nanos: AtomicU64,
    paced_nanos: AtomicU64,
    received_bytes: AtomicU64,
}

impl HttpCounters {
    pub fn snapshot(&self) -> HttpStats {
        HttpStats {
            requests: self.requests.load(Ordering::Relaxed),
            connections_opened: self.connections_opened.load(Ordering::Relaxed),
            in_flight: Duration::from_nanos(self.in_flight_nanos.load(Ordering::Relaxed)),
            paced: Duration::from_nanos(self.paced_nanos.load(Ordering::Relaxed)),
            received_bytes: self.received_bytes.load(Ordering::Relaxed),
        }
    }

    pub fn connection_opened(&self) {
        self.connections_opened.fetch_add(1, Ordering::Relaxed);
    }

    pub fn paced_for(&self, waited: Duration) {
        self.paced_nanos.fetch_add(nanos(waited), Ordering::Relaxed);
    }

    /// Count a request as sent and start its in-flight clock.
    pub fn request_sent(self: &Arc<Self>) -> InFlight {
        self.requests.fetch_add(1, Ordering::Relaxed);
        InFlight {
            counters: self.clone(),
            since: Instant::now(),
            done: false,
        }
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

/// One request's in-flight clock: stops once, when the request is over
/// (its body ended or failed) or when it is dropped, whichever comes first.
#[derive(Debug)]
pub struct InFlight {
    counters: Arc<HttpCounters>,
    since: Instant,
    done: bool,
}

impl InFlight {
    fn stop(&mut self) {
        if !std::mem::replace(&mut self.done, true) {
            self.counters
                .in_flight_nanos
                .fetch_add(nanos(self.since.elapsed()), Ordering::Relaxed);
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A response body that stops its request's in-flight clock at its end.
pub struct TimedBody<B> {
    inner: B,
    clock: InFlight,
}

impl<B> TimedBody<B> {
    pub fn new(inner: B, clock: InFlight) -> Self {
        Self { inner, clock }
    }
}

impl<B> Body for TimedBody<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.clock
                .counters
                .received_bytes
                .fetch_add(data.len() as u64, Ordering::Relaxed);
        }
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.clock.stop();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};

    #[tokio::test]
    async fn a_request_is_in_flight_until_its_body_ends() {
        let counters = Arc::new(HttpCounters::default());
        let clock = counters.request_sent();
        tokio::time::sleep(Duration::from_millis(30)).await;
        let body = TimedBody::new(Full::new(Bytes::from_static(b"{}")), clock);
        let held = body.collect().await.unwrap().to_bytes();
        assert_eq!(&held[..], b"{}");
        // Stopped at the end of the body: time after it is not counted.
        let at_end = counters.snapshot();
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(counters.snapshot(), at_end);
        assert_eq!((at_end.requests, at_end.received_bytes), (1, 2));
        assert!(at_end.in_flight >= Duration::from_millis(30), "{at_end:?}");
    }

    #[test]
    fn a_dropped_request_stops_its_clock_once() {
        let counters = Arc::new(HttpCounters::default());
        let mut clock = counters.request_sent();
        clock.stop();
        let stopped = counters.snapshot().in_flight;
        drop(clock);
        assert_eq!(counters.snapshot().in_flight, stopped);
        counters.connection_opened();
        counters.paced_for(Duration::from_secs(2));
        let stats = counters.snapshot();
        assert_eq!(
            (stats.requests, stats.connections_opened, stats.paced),
            (1, 1, Duration::from_secs(2))
        );
    }
}

/// The requests one caller's plugin calls sent, counted apart from the
/// connection's totals: a sync counts each stream's this way, retries included.
#[derive(Debug, Clone, Default)]
pub struct RequestCount(Arc<AtomicU64>);

impl RequestCount {
    pub fn add_one(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The requests counted since the last take, counting from zero again.
    pub fn take(&self) -> u64 {
        self.0.swap(0, Ordering::Relaxed)
    }
}
