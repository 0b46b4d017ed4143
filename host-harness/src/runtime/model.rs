//! The host's own types for what crosses the plugin boundary: the manifest,
//! streams, pages, checks, errors and request-function calls.
//!
//! The generated bindings of each contract version are converted into these
//! at the edge (`runtime/contract/`), so the sync loop, the destinations and
//! the CLI depend on this module, never on one version of the WIT contract.

use std::fmt;
use std::time::Duration;

/// Which of the connection's two secrets a stream or call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The Admin API Key (`sk-ant-admin01-…`).
    Admin,
    /// The Compliance Access Key (`sk-ant-api01-…`).
    Compliance,
}

impl KeyKind {
    /// Short name, as printed in tables (`admin`, `compliance`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Compliance => "compliance",
        }
    }
}

/// How a stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncStrategy {
    FullRefresh,
    Incremental,
}

impl SyncStrategy {
    /// The name used in reports, checkpoints and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullRefresh => "full_refresh",
            Self::Incremental => "incremental",
        }
    }
}

/// One secret field of the connection form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretField {
    pub name: String,
    pub label: String,
    pub prefix: String,
    pub unlocks: KeyKind,
    pub description: String,
}

/// One sync setting the plugin declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub label: String,
    pub description: String,
    pub default_value: String,
    pub allowed_values: Vec<String>,
    pub multiple: bool,
    pub applies_to: Vec<String>,
}

/// Everything the host knows about one stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDescriptor {
    pub name: String,
    pub description: String,
    pub endpoint: String,
    pub required_key: KeyKind,
    pub strategies: Vec<SyncStrategy>,
    pub primary_key: Vec<String>,
    pub cursor_field: Option<String>,
    /// The stream whose records this one's reads take, read first.
    pub parent: Option<String>,
    /// How many parent records one read may take.
    pub parent_batch_size: u32,
    /// JSON Schema of one record; its `properties` are the typed columns.
    pub json_schema: String,
}

impl StreamDescriptor {
    pub fn supports(&self, strategy: SyncStrategy) -> bool {
        self.strategies.contains(&strategy)
    }
}

/// What the plugin is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub plugin_id: String,
    pub plugin_version: String,
    pub secret_fields: Vec<SecretField>,
    pub settings: Vec<Setting>,
    pub streams: Vec<StreamDescriptor>,
}

/// The result of testing one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    pub key: KeyKind,
    pub field: String,
    pub ok: bool,
    pub status: Option<u16>,
    pub message: String,
}

/// One page read, as the host's loop asks for it. It borrows from the loop:
/// the records are copied once, into the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadRequest<'a> {
    pub stream_name: &'a str,
    pub strategy: SyncStrategy,
    /// Sync settings, a JSON object.
    pub settings_json: &'a str,
    /// The stream's last committed state.
    pub state_json: Option<&'a str>,
    /// The previous page's cursor; none for the first page.
    pub page_cursor: Option<&'a str>,
    /// For a child stream: the parent records (JSON) this read covers.
    pub parents: &'a [String],
}

/// The history an incremental stream's committed state holds without a
/// hole, `[start, end)`, as the stream's cursor values (RFC 3339 instants or
/// `YYYY-MM-DD` dates, as its watermark is written). The plugin's text, shown
/// and reported as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    pub start: String,
    pub end: String,
}

/// One page of records and what to commit with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub records: Vec<String>,
    pub state_json: Option<String>,
    pub next_cursor: Option<String>,
    pub warnings: Vec<String>,
    /// What the state committed with this page covers; none when it says nothing.
    pub coverage: Option<Coverage>,
    /// The last page of a read that returned every record the API holds for
    /// the stream (or the read's parents). Only meaningful on a page without
    /// a next cursor, and only for a read that began at its first page.
    pub snapshot_complete: bool,
}

/// Severity of a plugin log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// The plugin's own error: data for the caller to act on (retry, fix the
/// configuration, give up). Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginError {
    InvalidConfig(String),
    Auth(String),
    NotEntitled(String),
    RateLimited {
        /// How long the API asked to wait, if it said.
        retry_after: Option<Duration>,
        message: String,
    },
    Transient(String),
    Upstream(String),
    Unsupported(String),
    Internal(String),
}

impl PluginError {
    /// Short name of the variant, as the contract spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidConfig(_) => "invalid-config",
            Self::Auth(_) => "auth",
            Self::NotEntitled(_) => "not-entitled",
            Self::RateLimited { .. } => "rate-limited",
            Self::Transient(_) => "transient",
            Self::Upstream(_) => "upstream",
            Self::Unsupported(_) => "unsupported",
            Self::Internal(_) => "internal",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Self::InvalidConfig(m)
            | Self::Auth(m)
            | Self::NotEntitled(m)
            | Self::Transient(m)
            | Self::Upstream(m)
            | Self::Unsupported(m)
            | Self::Internal(m)
            | Self::RateLimited { message: m, .. } => m,
        }
    }

    /// The same error with its message passed through `clean` (redaction).
    pub fn map_message(self, clean: impl Fn(String) -> String) -> Self {
        match self {
            Self::InvalidConfig(m) => Self::InvalidConfig(clean(m)),
            Self::Auth(m) => Self::Auth(clean(m)),
            Self::NotEntitled(m) => Self::NotEntitled(clean(m)),
            Self::RateLimited {
                retry_after,
                message,
            } => Self::RateLimited {
                retry_after,
                message: clean(message),
            },
            Self::Transient(m) => Self::Transient(clean(m)),
            Self::Upstream(m) => Self::Upstream(clean(m)),
            Self::Unsupported(m) => Self::Unsupported(clean(m)),
            Self::Internal(m) => Self::Internal(clean(m)),
        }
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind(), self.message())
    }
}

/// Which request function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFunction {
    /// `CLAUDE_API_REQUEST`.
    ClaudeApiRequest,
    /// `CLAUDE_COMPLIANCE_API_REQUEST`.
    ClaudeComplianceApiRequest,
}

/// The methods a request function may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub const ALL: [Self; 6] = [
        Self::Get,
        Self::Head,
        Self::Post,
        Self::Put,
        Self::Patch,
        Self::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

impl std::str::FromStr for HttpMethod {
    type Err = String;

    /// A method name in any case; anything else is refused with the valid ones.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|m| m.as_str()).collect();
                format!(
                    "method `{text}` is not supported; use one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// One request-function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: HttpMethod,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<String>,
    pub paginate: bool,
    pub max_pages: u32,
}

/// The body of one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    Empty,
    Json(String),
    Text(String),
}

impl ResponseBody {
    pub fn json(&self) -> Option<&str> {
        match self {
            Self::Json(json) => Some(json),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// One response (one page) of a request-function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    pub page: u32,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

impl ApiResponse {
    /// The header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
