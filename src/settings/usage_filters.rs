//! The usage report's filters (`usage_report_models`, `…_api_key_ids`,
//! `…_workspace_ids`, `…_service_tiers`, `…_context_windows`,
//! `…_inference_geos`): which usage `usage_report` reads, sent as the API's
//! array parameters. Ids and models are free text; the documented enums are
//! refused outside their values.

use super::{SettingError, SettingName, value};
use serde_json::Value;

/// One filter: its setting, the API's parameter and the values it may take
/// (none: any).
struct Filter {
    setting: SettingName,
    param: &'static str,
    allowed: &'static [&'static str],
}

/// Every filter, in the order they are sent and recorded.
const FILTERS: [Filter; 6] = [
    Filter {
        setting: SettingName::UsageReportModels,
        param: "models",
        allowed: &[],
    },
    Filter {
        setting: SettingName::UsageReportApiKeyIds,
        param: "api_key_ids",
        allowed: &[],
    },
    Filter {
        setting: SettingName::UsageReportWorkspaceIds,
        param: "workspace_ids",
        allowed: &[],
    },
    Filter {
        setting: SettingName::UsageReportServiceTiers,
        param: "service_tiers",
        allowed: &[
            "batch",
            "flex",
            "flex_discount",
            "priority",
            "priority_on_demand",
            "standard",
        ],
    },
    Filter {
        setting: SettingName::UsageReportContextWindows,
        // Singular: the API's own name for this one.
        param: "context_window",
        allowed: &["0-200k", "200k-1M"],
    },
    Filter {
        setting: SettingName::UsageReportInferenceGeos,
        param: "inference_geos",
        allowed: &["global", "us", "not_available"],
    },
];

/// The filters set, each value once and in order, so the same filters always
/// make the same query (and the same incremental state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageFilters {
    /// Values per filter, in [`FILTERS`] order; empty: not filtered.
    values: [Vec<String>; 6],
}

impl UsageFilters {
    /// Whether `setting` is one of the filters.
    pub(super) fn reads(setting: SettingName) -> bool {
        FILTERS.iter().any(|f| f.setting == setting)
    }

    /// The values a filter setting may take; empty where any.
    pub(super) fn allowed(setting: SettingName) -> &'static [&'static str] {
        FILTERS
            .iter()
            .find(|f| f.setting == setting)
            .map_or(&[], |f| f.allowed)
    }

    /// Set filter `setting` from its value: names as text or a list.
    pub(super) fn set(&mut self, setting: SettingName, value: &Value) -> Result<(), SettingError> {
        let Some(at) = FILTERS.iter().position(|f| f.setting == setting) else {
            return Ok(());
        };
        let allowed = FILTERS[at].allowed;
        let mut names = value::names(setting, value)?;
        if let Some(bad) = names
            .iter()
            .find(|name| !allowed.is_empty() && !allowed.contains(&name.as_str()))
        {
            return Err(SettingError::InvalidItem {
                setting,
                item: bad.clone(),
                allowed: allowed.join(", "),
            });
        }
        names.sort();
        names.dedup();
        self.values[at] = names;
        Ok(())
    }

    /// The filters set, as the API's parameter (without `[]`) and values.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &[String])> {
        FILTERS
            .iter()
            .zip(&self.values)
            .filter(|(_, values)| !values.is_empty())
            .map(|(filter, values)| (filter.param, values.as_slice()))
    }

    /// `param=a,b;…` of the filters set; empty when none is.
    pub fn describe(&self) -> String {
        self.params()
            .map(|(param, values)| format!("{param}={}", values.join(",")))
            .collect::<Vec<_>>()
            .join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_are_kept_in_one_order_each_value_once() {
        let mut filters = UsageFilters::default();
        assert_eq!(filters.describe(), "");
        filters
            .set(
                SettingName::UsageReportInferenceGeos,
                &json!("us,global,us"),
            )
            .unwrap();
        filters
            .set(SettingName::UsageReportModels, &json!(["m2", "m1"]))
            .unwrap();
        assert_eq!(filters.describe(), "models=m1,m2;inference_geos=global,us");
        let params: Vec<_> = filters.params().collect();
        assert_eq!(params[1].0, "inference_geos");
    }

    #[test]
    fn a_documented_enum_refuses_other_values_with_its_own() {
        let mut filters = UsageFilters::default();
        let err = filters
            .set(SettingName::UsageReportContextWindows, &json!("0-200k,1M+"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "usage_report_context_windows value `1M+` is not valid; use any of: 0-200k, 200k-1M"
        );
        assert!(
            filters
                .set(SettingName::UsageReportWorkspaceIds, &json!("any id"))
                .is_ok(),
            "ids are free"
        );
    }
}
