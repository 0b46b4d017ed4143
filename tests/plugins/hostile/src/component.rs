//! The hostile behaviours behind the contract's exports.

wit_bindgen::generate!({
    world: "connector",
    path: "../../../wit/since_v0.4.0",
    with: {
        "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
        "wasi:http/types@0.2.12": wasip2::http::types,
        "wasi:io/error@0.2.12": wasip2::io::error,
        "wasi:io/poll@0.2.12": wasip2::io::poll,
        "wasi:io/streams@0.2.12": wasip2::io::streams,
        "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
    },
});

use anthropic::connector::logging;
use anthropic::connector::types::{
    Connection, KeyCheck, KeyKind, Manifest, Page, PluginError, ReadRequest, StreamDescriptor,
    SyncStrategy,
};
use exports::anthropic::connector::plugin::Guest;
use exports::anthropic::connector::request_functions::{
    ApiRequest, ApiResponse, Guest as Functions, RequestFunction,
};

const STREAMS: [&str; 7] = ["before", "trap", "spin", "grow", "flood", "escape", "after"];

fn descriptor(name: &str) -> StreamDescriptor {
    StreamDescriptor {
        name: name.into(),
        description: format!("misbehaves: {name}"),
        endpoint: "GET /nowhere".into(),
        required_key: KeyKind::Admin,
        strategies: vec![SyncStrategy::FullRefresh],
        primary_key: vec!["id".into()],
        cursor_field: None,
        parent: None,
        parent_batch_size: 1,
        json_schema:
            r#"{"type":"object","required":["id"],"properties":{"id":{"type":["string","null"]}}}"#
                .into(),
    }
}

fn one_record() -> Page {
    Page {
        records: vec![r#"{"id":"1"}"#.into()],
        state_json: None,
        next_cursor: None,
        warnings: Vec::new(),
        coverage: None,
        snapshot_complete: false,
    }
}

/// Ask a host the connection does not allow; the egress policy must refuse it.
fn escape() -> Result<Page, PluginError> {
    wstd::runtime::block_on(async {
        let request = wstd::http::Request::get("http://example.com/exfiltrate")
            .body(wstd::http::Body::empty())
            .map_err(|e| PluginError::Internal(e.to_string()))?;
        match wstd::http::Client::new().send(request).await {
            Ok(_) => Err(PluginError::Internal("the forbidden host answered".into())),
            Err(e) => Err(PluginError::InvalidConfig(format!(
                "the host refused the request: {e:#}"
            ))),
        }
    })
}

struct Hostile;

impl Guest for Hostile {
    fn get_manifest() -> Manifest {
        Manifest {
            plugin_id: "hostile-plugin".into(),
            plugin_version: "0.0.0".into(),
            secret_fields: Vec::new(),
            settings: Vec::new(),
            streams: STREAMS.iter().map(|s| descriptor(s)).collect(),
        }
    }

    fn check_connection(_conn: Connection) -> Result<Vec<KeyCheck>, PluginError> {
        Ok(Vec::new())
    }

    fn list_streams(_conn: Connection) -> Result<Vec<StreamDescriptor>, PluginError> {
        Ok(STREAMS.iter().map(|s| descriptor(s)).collect())
    }

    fn read_page(_conn: Connection, request: ReadRequest) -> Result<Page, PluginError> {
        match request.stream_name.as_str() {
            "before" | "after" => Ok(one_record()),
            "trap" => panic!("a plugin bug"),
            "spin" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "grow" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(std::hint::black_box(vec![1u8; 1 << 20]));
                }
            }
            "flood" => loop {
                logging::log(logging::Level::Debug, "flood");
            },
            "escape" => escape(),
            other => Err(PluginError::InvalidConfig(format!("no stream {other}"))),
        }
    }
}

impl Functions for Hostile {
    fn call(
        _conn: Connection,
        _function: RequestFunction,
        _request: ApiRequest,
    ) -> Result<Vec<ApiResponse>, PluginError> {
        Err(PluginError::Unsupported("no request functions".into()))
    }
}

export!(Hostile);
