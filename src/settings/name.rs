//! The settings a sync may be given, each named and described once: the name
//! it has in the settings object and the manifest's description of it. Which
//! streams read it is theirs to declare; the manifest puts the two together.

use super::{AnalyticsDimension, Dimension, Granularity, Named, Settings, UsageFilters};
use crate::model::Setting;

/// A setting, by its name in the settings object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingName {
    UsageReportGranularity,
    UsageReportGrouping,
    UsageReportModels,
    UsageReportApiKeyIds,
    UsageReportWorkspaceIds,
    UsageReportServiceTiers,
    UsageReportContextWindows,
    UsageReportInferenceGeos,
    AnalyticsBucketWidth,
    UsageAnalyticsGroupBy,
    CostAnalyticsGroupBy,
    StartDate,
    LookbackHours,
    ActivitiesOverlapMinutes,
    ActivitiesExcludeTypes,
    PageSize,
}

impl Named for SettingName {
    const ALL: &'static [Self] = &[
        Self::UsageReportGranularity,
        Self::UsageReportGrouping,
        Self::UsageReportModels,
        Self::UsageReportApiKeyIds,
        Self::UsageReportWorkspaceIds,
        Self::UsageReportServiceTiers,
        Self::UsageReportContextWindows,
        Self::UsageReportInferenceGeos,
        Self::AnalyticsBucketWidth,
        Self::UsageAnalyticsGroupBy,
        Self::CostAnalyticsGroupBy,
        Self::StartDate,
        Self::LookbackHours,
        Self::ActivitiesOverlapMinutes,
        Self::ActivitiesExcludeTypes,
        Self::PageSize,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::UsageReportGranularity => "usage_report_granularity",
            Self::UsageReportGrouping => "usage_report_grouping",
            Self::UsageReportModels => "usage_report_models",
            Self::UsageReportApiKeyIds => "usage_report_api_key_ids",
            Self::UsageReportWorkspaceIds => "usage_report_workspace_ids",
            Self::UsageReportServiceTiers => "usage_report_service_tiers",
            Self::UsageReportContextWindows => "usage_report_context_windows",
            Self::UsageReportInferenceGeos => "usage_report_inference_geos",
            Self::AnalyticsBucketWidth => "analytics_bucket_width",
            Self::UsageAnalyticsGroupBy => "usage_analytics_group_by",
            Self::CostAnalyticsGroupBy => "cost_analytics_group_by",
            Self::StartDate => "start_date",
            Self::LookbackHours => "lookback_hours",
            Self::ActivitiesOverlapMinutes => "activities_overlap_minutes",
            Self::ActivitiesExcludeTypes => "activities_exclude_types",
            Self::PageSize => "page_size",
        }
    }
}

impl SettingName {
    /// The manifest's declaration of the setting, for the streams that read it.
    pub fn declaration(self, applies_to: Vec<String>) -> Setting {
        let (label, description) = self.text();
        Setting {
            name: self.name().into(),
            label: label.into(),
            description: description.into(),
            default_value: self.default_value(),
            allowed_values: self.allowed_values(),
            multiple: UsageFilters::reads(self)
                || matches!(
                    self,
                    Self::UsageReportGrouping
                        | Self::UsageAnalyticsGroupBy
                        | Self::CostAnalyticsGroupBy
                        | Self::ActivitiesExcludeTypes
                ),
            applies_to,
        }
    }

    /// Label and description, for the person configuring a sync.
    fn text(self) -> (&'static str, &'static str) {
        match self {
            Self::UsageReportGranularity => (
                "Usage report — granularity",
                "Time bucket size: 1d (recommended), 1h (24× the rows) or 1m (1,440× the \
                 rows). cost_report shares it; the API serves cost per day only, so a \
                 finer setting falls back to 1d for cost, with a warning.",
            ),
            Self::UsageReportGrouping => (
                "Usage report — grouping",
                "Dimensions to group usage by. Each one multiplies the row count; empty \
                 gives one aggregate row per time bucket. speed (fast mode) is in beta: \
                 grouping by it sends the anthropic-beta header it needs.",
            ),
            Self::UsageReportModels => (
                "Usage report — models",
                "Only usage of these models (e.g. claude-opus-5); empty: every model.",
            ),
            Self::UsageReportApiKeyIds => (
                "Usage report — API keys",
                "Only usage made with these API key ids (apikey_…); empty: all usage.",
            ),
            Self::UsageReportWorkspaceIds => (
                "Usage report — workspaces",
                "Only usage of these workspace ids (wrkspc_…); empty: every workspace.",
            ),
            Self::UsageReportServiceTiers => (
                "Usage report — service tiers",
                "Only usage of these service tiers; empty: every tier.",
            ),
            Self::UsageReportContextWindows => (
                "Usage report — context windows",
                "Only usage within these context windows; empty: both.",
            ),
            Self::UsageReportInferenceGeos => (
                "Usage report — inference geos",
                "Only usage run in these regions (not_available: models without one); \
                 empty: everywhere.",
            ),
            Self::AnalyticsBucketWidth => (
                "Usage and cost analytics — bucket width",
                "Time bucket size of usage_analytics and cost_analytics: 1d (default), 1h \
                 or 1m. The API can also answer one row per group over a whole range; \
                 that range would be each run's own, so the connector always asks for buckets.",
            ),
            Self::UsageAnalyticsGroupBy => (
                "Usage analytics — group by",
                "Dimensions to group usage_analytics by. Each one multiplies the row count; \
                 empty gives one row per time bucket. The default gives usage per API key \
                 and model.",
            ),
            Self::CostAnalyticsGroupBy => (
                "Cost analytics — group by",
                "Dimensions to group cost_analytics by: the usage dimensions, plus cost_type \
                 and token_type (with either, the API gives no request count). The default \
                 gives cost per API key and model.",
            ),
            Self::StartDate => (
                "Start date",
                "Where the history of an incremental stream begins (YYYY-MM-DD or RFC 3339, \
                 not in the future). The first run starts there; set earlier later on, the \
                 next run backfills the missing history first. Activities default to the \
                 whole feed, the reports to 30 days back.",
            ),
            Self::LookbackHours => (
                "Reports — lookback (hours)",
                "Incremental report runs re-read this far before their watermark, since \
                 recent buckets are revised. A number for every report, or an object per \
                 stream. Defaults: 6 h at 1h/1m and 48 h at 1d (usage_report and the \
                 analytics streams); cost_report (daily) and Claude Code 48 h.",
            ),
            Self::ActivitiesOverlapMinutes => (
                "Activities — overlap (minutes)",
                "Each incremental run re-reads this many minutes before its watermark, \
                 because activities can be indexed late. Rows are upserted by id.",
            ),
            Self::ActivitiesExcludeTypes => (
                "Activities — excluded types",
                "Activity types to leave out, e.g. compliance_api_accessed (every \
                 Compliance API call, this connector's included, is logged as one).",
            ),
            Self::PageSize => (
                "Page size",
                "Items per request, 1 to 1000, capped by each endpoint's own maximum. \
                 Defaults to that maximum (fewest requests). The legacy usage and cost \
                 reports page by time bucket: for them it is the rows a request aims at \
                 (default 10000), and the window is narrowed, down to one bucket, to stay \
                 near it. The analytics streams page by rows: up to 1000 a request.",
            ),
        }
    }

