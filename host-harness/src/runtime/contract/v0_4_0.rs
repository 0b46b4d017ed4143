//! Contract `anthropic:connector@0.4.0` (`wit/since_v0.4.0/`): bindings, the
//! plugin's imports on the host side, and conversions to the host's types.
//!
//! Imports are synchronous and may trap (a host bug); exports are called
//! asynchronously because WASI and `wasi:http` are linked async. The world's
//! `wasi:http` import is served by `wasmtime-wasi-http` (linked separately,
//! through the egress hooks), so its bindings are that crate's, not generated here.

use crate::runtime::model;
use crate::runtime::state::HostState;
use std::time::Duration;
use wasmtime::component::{HasSelf, Linker};

mod generated {
    wasmtime::component::bindgen!({
        world: "connector",
        path: "../wit/since_v0.4.0",
        imports: { default: trappable },
        exports: { default: async },
        with: {
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        },
    });
}

use generated::anthropic::connector::{logging, secrets, types as wit};
use generated::exports::anthropic::connector::request_functions as functions;
pub use generated::{Connector, ConnectorPre};
/// The connection record the exports take.
pub use wit::Connection;

/// The package version, as the component's world names it.
pub const VERSION: &str = "0.4.0";

/// Link the contract's own imports (`secrets`, `logging`). WASI and
/// `wasi:http` are linked by the runtime.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    secrets::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    logging::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    Ok(())
}

impl wit::Host for HostState {}

impl secrets::Host for HostState {
    fn get(&mut self, name: String) -> wasmtime::Result<Option<String>> {
        Ok(self.secret_value(&name))
    }
}

impl logging::Host for HostState {
    fn log(&mut self, level: logging::Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            logging::Level::Debug => model::LogLevel::Debug,
            logging::Level::Info => model::LogLevel::Info,
            logging::Level::Warn => model::LogLevel::Warn,
            logging::Level::Error => model::LogLevel::Error,
        };
        self.write_log(level, &message);
        Ok(())
    }
}

// Host types -> contract types.

pub fn connection(
    base_url: &str,
    allow_writes: bool,
    anthropic_version: Option<&str>,
) -> Connection {
    Connection {
        base_url: base_url.to_owned(),
        allow_writes,
        anthropic_version: anthropic_version.map(str::to_owned),
    }
}

fn strategy(s: model::SyncStrategy) -> wit::SyncStrategy {
    match s {
        model::SyncStrategy::FullRefresh => wit::SyncStrategy::FullRefresh,
        model::SyncStrategy::Incremental => wit::SyncStrategy::Incremental,
    }
}

pub fn read_request(r: &model::ReadRequest<'_>) -> wit::ReadRequest {
    wit::ReadRequest {
        stream_name: r.stream_name.to_owned(),
        strategy: strategy(r.strategy),
        settings_json: r.settings_json.to_owned(),
        state_json: r.state_json.map(str::to_owned),
        page_cursor: r.page_cursor.map(str::to_owned),
        parents: r.parents.to_vec(),
    }
}

pub fn request_function(f: model::RequestFunction) -> functions::RequestFunction {
    match f {
        model::RequestFunction::ClaudeApiRequest => functions::RequestFunction::ClaudeApiRequest,
        model::RequestFunction::ClaudeComplianceApiRequest => {
            functions::RequestFunction::ClaudeComplianceApiRequest
        }
    }
}

pub fn api_request(r: &model::ApiRequest) -> functions::ApiRequest {
    use functions::HttpMethod as M;
    functions::ApiRequest {
        method: match r.method {
            model::HttpMethod::Get => M::Get,
            model::HttpMethod::Head => M::Head,
            model::HttpMethod::Post => M::Post,
            model::HttpMethod::Put => M::Put,
            model::HttpMethod::Patch => M::Patch,
            model::HttpMethod::Delete => M::Delete,
        },
        path: r.path.clone(),
        query: r.query.clone(),
        body: r.body.clone(),
        paginate: r.paginate,
        max_pages: r.max_pages,
    }
}

