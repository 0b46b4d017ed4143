//! The source's configuration: the connection specification it announces
//! (built from the plugin's manifest: its secret fields, marked secret, and
//! its settings) and the config file a platform passes back, read into a
//! connection and the plugin's settings.

use crate::runtime::ConnectionConfig;
use crate::runtime::model::Manifest;
use crate::secrets::Secrets;
use serde_json::{Map, Value, json};
use std::path::Path;
use thiserror::Error;

/// The config field of the API's base URL.
const BASE_URL: &str = "base_url";
const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the config file {path} is not a JSON object")]
    NotAnObject { path: String },
    #[error("config field `{field}` must be {expected}")]
    Field {
        field: String,
        expected: &'static str,
    },
    #[error("{0}")]
    Connection(String),
}

/// A secret field's name in the config: the manifest's, with underscores.
fn config_name(field: &str) -> String {
    field.replace('-', "_")
}

/// The SPEC's connection specification.
pub fn specification(manifest: &Manifest) -> Value {
    let mut properties = Map::new();
    for (order, field) in manifest.secret_fields.iter().enumerate() {
        properties.insert(
            config_name(&field.name),
            json!({
                "type": "string",
                "title": field.label,
                "description": field.description,
                "airbyte_secret": true,
                "pattern": format!("^{}", regex_escape(&field.prefix)),
                "order": order,
            }),
        );
    }
    properties.insert(
        BASE_URL.into(),
        json!({
            "type": "string",
            "title": "Base URL",
            "description": "The Anthropic API's base URL; the plugin may reach this origin and nothing else.",
            "default": DEFAULT_BASE_URL,
        }),
    );
    for setting in &manifest.settings {
        let mut property = json!({
            "title": setting.label,
            "description": format!("{} Applies to: {}.", setting.description, setting.applies_to.join(", ")),
        });
        if setting.multiple {
            property["type"] = json!("array");
            property["items"] = if setting.allowed_values.is_empty() {
                json!({"type": "string"})
            } else {
                json!({"type": "string", "enum": setting.allowed_values})
            };
        } else {
            property["type"] = json!(["string", "integer", "object", "null"]);
            if !setting.allowed_values.is_empty() {
                property["enum"] = json!(setting.allowed_values);
            }
        }
        if !setting.default_value.is_empty() {
            property["examples"] = json!([setting.default_value]);
        }
        properties.insert(setting.name.clone(), property);
    }
    json!({
        "documentationUrl": "https://docs.anthropic.com/en/api/administration-api",
        "connectionSpecification": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "Anthropic Admin & Compliance",
            "type": "object",
            "properties": properties,
            "anyOf": manifest.secret_fields.iter()
                .map(|f| json!({"required": [config_name(&f.name)]}))
                .collect::<Vec<_>>(),
            "additionalProperties": false,
        }
    })
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\^$.|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// A config file read: the connection and the plugin's settings (JSON).
pub struct SourceConfig {
    pub connection: ConnectionConfig,
    pub settings_json: String,
}

/// Read `path`: the secret fields, `base_url`, and every other field as a
/// plugin setting (the plugin judges those, and names what is wrong).
pub fn read(path: &Path, manifest: &Manifest) -> Result<SourceConfig, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let Value::Object(mut fields) = value else {
        return Err(ConfigError::NotAnObject { path: shown });
    };
    let mut secrets = Secrets::default();
    for field in &manifest.secret_fields {
        match fields.remove(&config_name(&field.name)) {
            None | Some(Value::Null) => {}
            Some(Value::String(key)) => secrets.insert(&field.name, key),
            Some(_) => {
                return Err(ConfigError::Field {
                    field: config_name(&field.name),
                    expected: "a string",
                });
            }
        }
    }
    let base_url = match fields.remove(BASE_URL) {
        None | Some(Value::Null) => DEFAULT_BASE_URL.to_owned(),
        Some(Value::String(url)) => url,
        Some(_) => {
            return Err(ConfigError::Field {
                field: BASE_URL.into(),
                expected: "a URL string",
            });
        }
    };
    let connection = ConnectionConfig::new(base_url, secrets)
        .map_err(|e| ConfigError::Connection(e.to_string()))?;
    Ok(SourceConfig {
        connection,
        settings_json: Value::Object(fields).to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_matched_literally() {
        assert_eq!(regex_escape("sk-ant-admin01-"), "sk-ant-admin01-");
        assert_eq!(regex_escape("a.b"), "a\\.b");
    }
}
