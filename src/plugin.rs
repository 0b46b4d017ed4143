//! The plugin's exported operations, in terms of the native model: what the
//! component glue (`component.rs`) calls, and what native tests call directly.

use crate::connection::Connection;
use crate::error::Result;
use crate::host::Host;
use crate::model::{
    ApiRequest, ApiResponse, KeyCheck, Manifest, Page, ReadRequest, RequestFunction,
    StreamDescriptor,
};
use crate::settings::{SettingName, Settings};
use crate::streams::{self, ReadContext};

pub fn manifest() -> Manifest {
    crate::manifest::manifest()
}

pub fn check_connection(host: &dyn Host, base_url: &str) -> Result<Vec<KeyCheck>> {
    let connection = Connection::load(base_url, host)?;
    Ok(crate::check::check_connection(host, &connection))
}

pub fn list_streams(host: &dyn Host, base_url: &str) -> Result<Vec<StreamDescriptor>> {
    let connection = Connection::load(base_url, host)?;
    Ok(streams::available(&connection))
}

pub fn read_page(host: &dyn Host, base_url: &str, request: &ReadRequest) -> Result<Page> {
    let connection = Connection::load(base_url, host)?;
    let lookback_streams: Vec<&str> = streams::reading(SettingName::LookbackHours)
        .map(|s| s.name)
        .collect();
    let settings = Settings::parse(&request.settings_json, &lookback_streams)?;
    let ctx = ReadContext {
        host,
        connection: &connection,
        settings: &settings,
    };
    streams::read_page(&ctx, request).map_err(|e| e.redacted(&connection.secrets()))
}

pub fn call_function(
    host: &dyn Host,
    base_url: &str,
    allow_writes: bool,
    function: RequestFunction,
    request: &ApiRequest,
) -> Result<Vec<ApiResponse>> {
    let connection = Connection::load(base_url, host)?;
    crate::functions::call(host, &connection, allow_writes, function, request)
        .map_err(|e| e.redacted(&connection.secrets()))
}