// Contract types -> host types.

fn key_kind(k: wit::KeyKind) -> model::KeyKind {
    match k {
        wit::KeyKind::Admin => model::KeyKind::Admin,
        wit::KeyKind::Compliance => model::KeyKind::Compliance,
    }
}

fn stream_descriptor(d: wit::StreamDescriptor) -> model::StreamDescriptor {
    model::StreamDescriptor {
        name: d.name,
        description: d.description,
        endpoint: d.endpoint,
        required_key: key_kind(d.required_key),
        strategies: d
            .strategies
            .into_iter()
            .map(|s| match s {
                wit::SyncStrategy::FullRefresh => model::SyncStrategy::FullRefresh,
                wit::SyncStrategy::Incremental => model::SyncStrategy::Incremental,
            })
            .collect(),
        primary_key: d.primary_key,
        cursor_field: d.cursor_field,
        parent: d.parent,
        parent_batch_size: d.parent_batch_size,
        json_schema: d.json_schema,
    }
}

pub fn stream_descriptors(list: Vec<wit::StreamDescriptor>) -> Vec<model::StreamDescriptor> {
    list.into_iter().map(stream_descriptor).collect()
}

pub fn manifest(m: wit::Manifest) -> model::Manifest {
    model::Manifest {
        plugin_id: m.plugin_id,
        plugin_version: m.plugin_version,
        secret_fields: m
            .secret_fields
            .into_iter()
            .map(|f| model::SecretField {
                name: f.name,
                label: f.label,
                prefix: f.prefix,
                unlocks: key_kind(f.unlocks),
                description: f.description,
            })
            .collect(),
        settings: m
            .settings
            .into_iter()
            .map(|s| model::Setting {
                name: s.name,
                label: s.label,
                description: s.description,
                default_value: s.default_value,
                allowed_values: s.allowed_values,
                multiple: s.multiple,
                applies_to: s.applies_to,
            })
            .collect(),
        streams: stream_descriptors(m.streams),
    }
}

pub fn key_checks(list: Vec<wit::KeyCheck>) -> Vec<model::KeyCheck> {
    list.into_iter()
        .map(|c| model::KeyCheck {
            key: key_kind(c.key),
            field: c.field,
            ok: c.ok,
            status: c.status,
            message: c.message,
        })
        .collect()
}

pub fn page(p: wit::Page) -> model::Page {
    model::Page {
        records: p.records,
        state_json: p.state_json,
        next_cursor: p.next_cursor,
        warnings: p.warnings,
        coverage: p.coverage.map(|c| model::Coverage {
            start: c.start,
            end: c.end,
        }),
        snapshot_complete: p.snapshot_complete,
    }
}

pub fn api_responses(list: Vec<functions::ApiResponse>) -> Vec<model::ApiResponse> {
    list.into_iter()
        .map(|r| model::ApiResponse {
            page: r.page,
            status: r.status,
            headers: r.headers,
            body: match r.body {
                functions::ResponseBody::Empty => model::ResponseBody::Empty,
                functions::ResponseBody::Json(json) => model::ResponseBody::Json(json),
                functions::ResponseBody::Text(text) => model::ResponseBody::Text(text),
            },
        })
        .collect()
}

impl From<wit::PluginError> for model::PluginError {
    fn from(e: wit::PluginError) -> Self {
        use model::PluginError as E;
        match e {
            wit::PluginError::InvalidConfig(m) => E::InvalidConfig(m),
            wit::PluginError::Auth(m) => E::Auth(m),
            wit::PluginError::NotEntitled(m) => E::NotEntitled(m),
            wit::PluginError::RateLimited(r) => E::RateLimited {
                retry_after: r.retry_after_ms.map(Duration::from_millis),
                message: r.message,
            },
            wit::PluginError::Transient(m) => E::Transient(m),
            wit::PluginError::Upstream(m) => E::Upstream(m),
            wit::PluginError::Unsupported(m) => E::Unsupported(m),
            wit::PluginError::Internal(m) => E::Internal(m),
        }
    }
}
