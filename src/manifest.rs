//! The plugin's manifest: identity, connection form, settings and every stream.

use crate::connection::KEY_FIELDS;
use crate::model::{Manifest, SecretField};

pub const PLUGIN_ID: &str = "anthropic-admin-compliance";

pub fn manifest() -> Manifest {
    Manifest {
        plugin_id: PLUGIN_ID.into(),
        plugin_version: env!("CARGO_PKG_VERSION").into(),
        secret_fields: KEY_FIELDS
            .iter()
            .map(|f| SecretField {
                name: f.name.into(),
                label: f.label.into(),
                prefix: f.prefix.into(),
                unlocks: f.kind,
                description: match f.kind {
                    crate::model::KeyKind::Admin => "Created by an Anthropic Console organization \
                        admin under Settings → Admin Keys. Unlocks the eight Admin API streams."
                        .into(),
                    crate::model::KeyKind::Compliance => "Issued for the Compliance API \
                        (Enterprise plan, enabled on the organization). Unlocks the nine \
                        Compliance API streams."
                        .into(),
                },
            })
            .collect(),
        settings: crate::settings::declared(),
        streams: crate::streams::all().map(|s| s.descriptor()).collect(),
    }
}
