//! Why a request got no complete response: which request, how far it got, and
//! what went wrong, in words a person can act on ("the connection dropped
//! after 512 bytes of the body" rather than "HttpProtocolError").
//!
//! The component maps `wasi:http` error codes onto [`Cause`]; the wording
//! lives here so it builds and is tested natively.

use std::fmt;
use std::time::Duration;
use thiserror::Error;

/// A request that got no complete response.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{endpoint}: {}", describe(.cause, .stage))]
pub struct TransportError {
    /// Method and path, e.g. `GET /v1/organizations/users`.
    pub endpoint: String,
    pub stage: Stage,
    pub cause: Cause,
}

/// How far the request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Before the status line and headers arrived (connecting, sending, waiting).
    Head,
    /// Reading the body, with the bytes received so far.
    Body { received: usize },
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The host's egress policy refused the destination.
    Denied,
    /// The host name could not be resolved (the resolver's answer, if any).
    Dns(Option<String>),
    /// The host name lookup timed out.
    DnsTimeout,
    /// Nothing accepted the connection.
    ConnectionRefused,
    /// No connection within the connect timeout.
    ConnectTimeout,
    /// The server went silent: nothing arrived within the first-byte or the
    /// between-bytes timeout.
    ReadTimeout,
    /// The response did not complete in the time the client or the host allows.
    ResponseTimeout,
    /// The request as a whole ran past its deadline.
    Deadline(Duration),
    /// The connection closed before the response was complete.
    ConnectionDropped,
    /// TLS failed (what the TLS layer said).
    Tls(String),
    /// The server's certificate was not accepted: the host's description of
    /// what was wrong and what to do, when it gave one.
    Certificate(Option<String>),
    /// The response's headers were too many or too large for the client.
    HeadersTooLarge(Option<String>),
    /// The server's answer is not valid HTTP.
    Protocol,
    /// Anything else, in the words of whoever reported it.
    Other(String),
}

/// The broad kind of a failure, for deciding what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Denied,
    TimedOut,
    /// A certificate this machine does not accept: retrying cannot help,
    /// trusting the right authority (or fixing the host name) does.
    Certificate,
    Failed,
}

impl Cause {
    /// The cause told by a failure's text, for a failure that comes as text
    /// only (wasmtime hands a failed body read to the guest that way). Known
    /// wordings of the HTTP stack are recognised; anything else is kept as is.
    pub fn from_description(text: &str) -> Self {
        let first_line = text.lines().next().unwrap_or_default().trim();
        let lower = text.to_ascii_lowercase();
        let says = |phrases: &[&str]| phrases.iter().any(|p| lower.contains(p));
        // Each cause as wasmtime words it, and as its error type's name.
        if says(&[
            "incomplete http response",
            "httpresponseincomplete",
            "connection closed before message completed",
            "end of file before message length reached",
            "connection terminated",
            "connectionterminated",
            "connection reset",
        ]) {
            Self::ConnectionDropped
        } else if says(&["connection read timeout", "connectionreadtimeout"]) {
            Self::ReadTimeout
        } else if says(&["http response timeout", "httpresponsetimeout"]) {
            Self::ResponseTimeout
        } else if says(&["http protocol error", "httpprotocolerror"]) {
            Self::Protocol
        } else {
            Self::Other(first_line.to_owned())
        }
    }
}

impl TransportError {
    pub fn new(endpoint: impl Into<String>, stage: Stage, cause: Cause) -> Self {
        Self {
            endpoint: endpoint.into(),
            stage,
            cause,
        }
    }

    pub fn kind(&self) -> FailureKind {
        match self.cause {
            Cause::Denied => FailureKind::Denied,
            Cause::DnsTimeout
            | Cause::ConnectTimeout
            | Cause::ReadTimeout
            | Cause::ResponseTimeout
            | Cause::Deadline(_) => FailureKind::TimedOut,
            Cause::Certificate(_) => FailureKind::Certificate,
            _ => FailureKind::Failed,
        }
    }
}

/// Whole seconds, or milliseconds below one second: `120 s`, `250 ms`.
struct Span(Duration);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= Duration::from_secs(1) {
            write!(f, "{} s", self.0.as_secs())
        } else {
            write!(f, "{} ms", self.0.as_millis())
        }
    }
}

