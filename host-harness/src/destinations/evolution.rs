//! How a stream's existing table follows what the stream now declares, in
//! any destination: the primary key must be the same, columns the table
//! lacks are added, and a column whose type changed is refused (before
//! anything is altered) rather than mixing or casting values behind the
//! user's back.

use super::DestinationError;
use super::table::TableSpec;

/// Refuse a table whose primary key is not the one the stream declares.
pub fn check_key(table: &TableSpec, existing_key: &[&str]) -> Result<(), DestinationError> {
    if existing_key == table.primary_key {
        return Ok(());
    }
    Err(DestinationError::KeyChanged {
        table: table.name.clone(),
        existing: existing_key.join(", "),
        declared: table.primary_key.join(", "),
    })
}

/// The `wanted` columns the table lacks, each as `(name, type as the
/// database reports it, what to add it with)`, given the table's `existing`
/// `(name, type)` pairs. Names compare as the database compares them.
pub fn missing_columns<'w, T>(
    table: &str,
    wanted: impl IntoIterator<Item = (&'w str, &'w str, T)>,
    existing: &[(String, String)],
    names_ignore_case: bool,
) -> Result<Vec<(&'w str, T)>, DestinationError> {
    let same = |a: &str, b: &str| {
        if names_ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let mut missing = Vec::new();
    for (column, declared, addition) in wanted {
        match existing.iter().find(|(name, _)| same(name, column)) {
            Some((_, existing_type)) if !existing_type.eq_ignore_ascii_case(declared) => {
                return Err(DestinationError::TypeChanged {
                    table: table.to_owned(),
                    column: column.to_owned(),
                    existing: existing_type.clone(),
                    declared: declared.to_owned(),
                });
            }
            Some(_) => {}
            None => missing.push((column, addition)),
        }
    }
    Ok(missing)
}
