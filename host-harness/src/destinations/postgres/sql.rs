//! The SQL the PostgreSQL destination speaks, derived from a [`TableSpec`]:
//! column types, table definitions, and the one statement that writes a
//! page. Kept to what PostgreSQL's distributed relatives (CockroachDB,
//! YugabyteDB, Citus) accept too: no extensions, no advisory locks, no COPY
//! into temporary tables.

use crate::destinations::metadata::{
    DELETED_AT_COLUMN, FIRST_SEEN_COLUMN, RAW_COLUMN, RUN_ID_COLUMN, STATE_TABLE, SYNCED_AT_COLUMN,
    quote,
};
use crate::destinations::table::{ColumnKind, TableSpec};

/// A column kind's PostgreSQL type, as written in DDL and as
/// `information_schema.columns.data_type` names it.
pub fn sql_type(kind: ColumnKind) -> (&'static str, &'static str) {
    match kind {
        ColumnKind::Text => ("text", "text"),
        ColumnKind::Integer => ("bigint", "bigint"),
        ColumnKind::Number => ("double precision", "double precision"),
        // Cost amounts keep every digit the API sent.
        ColumnKind::Decimal => ("numeric", "numeric"),
        ColumnKind::Boolean => ("boolean", "boolean"),
        ColumnKind::Timestamp => ("timestamptz", "timestamp with time zone"),
        ColumnKind::Date => ("date", "date"),
        ColumnKind::Json => ("jsonb", "jsonb"),
    }
}

/// Columns every table has besides the stream's own, with their types
/// (DDL, `information_schema` name).
pub const METADATA_COLUMNS: [(&str, (&str, &str)); 5] = [
    (RAW_COLUMN, ("jsonb NOT NULL", "jsonb")),
    (
        SYNCED_AT_COLUMN,
        ("timestamptz NOT NULL", "timestamp with time zone"),
    ),
    (RUN_ID_COLUMN, ("bigint", "bigint")),
    (
        FIRST_SEEN_COLUMN,
        ("timestamptz", "timestamp with time zone"),
    ),
    (
        DELETED_AT_COLUMN,
        ("timestamptz", "timestamp with time zone"),
    ),
];

/// A table of the schema, qualified.
pub fn qualified(schema: &str, table: &str) -> String {
    format!("{}.{}", quote(schema), quote(table))
}

pub fn create_table(schema: &str, table: &TableSpec) -> String {
    let mut definitions: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("{} {}", quote(&c.name), sql_type(c.kind).0))
        .collect();
    definitions.extend(
        METADATA_COLUMNS
            .iter()
            .map(|(name, (ddl, _))| format!("{} {ddl}", quote(name))),
    );
    let keys: Vec<String> = table.primary_key.iter().map(|k| quote(k)).collect();
    format!(
        "CREATE TABLE {} ({}, PRIMARY KEY ({}))",
        qualified(schema, &table.name),
        definitions.join(", "),
        keys.join(", ")
    )
}

