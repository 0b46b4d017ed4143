//! Which PostgreSQL server, database and schema a sync writes into: a
//! `postgres://` URL (libpq's URL form: user, host, port, database,
//! `sslmode`, `connect_timeout`, …) and a schema of its own per connection.
//! The password comes from the URL or, better, from `PGPASSWORD`, and is
//! never shown: messages name the server by user, host, port and database.
//!
//! TLS follows the URL's `sslmode` (`prefer`, the default, uses it when the
//! server offers it; `require` insists; `disable` never), and the server's
//! certificate is always verified: against the public roots and the CA
//! certificates of the PEM file `PGSSLROOTCERT` names.

use crate::destinations::DestinationError;
use crate::egress::ExtraRoots;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::config::{Host, SslMode};

/// The schema a sync writes into unless told otherwise.
pub const DEFAULT_SCHEMA: &str = "anthropic";

/// The environment variable libpq reads a password from.
pub const PASSWORD_ENV: &str = "PGPASSWORD";

/// The environment variable libpq reads the server's CA certificates from.
pub const ROOT_CERT_ENV: &str = "PGSSLROOTCERT";

/// How long connecting may take unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A PostgreSQL database and the schema of one connection in it.
#[derive(Clone)]
pub struct PostgresLocation {
    pub(super) config: tokio_postgres::Config,
    pub(super) schema: String,
    /// CA certificates trusted for the server besides the public roots.
    pub(super) roots: ExtraRoots,
    shown: String,
}

impl std::fmt::Debug for PostgresLocation {
    /// The shown form only: the config holds the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl PostgresLocation {
    /// Whether `into` names a PostgreSQL database rather than a file.
    pub fn is_url(into: &str) -> bool {
        ["postgres://", "postgresql://"].iter().any(|scheme| {
            into.len() >= scheme.len() && into[..scheme.len()].eq_ignore_ascii_case(scheme)
        })
    }

    /// Read `url`; `schema` is the connection's schema (created if missing).
    pub fn parse(url: &str, schema: &str) -> Result<Self, DestinationError> {
        let invalid = |reason: String| DestinationError::Open {
            location: "the PostgreSQL URL given with --into".into(),
            reason,
        };
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            invalid(format!(
                "{e}{}; expected postgres://USER@HOST:PORT/DATABASE (the password in {PASSWORD_ENV})",
                std::error::Error::source(&e)
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default()
            ))
        })?;
        if schema.is_empty() || schema.len() > 63 {
            return Err(invalid(format!(
                "schema name `{schema}` must be 1 to 63 characters long"
            )));
        }
        let roots = match std::env::var_os(ROOT_CERT_ENV) {
            Some(path) if config.get_ssl_mode() != SslMode::Disable => {
                ExtraRoots::load(&[path.into()])
                    .map_err(|e| invalid(format!("{ROOT_CERT_ENV}: {e}")))?
            }
            _ => ExtraRoots::default(),
        };
        if config.get_password().is_none()
            && let Ok(password) = std::env::var(PASSWORD_ENV)
        {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("anthropic-connector");
        let shown = show(&config, schema);
        Ok(Self {
            config,
            schema: schema.to_owned(),
            roots,
            shown,
        })
    }

    /// Trust `roots` for the server's certificate too.
    pub fn with_roots(mut self, roots: ExtraRoots) -> Self {
        self.roots = roots;
        self
    }

    /// The connection's schema.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The database and schema, without the password.
    pub fn describe(&self) -> &str {
        &self.shown
    }
}

fn show(config: &tokio_postgres::Config, schema: &str) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let name = match host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(port) => format!("{name}:{port}"),
                None => name,
            }
        })
        .collect();
    format!(
        "PostgreSQL {}@{}/{} (schema {schema})",
        config.get_user().unwrap_or("-"),
        if hosts.is_empty() {
            "localhost".to_owned()
        } else {
            hosts.join(",")
        },
        config.get_dbname().unwrap_or("-"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files() {
        assert!(PostgresLocation::is_url("postgres://u@h/db"));
        assert!(PostgresLocation::is_url("PostgreSQL://u@h/db"));
        assert!(!PostgresLocation::is_url("anthropic.sqlite"));
        assert!(!PostgresLocation::is_url("./postgres"));
    }

    #[test]
    fn the_password_is_never_shown() {
        let location = PostgresLocation::parse(
            "postgres://sync:hunter2secret@db.example:6543/warehouse",
            "prod",
        )
        .unwrap();
        assert_eq!(
            location.describe(),
            "PostgreSQL sync@db.example:6543/warehouse (schema prod)"
        );
        assert!(!format!("{location:?}").contains("hunter2"));
    }

    #[test]
    fn a_bad_url_or_schema_is_refused_with_what_to_write() {
        let err = PostgresLocation::parse("postgres://u@h/db?colour=blue", "s")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected postgres://USER@HOST:PORT/DATABASE"),
            "{err}"
        );
        let err = PostgresLocation::parse("postgres://u@h/db", "")
            .unwrap_err()
            .to_string();
        assert!(err.contains("schema name"), "{err}");
    }
}
