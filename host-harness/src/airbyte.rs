//! The connector as an Airbyte source: `spec`, `check`, `discover` and
//! `read` speak the Airbyte protocol on stdout (JSON lines), driven by the
//! same plugin and sync loop as `harness sync`, with the protocol itself as
//! the destination (`destination`). Whatever goes wrong is a TRACE error
//! message, never free text on stdout.

pub mod catalog;
pub mod config;
pub mod destination;
pub mod messages;
pub mod progress;
pub mod state;

use crate::runtime::PluginRuntime;
use crate::sync::{SyncEngine, SyncOptions};
use catalog::Configured;
use destination::AirbyteDestination;
use messages::Emitter;
use progress::LogProgress;
use serde_json::{Value, json};
use std::path::Path;

/// A command's failure: what to tell the user, and whether their config
/// (rather than the system) is at fault.
pub struct Failure {
    pub message: String,
    pub config: bool,
}

impl Failure {
    fn config(error: impl std::fmt::Display) -> Self {
        Self {
            message: error.to_string(),
            config: true,
        }
    }

    fn system(error: impl std::fmt::Display) -> Self {
        Self {
            message: error.to_string(),
            config: false,
        }
    }
}

/// `spec`: the connection specification.
pub async fn spec(runtime: &PluginRuntime, out: &Emitter) -> Result<(), Failure> {
    let manifest = runtime.manifest().await.map_err(Failure::system)?;
    out.emit(&json!({"type": "SPEC", "spec": config::specification(&manifest)}));
    Ok(())
}

/// `check`: whether the config's keys work, as a CONNECTION_STATUS.
pub async fn check(runtime: &PluginRuntime, config: &Path, out: &Emitter) -> Result<(), Failure> {
    let manifest = runtime.manifest().await.map_err(Failure::system)?;
    let status = match config::read(config, &manifest) {
        Err(error) => json!({"status": "FAILED", "message": error.to_string()}),
        Ok(source) => match runtime.check_connection(&source.connection).await {
            Err(error) => json!({"status": "FAILED", "message": error.to_string()}),
            Ok(checks) => {
                let failed: Vec<String> = checks
                    .iter()
                    .filter(|c| !c.ok)
                    .map(|c| format!("{}: {}", c.field, c.message))
                    .collect();
                if failed.is_empty() && !checks.is_empty() {
                    json!({"status": "SUCCEEDED"})
                } else {
                    json!({"status": "FAILED", "message": failed.join("; ")})
                }
            }
        },
    };
    out.emit(&json!({"type": "CONNECTION_STATUS", "connectionStatus": status}));
    Ok(())
}

/// `discover`: the streams the config's keys unlock.
pub async fn discover(
    runtime: &PluginRuntime,
    config: &Path,
    out: &Emitter,
) -> Result<(), Failure> {
    let manifest = runtime.manifest().await.map_err(Failure::system)?;
    let source = config::read(config, &manifest).map_err(Failure::config)?;
    let streams = runtime
        .list_streams(&source.connection)
        .await
        .map_err(Failure::config)?;
    let streams: Vec<Value> = streams.iter().map(catalog::stream).collect();
    out.emit(&json!({"type": "CATALOG", "catalog": {"streams": streams}}));
    Ok(())
}

/// `read`: the configured streams' records, a STATE after each page.
/// Whether every stream succeeded.
pub async fn read(
    runtime: &PluginRuntime,
    config: &Path,
    catalog_path: &Path,
    state: Option<&Path>,
    out: &Emitter,
) -> Result<bool, Failure> {
    let manifest = runtime.manifest().await.map_err(Failure::system)?;
    let source = config::read(config, &manifest).map_err(Failure::config)?;
    let available = runtime
        .list_streams(&source.connection)
        .await
        .map_err(Failure::config)?;
    let configured: Vec<Configured> =
        catalog::configured(catalog_path, &available).map_err(Failure::config)?;
    let checkpoints = match state {
        Some(path) => state::read(path).map_err(Failure::config)?,
        None => Default::default(),
    };
    let options = SyncOptions {
        streams: Some(configured.iter().map(|c| c.name.clone()).collect()),
        settings_json: source.settings_json.clone(),
        ..SyncOptions::default()
    };
    let mut destination = AirbyteDestination::new(out.clone(), configured, checkpoints);
    let mut progress = LogProgress {
        emitter: out.clone(),
    };
    let report = SyncEngine {
        runtime,
        connection: &source.connection,
        destination: &mut destination,
        progress: &mut progress,
    }
    .run(&options)
    .await
    .map_err(Failure::config)?;
    out.flush();
    Ok(report.succeeded())
}
