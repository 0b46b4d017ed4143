//! Response bodies that misbehave on purpose, the way a bad network or a
//! struggling server does: one that trickles, one that breaks off.

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// Every body the mock sends: whole, or one of the faulty ones below.
pub type MockBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// A whole body.
pub fn whole(bytes: impl Into<Bytes>) -> MockBody {
    use http_body_util::BodyExt;
    http_body_util::Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// A body sent one byte at a time, `interval` apart (its length announced up front).
pub struct Trickle {
    rest: Bytes,
    interval: Duration,
    pause: Pin<Box<Sleep>>,
}

impl Trickle {
    pub fn new(bytes: impl Into<Bytes>, interval: Duration) -> Self {
        Self {
            rest: bytes.into(),
            interval,
            pause: Box::pin(tokio::time::sleep(Duration::ZERO)),
        }
    }
}

impl Body for Trickle {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.rest.is_empty() {
            return Poll::Ready(None);
        }
        if self.pause.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let next = tokio::time::Instant::now() + self.interval;
        self.pause.as_mut().reset(next);
        let byte = self.rest.split_to(1);
        Poll::Ready(Some(Ok(Frame::data(byte))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.rest.len() as u64)
    }
}

/// A body that announces its full length, sends the first half, then fails:
/// the server drops the connection mid-body. The failure waits a moment, so
/// the first half is on the wire before the connection goes.
pub struct BreaksOff {
    first_half: Option<Bytes>,
    announced: u64,
    pause: Pin<Box<Sleep>>,
}

impl BreaksOff {
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        let mut bytes: Bytes = bytes.into();
        let announced = bytes.len() as u64;
        bytes.truncate(bytes.len() / 2);
        Self {
            first_half: Some(bytes),
            announced,
            pause: Box::pin(tokio::time::sleep(Duration::from_millis(100))),
        }
    }
}

impl Body for BreaksOff {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(half) = self.first_half.take() {
            return Poll::Ready(Some(Ok(Frame::data(half))));
        }
        if self.pause.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the mock drops the connection mid-body",
        ))))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.announced)
    }
}
