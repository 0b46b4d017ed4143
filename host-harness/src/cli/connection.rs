//! Where a CLI command's connection comes from: the environment (or a secrets
//! file) for real keys, or the built-in mock when `--mock` asks for it. Never a
//! key on the command line, and never fake data without that explicit choice.

use crate::connections::{ConnectionsFile, NamedNetwork};
use crate::egress::{ClientSettings, ExtraRoots, Origin, ProxyChoice, ProxySettings, RequestRate};
use crate::runtime::ConnectionConfig;
use crate::secrets::{ADMIN_KEY_ENV, BASE_URL_ENV, COMPLIANCE_KEY_ENV, Secrets};
use anthropic_mock::{
    Behaviour, DEMO_ADMIN_KEY, DEMO_COMPLIANCE_KEY, MockOrg, MockServer, OrgSize,
};
use anyhow::{Context, bail};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// The default base URL of the Anthropic API.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Base URL of the Anthropic API.
    #[arg(long, env = BASE_URL_ENV, default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Read the keys from this file (lines `ANTHROPIC_ADMIN_API_KEY=…`,
    /// `ANTHROPIC_COMPLIANCE_ACCESS_KEY=…`) instead of the environment.
    #[arg(long, value_name = "FILE")]
    pub secrets_file: Option<PathBuf>,
    /// Run against the built-in mock of the Anthropic API, with its demo keys,
    /// instead of the real API.
    #[arg(long)]
    pub mock: bool,
    /// Console users in the mock organisation (with --mock).
    #[arg(long, default_value_t = OrgSize::default().admin_users, requires = "mock")]
    pub mock_users: usize,
    /// Linked organisations in the mock (with --mock).
    #[arg(long, default_value_t = OrgSize::default().organizations, requires = "mock")]
    pub mock_organizations: usize,
    /// claude.ai users across the mock's organisations (with --mock).
    #[arg(long, default_value_t = OrgSize::default().compliance_users, requires = "mock")]
    pub mock_compliance_users: usize,
    /// Events in the mock's activity feed (with --mock).
    #[arg(long, default_value_t = OrgSize::default().activities, requires = "mock")]
    pub mock_activities: usize,
    /// Rows of the mock's cost report per day, as a large organisation has
    /// (with --mock; default: the cost of the mock's usage, a few dozen a day).
    #[arg(long, value_name = "ROWS", requires = "mock")]
    pub mock_cost_rows_per_day: Option<usize>,
    // The global `--requests-per-minute` of `Cli`: with the same id, clap
    // hands its value here wherever it is given on the command line.
    /// Send at most N requests a minute on the connection, all endpoints
    /// counted together (0: no limit of the harness's own).
    #[arg(long, value_name = "N")]
    pub requests_per_minute: Option<u32>,
    /// Compliance groups in the mock (with --mock; default: one per 20
    /// claude.ai users, at least 2).
    #[arg(long, value_name = "N", requires = "mock")]
    pub mock_groups: Option<usize>,
    /// Members of every group of the mock (with --mock; default: a share of
    /// the claude.ai users plus every seventh one).
    #[arg(long, value_name = "N", requires = "mock")]
    pub mock_members_per_group: Option<usize>,
    /// Chats of every claude.ai user of the mock (with --mock; default: 0 to 3).
    #[arg(long, value_name = "N", requires = "mock")]
    pub mock_chats_per_user: Option<usize>,
    /// Usage series reporting every minute in the mock (with --mock; default:
    /// a few usage records an hour).
    #[arg(long, value_name = "N", requires = "mock")]
    pub mock_usage_series: Option<usize>,
    /// Milliseconds every request to the mock waits before it is answered
    /// (with --mock).
    #[arg(long, value_name = "MS", default_value_t = 0, requires = "mock")]
    pub mock_latency_ms: u64,
    /// Requests per minute the mock admits, shared by every key (with
    /// --mock; default: no limit).
    #[arg(long, value_name = "N", requires = "mock")]
    pub mock_requests_per_minute: Option<u32>,
    /// Send the API requests through this HTTP proxy (http://host:port, which
    /// tunnels them with CONNECT) instead of the one HTTPS_PROXY / HTTP_PROXY
    /// name. Its credentials never go on the command line: put
    /// http://USER:PASSWORD@host:port in HTTPS_PROXY or in the connections
    /// file. This machine (localhost, 127.0.0.1, ::1) is always reached directly.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Hosts reached without the proxy, comma-separated: domains (with their
    /// subdomains), IP addresses or networks, or * (default: NO_PROXY).
    #[arg(long, value_name = "HOSTS")]
    pub no_proxy: Option<String>,
    /// Trust the certificate authorities of this PEM file (one or several
    /// certificates) besides the public ones: your company CA, or the CA of a
    /// proxy that inspects TLS. May be given more than once.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// The API version every request asks for (the `anthropic-version`
    /// header), a date such as 2023-06-01 [default: the plugin's, 2023-06-01].
    /// Versions rename fields: move when your warehouse is ready for them.
    #[arg(long, env = "ANTHROPIC_VERSION", value_name = "DATE")]
    pub anthropic_version: Option<String>,
}

