//! The HTTP client's failures, told precisely to the plugin. By default
//! `wasi:http` turns every hyper error into `HttpProtocolError`, which cannot
//! tell "too many headers" from "the connection dropped mid-body"; the ones a
//! plugin can report in plain words get their own codes here.

use std::error::Error as _;
use wasmtime_wasi_http::Error;

/// `error`, with a hyper error replaced by the `wasi:http` error it means.
pub fn precise(error: Error) -> Error {
    match error {
        Error::Hyper(e) if e.is_parse_too_large() => Error::HttpResponseHeaderSectionSize(None),
        Error::Hyper(e) if e.is_incomplete_message() || ended_early(&e) => {
            Error::HttpResponseIncomplete
        }
        Error::Hyper(e) if e.is_timeout() => Error::HttpResponseTimeout,
        Error::Hyper(e) if e.is_parse() || e.is_parse_status() => Error::HttpProtocolError,
        Error::Hyper(e) if e.is_closed() || e.is_canceled() => Error::ConnectionTerminated,
        other => other,
    }
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
