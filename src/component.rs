//! The component glue: the WIT bindings, the imports as a [`Host`] (outgoing
//! HTTP in [`crate::wasi_http`]), and the exports delegating to
//! [`crate::plugin`]. Only built for wasm32.

use crate::host::{Host, HttpRequest, HttpResponse, LogLevel, TransportError};
use crate::{error::ConnectorError, model};

// The current contract. Its `wasi:http` import is bound to the `wasip2`
// crate's bindings (the ones wstd sends requests with), so nothing is generated twice.
wit_bindgen::generate!({
    world: "connector",
    path: "wit/since_v0.4.0",
    with: {
        "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
        "wasi:http/types@0.2.12": wasip2::http::types,
        "wasi:io/error@0.2.12": wasip2::io::error,
        "wasi:io/poll@0.2.12": wasip2::io::poll,
        "wasi:io/streams@0.2.12": wasip2::io::streams,
        "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
    },
});

use anthropic::connector::{logging, secrets, types as wit};
use exports::anthropic::connector::plugin::Guest;
use exports::anthropic::connector::request_functions as functions;

/// The imports of the world, as the plugin's [`Host`].
struct WasmHost;

impl Host for WasmHost {
    fn secret(&self, name: &str) -> Option<String> {
        secrets::get(name)
    }

    fn log(&self, level: LogLevel, message: &str) {
        let level = match level {
            LogLevel::Debug => logging::Level::Debug,
            LogLevel::Info => logging::Level::Info,
            LogLevel::Warn => logging::Level::Warn,
            LogLevel::Error => logging::Level::Error,
        };
        logging::log(level, message);
    }

    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        crate::wasi_http::send(request)
    }
}

struct Component;

/// The connection as the contract hands it over.
fn endpoint(conn: &wit::Connection) -> crate::connection::Endpoint<'_> {
    crate::connection::Endpoint {
        base_url: &conn.base_url,
        anthropic_version: conn.anthropic_version.as_deref(),
    }
}

impl Guest for Component {
    fn get_manifest() -> wit::Manifest {
        crate::plugin::manifest().into()
    }

    fn check_connection(conn: wit::Connection) -> Result<Vec<wit::KeyCheck>, wit::PluginError> {
        crate::plugin::check_connection(&WasmHost, endpoint(&conn))
            .map(|checks| checks.into_iter().map(Into::into).collect())
            .map_err(Into::into)
    }

    fn list_streams(conn: wit::Connection) -> Result<Vec<wit::StreamDescriptor>, wit::PluginError> {
        crate::plugin::list_streams(&WasmHost, endpoint(&conn))
            .map(|streams| streams.into_iter().map(Into::into).collect())
            .map_err(Into::into)
    }

    fn read_page(
        conn: wit::Connection,
        request: wit::ReadRequest,
    ) -> Result<wit::Page, wit::PluginError> {
        crate::plugin::read_page(&WasmHost, endpoint(&conn), &request.into())
            .map(Into::into)
            .map_err(Into::into)
    }
}

impl functions::Guest for Component {
    fn call(
        conn: wit::Connection,
        function: functions::RequestFunction,
        request: functions::ApiRequest,
    ) -> Result<Vec<functions::ApiResponse>, wit::PluginError> {
        let function = match function {
            functions::RequestFunction::ClaudeApiRequest => {
                model::RequestFunction::ClaudeApiRequest
            }
            functions::RequestFunction::ClaudeComplianceApiRequest => {
                model::RequestFunction::ClaudeComplianceApiRequest
            }
        };
        let request = model::ApiRequest {
            method: request.method.into(),
            path: request.path,
            query: request.query,
            body: request.body,
            paginate: request.paginate,
            max_pages: request.max_pages,
        };
        crate::plugin::call_function(
            &WasmHost,
            endpoint(&conn),
            conn.allow_writes,
            function,
            &request,
        )
        .map(|rows| {
            rows.into_iter()
                .map(|r| functions::ApiResponse {
                    page: r.page,
                    status: r.status,
                    headers: r.headers,
                    body: r.body.into(),
                })
                .collect()
        })
        .map_err(Into::into)
    }
}

export!(Component);

// Conversions between the native model and the generated bindings.

impl From<model::KeyKind> for wit::KeyKind {
    fn from(k: model::KeyKind) -> Self {
        match k {
            model::KeyKind::Admin => Self::Admin,
            model::KeyKind::Compliance => Self::Compliance,
        }
    }
}

