//! The plugin's manifest: identity, connection form, settings and every stream.
//! Settings and streams are described apart; here each setting is declared
//! with the streams that read it, in stream order.

use crate::connection::KEY_FIELDS;
use crate::model::{Manifest, SecretField, Setting};
use crate::settings::{Named, SettingName};
use crate::streams;

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
                        admin under Settings → Admin Keys. Unlocks the Admin API streams."
                        .into(),
                    crate::model::KeyKind::Compliance => "Issued for the Compliance API \
                        (Enterprise plan, enabled on the organization). Unlocks the \
                        Compliance API streams."
                        .into(),
                },
            })
            .collect(),
        settings: settings(),
        streams: streams::all().map(|s| s.descriptor()).collect(),
    }
}

/// Every setting, each applying to the streams that declare it.
fn settings() -> Vec<Setting> {
    SettingName::ALL
        .iter()
        .map(|&setting| {
            let applies_to = streams::reading(setting)
                .map(|s| s.name.to_owned())
                .collect();
            setting.declaration(applies_to)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applies_to(name: &str) -> Vec<String> {
        settings()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no setting `{name}`"))
            .applies_to
    }

    #[test]
    fn settings_are_declared_in_their_order() {
        let names: Vec<String> = settings().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "usage_report_granularity",
                "usage_report_grouping",
                "usage_report_models",
                "usage_report_api_key_ids",
                "usage_report_workspace_ids",
                "usage_report_service_tiers",
                "usage_report_context_windows",
                "usage_report_inference_geos",
                "analytics_bucket_width",
                "usage_analytics_group_by",
                "cost_analytics_group_by",
                "start_date",
                "lookback_hours",
                "activities_overlap_minutes",
                "activities_exclude_types",
                "page_size"
            ]
        );
    }

    #[test]
    fn each_setting_applies_to_the_streams_that_declare_it_in_stream_order() {
        let every_stream: Vec<String> = streams::all().map(|s| s.name.to_owned()).collect();
        assert_eq!(every_stream.len(), 20);
        assert_eq!(applies_to("page_size"), every_stream);
        assert_eq!(
            applies_to("lookback_hours"),
            [
                "usage_analytics",
                "cost_analytics",
                "usage_report",
                "cost_report",
                "claude_code_usage_report"
            ]
        );
        assert_eq!(
            applies_to("start_date"),
            [
                "activities",
                "usage_analytics",
                "cost_analytics",
                "usage_report",
                "cost_report",
                "claude_code_usage_report"
            ]
        );
        assert_eq!(
            applies_to("analytics_bucket_width"),
            ["usage_analytics", "cost_analytics"]
        );
        assert_eq!(applies_to("usage_analytics_group_by"), ["usage_analytics"]);
        assert_eq!(applies_to("cost_analytics_group_by"), ["cost_analytics"]);
        assert_eq!(
            applies_to("usage_report_granularity"),
            ["usage_report", "cost_report"]
        );
        assert_eq!(applies_to("usage_report_grouping"), ["usage_report"]);
        assert_eq!(applies_to("activities_overlap_minutes"), ["activities"]);
        assert_eq!(applies_to("activities_exclude_types"), ["activities"]);
    }

    #[test]
    fn no_setting_is_declared_by_no_stream() {
        for setting in settings() {
            assert!(!setting.applies_to.is_empty(), "{}", setting.name);
        }
    }

    #[test]
    fn no_stream_declares_a_setting_twice() {
        for stream in streams::all() {
            for (i, setting) in stream.settings.iter().enumerate() {
                assert!(
                    !stream.settings[i + 1..].contains(setting),
                    "{} declares {} twice",
                    stream.name,
                    setting.name()
                );
            }
        }
    }
}
