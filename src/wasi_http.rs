//! One request over `wasi:http` (wasm32 only): each stage within its own
//! timeout, the whole within a deadline, and a failure told by the stage it
//! reached and its cause ([`crate::transport`]).
//!
//! The request is driven through the `wasi:http` resources directly rather
//! than wstd's client, because wstd reports a failed body read as text only
//! and cannot say how many bytes had arrived; wstd still provides the reactor
//! and the timer.

use crate::host::{HttpRequest, HttpResponse};
use crate::transport::{Cause, Stage, TransportError};
use std::cell::Cell;
use std::time::Duration;
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasip2::io::streams::{InputStream, StreamError};
use wstd::future::FutureExt as _;
use wstd::io::AsyncOutputStream;
use wstd::runtime::Reactor;

/// Time to open the connection (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time from sending the request to the first byte of the answer.
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest silence between two parts of the body.
pub const BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(30);
/// Time for the whole request, body included. The stage timeouts alone let a
/// server that trickles a byte every few seconds hold a request for ever;
/// this keeps every request well inside the host's limit on one call (300 s).
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(120);

/// The most bytes taken from the body stream at once.
const READ_CHUNK: u64 = 64 * 1024;
/// The most a body's announced length reserves up front. A report's day can
/// be tens of MiB: reserved whole, it is never copied to grow, which would
/// hold the old and the doubled buffer at once. Above this (or when a server
/// claims more than it sends), the buffer grows as bytes come.
const RESERVE_AT_MOST: usize = 64 << 20;

/// Send `request` and read the whole response, or say why not.
pub fn send(request: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let stage = Cell::new(Stage::Head);
    wstd::runtime::block_on(async {
        exchange(request, &stage)
            .timeout(wstd::time::Duration::from(REQUEST_DEADLINE))
            .await
            .unwrap_or(Err(Cause::Deadline(REQUEST_DEADLINE)))
    })
    .map_err(|cause| TransportError::new(request.endpoint(), stage.get(), cause))
}

/// Send, wait for the head, read the body; `stage` follows the progress so a
/// failure (or the deadline) can say how far it got.
async fn exchange(request: &HttpRequest, stage: &Cell<Stage>) -> Result<HttpResponse, Cause> {
    let outgoing = outgoing_request(request)?;
    let body = outgoing
        .body()
        .map_err(|()| Cause::Other("the request body was already taken".into()))?;
    let pending = outgoing_handler::handle(outgoing, Some(options()?)).map_err(cause_of)?;
    write_body(body, request.body.as_deref()).await?;

    let head_ready = Reactor::current().schedule(pending.subscribe());
    head_ready.wait_for().await;
    drop(head_ready);
    let incoming = pending
        .get()
        .ok_or_else(|| Cause::Other("the response was announced but is missing".into()))?
        .map_err(|()| Cause::Other("the response was taken twice".into()))?
        .map_err(cause_of)?;
    stage.set(Stage::Body { received: 0 });
    let status = incoming.status();
    let headers: Vec<(String, String)> = incoming
        .headers()
        .entries()
        .into_iter()
        .map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned()))
        .collect();
    let body = incoming
        .consume()
        .map_err(|()| Cause::Other("the response body was already taken".into()))?;
    let stream = body
        .stream()
        .map_err(|()| Cause::Other("the response body stream was already taken".into()))?;
    let bytes = read_all(&stream, announced_length(&headers), stage).await?;
    // The stream belongs to the body: it goes first, then the body is finished.
    drop(stream);
    drop(IncomingBody::finish(body));
    Ok(HttpResponse {
        status,
        headers,
        body: bytes,
    })
}

fn outgoing_request(request: &HttpRequest) -> Result<OutgoingRequest, Cause> {
    let invalid = |what: &str| Cause::Other(format!("could not build the request: {what}"));
    let (scheme, authority, path) = request.url_parts().ok_or_else(|| invalid("no scheme"))?;
    let entries: Vec<(String, Vec<u8>)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), value.as_bytes().to_vec()))
        .collect();
    let headers = Fields::from_list(&entries).map_err(|e| invalid(&format!("headers ({e:?})")))?;
    let outgoing = OutgoingRequest::new(headers);
    let method = match request.method.as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        other => Method::Other(other.to_owned()),
    };
    let scheme = match scheme {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => Scheme::Other(other.to_owned()),
    };
    outgoing
        .set_method(&method)
        .map_err(|()| invalid("method"))?;
    outgoing
        .set_scheme(Some(&scheme))
        .map_err(|()| invalid("scheme"))?;
    outgoing
        .set_authority(Some(authority))
        .map_err(|()| invalid("host"))?;
    outgoing
        .set_path_with_query(Some(path))
        .map_err(|()| invalid("path"))?;
    Ok(outgoing)
}

/// The stage timeouts, enforced by the host's HTTP client.
fn options() -> Result<RequestOptions, Cause> {
    let nanos = |d: Duration| d.as_nanos() as u64;
    let unsupported = |what: &str| {
        Cause::Other(format!(
            "the host's HTTP client does not support a {what} timeout"
        ))
    };
    let options = RequestOptions::new();
    options
        .set_connect_timeout(Some(nanos(CONNECT_TIMEOUT)))
        .map_err(|()| unsupported("connect"))?;
    options
        .set_first_byte_timeout(Some(nanos(FIRST_BYTE_TIMEOUT)))
        .map_err(|()| unsupported("first-byte"))?;
    options
        .set_between_bytes_timeout(Some(nanos(BETWEEN_BYTES_TIMEOUT)))
        .map_err(|()| unsupported("between-bytes"))?;
    Ok(options)
}

