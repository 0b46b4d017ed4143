//! The streams of the Admin API (`/v1/organizations/*`), unlocked by the
//! Admin API Key.

#[macro_use]
mod report_columns;
mod claude_code;
mod directory;
mod rate_limits;
mod reports;

use super::StreamSpec;
use super::schema::Col::{Boolean, Date, Decimal, Integer, Json, Text, Timestamp};
use super::schema::Columns;
use crate::model::KeyKind::Admin;
use crate::settings::SettingName::{
    AnalyticsBucketWidth, CostAnalyticsGroupBy, LookbackHours, PageSize, StartDate,
    UsageAnalyticsGroupBy, UsageReportApiKeyIds, UsageReportContextWindows, UsageReportGranularity,
    UsageReportGrouping, UsageReportInferenceGeos, UsageReportModels, UsageReportServiceTiers,
    UsageReportWorkspaceIds,
};

const USAGE_ANALYTICS_COLUMNS: Columns = report_columns![
    bucket,
    analytics_dimensions,
    token_counters,
    ("requests", Integer),
    ("total_tokens", Integer),
];

const COST_ANALYTICS_COLUMNS: Columns = report_columns![
    bucket,
    analytics_dimensions,
    ("cost_type", Text),
    ("token_type", Text),
    ("amount", Decimal),
    ("list_amount", Decimal),
    ("currency", Text),
    ("requests", Integer),
];

