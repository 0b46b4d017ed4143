//! A double of the Anthropic API for tests and demos: the same paths,
//! parameters, pagination and errors as the reference documents, over a
//! deterministic generated organisation that is also the ground truth.
//!
//! - [`org`]: the generated data, stored as [`records`] (lists, written by a [`record_writer`])
//!   and [`listing`]s (children per parent)
//! - [`auth`]: keys by prefix, scopes, entitlement
//! - [`paging`]: both pagination schemes and limit checks, pages written from stored records
//! - [`feed`]: the activity feed's order and filters; [`chats_by_user`]: chats by owner
//! - [`reports`]: usage, cost and Claude Code reports; [`bulk_cost`]: a large organisation's cost
//! - [`analytics`]: the Usage and Cost Analytics API, over the same usage as the reports
//! - [`routes`]: the endpoints
//! - [`server`]: HTTP on loopback and the request log
//! - [`behaviour`]: switches for the failure cases, latency and the request budget
//! - [`rate_window`]: the request budget every key shares
//! - [`faulty_body`]: bodies that trickle or break off

pub mod analytics;
pub mod api_error;
pub mod auth;
pub mod behaviour;
pub mod bulk_cost;
pub mod chats_by_user;
pub mod faulty_body;
pub mod feed;
pub mod listing;
pub mod org;
pub mod paging;
pub mod rate_window;
pub mod record_writer;
pub mod records;
pub mod reports;
pub mod routes;
pub mod server;

pub use behaviour::{Behaviour, Fault, FaultKind};
pub use listing::Listing;
pub use org::{DEFAULT_WORKSPACE_ID, MockOrg, OrgSize};
pub use records::Records;
pub use server::{MockRequest, MockServer, ServerIdentity};

/// Keys the mock accepts, for demos and tests. Obviously fake.
pub const DEMO_ADMIN_KEY: &str = "sk-ant-admin01-mock-demo-key-not-a-real-secret";
pub const DEMO_COMPLIANCE_KEY: &str = "sk-ant-api01-mock-demo-key-not-a-real-secret";
