//! What one store holds: WASI, `wasi:http` with the egress hooks, the memory
//! limiter, and the connection's secrets and log sink behind the plugin's imports.

use super::limiter::SandboxLimiter;
use super::model::LogLevel;
use crate::egress::EgressHooks;
use crate::secrets::Secrets;
use std::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Where the plugin's log lines go, already redacted.
pub type LogSink = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

pub struct HostState {
    pub(super) wasi: WasiCtx,
    pub(super) http: WasiHttpCtx,
    pub(super) table: ResourceTable,
    pub(super) hooks: EgressHooks,
    pub(super) limiter: SandboxLimiter,
    pub(super) secrets: Arc<Secrets>,
    pub(super) log: LogSink,
}

impl HostState {
    /// The `secrets.get` import: the connection's secret field `name`.
    pub(super) fn secret_value(&self, name: &str) -> Option<String> {
        self.secrets.get(name).map(|v| v.expose().to_owned())
    }

    /// The `logging.log` import: one line, redacted before anyone sees it.
    pub(super) fn write_log(&self, level: LogLevel, message: &str) {
        (self.log)(level, &self.secrets.redact(message));
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}