/// A resolved connection, and the mock serving it when there is one (kept
/// alive as long as the connection is used).
pub struct ResolvedConnection {
    pub config: ConnectionConfig,
    pub mock: Option<MockServer>,
}

impl ConnectionArgs {
    pub async fn resolve(&self) -> anyhow::Result<ResolvedConnection> {
        if self.mock {
            let org = MockOrg::generate(OrgSize {
                admin_users: self.mock_users,
                organizations: self.mock_organizations,
                compliance_users: self.mock_compliance_users,
                activities: self.mock_activities,
                cost_rows_per_day: self.mock_cost_rows_per_day,
                groups: self.mock_groups,
                members_per_group: self.mock_members_per_group,
                chats_per_user: self.mock_chats_per_user,
                usage_series: self.mock_usage_series,
                ..OrgSize::default()
            });
            let server = MockServer::start(org)
                .await
                .context("starting the built-in mock API")?;
            server.set_behaviour(Behaviour {
                latency: Duration::from_millis(self.mock_latency_ms),
                requests_per_minute: self.mock_requests_per_minute,
                ..Behaviour::default()
            });
            let mut secrets = Secrets::default();
            secrets.insert("admin-api-key", DEMO_ADMIN_KEY.into());
            secrets.insert("compliance-access-key", DEMO_COMPLIANCE_KEY.into());
            return Ok(ResolvedConnection {
                config: self.finish(ConnectionConfig::new(server.base_url(), secrets)?, None)?,
                mock: Some(server),
            });
        }
        let secrets = match &self.secrets_file {
            Some(path) if path.to_str().is_some_and(redaction::looks_like_key) => {
                // Not echoed: the value is a key, and the message may end up in a log.
                bail!(
                    "--secrets-file expects the path of a file holding the keys, but the value given \
                     looks like an API key itself (it is not shown here). Keys never go on the command \
                     line, where shell history and process lists keep them: put \
                     {ADMIN_KEY_ENV}=… and/or {COMPLIANCE_KEY_ENV}=… in a file and pass its path, or \
                     set the variables in the environment. If that key is real, consider rotating it."
                );
            }
            Some(path) => Secrets::from_file(path)?,
            None => Secrets::from_env(),
        };
        if secrets.is_empty() {
            bail!(
                "no API key found. Set {ADMIN_KEY_ENV} (Admin API Key, sk-ant-admin01-…) and/or \
                 {COMPLIANCE_KEY_ENV} (Compliance Access Key, sk-ant-api01-…) in the environment, \
                 or put them in a file and pass --secrets-file FILE. To try the harness without \
                 keys, add --mock to run against the built-in mock API."
            );
        }
        warn_if_cleartext(&self.base_url);
        Ok(ResolvedConnection {
            config: self.finish(ConnectionConfig::new(self.base_url.clone(), secrets)?, None)?,
            mock: None,
        })
    }
}

