//! The `--into` (and `--schema`) arguments the commands that touch a
//! warehouse share.

use crate::connections::NamedConnection;
use crate::destinations::warehouse::Warehouse;
use crate::destinations::{DestinationError, PostgresLocation};
use clap::Args;

/// Default SQLite file of `sync`, `reset` and `runs`.
pub const DEFAULT_DATABASE: &str = "anthropic.sqlite";

#[derive(Debug, Clone, Args)]
pub struct WarehouseArgs {
    /// Where the data goes: a SQLite file, or a PostgreSQL database as
    /// postgres://USER@HOST:PORT/DATABASE (the password in PGPASSWORD)
    /// [default: a named connection's `into`, else anthropic.sqlite].
    #[arg(long, value_name = "FILE|URL")]
    pub into: Option<String>,
    /// The connection's schema in a PostgreSQL database [default: a named
    /// connection's `schema`, else its slug, else anthropic].
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
}

impl WarehouseArgs {
    pub fn warehouse(&self) -> Result<Warehouse, DestinationError> {
        self.warehouse_of(None)
    }

    /// The warehouse, where the arguments leave it to the named connection
    /// `(slug, entry)` when there is one.
    pub fn warehouse_of(
        &self,
        named: Option<(&str, &NamedConnection)>,
    ) -> Result<Warehouse, DestinationError> {
        let into = self
            .into
            .as_deref()
            .or(named.and_then(|(_, n)| n.into.as_deref()))
            .unwrap_or(DEFAULT_DATABASE);
        let schema = self.schema.as_deref().or(match named {
            Some((slug, entry)) if PostgresLocation::is_url(into) => {
                Some(entry.schema.as_deref().unwrap_or(slug))
            }
            _ => None,
        });
        Warehouse::parse(into, schema)
    }
}
