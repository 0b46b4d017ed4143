//! The streams: what each one is (its spec) and how it is read. Each family
//! lives in its own folder; a stream's endpoint, key, columns and reader are
//! defined in one place, its family's `mod.rs` or its own file.

pub mod admin;
pub mod compliance;
pub mod incremental;
pub mod key_hash;
pub mod list;
pub mod parent;
pub mod schema;

use crate::connection::Connection;
use crate::error::{ConnectorError, Result};
use crate::host::Host;
use crate::model::{KeyKind, Page, ReadRequest, StreamDescriptor, SyncStrategy};
use crate::settings::{SettingName, Settings};
use schema::Columns;

/// What a reader gets: the host, the checked connection and the parsed settings.
pub struct ReadContext<'a> {
    pub host: &'a dyn Host,
    pub connection: &'a Connection,
    pub settings: &'a Settings,
}

/// Reads one page of a stream.
pub type Reader = fn(&ReadContext<'_>, &ReadRequest) -> Result<Page>;

/// Everything the plugin knows about one stream.
pub struct StreamSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub endpoint: &'static str,
    /// The key it is read with.
    pub key: KeyKind,
    /// The key it is read with when the connection lacks `key`, if any.
    pub fallback_key: Option<KeyKind>,
    /// The scope its endpoint needs beyond a valid key, as a 403 names it
    /// (the Compliance API's); none where the key's own access is enough.
    pub scope: Option<&'static str>,
    pub incremental: bool,
    pub primary_key: &'static [&'static str],
    pub cursor_field: Option<&'static str>,
    pub parent: Option<&'static str>,
    /// Parent records one read may take (more than 1 when one call serves several parents).
    pub parent_batch_size: u32,
    pub columns: Columns,
    /// The settings that apply to its reads: the manifest lists the stream in
    /// each one's `applies_to`, and a per-stream setting may name it.
    pub settings: &'static [SettingName],
    pub reader: Reader,
}

impl StreamSpec {
    /// The key `connection` reads this stream with: its own, else the
    /// fallback; none when it has neither.
    pub fn key_for(&self, connection: &Connection) -> Option<KeyKind> {
        [Some(self.key), self.fallback_key]
            .into_iter()
            .flatten()
            .find(|kind| connection.key(*kind).is_some())
    }

    pub fn descriptor(&self) -> StreamDescriptor {
        let mut strategies = vec![SyncStrategy::FullRefresh];
        if self.incremental {
            strategies.push(SyncStrategy::Incremental);
        }
        StreamDescriptor {
            name: self.name.into(),
            description: self.description.into(),
            endpoint: self.endpoint.into(),
            required_key: self.key,
            strategies,
            primary_key: self.primary_key.iter().map(|s| (*s).to_owned()).collect(),
            cursor_field: self.cursor_field.map(str::to_owned),
            parent: self.parent.map(str::to_owned),
            parent_batch_size: self.parent_batch_size,
            json_schema: schema::json_schema(self.columns, self.primary_key),
        }
    }
}

/// Every stream, Compliance first, in the order a sync runs them.
pub fn all() -> impl Iterator<Item = &'static StreamSpec> {
    compliance::STREAMS.iter().chain(admin::STREAMS.iter())
}

/// The streams that read `setting`, in stream order.
pub fn reading(setting: SettingName) -> impl Iterator<Item = &'static StreamSpec> {
    all().filter(move |s| s.settings.contains(&setting))
}

/// The stream named `name`, or an error listing the valid names.
pub fn find(name: &str) -> Result<&'static StreamSpec> {
    all().find(|s| s.name == name).ok_or_else(|| {
        let names: Vec<&str> = all().map(|s| s.name).collect();
        ConnectorError::InvalidConfig(format!(
            "unknown stream `{name}`; the streams are: {}",
            names.join(", ")
        ))
    })
}

/// The streams a connection's keys unlock, each naming the key it is read with.
pub fn available(connection: &Connection) -> Vec<StreamDescriptor> {
    all()
        .filter_map(|s| {
            s.key_for(connection).map(|key| StreamDescriptor {
                required_key: key,
                ..s.descriptor()
            })
        })
        .collect()
}

/// The key `connection` reads `request`'s stream with, or an error naming the
/// key to add.
pub fn read_key(connection: &Connection, request: &ReadRequest) -> Result<KeyKind> {
    let spec = find(&request.stream_name)?;
    match spec.key_for(connection) {
        Some(key) => Ok(key),
        None => connection.require(spec.key).map(|_| spec.key),
    }
}

/// Read one page: check the request against the stream's spec, then run its reader.
pub fn read_page(ctx: &ReadContext<'_>, request: &ReadRequest) -> Result<Page> {
    let spec = find(&request.stream_name)?;
    read_key(ctx.connection, request)?;
    if request.strategy == SyncStrategy::Incremental && !spec.incremental {
        return Err(ConnectorError::InvalidConfig(format!(
            "stream `{}` supports full refresh only",
            spec.name
        )));
    }
    if spec.parent.is_some() && request.parents.is_empty() {
        return Err(ConnectorError::InvalidConfig(format!(
            "stream `{}` is a child of `{}`: the host must pass parent records",
            spec.name,
            spec.parent.unwrap_or_default()
        )));
    }
    (spec.reader)(ctx, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_streams_with_unique_names_nine_compliance_eleven_admin() {
        let names: std::collections::BTreeSet<&str> = all().map(|s| s.name).collect();
        assert_eq!(names.len(), 20);
        assert_eq!(all().filter(|s| s.key == KeyKind::Compliance).count(), 9);
        assert_eq!(all().filter(|s| s.key == KeyKind::Admin).count(), 11);
    }

    #[test]
    fn every_parent_exists_with_the_same_key_and_every_key_column_is_declared() {
        for spec in all() {
            if let Some(parent) = spec.parent {
                assert_eq!(find(parent).unwrap().key, spec.key, "{}", spec.name);
            }
            for key in spec.primary_key {
                assert!(
                    spec.columns.iter().any(|(c, _)| c == key),
                    "{}.{key}",
                    spec.name
                );
            }
            if let Some(cursor) = spec.cursor_field {
                assert!(
                    spec.columns.iter().any(|(c, _)| *c == cursor),
                    "{}.{cursor}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn unknown_stream_lists_the_valid_ones() {
        let err = find("users").err().unwrap().to_string();
        assert!(
            err.contains("unknown stream `users`") && err.contains("admin_users"),
            "{err}"
        );
    }
}
