//! `usage_analytics_group_by` and `cost_analytics_group_by`: the dimensions
//! the Usage and Cost Analytics API groups by.
//!
//! The reference could recover 14 of the usage values from the docs and the
//! rest from the filter parameters, which mirror the dimensions one to one
//! (19, the documented field count); cost adds what the cost is of. Where the
//! docs count one more cost value, nobody could name it: an unknown value is
//! refused here rather than sent (the API would refuse it too).

use super::{Grouping, Named};

/// A dimension of the analytics endpoints. Declared in the API's
/// (alphabetical) order, which a grouping is sent, shown and recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnalyticsDimension {
    Actor,
    ActorType,
    AgentId,
    ApiKeyId,
    ClaudeTagCategory,
    ClaudeTagUserId,
    ContextWindow,
    /// Cost only.
    CostType,
    DeploymentId,
    EnvironmentId,
    InferenceGeo,
    Model,
    Product,
    RbacGroupId,
    ServiceTier,
    SessionId,
    SlackChannelId,
    Speed,
    /// Cost only.
    TokenType,
    UserProfileId,
    WorkspaceId,
}

use AnalyticsDimension::*;

impl Named for AnalyticsDimension {
    /// What `/analytics/cost` groups by: every dimension.
    const ALL: &'static [Self] = &[
        Actor,
        ActorType,
        AgentId,
        ApiKeyId,
        ClaudeTagCategory,
        ClaudeTagUserId,
        ContextWindow,
        CostType,
        DeploymentId,
        EnvironmentId,
        InferenceGeo,
        Model,
        Product,
        RbacGroupId,
        ServiceTier,
        SessionId,
        SlackChannelId,
        Speed,
        TokenType,
        UserProfileId,
        WorkspaceId,
    ];

    fn name(self) -> &'static str {
        match self {
            Actor => "actor",
            ActorType => "actor_type",
            AgentId => "agent_id",
            ApiKeyId => "api_key_id",
            ClaudeTagCategory => "claude_tag_category",
            ClaudeTagUserId => "claude_tag_user_id",
            ContextWindow => "context_window",
            CostType => "cost_type",
            DeploymentId => "deployment_id",
            EnvironmentId => "environment_id",
            InferenceGeo => "inference_geo",
            Model => "model",
            Product => "product",
            RbacGroupId => "rbac_group_id",
            ServiceTier => "service_tier",
            SessionId => "session_id",
            SlackChannelId => "slack_channel_id",
            Speed => "speed",
            TokenType => "token_type",
            UserProfileId => "user_profile_id",
            WorkspaceId => "workspace_id",
        }
    }
}

impl AnalyticsDimension {
    /// What `/analytics/usage` groups by: all but what a cost is of.
    pub fn usage() -> Vec<Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|d| !matches!(d, CostType | TokenType))
            .collect()
    }

    /// The default of both streams: what each API key spent on each model
    /// (per day, at the default width).
    pub fn default_grouping() -> Grouping<Self> {
        Grouping::from_iter([ApiKeyId, Model])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_groups_by_nineteen_dimensions_and_cost_by_two_more() {
        let usage = AnalyticsDimension::usage();
        assert_eq!(usage.len(), 19);
        assert_eq!(AnalyticsDimension::ALL.len(), 21);
        let cost_only: Vec<&str> = AnalyticsDimension::ALL
            .iter()
            .filter(|d| !usage.contains(d))
            .map(|d| d.name())
            .collect();
        assert_eq!(cost_only, ["cost_type", "token_type"]);
        let names = AnalyticsDimension::names();
        assert!(names.is_sorted(), "the API's alphabetical order");
    }

    #[test]
    fn the_default_answers_cost_per_api_key_and_model() {
        assert_eq!(
            AnalyticsDimension::default_grouping().to_string(),
            "api_key_id,model"
        );
    }
}