impl From<model::SyncStrategy> for wit::SyncStrategy {
    fn from(s: model::SyncStrategy) -> Self {
        match s {
            model::SyncStrategy::FullRefresh => Self::FullRefresh,
            model::SyncStrategy::Incremental => Self::Incremental,
        }
    }
}

impl From<wit::SyncStrategy> for model::SyncStrategy {
    fn from(s: wit::SyncStrategy) -> Self {
        match s {
            wit::SyncStrategy::FullRefresh => Self::FullRefresh,
            wit::SyncStrategy::Incremental => Self::Incremental,
        }
    }
}

impl From<model::StreamDescriptor> for wit::StreamDescriptor {
    fn from(d: model::StreamDescriptor) -> Self {
        Self {
            name: d.name,
            description: d.description,
            endpoint: d.endpoint,
            required_key: d.required_key.into(),
            strategies: d.strategies.into_iter().map(Into::into).collect(),
            primary_key: d.primary_key,
            cursor_field: d.cursor_field,
            parent: d.parent,
            parent_batch_size: d.parent_batch_size,
            json_schema: d.json_schema,
        }
    }
}

impl From<model::Manifest> for wit::Manifest {
    fn from(m: model::Manifest) -> Self {
        Self {
            plugin_id: m.plugin_id,
            plugin_version: m.plugin_version,
            secret_fields: m
                .secret_fields
                .into_iter()
                .map(|f| wit::SecretField {
                    name: f.name,
                    label: f.label,
                    prefix: f.prefix,
                    unlocks: f.unlocks.into(),
                    description: f.description,
                })
                .collect(),
            settings: m
                .settings
                .into_iter()
                .map(|s| wit::Setting {
                    name: s.name,
                    label: s.label,
                    description: s.description,
                    default_value: s.default_value,
                    allowed_values: s.allowed_values,
                    multiple: s.multiple,
                    applies_to: s.applies_to,
                })
                .collect(),
            streams: m.streams.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<functions::HttpMethod> for model::HttpMethod {
    fn from(m: functions::HttpMethod) -> Self {
        match m {
            functions::HttpMethod::Get => Self::Get,
            functions::HttpMethod::Head => Self::Head,
            functions::HttpMethod::Post => Self::Post,
            functions::HttpMethod::Put => Self::Put,
            functions::HttpMethod::Patch => Self::Patch,
            functions::HttpMethod::Delete => Self::Delete,
        }
    }
}

impl From<model::ResponseBody> for functions::ResponseBody {
    fn from(b: model::ResponseBody) -> Self {
        match b {
            model::ResponseBody::Empty => Self::Empty,
            model::ResponseBody::Json(json) => Self::Json(json),
            model::ResponseBody::Text(text) => Self::Text(text),
        }
    }
}

impl From<model::KeyCheck> for wit::KeyCheck {
    fn from(c: model::KeyCheck) -> Self {
        Self {
            key: c.key.into(),
            field: c.field,
            ok: c.ok,
            status: c.status,
            message: c.message,
        }
    }
}

impl From<wit::ReadRequest> for model::ReadRequest {
    fn from(r: wit::ReadRequest) -> Self {
        Self {
            stream_name: r.stream_name,
            strategy: r.strategy.into(),
            settings_json: r.settings_json,
            state_json: r.state_json,
            page_cursor: r.page_cursor,
            parents: r.parents,
        }
    }
}

impl From<model::Page> for wit::Page {
    fn from(p: model::Page) -> Self {
        Self {
            records: p.records,
            state_json: p.state_json,
            next_cursor: p.next_cursor,
            warnings: p.warnings,
            coverage: p.coverage.map(|c| wit::Coverage {
                start: c.start,
                end: c.end,
            }),
            snapshot_complete: p.snapshot_complete,
        }
    }
}

impl From<ConnectorError> for wit::PluginError {
    fn from(e: ConnectorError) -> Self {
        match e {
            ConnectorError::InvalidConfig(m) => Self::InvalidConfig(m),
            ConnectorError::Auth(m) => Self::Auth(m),
            ConnectorError::NotEntitled(m) => Self::NotEntitled(m),
            ConnectorError::RateLimited {
                retry_after_ms,
                message,
            } => Self::RateLimited(wit::RateLimit {
                retry_after_ms,
                message,
            }),
            ConnectorError::Transient(m) => Self::Transient(m),
            ConnectorError::Upstream(m) => Self::Upstream(m),
            ConnectorError::Unsupported(m) => Self::Unsupported(m),
            ConnectorError::Internal(m) => Self::Internal(m),
        }
    }
}