fn describe(cause: &Cause, stage: &Stage) -> String {
    let body = match stage {
        Stage::Head => None,
        Stage::Body { received } => Some(*received),
    };
    match (cause, body) {
        // The code's name is kept: it is what the host's egress log and docs call it.
        (Cause::Denied, _) => {
            "the host's egress policy does not allow this destination (HttpRequestDenied)".into()
        }
        (Cause::Dns(Some(detail)), _) => {
            format!("the API's host name could not be resolved (DNS: {detail})")
        }
        (Cause::Dns(None), _) => "the API's host name could not be resolved (DNS)".into(),
        (Cause::DnsTimeout, _) => "the DNS lookup of the API's host name timed out".into(),
        (Cause::ConnectionRefused, _) => "the connection was refused".into(),
        (Cause::ConnectTimeout, _) => "no connection could be made in time".into(),
        (Cause::ReadTimeout, None) => "the server sent no answer in time".into(),
        (Cause::ReadTimeout, Some(n)) => {
            format!("the server stopped sending the body after {n} bytes")
        }
        (Cause::ResponseTimeout, None) => "the response did not arrive in time".into(),
        (Cause::ResponseTimeout, Some(n)) => {
            format!("the response did not complete in time ({n} bytes of the body received)")
        }
        (Cause::Deadline(limit), None) => format!(
            "no answer within the request's deadline of {}",
            Span(*limit)
        ),
        (Cause::Deadline(limit), Some(n)) => format!(
            "the body was still arriving when the request's deadline of {} passed ({n} bytes \
             received); the server is sending too slowly",
            Span(*limit)
        ),
        (Cause::ConnectionDropped, None) => {
            "the connection closed before the response headers arrived".into()
        }
        (Cause::ConnectionDropped, Some(n)) => {
            format!("the connection dropped mid-body, after {n} bytes")
        }
        (Cause::Tls(detail), _) => format!("the TLS connection failed ({detail})"),
        (Cause::Certificate(Some(detail)), _) => detail.clone(),
        (Cause::Certificate(None), _) => "the server's TLS certificate was not accepted".into(),
        (Cause::HeadersTooLarge(Some(detail)), _) => {
            format!("the response headers were too many or too large ({detail})")
        }
        (Cause::HeadersTooLarge(None), _) => {
            "the response headers were too many or too large for the client".into()
        }
        (Cause::Protocol, None) => {
            "the server's answer is not valid HTTP (a malformed status line or header)".into()
        }
        (Cause::Protocol, Some(n)) => {
            format!("the body broke the HTTP framing after {n} bytes")
        }
        (Cause::Other(detail), None) => detail.clone(),
        (Cause::Other(detail), Some(n)) => {
            format!("reading the body failed after {n} bytes: {detail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USERS: &str = "GET /v1/organizations/users";

    fn message(stage: Stage, cause: Cause) -> String {
        TransportError::new(USERS, stage, cause).to_string()
    }

    #[test]
    fn every_message_names_the_request_and_what_went_wrong() {
        assert_eq!(
            message(Stage::Body { received: 512 }, Cause::ConnectionDropped),
            "GET /v1/organizations/users: the connection dropped mid-body, after 512 bytes"
        );
        assert_eq!(
            message(Stage::Head, Cause::HeadersTooLarge(None)),
            "GET /v1/organizations/users: the response headers were too many or too large for the client"
        );
        assert_eq!(
            message(Stage::Head, Cause::Denied),
            "GET /v1/organizations/users: the host's egress policy does not allow this \
             destination (HttpRequestDenied)"
        );
        assert_eq!(
            message(Stage::Head, Cause::Protocol),
            "GET /v1/organizations/users: the server's answer is not valid HTTP (a malformed status line or header)"
        );
        assert_eq!(
            message(Stage::Head, Cause::Dns(Some("NXDOMAIN".into()))),
            "GET /v1/organizations/users: the API's host name could not be resolved (DNS: NXDOMAIN)"
        );
        assert_eq!(
            message(
                Stage::Head,
                Cause::Tls("the server's certificate was not accepted".into())
            ),
            "GET /v1/organizations/users: the TLS connection failed (the server's certificate was not accepted)"
        );
        // The host's description is the message: it names the host and what to do.
        assert_eq!(
            message(
                Stage::Head,
                Cause::Certificate(Some("the TLS certificate of h:443 has expired".into()))
            ),
            "GET /v1/organizations/users: the TLS certificate of h:443 has expired"
        );
        assert_eq!(
            message(Stage::Head, Cause::Certificate(None)),
            "GET /v1/organizations/users: the server's TLS certificate was not accepted"
        );
    }

    #[test]
    fn a_deadline_says_how_long_and_how_far_the_body_got() {
        assert_eq!(
            message(
                Stage::Body { received: 7 },
                Cause::Deadline(Duration::from_secs(120))
            ),
            "GET /v1/organizations/users: the body was still arriving when the request's deadline \
             of 120 s passed (7 bytes received); the server is sending too slowly"
        );
        assert_eq!(
            message(Stage::Head, Cause::Deadline(Duration::from_millis(250))),
            "GET /v1/organizations/users: no answer within the request's deadline of 250 ms"
        );
    }

    #[test]
    fn a_failure_told_as_text_is_recognised_or_kept() {
        assert_eq!(
            Cause::from_description("incomplete HTTP response"),
            Cause::ConnectionDropped
        );
        assert_eq!(
            Cause::from_description("hyper error: end of file before message length reached"),
            Cause::ConnectionDropped
        );
        assert_eq!(
            Cause::from_description("HTTP response timeout"),
            Cause::ResponseTimeout
        );
        assert_eq!(
            Cause::from_description("connection read timeout"),
            Cause::ReadTimeout
        );
        assert_eq!(
            Cause::from_description("something odd\n\nCaused by: x"),
            Cause::Other("something odd".into())
        );
    }

    #[test]
    fn timeouts_denials_and_failures_are_told_apart() {
        let kind = |cause| TransportError::new(USERS, Stage::Head, cause).kind();
        assert_eq!(kind(Cause::Denied), FailureKind::Denied);
        assert_eq!(kind(Cause::ReadTimeout), FailureKind::TimedOut);
        assert_eq!(
            kind(Cause::Deadline(Duration::from_secs(1))),
            FailureKind::TimedOut
        );
        assert_eq!(kind(Cause::ConnectionDropped), FailureKind::Failed);
        assert_eq!(kind(Cause::Certificate(None)), FailureKind::Certificate);
    }
}
