//! The column lists of the report streams, assembled from the runs of
//! columns they share, so each run is written once: `bucket` (the id and the
//! bucket), `analytics_dimensions` (every group dimension of the analytics
//! API, as it lists them; `actor` is an object) and `token_counters` (usage's
//! counters, nested ones dotted). A column of a stream's own is written as a
//! `(name, type)` pair among them:
//!
//! `report_columns![bucket, token_counters, ("requests", Integer)]`

macro_rules! report_columns {
    (@with [$($done:tt)*]) => { &[$($done)*] };
    (@with [$($done:tt)*] bucket $(, $($rest:tt)*)?) => {
        report_columns!(@with [$($done)*
            ("id", Text),
            ("bucket_start", Timestamp),
            ("bucket_end", Timestamp),
            ("bucket_width", Text),
        ] $($($rest)*)?)
    };
    (@with [$($done:tt)*] analytics_dimensions $(, $($rest:tt)*)?) => {
        report_columns!(@with [$($done)*
            ("actor", Json),
            ("actor_type", Text),
            ("agent_id", Text),
            ("api_key_id", Text),
            ("claude_tag_category", Text),
            ("claude_tag_user_id", Text),
            ("context_window", Text),
            ("deployment_id", Text),
            ("environment_id", Text),
            ("inference_geo", Text),
            ("model", Text),
            ("product", Text),
            ("rbac_group_id", Text),
            ("service_tier", Text),
            ("session_id", Text),
            ("slack_channel_id", Text),
            ("speed", Text),
            ("user_profile_id", Text),
            ("workspace_id", Text),
        ] $($($rest)*)?)
    };
    (@with [$($done:tt)*] token_counters $(, $($rest:tt)*)?) => {
        report_columns!(@with [$($done)*
            ("uncached_input_tokens", Integer),
            ("cache_creation.ephemeral_1h_input_tokens", Integer),
            ("cache_creation.ephemeral_5m_input_tokens", Integer),
            ("cache_read_input_tokens", Integer),
            ("output_tokens", Integer),
            ("server_tool_use.web_search_requests", Integer),
        ] $($($rest)*)?)
    };
    (@with [$($done:tt)*] ($($column:tt)*) $(, $($rest:tt)*)?) => {
        report_columns!(@with [$($done)* ($($column)*),] $($($rest)*)?)
    };
    ($($runs:tt)*) => { report_columns!(@with [] $($runs)*) };
}
