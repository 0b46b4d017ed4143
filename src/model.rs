//! Native mirrors of the contract's records (`wit/since_v0.4.0/connector.wit`, interface
//! `types`). The plugin's logic works on these so it builds and tests natively;
//! `component.rs` converts them to and from the generated bindings.

/// Which secret a stream needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Admin,
    Compliance,
}

/// How a stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStrategy {
    FullRefresh,
    Incremental,
}

impl SyncStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FullRefresh => "full_refresh",
            Self::Incremental => "incremental",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretField {
    pub name: String,
    pub label: String,
    pub prefix: String,
    pub unlocks: KeyKind,
    pub description: String,
}

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamDescriptor {
    pub name: String,
    pub description: String,
    pub endpoint: String,
    pub required_key: KeyKind,
    pub strategies: Vec<SyncStrategy>,
    pub primary_key: Vec<String>,
    pub cursor_field: Option<String>,
    pub parent: Option<String>,
    pub parent_batch_size: u32,
    pub json_schema: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub plugin_id: String,
    pub plugin_version: String,
    pub secret_fields: Vec<SecretField>,
    pub settings: Vec<Setting>,
    pub streams: Vec<StreamDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCheck {
    pub key: KeyKind,
    pub field: String,
    pub ok: bool,
    pub status: Option<u16>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    pub stream_name: String,
    pub strategy: SyncStrategy,
    pub settings_json: String,
    pub state_json: Option<String>,
    pub page_cursor: Option<String>,
    pub parents: Vec<String>,
}

/// The history an incremental stream's committed state holds without a
/// hole, `[start, end)`, in the format of the stream's watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub records: Vec<String>,
    pub state_json: Option<String>,
    pub next_cursor: Option<String>,
    pub warnings: Vec<String>,
    /// What the state committed with this page covers; none when it says nothing.
    pub coverage: Option<Coverage>,
    /// The last page of a read that returned every record the API holds for
    /// the stream (or the request's parents).
    pub snapshot_complete: bool,
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

    /// Whether the method changes data on the server (and so needs the
    /// connection to allow writes).
    pub fn is_write(self) -> bool {
        !matches!(self, Self::Get | Self::Head)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: HttpMethod,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<String>,
    pub paginate: bool,
    pub max_pages: u32,
}

/// The body of one response, redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    Empty,
    Json(String),
    Text(String),
}

impl ResponseBody {
    /// The JSON text, when the body is JSON.
    pub fn json(&self) -> Option<&str> {
        match self {
            Self::Json(json) => Some(json),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResponse {
    pub page: u32,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}