pub static STREAMS: [StreamSpec; 11] = [
    StreamSpec {
        name: "admin_users",
        description: "Members of the Anthropic Console organization and their roles.",
        endpoint: "GET /v1/organizations/users",
        key: Admin,
        fallback_key: None,
        incremental: false,
        primary_key: &["id"],
        cursor_field: None,
        parent: None,
        parent_batch_size: 1,
        columns: &[
            ("id", Text),
            ("type", Text),
            ("email", Text),
            ("name", Text),
            ("role", Text),
            ("added_at", Timestamp),
        ],
        settings: &[PageSize],
        reader: directory::users,
    },
    StreamSpec {
        name: "workspaces",
        description: "Workspaces of the organization, archived ones and the default workspace included.",
        endpoint: "GET /v1/organizations/workspaces",
        key: Admin,
        fallback_key: None,
        incremental: false,
        primary_key: &["id"],
        cursor_field: None,
        parent: None,
        parent_batch_size: 1,
        columns: &[
            ("id", Text),
            ("type", Text),
            ("name", Text),
            ("created_at", Timestamp),
            ("archived_at", Timestamp),
            ("display_color", Text),
            ("data_residency", Json),
            ("tags", Json),
        ],
        settings: &[PageSize],
        reader: directory::workspaces,
    },
    StreamSpec {
        name: "workspace_members",
        description: "Members of each workspace and their workspace role, the default \
                      workspace's included.",
        endpoint: "GET /v1/organizations/workspaces/{id}/members",
        key: Admin,
        fallback_key: None,
        incremental: false,
        primary_key: &["workspace_id", "user_id"],
        cursor_field: None,
        parent: Some("workspaces"),
        parent_batch_size: 1,
        columns: &[
            ("workspace_id", Text),
            ("user_id", Text),
            ("type", Text),
            ("workspace_role", Text),
        ],
        settings: &[PageSize],
        reader: directory::workspace_members,
    },
    StreamSpec {
        name: "api_keys",
        description: "API keys of the organization (metadata and a partial hint, never the key).",
        endpoint: "GET /v1/organizations/api_keys",
        key: Admin,
        fallback_key: None,
        incremental: false,
        primary_key: &["id"],
        cursor_field: None,
        parent: None,
        parent_batch_size: 1,
        columns: &[
            ("id", Text),
            ("type", Text),
            ("name", Text),
            ("partial_key_hint", Text),
            ("status", Text),
            ("created_at", Timestamp),
            ("expires_at", Timestamp),
            ("created_by", Json),
            ("workspace_id", Text),
            ("principal", Json),
            ("scope", Json),
        ],
        settings: &[PageSize],
        reader: directory::api_keys,
    },
    StreamSpec {
        name: "invites",
        description: "Invitations to the organization.",
        endpoint: "GET /v1/organizations/invites",
        key: Admin,
        fallback_key: None,
        incremental: false,
        primary_key: &["id"],
        cursor_field: None,
        parent: None,
        parent_batch_size: 1,
        columns: &[
            ("id", Text),
            ("type", Text),
            ("email", Text),
            ("role", Text),
            ("status", Text),
            ("invited_at", Timestamp),
            ("expires_at", Timestamp),
            ("accepted_at", Timestamp),
            ("rbac_group_ids", Json),
        ],
        settings: &[PageSize],
        reader: directory::invites,
    },
    StreamSpec {
        name: "rate_limits",
        description: "Configured rate limits per group. `group_type` is not unique (one \
                      `model_group` entry per model family): keyed on the entry `id`, or a \
                      stable hash of group type and models where a response has no id.",
        endpoint: "GET /v1/organizations/rate_limits",
        key: Admin,
        fallback_key: None,
        incremental: false,
        primary_key: &["id"],
        cursor_field: None,
        parent: None,
        parent_batch_size: 1,
        columns: &[
            ("id", Text),
            ("type", Text),
            ("group_type", Text),
            ("group", Json),
            ("models", Json),
            ("limits", Json),
        ],
        settings: &[PageSize],
        reader: rate_limits::read,
    },
    StreamSpec {
        name: "usage_analytics",
        description: "Token usage and request counts per time bucket and group, from the \
                      Usage and Cost Analytics API (beta; the recommended successor of \
                      usage_report). The id is a deterministic hash of bucket start, width \
                      and every grouped value. `requests` is null where the API cannot count \
                      them.",
        endpoint: "GET /v1/organizations/analytics/usage",
        key: Admin,
        fallback_key: None,
        incremental: true,
        primary_key: &["id"],
        cursor_field: Some("bucket_start"),
        parent: None,
        parent_batch_size: 1,
        columns: USAGE_ANALYTICS_COLUMNS,
        // page_size: rows a page (`limit`), up to 1000.
        settings: &[
            AnalyticsBucketWidth,
            UsageAnalyticsGroupBy,
            StartDate,
            LookbackHours,
            PageSize,
        ],
        reader: reports::usage_analytics,
    },
    StreamSpec {
        name: "cost_analytics",
        description: "Cost per time bucket and group, from the Usage and Cost Analytics API \
                      (beta; the recommended successor of cost_report): `amount` (after \
                      discounts) and `list_amount` as exact decimal strings in cents. The id \
                      is a deterministic hash of bucket start, width and every grouped value. \
                      `requests` is null when grouped by cost_type or token_type.",
        endpoint: "GET /v1/organizations/analytics/cost",
        key: Admin,
        fallback_key: None,
        incremental: true,
        primary_key: &["id"],
        cursor_field: Some("bucket_start"),
        parent: None,
        parent_batch_size: 1,
        columns: COST_ANALYTICS_COLUMNS,
        // page_size: rows a page (`limit`), up to 1000.
        settings: &[
            AnalyticsBucketWidth,
            CostAnalyticsGroupBy,
            StartDate,
            LookbackHours,
            PageSize,
        ],
        reader: reports::cost_analytics,
    },
    StreamSpec {
        name: "usage_report",
        description: "Legacy (still supported; usage_analytics is its successor): token usage \
                      per time bucket and grouping. The id is a deterministic hash of bucket \
                      start, width and every grouping value.",
        endpoint: "GET /v1/organizations/usage_report/messages",
        key: Admin,
        fallback_key: None,
        incremental: true,
        primary_key: &["id"],
        cursor_field: Some("bucket_start"),
        parent: None,
        parent_batch_size: 1,
        columns: report_columns![
            bucket,
            ("api_key_id", Text),
            ("workspace_id", Text),
            ("model", Text),
            ("service_tier", Text),
            ("context_window", Text),
            ("inference_geo", Text),
            ("account_id", Text),
            ("service_account_id", Text),
            ("speed", Text),
            token_counters,
        ],
        // page_size: the rows a page aims at; the window's buckets (`limit`) are sized to it.
        settings: &[
            UsageReportGranularity,
            UsageReportGrouping,
            UsageReportModels,
            UsageReportApiKeyIds,
            UsageReportWorkspaceIds,
            UsageReportServiceTiers,
            UsageReportContextWindows,
            UsageReportInferenceGeos,
            StartDate,
            LookbackHours,
            PageSize,
        ],
        reader: reports::usage,
    },
    StreamSpec {
        name: "cost_report",
        description: "Legacy (still supported; cost_analytics is its successor): cost per day \
                      and grouping, `amount` as the exact decimal string in cents. The id is a \
                      deterministic hash of bucket start, width and every grouping value.",
        endpoint: "GET /v1/organizations/cost_report",
        key: Admin,
        fallback_key: None,
        incremental: true,
        primary_key: &["id"],
        cursor_field: Some("bucket_start"),
        parent: None,
        parent_batch_size: 1,
        columns: report_columns![
            bucket,
            ("amount", Decimal),
            ("currency", Text),
            ("cost_type", Text),
            ("description", Text),
            ("model", Text),
            ("token_type", Text),
            ("service_tier", Text),
            ("context_window", Text),
            ("inference_geo", Text),
            ("workspace_id", Text),
        ],
        // page_size: the rows a page aims at; the window's buckets (`limit`) are sized to it.
        settings: &[UsageReportGranularity, StartDate, LookbackHours, PageSize],
        reader: reports::cost,
    },
    StreamSpec {
        name: "claude_code_usage_report",
        description: "Claude Code usage per day and actor, split by terminal type and remote \
                      flag. The actor's type is part of the key: an API key may be named like a \
                      user's email.",
        endpoint: "GET /v1/organizations/usage_report/claude_code",
        key: Admin,
        fallback_key: None,
        incremental: true,
        primary_key: &[
            "date",
            "actor_type",
            "actor_id",
            "terminal_type",
            "is_remote",
        ],
        cursor_field: Some("date"),
        parent: None,
        parent_batch_size: 1,
        columns: &[
            ("date", Date),
            ("actor_id", Text),
            ("actor_type", Text),
            ("actor", Json),
            ("organization_id", Text),
            ("customer_type", Text),
            ("subscription_type", Text),
            ("terminal_type", Text),
            ("is_remote", Boolean),
            ("core_metrics", Json),
            ("tool_actions", Json),
            ("model_breakdown", Json),
        ],
        settings: &[StartDate, LookbackHours, PageSize],
        reader: claude_code::read,
    },
];
