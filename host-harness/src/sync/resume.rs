//! Where an interrupted read resumes. The plugin's page cursor is stored with
//! the context it belongs to (plugin version, strategy, settings); a later run
//! resumes from it only in the same context, and otherwise starts over (a
//! cursor of another query or plugin version could skip or misread data).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    /// `plugin-version|strategy|settings`.
    pub context: String,
    /// The plugin's page cursor.
    pub cursor: String,
}

pub fn context(plugin_version: &str, strategy: &str, settings_json: &str) -> String {
    format!("{plugin_version}|{strategy}|{settings_json}")
}

impl ResumePoint {
    pub fn encode(context: &str, cursor: &str) -> String {
        serde_json::to_string(&ResumePoint {
            context: context.to_owned(),
            cursor: cursor.to_owned(),
        })
        .expect("resume point serialises")
    }

    /// The cursor stored in `stored`, if it belongs to `context`.
    pub fn decode(stored: &str, context: &str) -> Option<String> {
        serde_json::from_str::<ResumePoint>(stored)
            .ok()
            .filter(|p| p.context == context)
            .map(|p| p.cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_resumes_only_in_its_own_context() {
        let here = context("0.1.0", "incremental", "{}");
        let stored = ResumePoint::encode(&here, "c1");
        assert_eq!(ResumePoint::decode(&stored, &here).as_deref(), Some("c1"));
        assert_eq!(
            ResumePoint::decode(&stored, &context("0.1.0", "full_refresh", "{}")),
            None
        );
        assert_eq!(ResumePoint::decode("not json", &here), None);
    }
}
