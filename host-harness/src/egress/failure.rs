//! The HTTP client's failures, told precisely to the plugin. By default
//! `wasi:http` turns every hyper error into `HttpProtocolError`, which cannot
//! tell "too many headers" from "the connection dropped mid-body"; the ones a
//! plugin can report in plain words get their own codes here.

use super::connector::ConnectFailure;
use std::error::Error as _;
use wasmtime_wasi_http::Error;

/// `error`, with a hyper error replaced by the `wasi:http` error it means.
pub fn precise(error: Error) -> Error {
    match error {
        Error::Hyper(e) => meaning(&e).unwrap_or(Error::Hyper(e)),
        other => other,
    }
}

/// Why the pooled client got no response: the connector's failure, or the
/// hyper error it wraps, in `wasi:http` terms.
pub fn client_failure(error: &hyper_util::client::legacy::Error) -> Error {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(connect) = cause.downcast_ref::<ConnectFailure>() {
            return connect.to_wasi();
        }
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
            // What `wasi:http` makes of any other hyper error.
            return meaning(hyper).unwrap_or(Error::HttpProtocolError);
        }
        source = cause.source();
    }
    Error::InternalError(Some(format!("HTTP client: {error}")))
}

/// The `wasi:http` error a hyper error stands for, when there is a precise one.
fn meaning(error: &hyper::Error) -> Option<Error> {
    Some(if error.is_parse_too_large() {
        Error::HttpResponseHeaderSectionSize(None)
    } else if error.is_incomplete_message() || ended_early(error) {
        Error::HttpResponseIncomplete
    } else if error.is_timeout() {
        Error::HttpResponseTimeout
    } else if error.is_parse() || error.is_parse_status() {
        Error::HttpProtocolError
    } else if error.is_closed() || error.is_canceled() {
        Error::ConnectionTerminated
    } else {
        return None;
    })
}

/// Whether the body ended before the length it announced: hyper reports that
/// as a body error caused by an unexpected end of file.
fn ended_early(error: &hyper::Error) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::UnexpectedEof)
        {
            return true;
        }
        source = cause.source();
    }
    false
}
