//! Running the plugin: one engine, component and pre-instantiated plugin per
//! process; a fresh store per call, with a memory limit, an epoch deadline and
//! a wall-clock timeout; WASI and `wasi:http` linked, every outgoing request
//! going through the egress policy. Compiled code is cached across processes.
//!
//! Everything version-specific about the contract lives in [`contract`]; the
//! rest of the host speaks the types of [`model`].

mod code_cache;
pub mod contract;
mod error;
mod limiter;
mod limits;
pub mod model;
mod state;

pub use code_cache::CodeCache;
pub use error::{CallError, LimitHit, PluginFailure};
pub use limiter::MemoryLimitReached;
pub use limits::SandboxLimits;
pub use model::LogLevel;
pub use state::LogSink;

use crate::egress::{
    ClientSettings, EgressHooks, EgressLog, EgressPolicy, HttpStats, HttpTimeouts, HttpTransport,
    RequestCount, RequestRate, Route,
};
use crate::secrets::Secrets;
use contract::current::{self as contract_version, Connector, ConnectorPre};
use limiter::SandboxLimiter;
use model::{
    ApiRequest, ApiResponse, KeyCheck, Manifest, Page, PluginError, ReadRequest, RequestFunction,
    StreamDescriptor,
};
use state::HostState;
use std::sync::Arc;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::error::Context as _;
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::WasiHttpCtx;

/// The component built from this workspace's guest crate (see `build.rs`).
pub const EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("CONNECTOR_WASM"));

/// What one connection hands the plugin: where the API is, its secrets, and
/// where the plugin may connect. A clone is the same connection: it shares the
/// pool of HTTP connections, the request budget and the counters.
#[derive(Clone)]
pub struct ConnectionConfig {
    pub base_url: String,
    pub secrets: Arc<Secrets>,
    /// Destinations the plugin may reach; by default the base URL's origin only.
    pub egress: Arc<EgressPolicy>,
    /// Whether the request functions may send write methods (off by default).
    pub allow_writes: bool,
    /// The `anthropic-version` the plugin sends; none for its default.
    pub anthropic_version: Option<String>,
    /// Time limits on each request the plugin sends.
    pub http_timeouts: HttpTimeouts,
    /// How fast the connection's requests may go, all calls together.
    pub request_rate: RequestRate,
    /// Pooled connections, request budget and counters, shared by every call.
    http: Arc<HttpTransport>,
}

impl ConnectionConfig {
    /// A connection whose plugin may reach its base URL's origin and nothing
    /// else. A base URL with credentials (`user:password@`) is refused, and
    /// the refusal does not show them.
    pub fn new(base_url: impl Into<String>, secrets: Secrets) -> Result<Self, CallError> {
        let base_url = base_url.into();
        if redaction::has_credentials(&base_url) {
            return Err(CallError::Setup(
                "the base URL carries credentials (`user:password@`), which are not shown here. \
                 Remove them from the URL: the API is reached with the connection's keys only, \
                 read from the environment or a secrets file"
                    .into(),
            ));
        }
        let egress = EgressPolicy::for_base_url(&base_url).ok_or_else(|| {
            CallError::Setup(format!(
                "base URL `{base_url}` has no usable host; expected something like https://api.anthropic.com"
            ))
        })?;
        Ok(Self {
            base_url,
            secrets: Arc::new(secrets),
            egress: Arc::new(egress),
            allow_writes: false,
            anthropic_version: None,
            http_timeouts: HttpTimeouts::default(),
            request_rate: RequestRate::default(),
            http: Arc::new(HttpTransport::default()),
        })
    }

    /// The connection reaching the API as `settings` say (a proxy, a company
    /// CA): a pool of its own, and the proxy's credentials redacted like the
    /// keys from everything the connection's calls print, log or store.
    pub fn reaching_through(mut self, settings: ClientSettings) -> Self {
        let mut secrets = (*self.secrets).clone();
        for credential in settings.proxy.credentials() {
            secrets.hide(credential);
        }
        self.secrets = Arc::new(secrets);
        self.http = Arc::new(HttpTransport::new(settings));
        self
    }

