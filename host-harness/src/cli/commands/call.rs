//! `harness call`: the two request functions from the command line, with the
//! connection from the environment or a named connection (slug), and grants.

use crate::cli::connection::{ConnectionArgs, NamedConnectionArgs};
use crate::cli::output::print_table;
use crate::cli::{Cli, exit_code};
use crate::connections::{self, Function};
use crate::runtime::model::{ApiRequest, ApiResponse, HttpMethod, RequestFunction, ResponseBody};
use crate::runtime::{ConnectionConfig, PluginRuntime};
use anthropic_mock::MockServer;
use anyhow::bail;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FunctionArg {
    /// CLAUDE_API_REQUEST: any path from `/`; `/v1/organizations/…` with the Admin key and
    /// `/v1/compliance/…` with the Compliance key when both are set, else the Compliance key
    /// if set, else the Admin key.
    ClaudeApiRequest,
    /// CLAUDE_COMPLIANCE_API_REQUEST: Compliance key only; `/v1/compliance/` only.
    ClaudeComplianceApiRequest,
}

#[derive(Debug, Args)]
pub struct CallCommand {
    /// Which function.
    #[arg(value_enum)]
    pub function: FunctionArg,
    /// Path on the connection's base URL, e.g. /v1/compliance/organizations.
    #[arg(long)]
    pub path: String,
    /// HTTP method: GET (default), HEAD, or where the connection allows writes
    /// POST, PUT, PATCH, DELETE.
    #[arg(long, default_value = "GET", value_parser = parse_method)]
    pub method: HttpMethod,
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
    #[command(flatten)]
    pub named: NamedConnectionArgs,
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

fn parse_method(text: &str) -> Result<HttpMethod, String> {
    text.parse()
}

impl CallCommand {
    /// The connection to call through, once the role is granted the
    /// function: a named connection, or the environment's (or the mock,
    /// kept alive by the second value). A refused role makes no request and
    /// reads no secret.
    pub async fn connection_config(
        &self,
    ) -> anyhow::Result<(ConnectionConfig, Option<MockServer>)> {
        let (grant, _) = self.function.function();
        let file = self.named.file()?;
        match &file {
            Some(file) => file.authorize(self.role.as_deref(), grant)?,
            None => connections::authorize(&Default::default(), self.role.as_deref(), grant)?,
        }
        match self.named.slug(file.as_ref())? {
            Some((slug, file)) => Ok((self.env_connection.resolve_named(file, slug)?, None)),
            None => {
                let resolved = self.env_connection.resolve().await?;
                Ok((resolved.config, resolved.mock))
            }
        }
    }

    pub async fn execute(&self, cli: &Cli) -> anyhow::Result<ExitCode> {
        let runtime = cli.runtime()?;
        let rows = run(&runtime, self).await?;
        print(&rows, cli.json);
        Ok(exit_code(rows.iter().all(|r| r.status < 400)))
    }
}

/// Run a call; rows come back even for API errors (statuses say).
pub async fn run(runtime: &PluginRuntime, args: &CallCommand) -> anyhow::Result<Vec<ApiResponse>> {
    let (_, function) = args.function.function();
    let (config, _mock) = args.connection_config().await?;
    let mut query = Vec::new();
    for pair in &args.query {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--query {pair}: expected NAME=VALUE");
        };
        query.push((name.to_owned(), value.to_owned()));
    }
    let request = ApiRequest {
        method: args.method,
        path: args.path.clone(),
        query,
        body: args.body.clone(),
        paginate: args.paginate,
        max_pages: args.max_pages,
    };
    Ok(runtime.call_function(&config, function, &request).await?)
}

pub fn print(rows: &[ApiResponse], as_json: bool) {
    if as_json {
        for r in rows {
            let body = match &r.body {
                ResponseBody::Json(j) => serde_json::from_str(j).unwrap_or_default(),
                ResponseBody::Text(t) => json!(t),
                ResponseBody::Empty => serde_json::Value::Null,
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
            let body = match &r.body {
                ResponseBody::Json(text) | ResponseBody::Text(text) => text.as_str(),
                ResponseBody::Empty => "",
            };
            let short: String = body.chars().take(100).collect();
            vec![
                r.page.to_string(),
                r.status.to_string(),
                r.header("request-id").unwrap_or_default().to_owned(),
                short,
            ]
        })
        .collect();
    print_table(&["PAGE", "STATUS", "REQUEST-ID", "BODY"], &table);
}