/// Write one page and count what it did, in one statement. Parameters: one
/// `text[]` per column of the table (in its order), the records (`text[]`),
/// when the stream's read began, now (both as text), the run (`bigint`).
///
/// The page is unnested into rows, each value cast once to its column's
/// type; a key the page holds twice is written once, as its last record.
/// `previous` classifies each key against the table as it was before the
/// page: every part of a statement sees the same snapshot, so the upsert in
/// `written` does not change what `previous` reads. Returns new, changed and
/// unchanged keys (a key written earlier in the same read counts as none).
pub fn write_page(schema: &str, table: &TableSpec) -> String {
    let target = qualified(schema, &table.name);
    let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    let n = columns.len();
    let (raw, synced, run, first, deleted) = (
        quote(RAW_COLUMN),
        quote(SYNCED_AT_COLUMN),
        quote(RUN_ID_COLUMN),
        quote(FIRST_SEEN_COLUMN),
        quote(DELETED_AT_COLUMN),
    );
    let arrays: Vec<String> = (1..=n + 1).map(|i| format!("${i}::text[]")).collect();
    let (started, now, run_id) = (n + 2, n + 3, n + 4);
    let keys: Vec<String> = table.primary_key.iter().map(|k| quote(k)).collect();
    let unnested_keys: Vec<String> = keys.iter().map(|k| format!("u.{k}")).collect();
    let cast: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let name = quote(&c.name);
            format!("CAST(u.{name} AS {}) AS {name}", sql_type(c.kind).0)
        })
        .collect();
    let join: Vec<String> = keys.iter().map(|k| format!("t.{k} = p.{k}")).collect();
    let values: Vec<String> = columns.iter().map(|c| format!("p.{c}")).collect();
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !keys.contains(c))
        .chain([&raw, &synced, &run, &deleted])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "WITH page AS (
             SELECT DISTINCT ON ({unnested_keys}) {cast}, CAST(u.{raw} AS jsonb) AS {raw}
             FROM unnest({arrays}) WITH ORDINALITY AS u({columns}, {raw}, _position)
             ORDER BY {unnested_keys}, u._position DESC
         ),
         previous AS (
             SELECT t.{synced} < (${started}::text)::timestamptz AS earlier,
                    t.{raw} = p.{raw} AS same,
                    t.{synced} IS NULL AS absent
             FROM page p LEFT JOIN {target} t ON {join}
         ),
         written AS (
             INSERT INTO {target} AS t ({columns}, {raw}, {synced}, {run}, {first}, {deleted})
             SELECT {values}, p.{raw}, (${now}::text)::timestamptz, ${run_id}::bigint,
                    (${now}::text)::timestamptz, NULL
             FROM page p
             ON CONFLICT ({keys}) DO UPDATE SET {updates}
             RETURNING 1
         )
         SELECT count(*) FILTER (WHERE absent),
                count(*) FILTER (WHERE earlier AND NOT same),
                count(*) FILTER (WHERE earlier AND same),
                (SELECT count(*) FROM written)
         FROM previous",
        unnested_keys = unnested_keys.join(", "),
        cast = cast.join(", "),
        keys = keys.join(", "),
        arrays = arrays.join(", "),
        columns = columns.join(", "),
        join = join.join(" AND "),
        values = values.join(", "),
        updates = updates.join(", "),
    )
}

/// Mark the rows not written since a read began as deleted, once.
/// Parameters: now, when the read began (both as text).
pub fn mark_unseen_deleted(schema: &str, table: &TableSpec) -> String {
    format!(
        "UPDATE {} SET {deleted} = ($1::text)::timestamptz
         WHERE {deleted} IS NULL AND {synced} < ($2::text)::timestamptz",
        qualified(schema, &table.name),
        deleted = quote(DELETED_AT_COLUMN),
        synced = quote(SYNCED_AT_COLUMN),
    )
}

/// Store a stream's checkpoint. Parameters: stream, state, page cursor, time.
pub fn upsert_checkpoint(schema: &str) -> String {
    format!(
        "INSERT INTO {} (stream, state_json, page_cursor, updated_at)
         VALUES ($1, $2, $3, ($4::text)::timestamptz)
         ON CONFLICT (stream) DO UPDATE SET state_json = excluded.state_json,
             page_cursor = excluded.page_cursor, updated_at = excluded.updated_at",
        qualified(schema, STATE_TABLE)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destinations::table::tests::people;

    #[test]
    fn a_table_has_typed_columns_the_raw_record_as_jsonb_and_its_key() {
        assert_eq!(
            create_table("acme", &people()),
            "CREATE TABLE \"acme\".\"people\" (\"id\" text, \"age\" bigint, \"tags\" jsonb, \
             \"_raw\" jsonb NOT NULL, \"_synced_at\" timestamptz NOT NULL, \"_run_id\" bigint, \
             \"_first_seen\" timestamptz, \"_deleted_at\" timestamptz, PRIMARY KEY (\"id\"))"
        );
    }

    #[test]
    fn a_page_is_written_by_one_statement_keeping_when_a_row_was_first_seen() {
        let sql = write_page("acme", &people());
        assert!(sql.contains("unnest($1::text[], $2::text[], $3::text[], $4::text[])"));
        assert!(sql.contains("CAST(u.\"age\" AS bigint) AS \"age\""));
        assert!(sql.contains("ON CONFLICT (\"id\") DO UPDATE SET \"age\" = excluded.\"age\""));
        assert!(!sql.contains("\"_first_seen\" = excluded"));
        assert!(sql.contains("\"_deleted_at\" = excluded.\"_deleted_at\""));
    }
}
