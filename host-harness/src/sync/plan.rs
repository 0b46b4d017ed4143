//! Which streams a run reads, and in what order: the selection checked against
//! the manifest and the connection's keys, each child's parent brought along,
//! parents before children.

use crate::printable::printable;
use crate::runtime::model::{KeyKind, StreamDescriptor};
use thiserror::Error;

/// Names as typed are echoed with their control characters escaped.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("unknown stream `{}`; the streams are: {known}", printable(.name))]
    Unknown { name: String, known: String },
    #[error("stream `{}` needs the {key}, which this connection does not have", printable(.name))]
    Locked { name: String, key: String },
    #[error("no stream selected")]
    Empty,
}

/// One stream of a run, and why it is there.
#[derive(Debug, Clone)]
pub struct PlannedStream {
    pub descriptor: StreamDescriptor,
    /// Chosen by the user (or by "all"), as opposed to brought in as a parent.
    pub selected: bool,
}

/// The streams of a run, parents first.
#[derive(Debug, Clone)]
pub struct Plan {
    pub streams: Vec<PlannedStream>,
    /// The plugin's version (part of the context a resume point belongs to).
    pub plugin_version: String,
}

impl Plan {
    /// Whether a stream of this run reads `name`'s records as its parents.
    pub fn has_children(&self, name: &str) -> bool {
        self.streams
            .iter()
            .any(|s| s.descriptor.parent.as_deref() == Some(name))
    }
}

/// How messages name a key field.
pub fn key_label(key: KeyKind) -> &'static str {
    match key {
        KeyKind::Admin => "Admin API Key (ANTHROPIC_ADMIN_API_KEY)",
        KeyKind::Compliance => "Compliance Access Key (ANTHROPIC_COMPLIANCE_ACCESS_KEY)",
    }
}

/// Plan a run. `all` is every stream of the manifest; `available` those the
/// connection's keys unlock; `selection` the names asked for (none = every
/// available stream).
pub fn plan(
    all: &[StreamDescriptor],
    available: &[StreamDescriptor],
    selection: Option<&[String]>,
) -> Result<Plan, PlanError> {
    let find_available = |name: &str| -> Result<&StreamDescriptor, PlanError> {
        if let Some(d) = available.iter().find(|d| d.name == name) {
            return Ok(d);
        }
        match all.iter().find(|d| d.name == name) {
            Some(d) => Err(PlanError::Locked {
                name: name.to_owned(),
                key: key_label(d.required_key).to_owned(),
            }),
            None => Err(PlanError::Unknown {
                name: name.to_owned(),
                known: all
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    };

    let chosen: Vec<&StreamDescriptor> = match selection {
        Some(names) => names
            .iter()
            .map(|n| find_available(n.trim()))
            .collect::<Result<_, _>>()?,
        None => available.iter().collect(),
    };
    if chosen.is_empty() {
        return Err(PlanError::Empty);
    }

    // Close over parents, then order parents first, in manifest order otherwise.
    let mut included: Vec<(&StreamDescriptor, bool)> = chosen.iter().map(|d| (*d, true)).collect();
    let mut i = 0;
    while i < included.len() {
        if let Some(parent) = &included[i].0.parent
            && !included.iter().any(|(d, _)| &d.name == parent)
        {
            included.push((find_available(parent)?, false));
        }
        i += 1;
    }
    let depth = |d: &StreamDescriptor| {
        let mut depth = 0;
        let mut current = d.parent.clone();
        while let Some(p) = current {
            depth += 1;
            current = all
                .iter()
                .find(|x| x.name == p)
                .and_then(|x| x.parent.clone());
        }
        depth
    };
    let position = |d: &StreamDescriptor| {
        all.iter()
            .position(|x| x.name == d.name)
            .unwrap_or(usize::MAX)
    };
    included.sort_by_key(|(d, _)| (depth(d), position(d)));
    Ok(Plan {
        streams: included
            .into_iter()
            .map(|(d, selected)| PlannedStream {
                descriptor: d.clone(),
                selected,
            })
            .collect(),
        plugin_version: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_as_typed_is_echoed_with_its_control_characters_escaped() {
        let err = plan(&[], &[], Some(&["admin\u{1b}[2J_users".to_owned()])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown stream `admin\\u{1b}[2J_users`; the streams are: "
        );
    }
}