    /// The default as the manifest shows it, from the parsed defaults; empty
    /// where absence means each stream's or endpoint's own default.
    fn default_value(self) -> String {
        let defaults = Settings::default();
        match self {
            Self::UsageReportGranularity => defaults.granularity.name().into(),
            Self::UsageReportGrouping => defaults.grouping.to_string(),
            Self::AnalyticsBucketWidth => defaults.analytics_width.name().into(),
            Self::UsageAnalyticsGroupBy => defaults.usage_analytics_grouping.to_string(),
            Self::CostAnalyticsGroupBy => defaults.cost_analytics_grouping.to_string(),
            Self::ActivitiesOverlapMinutes => defaults.activities_overlap.num_minutes().to_string(),
            Self::ActivitiesExcludeTypes => defaults.activities_exclude_types.join(","),
            Self::StartDate
            | Self::LookbackHours
            | Self::PageSize
            | Self::UsageReportModels
            | Self::UsageReportApiKeyIds
            | Self::UsageReportWorkspaceIds
            | Self::UsageReportServiceTiers
            | Self::UsageReportContextWindows
            | Self::UsageReportInferenceGeos => String::new(),
        }
    }

    /// The names a value may take; empty where it is free.
    fn allowed_values(self) -> Vec<String> {
        let names = match self {
            Self::UsageReportGranularity | Self::AnalyticsBucketWidth => Granularity::names(),
            Self::UsageReportGrouping => Dimension::names(),
            Self::UsageAnalyticsGroupBy => AnalyticsDimension::usage()
                .into_iter()
                .map(Named::name)
                .collect(),
            Self::CostAnalyticsGroupBy => AnalyticsDimension::names(),
            Self::UsageReportModels
            | Self::UsageReportApiKeyIds
            | Self::UsageReportWorkspaceIds
            | Self::UsageReportServiceTiers
            | Self::UsageReportContextWindows
            | Self::UsageReportInferenceGeos => UsageFilters::allowed(self).to_vec(),
            Self::StartDate
            | Self::LookbackHours
            | Self::ActivitiesOverlapMinutes
            | Self::ActivitiesExcludeTypes
            | Self::PageSize => Vec::new(),
        };
        names.into_iter().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_found_by_its_name_and_only_by_it() {
        for setting in SettingName::ALL {
            assert_eq!(SettingName::from_name(setting.name()), Some(*setting));
        }
        assert_eq!(SettingName::from_name("granularity"), None);
        assert_eq!(SettingName::from_name("Page_Size"), None);
    }

    #[test]
    fn declared_defaults_and_allowed_values_come_from_the_types() {
        let declared = |setting: SettingName| setting.declaration(Vec::new());
        let granularity = declared(SettingName::UsageReportGranularity);
        assert_eq!(
            (
                granularity.default_value.as_str(),
                granularity.allowed_values
            ),
            ("1d", vec!["1d".into(), "1h".into(), "1m".into()])
        );
        let grouping = declared(SettingName::UsageReportGrouping);
        assert_eq!(
            grouping.default_value,
            "api_key_id,workspace_id,model,service_tier"
        );
        assert_eq!(grouping.allowed_values.len(), 9);
        assert!(grouping.multiple);
        assert_eq!(
            declared(SettingName::ActivitiesOverlapMinutes).default_value,
            "10"
        );
        for free in [
            SettingName::StartDate,
            SettingName::LookbackHours,
            SettingName::ActivitiesExcludeTypes,
            SettingName::PageSize,
        ] {
            let setting = declared(free);
            assert_eq!(
                (setting.default_value.as_str(), setting.allowed_values.len()),
                ("", 0),
                "{}",
                setting.name
            );
        }
    }
}
