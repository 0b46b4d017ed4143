//! A keep-alive HTTP/1.1 client for the mock, and its answers decoded.

use anthropic_mock::{MockOrg, MockServer, OrgSize};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::HeaderMap;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use serde_json::Value;

pub use anthropic_mock::{DEMO_ADMIN_KEY as ADMIN, DEMO_COMPLIANCE_KEY as COMPLIANCE};

/// A mock serving an organisation of `size`.
pub async fn mock(size: OrgSize) -> MockServer {
    MockServer::start(MockOrg::generate(size))
        .await
        .expect("mock starts")
}

/// One connection to the mock, kept alive across requests.
pub struct Client {
    sender: SendRequest<Empty<Bytes>>,
}

/// An answer: status, headers and the body as JSON.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Client {
    pub async fn connect(mock: &MockServer) -> Self {
        let stream = tokio::net::TcpStream::connect(mock.addr())
            .await
            .expect("connects");
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(connection);
        Self { sender }
    }

    /// `GET path_and_query` with `key` as `x-api-key`.
    pub async fn get(&mut self, key: &str, path_and_query: &str) -> Answer {
        self.get_with(key, path_and_query, &[]).await
    }

    /// [`Self::get`] with more headers.
    pub async fn get_with(
        &mut self,
        key: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = hyper::Request::get(path_and_query)
            .header("host", "127.0.0.1")
            .header("x-api-key", key);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Empty::new()).expect("a request");
        // The connection takes the next request once it is done with the last.
        self.sender
            .ready()
            .await
            .expect("the connection stays open");
        let response = self.sender.send_request(request).await.expect("answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).expect("a JSON body");
        Answer {
            status,
            headers,
            body,
        }
    }
}

/// The string values of `field` in a page's `data`.
pub fn field_of_data(page: &Value, field: &str) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|item| item[field].as_str().expect("a string").to_owned())
        .collect()
}
