//! Where a connection's keys come from (environment variables or a secrets
//! file, never a command-line argument), and a value type that never prints.

use redaction::Redactor;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use thiserror::Error;

/// Environment variable holding the Admin API Key.
pub const ADMIN_KEY_ENV: &str = "ANTHROPIC_ADMIN_API_KEY";
/// Environment variable holding the Compliance Access Key.
pub const COMPLIANCE_KEY_ENV: &str = "ANTHROPIC_COMPLIANCE_ACCESS_KEY";
/// Environment variable holding the base URL.
pub const BASE_URL_ENV: &str = "ANTHROPIC_BASE_URL";

/// The plugin's secret field names, with the variable each is read from.
pub const SECRET_VARIABLES: [(&str, &str); 2] = [
    ("admin-api-key", ADMIN_KEY_ENV),
    ("compliance-access-key", COMPLIANCE_KEY_ENV),
];

/// A secret value. `Debug` and `Display` show a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[derive(Debug, Error)]
pub enum SecretsError {
    #[error("cannot read the secrets file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("secrets file {path}, line {line}: expected NAME=value")]
    Syntax { path: String, line: usize },
    #[error(
        "secrets file {path}, line {line}: unknown name `{name}`; use {ADMIN_KEY_ENV} or {COMPLIANCE_KEY_ENV}"
    )]
    UnknownName {
        path: String,
        line: usize,
        name: String,
    },
}

/// The secrets of one connection: the keys, by the plugin's field name, and
/// values that are as secret but not the plugin's to read (a proxy's
/// password), redacted all the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    fields: BTreeMap<String, SecretValue>,
    host_only: Vec<SecretValue>,
}

impl Secrets {
    /// Read the keys from the process environment (empty values count as absent).
    pub fn from_env() -> Self {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    /// Read the keys through any variable lookup.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut secrets = Self::default();
        for (field, var) in SECRET_VARIABLES {
            if let Some(value) = lookup(var) {
                secrets.insert(field, value);
            }
        }
        secrets
    }

    /// Read a file of `NAME=value` lines (`#` comments, blank lines and an
    /// optional `export ` prefix allowed), with the same names as the variables.
    pub fn from_file(path: &Path) -> Result<Self, SecretsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SecretsError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut secrets = Self::default();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (name, value) = line.split_once('=').ok_or(SecretsError::Syntax {
                path: shown.clone(),
                line: index + 1,
            })?;
            let name = name.trim();
            let field = SECRET_VARIABLES
                .iter()
                .find(|(_, var)| *var == name)
                .map(|(field, _)| *field)
                .ok_or_else(|| SecretsError::UnknownName {
                    path: shown.clone(),
                    line: index + 1,
                    name: name.to_owned(),
                })?;
            let value = value.trim().trim_matches('"').trim_matches('\'');
            secrets.insert(field, value.to_owned());
        }
        Ok(secrets)
    }

    /// Set a field; an empty value removes it.
    pub fn insert(&mut self, field: &str, value: String) {
        let value = value.trim().to_owned();
        if value.is_empty() {
            self.fields.remove(field);
        } else {
            self.fields.insert(field.to_owned(), SecretValue(value));
        }
    }

    /// A secret of the host's own (a proxy's credentials): redacted like the
    /// keys wherever the connection's text goes, and never handed to the
    /// plugin, which has no field to ask for it by.
    pub fn hide(&mut self, value: &str) {
        let value = value.trim();
        if !value.is_empty() && !self.host_only.iter().any(|v| v.expose() == value) {
            self.host_only.push(SecretValue(value.to_owned()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&SecretValue> {
        self.fields.get(field)
    }

    /// Whether there is no key (the host's own secrets do not count).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// `text` with every secret value, and every long fragment of one (see
    /// [`redaction`]), replaced: the host's last wall before anything is
    /// printed, logged or stored.
    pub fn redact(&self, text: &str) -> String {
        let values = self.fields.values().chain(&self.host_only);
        Redactor::new(values.map(SecretValue::expose))
            .redact(text)
            .into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variables_and_ignores_empty_ones() {
        let s = Secrets::from_lookup(|v| match v {
            ADMIN_KEY_ENV => Some("sk-ant-admin01-x".into()),
            COMPLIANCE_KEY_ENV => Some("  ".into()),
            _ => None,
        });
        assert_eq!(s.get("admin-api-key").unwrap().expose(), "sk-ant-admin01-x");
        assert!(s.get("compliance-access-key").is_none());
        assert!(!format!("{s:?}").contains("sk-ant"));
    }

    #[test]
    fn reads_a_secrets_file_and_names_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.env");
        std::fs::write(
            &path,
            "# keys\nexport ANTHROPIC_ADMIN_API_KEY=\"sk-ant-admin01-y\"\n",
        )
        .unwrap();
        let s = Secrets::from_file(&path).unwrap();
        assert_eq!(s.get("admin-api-key").unwrap().expose(), "sk-ant-admin01-y");
        std::fs::write(&path, "OPENAI_KEY=z\n").unwrap();
        let err = Secrets::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("line 1") && err.contains("OPENAI_KEY"),
            "{err}"
        );
    }

    #[test]
    fn the_hosts_own_secrets_are_redacted_but_not_the_plugins_to_read() {
        let mut s = Secrets::default();
        s.hide("proxy-pa55word");
        assert!(s.is_empty(), "no key");
        assert_eq!(s.get("proxy-pa55word"), None);
        assert_eq!(
            s.redact("CONNECT failed for sync:proxy-pa55word"),
            "CONNECT failed for sync:[REDACTED]"
        );
    }

    #[test]
    fn redacts_every_value() {
        let mut s = Secrets::default();
        s.insert("admin-api-key", "sk-ant-admin01-secret".into());
        assert_eq!(s.redact("key sk-ant-admin01-secret!"), "key [REDACTED]!");
    }

    #[test]
    fn redacts_the_tail_and_any_sixteen_characters_of_a_key() {
        let mut s = Secrets::default();
        s.insert(
            "compliance-access-key",
            "sk-ant-api01-ZZtestCOMPLIANCEsecretH5j8Df2Gs9Qa4Ue7".into(),
        );
        assert_eq!(
            s.redact("tail ZZtestCOMPLIANCEsecretH5j8Df2Gs9Qa4Ue7 end"),
            "tail [REDACTED] end"
        );
        assert_eq!(
            s.redact("cut: ...CEsecretH5j8Df2Gs9... (truncated)"),
            "cut: ...[REDACTED]... (truncated)"
        );
        assert_eq!(
            s.redact("15 characters: secretH5j8Df2Gs"),
            "15 characters: secretH5j8Df2Gs"
        );
    }
}