async fn write_body(body: OutgoingBody, bytes: Option<&[u8]>) -> Result<(), Cause> {
    let failed = |e: std::io::Error| Cause::Other(format!("sending the request body failed: {e}"));
    if let Some(bytes) = bytes {
        let stream = body
            .write()
            .map_err(|()| Cause::Other("the request body stream was already taken".into()))?;
        let stream = AsyncOutputStream::new(stream);
        stream.write_all(bytes).await.map_err(failed)?;
        stream.flush().await.map_err(failed)?;
    }
    OutgoingBody::finish(body, None).map_err(cause_of)
}

/// The body length the response's `content-length` announces, if it does.
fn announced_length(headers: &[(String, String)]) -> Option<usize> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
}

/// Every byte of the body stream, until it closes, in a buffer reserved for
/// the announced length.
async fn read_all(
    stream: &InputStream,
    announced: Option<usize>,
    stage: &Cell<Stage>,
) -> Result<Vec<u8>, Cause> {
    let ready = Reactor::current().schedule(stream.subscribe());
    let mut bytes = Vec::with_capacity(announced.unwrap_or(0).min(RESERVE_AT_MOST));
    loop {
        match stream.read(READ_CHUNK) {
            Ok(chunk) if chunk.is_empty() => ready.wait_for().await,
            Ok(chunk) => {
                bytes.extend_from_slice(&chunk);
                stage.set(Stage::Body {
                    received: bytes.len(),
                });
            }
            Err(StreamError::Closed) => return Ok(bytes),
            Err(StreamError::LastOperationFailed(error)) => {
                return Err(match wasip2::http::types::http_error_code(&error) {
                    Some(code) => cause_of(code),
                    // wasmtime passes a body failure on as text only.
                    None => Cause::from_description(&error.to_debug_string()),
                });
            }
        }
    }
}

/// A `wasi:http` error code as a [`Cause`].
fn cause_of(code: ErrorCode) -> Cause {
    let other = |text: &str| Cause::Other(text.to_owned());
    match code {
        ErrorCode::HttpRequestDenied => Cause::Denied,
        ErrorCode::DnsTimeout => Cause::DnsTimeout,
        ErrorCode::DnsError(payload) => Cause::Dns(match (payload.rcode, payload.info_code) {
            (Some(rcode), Some(info)) => Some(format!("{rcode}, info code {info}")),
            (Some(rcode), None) => Some(rcode),
            (None, Some(info)) => Some(format!("info code {info}")),
            (None, None) => None,
        }),
        ErrorCode::DestinationNotFound => Cause::Dns(Some("no such host".into())),
        ErrorCode::ConnectionRefused => Cause::ConnectionRefused,
        ErrorCode::ConnectionTimeout => Cause::ConnectTimeout,
        ErrorCode::ConnectionReadTimeout => Cause::ReadTimeout,
        ErrorCode::HttpResponseTimeout => Cause::ResponseTimeout,
        ErrorCode::ConnectionTerminated | ErrorCode::HttpResponseIncomplete => {
            Cause::ConnectionDropped
        }
        ErrorCode::TlsProtocolError => Cause::Tls("a TLS protocol error".into()),
        ErrorCode::TlsCertificateError => Cause::Certificate(None),
        // A certificate alert (bad_certificate 42 … certificate_unknown 46,
        // unknown_ca 48): a host that rejects a certificate itself reports it
        // so, with what was wrong in words.
        ErrorCode::TlsAlertReceived(alert)
            if alert
                .alert_id
                .is_some_and(|id| (42..=46).contains(&id) || id == 48) =>
        {
            Cause::Certificate(alert.alert_message)
        }
        ErrorCode::TlsAlertReceived(alert) => Cause::Tls(match alert.alert_message {
            Some(message) => format!("the server sent the alert `{message}`"),
            None => "the server sent an alert".into(),
        }),
        ErrorCode::HttpResponseHeaderSectionSize(size) => {
            Cause::HeadersTooLarge(size.map(|s| format!("{s} bytes of headers")))
        }
        ErrorCode::HttpResponseHeaderSize(field) => {
            Cause::HeadersTooLarge(field.field_name.map(|name| format!("the header `{name}`")))
        }
        ErrorCode::HttpProtocolError => Cause::Protocol,
        ErrorCode::DestinationUnavailable => other("the destination is unavailable"),
        ErrorCode::DestinationIpProhibited => other("the destination IP address is prohibited"),
        ErrorCode::DestinationIpUnroutable => other("the destination IP address is unroutable"),
        ErrorCode::ConnectionLimitReached => other("too many connections are open"),
        ErrorCode::ConnectionWriteTimeout => other("sending the request timed out"),
        ErrorCode::HttpResponseBodySize(_) => other("the response body is larger than allowed"),
        ErrorCode::HttpResponseTransferCoding(coding)
        | ErrorCode::HttpResponseContentCoding(coding) => Cause::Other(format!(
            "the response uses an unsupported coding{}",
            coding.map(|c| format!(" `{c}`")).unwrap_or_default()
        )),
        ErrorCode::InternalError(Some(message)) => Cause::Other(message),
        code => Cause::Other(format!("the HTTP client failed ({code:?})")),
    }
}
