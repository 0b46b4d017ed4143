//! The `--into` (and `--schema`) arguments the commands that touch a
//! warehouse share.

use crate::destinations::DestinationError;
use crate::destinations::warehouse::Warehouse;
use clap::Args;

/// Default SQLite file of `sync`, `reset` and `runs`.
pub const DEFAULT_DATABASE: &str = "anthropic.sqlite";

#[derive(Debug, Clone, Args)]
pub struct WarehouseArgs {
    /// Where the data goes: a SQLite file, or a PostgreSQL database as
    /// postgres://USER@HOST:PORT/DATABASE (the password in PGPASSWORD).
    #[arg(long, value_name = "FILE|URL", default_value = DEFAULT_DATABASE)]
    pub into: String,
    /// The connection's schema in a PostgreSQL database [default: anthropic].
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
}

impl WarehouseArgs {
    pub fn warehouse(&self) -> Result<Warehouse, DestinationError> {
        Warehouse::parse(&self.into, self.schema.as_deref())
    }
}
