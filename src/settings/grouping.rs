//! Groupings: the dimensions a report is grouped by (`usage_report_grouping`
//! for `usage_report`, and the analytics streams' `group_by` settings, over
//! their own dimensions, [`super::AnalyticsDimension`]).

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
    /// Fast mode, in beta: grouping by it sends the fast-mode beta header.
    /// Last, so the other dimensions keep their order (and states their config).
    Speed,
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
        Self::Speed,
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
            Self::Speed => "speed",
        }
    }
}

/// The dimensions a report is grouped by: each at most once, always in
/// canonical order. Empty means one aggregate row per bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping<D = Dimension>(BTreeSet<D>);

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

impl<D: Ord> FromIterator<D> for Grouping<D> {
    fn from_iter<I: IntoIterator<Item = D>>(dimensions: I) -> Self {
        Self(dimensions.into_iter().collect())
    }
}

impl<D: Named + Ord> Grouping<D> {
    /// The dimensions, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = D> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, dimension: D) -> bool {
        self.0.contains(&dimension)
    }

    /// The dimensions' names, in canonical order: the `group_by[]` sent.
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(D::name).collect()
    }

    /// `setting`'s names as comma-separated text or a list, each one of
    /// `allowed` (refused with them otherwise); repeats are dropped.
    pub(super) fn from_setting(
        setting: SettingName,
        value: &Value,
        allowed: &[D],
    ) -> Result<Self, SettingError> {
        value::names(setting, value)?
            .into_iter()
            .map(|name| {
                D::from_name(&name)
                    .filter(|d| allowed.contains(d))
                    .ok_or_else(|| SettingError::InvalidItem {
                        setting,
                        item: name,
                        allowed: allowed
                            .iter()
                            .map(|d| d.name())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            })
            .collect()
    }
}

/// Comma-separated names in canonical order, as the manifest's default shows it.
impl<D: Named + Ord> fmt::Display for Grouping<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(grouping: &Grouping) -> Vec<&'static str> {
        grouping.names()
    }

    /// `usage_report_grouping`, as the settings parse it.
    fn usage(value: &Value) -> Result<Grouping, SettingError> {
        Grouping::from_setting(SettingName::UsageReportGrouping, value, Dimension::ALL)
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
        let typed = usage(&json!("service_account_id,model, api_key_id,model")).unwrap();
        let listed = usage(&json!(["api_key_id", "service_account_id", "model"])).unwrap();
        assert_eq!(typed, listed);
        assert_eq!(names(&typed), ["api_key_id", "model", "service_account_id"]);
        assert_eq!(typed.to_string(), "api_key_id,model,service_account_id");
        let every: Vec<&str> = Dimension::ALL.iter().rev().map(|d| d.name()).collect();
        assert_eq!(names(&usage(&json!(every)).unwrap()), Dimension::names());
    }

    #[test]
    fn empty_text_or_list_means_no_grouping() {
        for empty in [json!(""), json!(" , "), json!([])] {
            assert!(usage(&empty).unwrap().is_empty(), "{empty}");
        }
    }

    #[test]
    fn an_unknown_dimension_or_shape_is_refused() {
        let err = usage(&json!("model,Model")).unwrap_err().to_string();
        assert_eq!(
            err,
            "usage_report_grouping value `Model` is not valid; use any of: api_key_id, \
             workspace_id, model, service_tier, context_window, inference_geo, account_id, \
             service_account_id, speed"
        );
        assert_eq!(
            usage(&json!(["model", 3])).unwrap_err(),
            SettingError::NotNames(SettingName::UsageReportGrouping)
        );
        assert_eq!(
            usage(&json!(3)).unwrap_err(),
            SettingError::NotAList(SettingName::UsageReportGrouping)
        );
    }
}
