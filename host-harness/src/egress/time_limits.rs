//! The time the host gives every outgoing request of a plugin, whatever the
//! plugin asked for: a ceiling on each stage's timeout, and a deadline for the
//! whole request, body included. Without them a plugin that sets no timeouts
//! gets the HTTP client's (600 s a stage), and a server trickling one byte at
//! a time never trips a between-bytes timeout at all.

use super::failure::precise;
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::time::{Instant, Sleep};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// Ceilings on one request's timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// Opening the connection (TCP and TLS).
    pub connect: Duration,
    /// From sending the request to the first byte of the answer.
    pub first_byte: Duration,
    /// The longest silence between two parts of the body.
    pub between_bytes: Duration,
    /// The whole request, from sending to the last byte of the body.
    pub whole_request: Duration,
}

impl Default for HttpTimeouts {
    /// A little above the plugin's own limits (10 s, 60 s, 30 s, 120 s), so a
    /// plugin that sets them hits its own first, with its own clearer words;
    /// and well inside the 300 s a call into the plugin may take.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(15),
            first_byte: Duration::from_secs(75),
            between_bytes: Duration::from_secs(45),
            whole_request: Duration::from_secs(150),
        }
    }
}

impl HttpTimeouts {
    /// The plugin's options, each timeout capped by its ceiling.
    pub fn cap(&self, asked: Option<RequestOptions>) -> RequestOptions {
        let asked = asked.unwrap_or_default();
        let capped = |asked: Option<Duration>, ceiling: Duration| {
            Some(asked.map_or(ceiling, |a| a.min(ceiling)))
        };
        RequestOptions {
            connect_timeout: capped(asked.connect_timeout, self.connect),
            first_byte_timeout: capped(asked.first_byte_timeout, self.first_byte),
            between_bytes_timeout: capped(asked.between_bytes_timeout, self.between_bytes),
        }
    }
}

/// A response body that fails with [`Error::HttpResponseTimeout`] once the
/// request's deadline passes, and reports the client's failures precisely.
pub struct DeadlineBody {
    inner: WasiBody,
    deadline: Pin<Box<Sleep>>,
}

impl DeadlineBody {
    pub fn new(inner: WasiBody, deadline: Instant) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Error::HttpResponseTimeout)));
        }
        Pin::new(&mut self.inner).poll_frame(cx).map_err(precise)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that fails with [`Error::ConnectionReadTimeout`] when no
/// part of it arrives for `limit`, and reports the client's failures precisely.
pub struct BetweenBytesBody<B> {
    inner: B,
    limit: Duration,
    silence: Pin<Box<Sleep>>,
}

impl<B> BetweenBytesBody<B> {
    /// The silence is counted from now: the headers were the last to arrive.
    pub fn new(inner: B, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            silence: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl<B> Body for BetweenBytesBody<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = Instant::now() + self.limit;
                self.silence.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(precise(e.into())))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                ready!(self.silence.as_mut().poll(cx));
                Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
            }
        }
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

    #[test]
    fn the_plugin_may_ask_for_less_time_but_never_more() {
        let ceilings = HttpTimeouts::default();
        let asked = RequestOptions {
            connect_timeout: Some(Duration::from_secs(5)),
            first_byte_timeout: Some(Duration::from_secs(600)),
            between_bytes_timeout: None,
        };
        assert_eq!(
            ceilings.cap(Some(asked)),
            RequestOptions {
                connect_timeout: Some(Duration::from_secs(5)),
                first_byte_timeout: Some(ceilings.first_byte),
                between_bytes_timeout: Some(ceilings.between_bytes),
            }
        );
        assert_eq!(ceilings.cap(None).connect_timeout, Some(ceilings.connect));
    }

    /// A body that never sends anything and never ends.
    struct Silent;

    impl Body for Silent {
        type Data = Bytes;
        type Error = Error;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn a_body_still_arriving_at_the_deadline_fails_as_a_timeout() {
        use http_body_util::BodyExt;
        let body = DeadlineBody::new(
            Silent.boxed_unsync(),
            Instant::now() + Duration::from_millis(50),
        );
        let err = body
            .collect()
            .await
            .expect_err("the deadline ends the body");
        assert!(matches!(err, Error::HttpResponseTimeout), "{err}");
    }

    #[tokio::test]
    async fn a_body_silent_for_too_long_fails_as_a_read_timeout() {
        use http_body_util::BodyExt;
        let body = BetweenBytesBody::new(Silent, Duration::from_millis(50));
        let err = body.collect().await.expect_err("the silence ends the body");
        assert!(matches!(err, Error::ConnectionReadTimeout), "{err}");
        // A body that keeps arriving is not cut short.
        let whole = http_body_util::Full::new(Bytes::from_static(b"{}"))
            .map_err(|never| -> Error { match never {} });
        let body = BetweenBytesBody::new(whole, Duration::from_millis(50));
        assert_eq!(&body.collect().await.unwrap().to_bytes()[..], b"{}");
    }
}
