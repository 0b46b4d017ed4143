//! `usage_report_grouping`: the dimensions `usage_report` is grouped by.

use super::{Named, SettingError, SettingName, value};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// A dimension usage can be grouped by. Declared in canonical order, which the
/// derived `Ord` follows: a grouping is sent, shown and recorded in this order
/// whatever order it was typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    ApiKeyId,
    WorkspaceId,
    Model,
    ServiceTier,
    ContextWindow,
    InferenceGeo,
    AccountId,
    ServiceAccountId,
}

impl Named for Dimension {
    const ALL: &'static [Self] = &[
        Self::ApiKeyId,
        Self::WorkspaceId,
        Self::Model,
        Self::ServiceTier,
        Self::ContextWindow,
        Self::InferenceGeo,
        Self::AccountId,
        Self::ServiceAccountId,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::ApiKeyId => "api_key_id",
            Self::WorkspaceId => "workspace_id",
            Self::Model => "model",
            Self::ServiceTier => "service_tier",
            Self::ContextWindow => "context_window",
            Self::InferenceGeo => "inference_geo",
            Self::AccountId => "account_id",
            Self::ServiceAccountId => "service_account_id",
        }
    }
}

/// The dimensions a usage report is grouped by: each at most once, always in
/// canonical order. Empty means one aggregate row per bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping(BTreeSet<Dimension>);

impl Default for Grouping {
    fn default() -> Self {
        Self::from_iter([
            Dimension::ApiKeyId,
            Dimension::WorkspaceId,
            Dimension::Model,
            Dimension::ServiceTier,
        ])
    }
}

impl FromIterator<Dimension> for Grouping {
    fn from_iter<I: IntoIterator<Item = Dimension>>(dimensions: I) -> Self {
        Self(dimensions.into_iter().collect())
    }
}

impl Grouping {
    /// The dimensions, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = Dimension> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Names as comma-separated text or a list; repeats are dropped.
    pub(super) fn from_setting(value: &Value) -> Result<Self, SettingError> {
        let setting = SettingName::UsageReportGrouping;
        value::names(setting, value)?
            .into_iter()
            .map(|name| {
                Dimension::from_name(&name).ok_or_else(|| SettingError::InvalidItem {
                    setting,
                    item: name,
                    allowed: Dimension::listed(),
                })
            })
            .collect()
    }
}

/// Comma-separated names in canonical order, as the manifest's default shows it.
impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Dimension::name).collect();
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(grouping: &Grouping) -> Vec<&'static str> {
        grouping.iter().map(Dimension::name).collect()
    }

    #[test]
    fn the_default_is_the_documented_one_in_its_documented_order() {
        assert_eq!(
            Grouping::default().to_string(),
            "api_key_id,workspace_id,model,service_tier"
        );
    }

    #[test]
    fn any_order_and_repeats_give_one_canonical_set() {
        let typed =
            Grouping::from_setting(&json!("service_account_id,model, api_key_id,model")).unwrap();
        let listed =
            Grouping::from_setting(&json!(["api_key_id", "service_account_id", "model"])).unwrap();
        assert_eq!(typed, listed);
        assert_eq!(names(&typed), ["api_key_id", "model", "service_account_id"]);
        assert_eq!(typed.to_string(), "api_key_id,model,service_account_id");
        let every: Vec<&str> = Dimension::ALL.iter().rev().map(|d| d.name()).collect();
        assert_eq!(
            names(&Grouping::from_setting(&json!(every)).unwrap()),
            Dimension::names()
        );
    }

    #[test]
    fn empty_text_or_list_means_no_grouping() {
        for empty in [json!(""), json!(" , "), json!([])] {
            assert!(
                Grouping::from_setting(&empty).unwrap().is_empty(),
                "{empty}"
            );
        }
    }

    #[test]
    fn an_unknown_dimension_or_shape_is_refused() {
        let err = Grouping::from_setting(&json!("model,Model"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "usage_report_grouping value `Model` is not valid; use any of: api_key_id, \
             workspace_id, model, service_tier, context_window, inference_geo, account_id, \
             service_account_id"
        );
        assert_eq!(
            Grouping::from_setting(&json!(["model", 3])).unwrap_err(),
            SettingError::NotNames(SettingName::UsageReportGrouping)
        );
        assert_eq!(
            Grouping::from_setting(&json!(3)).unwrap_err(),
            SettingError::NotAList(SettingName::UsageReportGrouping)
        );
    }
}