impl ConnectionArgs {
    /// The connection `slug` of `file`, as the command line adjusts it.
    pub fn resolve_named(
        &self,
        file: &ConnectionsFile,
        slug: &str,
    ) -> anyhow::Result<ConnectionConfig> {
        let config = self.finish(file.resolve(slug)?, Some(file.network(slug)?))?;
        warn_if_cleartext(&config.base_url);
        Ok(config)
    }

    /// `config` as the command line (and `named`, a connection of the
    /// connections file) asks: the request rate, the API version, the proxy
    /// and the extra certificate authorities. A proxy or CA file that cannot be used is
    /// refused here, before any request.
    pub fn finish(
        &self,
        mut config: ConnectionConfig,
        named: Option<NamedNetwork>,
    ) -> anyhow::Result<ConnectionConfig> {
        if let Some(n) = self.requests_per_minute {
            config.request_rate = RequestRate::per_minute(n);
        }
        if let Some(version) = &self.anthropic_version {
            config.anthropic_version = Some(version.clone());
        }
        Ok(config.reaching_through(self.client_settings(named.unwrap_or_default())?))
    }

    /// The proxy and CAs: the environment's proxy, overridden by the named
    /// connection's, overridden by the command line's; CA files of both.
    fn client_settings(&self, named: NamedNetwork) -> anyhow::Result<ClientSettings> {
        let mut choice = ProxyChoice::from_env();
        if let Some((url, source)) = &named.proxy {
            choice.everything_through(&url.0, source);
        }
        if let Some(url) = &self.proxy {
            if redaction::has_credentials(url) {
                // Not echoed: the URL holds a password.
                bail!(
                    "--proxy carries credentials (`user:password@`), which are not shown here. \
                     Passwords never go on the command line, where shell history and process \
                     lists keep them: set HTTPS_PROXY=http://USER:PASSWORD@host:port in the \
                     environment, or `proxy` in the connections file"
                );
            }
            choice.everything_through(url, "--proxy");
        }
        if let Some(hosts) = self.no_proxy.clone().or(named.no_proxy) {
            choice.no_proxy = Some(hosts);
        }
        let mut ca_files = self.ca_cert.clone();
        ca_files.extend(named.ca_cert);
        Ok(ClientSettings {
            proxy: ProxySettings::new(&choice)?,
            extra_roots: ExtraRoots::load(&ca_files)?,
            ..ClientSettings::default()
        })
    }
}

/// Warn on stderr when the connection would send its keys in clear text (the
/// run goes on: a test server on another machine may be meant).
pub fn warn_if_cleartext(base_url: &str) {
    if let Some(warning) = Origin::parse(base_url).and_then(|o| o.cleartext_warning()) {
        eprintln!("warning: {warning}");
    }
}

/// A named connection from a connections file, instead of the environment's.
#[derive(Debug, Clone, Args)]
pub struct NamedConnectionArgs {
    /// Use this named connection of the connections file instead of the environment's.
    #[arg(long, value_name = "SLUG")]
    pub connection: Option<String>,
    /// The connections file (slugs with their base URL, secrets file and
    /// warehouse, and role grants).
    #[arg(long, env = "HARNESS_CONNECTIONS", value_name = "FILE")]
    pub connections: Option<PathBuf>,
}

impl NamedConnectionArgs {
    /// The connections file, when one is given.
    pub fn file(&self) -> anyhow::Result<Option<ConnectionsFile>> {
        Ok(self
            .connections
            .as_deref()
            .map(ConnectionsFile::load)
            .transpose()?)
    }

    /// The slug asked for, with the file that names it; none without `--connection`.
    pub fn slug<'f>(
        &self,
        file: Option<&'f ConnectionsFile>,
    ) -> anyhow::Result<Option<(&str, &'f ConnectionsFile)>> {
        match (&self.connection, file) {
            (Some(slug), Some(file)) => Ok(Some((slug, file))),
            (Some(slug), None) => bail!(
                "--connection {slug} needs a connections file (--connections FILE or HARNESS_CONNECTIONS)"
            ),
            (None, _) => Ok(None),
        }
    }
}
