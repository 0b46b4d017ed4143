//! `harness call`: the two request functions from the command line, with the
//! connection from the environment or a named connection (slug), and grants.

use super::connection::ConnectionArgs;
use super::output::print_table;
use crate::connections::{self, ConnectionsFile, Function};
use crate::runtime::PluginRuntime;
use crate::runtime::functions::{ApiRequest, ApiResponse, RequestFunction};
use anyhow::bail;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FunctionArg {
    /// CLAUDE_API_REQUEST: Compliance key if set, else Admin key; any path from `/`.
    ClaudeApiRequest,
    /// CLAUDE_COMPLIANCE_API_REQUEST: Compliance key only; `/v1/compliance/` only.
    ClaudeComplianceApiRequest,
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// Which function.
    #[arg(value_enum)]
    pub function: FunctionArg,
    /// Path on the connection's base URL, e.g. /v1/compliance/organizations.
    #[arg(long)]
    pub path: String,
    /// HTTP method (GET by default; writes only where the connection allows them).
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// A query parameter NAME=VALUE (repeatable; arrays as `user_ids[]=…`).
    #[arg(long = "query", value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// A JSON body.
    #[arg(long)]
    pub body: Option<String>,
    /// Follow pagination, one row per page.
    #[arg(long)]
    pub paginate: bool,
    /// Most pages with --paginate.
    #[arg(long, default_value_t = 10)]
    pub max_pages: u32,
    /// Call through this named connection instead of the environment's.
    #[arg(long, value_name = "SLUG")]
    pub connection: Option<String>,
    /// The connections file (slugs and role grants).
    #[arg(long, env = "HARNESS_CONNECTIONS", value_name = "FILE")]
    pub connections: Option<PathBuf>,
    /// Call as this role: refused unless the connections file grants it the function.
    #[arg(long)]
    pub role: Option<String>,
    #[command(flatten)]
    pub env_connection: ConnectionArgs,
}

impl FunctionArg {
    fn function(self) -> (Function, RequestFunction) {
        match self {
            Self::ClaudeApiRequest => (
                Function::ClaudeApiRequest,
                RequestFunction::ClaudeApiRequest,
            ),
            Self::ClaudeComplianceApiRequest => (
                Function::ClaudeComplianceApiRequest,
                RequestFunction::ClaudeComplianceApiRequest,
            ),
        }
    }
}

/// Run a call; rows come back even for API errors (statuses say).
pub async fn run(runtime: &PluginRuntime, args: &CallArgs) -> anyhow::Result<Vec<ApiResponse>> {
    let (grant, function) = args.function.function();
    let file = args
        .connections
        .as_deref()
        .map(ConnectionsFile::load)
        .transpose()?;
    // Grants first: a refused role makes no request and reads no secret.
    match &file {
        Some(file) => file.authorize(args.role.as_deref(), grant)?,
        None => connections::authorize(&Default::default(), args.role.as_deref(), grant)?,
    }
    let (config, _mock) = match (&args.connection, &file) {
        (Some(slug), Some(file)) => (file.resolve(slug)?, None),
        (Some(slug), None) => bail!(
            "--connection {slug} needs a connections file (--connections FILE or HARNESS_CONNECTIONS)"
        ),
        (None, _) => {
            let resolved = args.env_connection.resolve().await?;
            (resolved.config, resolved.mock)
        }
    };
    let mut query = Vec::new();
    for pair in &args.query {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--query {pair}: expected NAME=VALUE");
        };
        query.push((name.to_owned(), value.to_owned()));
    }
    let request = ApiRequest {
        method: args.method.clone(),
        path: args.path.clone(),
        query,
        body: args.body.clone(),
        paginate: args.paginate,
        max_pages: args.max_pages,
    };
    Ok(runtime.call_function(&config, function, &request).await?)
}

pub fn print(rows: &[ApiResponse], as_json: bool) {
    let header = |r: &ApiResponse, name: &str| {
        r.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if as_json {
        for r in rows {
            let body = match (&r.body_json, &r.body_text) {
                (Some(j), _) => serde_json::from_str(j).unwrap_or_default(),
                (None, Some(t)) => json!(t),
                (None, None) => serde_json::Value::Null,
            };
            let headers: serde_json::Map<String, serde_json::Value> = r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            println!(
                "{}",
                json!({"page": r.page, "status": r.status, "headers": headers, "body": body})
            );
        }
        return;
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let body = r
                .body_json
                .clone()
                .or_else(|| r.body_text.clone())
                .unwrap_or_default();
            let short: String = body.chars().take(100).collect();
            vec![
                r.page.to_string(),
                r.status.to_string(),
                header(r, "request-id"),
                short,
            ]
        })
        .collect();
    print_table(&["PAGE", "STATUS", "REQUEST-ID", "BODY"], &table);
}