    /// What the connection's HTTP has cost so far: requests, connections
    /// opened, time in flight and time waiting on the request budget.
    pub fn http_stats(&self) -> HttpStats {
        self.http.stats()
    }
}

/// How to run plugins: the sandbox's limits and where compiled code is cached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuntimeOptions {
    pub limits: SandboxLimits,
    pub code_cache: CodeCache,
}

/// A loaded plugin, ready to be called many times.
pub struct PluginRuntime {
    engine: Engine,
    component: Component,
    pre: ConnectorPre<HostState>,
    limits: SandboxLimits,
    log: LogSink,
    egress_log: EgressLog,
}

impl PluginRuntime {
    /// Load the embedded component.
    pub fn embedded(options: &RuntimeOptions, log: LogSink) -> wasmtime::Result<Self> {
        Self::load(EMBEDDED_COMPONENT, options, log)
    }

    /// Compile (or load from the code cache) and pre-instantiate a component
    /// (bytes of a `.wasm` file).
    pub fn load(wasm: &[u8], options: &RuntimeOptions, log: LogSink) -> wasmtime::Result<Self> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        options
            .code_cache
            .configure(&mut config)
            .context("setting up the compiled-code cache")?;
        let engine = Engine::new(&config).context("creating the wasm engine")?;
        let component = Component::new(&engine, wasm).context("compiling the plugin component")?;
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).context("linking WASI")?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .context("linking wasi:http")?;
        contract_version::add_to_linker(&mut linker).context("linking the plugin's imports")?;
        let pre = ConnectorPre::new(linker.instantiate_pre(&component).with_context(|| {
            format!(
                "the component does not fit the host's contract anthropic:connector@{}",
                contract_version::VERSION
            )
        })?)?;
        spawn_epoch_ticker(&engine);
        Ok(Self {
            engine,
            component,
            pre,
            limits: options.limits,
            log,
            egress_log: EgressLog::default(),
        })
    }

    /// Every outgoing request the plugin has tried so far, with the decision.
    pub fn egress_log(&self) -> &EgressLog {
        &self.egress_log
    }

    /// Names of the interfaces the component imports (e.g. `wasi:http/outgoing-handler@0.2.x`).
    pub fn imports(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// Names of the interfaces the component exports.
    pub fn exports(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.exports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    pub fn limits(&self) -> SandboxLimits {
        self.limits
    }

    fn new_store(
        &self,
        connection: Option<&ConnectionConfig>,
        sent: Option<RequestCount>,
    ) -> Store<HostState> {
        let policy = match connection {
            Some(c) => c.egress.clone(),
            // Calls without a connection (the manifest) may not reach anything.
            None => Arc::new(EgressPolicy::allow([])),
        };
        let secrets = connection.map(|c| c.secrets.clone()).unwrap_or_default();
        let timeouts = connection.map(|c| c.http_timeouts).unwrap_or_default();
        let route = connection.map(|c| Route {
            transport: c.http.clone(),
            rate: c.request_rate,
        });
        let state = HostState {
            wasi: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: EgressHooks::new(policy, self.egress_log.clone(), timeouts, route, sent),
            limiter: SandboxLimiter::new(self.limits.memory_bytes),
            secrets,
            log: self.log.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(self.limits.epoch_ticks());
        store.epoch_deadline_trap();
        store
    }

    /// Run `call` on a fresh instance, within the sandbox's limits. The store
    /// is dropped afterwards, trap or not.
    async fn call<R>(
        &self,
        connection: Option<&ConnectionConfig>,
        call: impl AsyncFnOnce(&Connector, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        self.call_counting(connection, None, call).await
    }

    /// [`call`](Self::call), counting the requests it sends into `sent`.
    async fn call_counting<R>(
        &self,
        connection: Option<&ConnectionConfig>,
        sent: Option<&RequestCount>,
        call: impl AsyncFnOnce(&Connector, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        let secrets = connection.map(|c| c.secrets.clone()).unwrap_or_default();
        let redact = |text: &str| secrets.redact(text);
        let mut store = self.new_store(connection, sent.cloned());
        let run = async {
            let instance = self
                .pre
                .instantiate_async(&mut store)
                .await
                .map_err(|e| CallError::from_setup(&e, &self.limits, redact))?;
            call(&instance, &mut store)
                .await
                .map_err(|e| CallError::from_wasm(&e, &self.limits, redact))
        };
        // The epoch deadline stops guest code that runs too long; this stops
        // a call waiting too long on the network, where no epoch is checked.
        tokio::time::timeout(self.limits.call_timeout, run)
            .await
            .unwrap_or_else(|_| {
                Err(CallError::Limit {
                    limit: LimitHit::Time {
                        limit: self.limits.call_timeout,
                    },
                    detail: format!(
                        "the call was still running after {:?}, waiting on the network or the host",
                        self.limits.call_timeout
                    ),
                })
            })
    }

    /// The plugin's manifest.
    pub async fn manifest(&self) -> Result<Manifest, CallError> {
        let manifest = self
            .call(None, async |plugin, store| {
                plugin
                    .anthropic_connector_plugin()
                    .call_get_manifest(store)
                    .await
            })
            .await?;
        Ok(contract_version::manifest(manifest))
    }

    /// Test the connection's keys.
    pub async fn check_connection(
        &self,
        connection: &ConnectionConfig,
    ) -> Result<Vec<KeyCheck>, CallError> {
        let conn = wit_connection(connection);
        self.call(Some(connection), async |plugin, store| {
            plugin
                .anthropic_connector_plugin()
                .call_check_connection(store, &conn)
                .await
        })
        .await?
        .map(contract_version::key_checks)
        .map_err(plugin_failure(connection))
    }

    /// The streams the connection's keys unlock.
    pub async fn list_streams(
        &self,
        connection: &ConnectionConfig,
    ) -> Result<Vec<StreamDescriptor>, CallError> {
        let conn = wit_connection(connection);
        self.call(Some(connection), async |plugin, store| {
            plugin
                .anthropic_connector_plugin()
                .call_list_streams(store, &conn)
                .await
        })
        .await?
        .map(contract_version::stream_descriptors)
        .map_err(plugin_failure(connection))
    }

    /// Call one of the request functions.
    pub async fn call_function(
        &self,
        connection: &ConnectionConfig,
        function: RequestFunction,
        request: &ApiRequest,
    ) -> Result<Vec<ApiResponse>, CallError> {
        let conn = wit_connection(connection);
        let function = contract_version::request_function(function);
        let request = contract_version::api_request(request);
        self.call(Some(connection), async |plugin, store| {
            plugin
                .anthropic_connector_request_functions()
                .call_call(store, &conn, function, &request)
                .await
        })
        .await?
        .map(contract_version::api_responses)
        .map_err(plugin_failure(connection))
    }

    /// Read one page of a stream, counting the requests it sends into `sent`
    /// (a failed read's too).
    pub async fn read_page(
        &self,
        connection: &ConnectionConfig,
        request: &ReadRequest<'_>,
        sent: &RequestCount,
    ) -> Result<Page, CallError> {
        let conn = wit_connection(connection);
        let request = contract_version::read_request(request);
        self.call_counting(Some(connection), Some(sent), async |plugin, store| {
            plugin
                .anthropic_connector_plugin()
                .call_read_page(store, &conn, &request)
                .await
        })
        .await?
        .map(contract_version::page)
        .map_err(plugin_failure(connection))
    }
}

fn wit_connection(connection: &ConnectionConfig) -> contract_version::Connection {
    contract_version::connection(
        &connection.base_url,
        connection.allow_writes,
        connection.anthropic_version.as_deref(),
    )
}

/// The plugin's error in the host's terms, redacted once more on the way out.
fn plugin_failure<E>(connection: &ConnectionConfig) -> impl Fn(E) -> CallError + '_
where
    E: Into<PluginError>,
{
    move |error| {
        let error: PluginError = error.into();
        CallError::Plugin(PluginFailure(
            error.map_message(|m| connection.secrets.redact(&m)),
        ))
    }
}

/// Advance the engine's epoch every tick until the engine is gone.
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("wasm-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(limits::EPOCH_TICK);
            }
        })
        .expect("spawning the epoch thread");
}
