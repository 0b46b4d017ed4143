//! The plugin's exported operations, in terms of the native model: what the
//! component glue (`component.rs`) calls, and what native tests call directly.
//!
//! Everything that leaves through here is redacted on the way out: errors,
//! and every page of records ([`crate::redact::page`]), whatever reader made it.

use crate::connection::{Connection, Endpoint, KEY_FIELDS};
use crate::error::Result;
use crate::host::Host;
use crate::model::{
    ApiRequest, ApiResponse, KeyCheck, Manifest, Page, ReadRequest, RequestFunction,
    StreamDescriptor,
};
use crate::redact::{self, Redactor};
use crate::settings::{SettingName, Settings};
use crate::streams::{self, ReadContext};

pub fn manifest() -> Manifest {
    crate::manifest::manifest()
}

/// The connection, checked; an error about it never shows a secret the host
/// handed over, even one refused as malformed.
fn load<'a>(host: &dyn Host, endpoint: impl Into<Endpoint<'a>>) -> Result<Connection> {
    Connection::load(endpoint.into(), host).map_err(|e| {
        let given: Vec<String> = KEY_FIELDS
            .iter()
            .filter_map(|f| host.secret(f.name))
            .collect();
        e.redacted(&Redactor::new(given.iter().map(String::as_str)))
    })
}

pub fn check_connection<'a>(
    host: &dyn Host,
    endpoint: impl Into<Endpoint<'a>>,
) -> Result<Vec<KeyCheck>> {
    let connection = load(host, endpoint)?;
    Ok(crate::check::check_connection(host, &connection))
}

pub fn list_streams<'a>(
    host: &dyn Host,
    endpoint: impl Into<Endpoint<'a>>,
) -> Result<Vec<StreamDescriptor>> {
    let connection = load(host, endpoint)?;
    Ok(streams::available(&connection))
}

pub fn read_page<'a>(
    host: &dyn Host,
    endpoint: impl Into<Endpoint<'a>>,
    request: &ReadRequest,
) -> Result<Page> {
    let connection = load(host, endpoint)?;
    let lookback_streams: Vec<&str> = streams::reading(SettingName::LookbackHours)
        .map(|s| s.name)
        .collect();
    let settings = Settings::parse(&request.settings_json, &lookback_streams)?;
    let ctx = ReadContext {
        host,
        connection: &connection,
        settings: &settings,
    };
    let redactor = connection.redactor();
    streams::read_page(&ctx, request)
        .map(|page| redact::page(&redactor, page))
        .map_err(|e| e.redacted(&redactor))
}

pub fn call_function<'a>(
    host: &dyn Host,
    endpoint: impl Into<Endpoint<'a>>,
    allow_writes: bool,
    function: RequestFunction,
    request: &ApiRequest,
) -> Result<Vec<ApiResponse>> {
    let connection = load(host, endpoint)?;
    crate::functions::call(host, &connection, allow_writes, function, request)
        .map_err(|e| e.redacted(&connection.redactor()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{HttpRequest, HttpResponse, LogLevel, TransportError};
    use crate::model::SyncStrategy;

    const KEY: &str = "sk-ant-admin01-ZZtestADMINsecretQ7x9Lm2Vb8Kp4Rt6Wy1Nc3";

    /// A host with one Admin key whose API answers every request with `body`.
    struct EchoingApi {
        admin_key: &'static str,
        body: String,
    }

    impl Host for EchoingApi {
        fn secret(&self, name: &str) -> Option<String> {
            (name == "admin-api-key").then(|| self.admin_key.to_owned())
        }
        fn log(&self, _: LogLevel, _: &str) {}
        fn send(&self, _: &HttpRequest) -> std::result::Result<HttpResponse, TransportError> {
            Ok(HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: self.body.clone().into_bytes(),
            })
        }
    }

    fn read_users(host: &dyn Host) -> Result<Page> {
        read_page(
            host,
            "https://api.anthropic.com",
            &ReadRequest {
                stream_name: "admin_users".into(),
                strategy: SyncStrategy::FullRefresh,
                settings_json: "{}".into(),
                state_json: None,
                page_cursor: None,
                parents: Vec::new(),
            },
        )
    }

    #[test]
    fn a_key_the_api_echoes_with_escapes_never_reaches_a_record() {
        let escaped: String = KEY
            .chars()
            .map(|c| format!("\\u{:04x}", c as u32))
            .collect();
        let body = format!(
            r#"{{"data":[{{"id":"user_1","type":"user","email":"a@b.c","name":"{escaped}","role":"user","added_at":"2026-01-01T00:00:00Z"}}],"has_more":false,"first_id":"user_1","last_id":"user_1"}}"#
        );
        let page = read_users(&EchoingApi {
            admin_key: KEY,
            body,
        })
        .unwrap();
        assert_eq!(page.records.len(), 1);
        let record: serde_json::Value = serde_json::from_str(&page.records[0]).unwrap();
        assert_eq!(record["name"], "[REDACTED]");
        assert!(!page.records[0].contains("ZZtestADMINsecret"), "{page:?}");
    }

    #[test]
    fn a_refused_key_is_not_shown_in_the_error() {
        let err = read_users(&EchoingApi {
            admin_key: "sk-ant-api03-ZZtestADMINsecretQ7x9Lm2Vb8",
            body: String::new(),
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("does not start with `sk-ant-admin01-`"),
            "{err}"
        );
        assert!(!err.contains("ZZtestADMINsecret"), "{err}");
    }
}
