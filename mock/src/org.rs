//! The mock's organisation: generated deterministically from a seed and a size,
//! so two runs (and a test and the server it talks to) see the same data. It is
//! also the ground truth a test compares the warehouse with.

use super::chats_by_user::ChatsByUser;
use super::feed::Feed;
use super::listing::Listing;
use super::record_writer::RecordWriter;
use super::records::Records;
use serde::Deserialize;
use serde_json::{Value, json};
use std::borrow::Cow;

/// How big the generated organisation is. The optional sizes shape the data
/// of a benchmark scenario; left out, the organisation is what it always was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgSize {
    /// Console users (`admin_users`); workspaces, API keys and invites scale with it.
    pub admin_users: usize,
    /// Linked organisations under the compliance parent (`organizations`).
    pub organizations: usize,
    /// claude.ai users across those organisations; groups scale with it.
    pub compliance_users: usize,
    /// Events in the compliance activity feed.
    pub activities: usize,
    /// Rows of `cost_report` per day, for a large organisation
    /// ([`super::bulk_cost`]); none: the cost of the usage records (a few dozen a day).
    pub cost_rows_per_day: Option<usize>,
    /// Compliance groups; none: one per 20 claude.ai users, at least 2.
    pub groups: Option<usize>,
    /// Members of every group, taken in turn from the claude.ai users; none:
    /// each group's share of them plus every seventh user.
    pub members_per_group: Option<usize>,
    /// Chats of every claude.ai user; none: 0 to 3, by user.
    pub chats_per_user: Option<usize>,
    /// Usage series: distinct fully-dimensioned usage records reported every
    /// minute, so a day at 1m with full grouping has `series` × 1,440 rows;
    /// none: a few records an hour ([`super::reports::atoms_of_hour`]).
    pub usage_series: Option<usize>,
    /// Seed of every generated value.
    pub seed: u64,
}

impl Default for OrgSize {
    fn default() -> Self {
        Self {
            admin_users: 250,
            organizations: 5,
            compliance_users: 60,
            activities: 200,
            cost_rows_per_day: None,
            groups: None,
            members_per_group: None,
            chats_per_user: None,
            usage_series: None,
            seed: 7,
        }
    }
}

/// The id of the organisation's default workspace. The legacy reports and
/// API keys name it `null`; the workspaces list leaves it out unless
/// `include_default=true`.
pub const DEFAULT_WORKSPACE_ID: &str = "wrkspc_01DefaultWorkspaceMock00";

/// The generated data, in the order the API lists it. Lists are stored as
/// [`Records`] (read them as `&[Value]`), children per parent as [`Listing`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOrg {
    pub size: OrgSize,
    /// `GET /v1/organizations/users`, oldest member first.
    pub admin_users: Records,
    /// `GET /v1/organizations/workspaces?include_archived=true&include_default=true`;
    /// one in four is archived, and the organisation's default workspace is
    /// the last ([`DEFAULT_WORKSPACE_ID`]), listed only when asked for.
    pub workspaces: Records,
    /// `GET /v1/organizations/workspaces/{id}/members`, per workspace id (the
    /// default workspace's included), each found by its `user_id`.
    pub workspace_members: Listing,
    /// `GET /v1/organizations/api_keys`, every status.
    pub api_keys: Records,
    /// `GET /v1/organizations/invites`.
    pub invites: Records,
    /// `GET /v1/compliance/organizations`, by `created_at` ascending.
    pub organizations: Records,
    /// `GET /v1/compliance/organizations/{uuid}/users`, per organisation uuid.
    /// Every fifth user belongs to two organisations, with the same id.
    pub organization_users: Listing,
    /// `GET /v1/compliance/organizations/{uuid}/roles`, per organisation uuid.
    pub organization_roles: Listing,
    /// `GET /v1/compliance/groups`.
    pub groups: Records,
    /// `GET /v1/compliance/groups/{id}/members`, per group id (no group id in the records).
    pub group_members: Listing,
    /// `GET /v1/compliance/apps/projects`, by `created_at`; every fifth is soft-deleted.
    pub projects: Records,
    /// `GET /v1/compliance/apps/projects/{id}/attachments`, per project id (files and docs).
    pub project_attachments: Listing,
    /// `GET /v1/compliance/apps/chats`, by `created_at` (metadata only).
    pub chats: Records,
    /// The activity feed, in no particular order (the endpoint sorts newest first).
    pub activities: Records,
    /// `GET /v1/organizations/rate_limits`: two model groups, batch, files.
    pub rate_limits: Records,
    /// Late revisions of usage: extra output tokens per hour (unix seconds).
    pub usage_revisions: super::reports::Revisions,
    /// Where new activity ids come from.
    rng: SplitMix64,
    /// The activity feed's order, and the chats by owner: derived from the
    /// lists, rebuilt by [`Self::reindex`] (and on the fly while stale).
    indexes: Indexes,
}

/// Indexes derived from the lists, for requests that would otherwise read them whole.
#[derive(Debug, Clone, Default)]
struct Indexes {
    feed: Feed,
    chats_by_user: ChatsByUser,
}

/// Indexes are derived from the lists: equal lists, equal indexes.
impl PartialEq for Indexes {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

const FIRST_NAMES: [&str; 12] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus",
    "Radia", "Tim",
];
const LAST_NAMES: [&str; 10] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton",
    "Wirth",
];
const ROLES: [&str; 5] = ["user", "developer", "billing", "admin", "claude_code_user"];
const ORG_ROLES: [&str; 4] = ["user", "admin", "owner", "membership_admin"];
const DEPARTMENTS: [&str; 6] = [
    "Engineering",
    "Legal",
    "Finance",
    "Research",
    "Sales",
    "Support",
];

/// 2024-01-01T00:00:00Z: the organisation's first day.
const EPOCH_SECONDS: i64 = 1_704_067_200;

impl MockOrg {
    pub fn generate(size: OrgSize) -> Self {
        let mut rng = SplitMix64(size.seed);
        let admin_users = Records::written(0..size.admin_users, |i, user| {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
            user.id(&format!("user_01{}", rng.token(22)))
                .field("type", "user")
                .field(
                    "email",
                    format!(
                        "{}.{}.{i}@example.com",
                        first.to_lowercase(),
                        last.to_lowercase()
                    ),
                )
                .field("name", format!("{first} {last}"))
                .field("role", ROLES[rng.below(ROLES.len())])
                .field("added_at", timestamp(EPOCH_SECONDS + i as i64 * 3_607));
        });
        let workspaces: Records = (0..(size.admin_users / 50).max(3))
            .map(|i| {
                json!({
                    "id": format!("wrkspc_01{}", rng.token(22)),
                    "type": "workspace",
                    "name": format!("{} workspace {i}", DEPARTMENTS[i % DEPARTMENTS.len()]),
                    "created_at": timestamp(EPOCH_SECONDS + i as i64 * 7_200),
                    "archived_at": if i % 4 == 1 { json!(timestamp(EPOCH_SECONDS + 9_000_000)) } else { Value::Null },
                    "display_color": format!("#{:06X}", rng.next() & 0xFF_FFFF),
                    "data_residency": {"workspace_geo": "us", "allowed_inference_geos": "unrestricted", "default_inference_geo": "global"},
                    "tags": {"team": DEPARTMENTS[i % DEPARTMENTS.len()].to_lowercase()},
                })
            })
            .collect();
        let statuses = ["active", "active", "inactive", "archived", "expired"];
        let api_keys = Records::written(0..size.admin_users / 5 + 3, |i, key| {
            let workspace_id = workspaces.id(i % workspaces.len());
            let creator = admin_users_creator(&admin_users, i);
            key.id(&format!("apikey_01{}", rng.token(22)))
                .field("type", "api_key")
                .field("name", format!("key {i}"))
                .field(
                    "partial_key_hint",
                    format!("sk-ant-api03-{}...{}", rng.token(3), rng.token(4)),
                )
                .field("status", statuses[i % statuses.len()])
                .field("created_at", timestamp(EPOCH_SECONDS + i as i64 * 5_000))
                .field(
                    "expires_at",
                    (i % 3 != 0).then(|| timestamp(EPOCH_SECONDS + 40_000_000)),
                )
                .field(
                    "created_by",
                    creator.map(|id| json!({"id": id, "type": "user"})),
                )
                .field("workspace_id", workspace_id.filter(|_| i % 7 != 0))
                .object("scope", |scope| {
                    if i % 7 == 0 {
                        scope.field("type", "organization");
                    } else {
                        scope
                            .field("type", "workspace")
                            .field("workspace_id", workspace_id);
                    }
                });
        });
        let invite_statuses = ["pending", "accepted", "expired"];
        let invites = Records::written(0..size.admin_users / 10 + 2, |i, invite| {
            let status = invite_statuses[i % invite_statuses.len()];
            let invited_at = EPOCH_SECONDS + i as i64 * 3_000;
            invite
                .id(&format!("invite_01{}", rng.token(22)))
                .field("type", "invite")
                .field("email", format!("invitee{i}@example.com"))
                .field("role", ROLES[i % ROLES.len()])
                .field("status", status)
                .field("invited_at", timestamp(invited_at))
                .field("expires_at", timestamp(invited_at + 1_814_400))
                .field(
                    "accepted_at",
                    (status == "accepted").then(|| timestamp(invited_at + 600)),
                )
                .field("rbac_group_ids", json!([]));
        });
        let organizations: Vec<Value> = (0..size.organizations)
            .map(|i| {
                json!({
                    "uuid": rng.uuid(),
                    "name": format!("Acme {} {i}", DEPARTMENTS[i % DEPARTMENTS.len()]),
                    "created_at": timestamp(EPOCH_SECONDS + i as i64 * 86_400),
                })
            })
            .collect();
        let people: Vec<Value> = (0..size.compliance_users)
            .map(|i| {
                let first = FIRST_NAMES[(i + 5) % FIRST_NAMES.len()];
                let last = LAST_NAMES[(i / 3) % LAST_NAMES.len()];
                json!({
                    "id": format!("user_01{}", rng.token(22)),
                    "full_name": format!("{first} {last}"),
                    "email": format!("{}.{i}@acme.example", first.to_lowercase()),
                    "organization_role": ORG_ROLES[i % ORG_ROLES.len()],
                    "created_at": timestamp(EPOCH_SECONDS + i as i64 * 1_800),
                })
            })
            .collect();
        let org_count = organizations.len().max(1);
        let organization_users = organizations
            .iter()
            .enumerate()
            .map(|(o, org)| {
                let members: Vec<Value> = people
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % org_count == o || (i % 5 == 0 && (i + 1) % org_count == o))
                    .map(|(_, p)| p.clone())
                    .collect();
                (org["uuid"].as_str().unwrap_or_default().to_owned(), members)
            })
            .collect();
        let organization_roles = organizations
            .iter()
            .map(|org| {
                let roles: Vec<Value> = ["Compliance Reviewer", "Analyst", "Project Lead"]
                    .iter()
                    .enumerate()
                    .map(|(r, name)| {
                        json!({
                            "id": format!("rbac_role_01{}", rng.token(22)),
                            "name": name,
                            "description": format!("{name} of {}", org["name"].as_str().unwrap_or_default()),
                            // The reference shows these without a zone offset.
                            "created_at": format!("2025-0{}-12T18:22:41.123456", r + 1),
                            "updated_at": format!("2025-0{}-15T14:30:00.000000", r + 1),
                        })
                    })
                    .collect();
                (org["uuid"].as_str().unwrap_or_default().to_owned(), roles)
            })
            .collect();
        let group_count = size.groups.unwrap_or((size.compliance_users / 20).max(2));
        let groups: Vec<Value> = (0..group_count)
            .map(|g| {
                json!({
                    "id": format!("rbac_group_01{}", rng.token(22)),
                    "name": format!("{} team", DEPARTMENTS[g % DEPARTMENTS.len()]),
                    "description": format!("Members of the {} team", DEPARTMENTS[g % DEPARTMENTS.len()]),
                    "source_type": if g % 2 == 0 { "scim" } else { "direct" },
                    "roles": [],
                    "created_at": "2025-06-01T10:00:00Z",
                    "updated_at": "2025-06-15T14:30:00Z",
                })
            })
            .collect();
        let members = |indices: &mut dyn Iterator<Item = usize>| {
            Records::written(indices, |i, member| {
                member
                    .field("user_id", &people[i]["id"])
                    .field("email", &people[i]["email"])
                    .field("created_at", "2025-06-01T10:00:00Z")
                    .field("updated_at", "2025-06-15T14:30:00Z");
            })
        };
        let group_members = groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let members = match size.members_per_group {
                    // The next `per_group` users after the previous group's, wrapping around.
                    Some(per_group) => members(
                        &mut (0..per_group.min(people.len()))
                            .map(|k| (g * per_group + k) % people.len()),
                    ),
                    None => members(
                        &mut (0..people.len()).filter(|i| i % group_count == g || i % 7 == 0),
                    ),
                };
                (group["id"].as_str().unwrap_or_default().to_owned(), members)
            })
            .collect();
        let org_of = |i: usize| &organizations[i % org_count.min(organizations.len().max(1))];
        let projects: Vec<Value> = if organizations.is_empty() {
            Vec::new()
        } else {
            (0..(size.compliance_users / 4).max(3))
                .map(|p| {
                    let owner = people.get(p % people.len().max(1));
                    let org = org_of(p);
                    json!({
                        "id": format!("claude_proj_01{}", rng.token(22)),
                        "name": format!("Project {p}"),
                        "created_at": timestamp(EPOCH_SECONDS + p as i64 * 4_000),
                        "updated_at": timestamp(EPOCH_SECONDS + p as i64 * 4_000 + 900),
                        "deleted_at": if p % 5 == 4 { json!(timestamp(EPOCH_SECONDS + 20_000_000)) } else { Value::Null },
                        "is_private": p % 2 == 0,
                        "organization_uuid": org["uuid"],
                        "organization_id": format!("org_01{}", rng.token(22)),
                        "user": match owner {
                            Some(u) if p % 6 != 5 => json!({"id": u["id"], "email_address": u["email"]}),
                            _ => Value::Null,
                        },
                    })
                })
                .collect()
        };
        let project_attachments = projects
            .iter()
            .enumerate()
            .map(|(p, project)| {
                let attachments: Vec<Value> = (0..p % 4)
                    .map(|a| {
                        let created = timestamp(EPOCH_SECONDS + p as i64 * 4_000 + a as i64 * 60);
                        if a % 2 == 0 {
                            json!({"id": format!("claude_file_01{}", rng.token(22)), "type": "project_file",
                                   "created_at": created, "filename": format!("spec-{a}.pdf"),
                                   "mime_type": "application/pdf", "md5": format!("{:032x}", rng.next()), "size_bytes": 1000 + a * 17})
                        } else {
                            json!({"id": format!("claude_proj_doc_01{}", rng.token(22)), "type": "project_doc",
                                   "created_at": created, "filename": format!("notes-{a}.md"),
                                   "mime_type": "text/plain", "updated_at": Value::Null})
                        }
                    })
                    .collect();
                (project["id"].as_str().unwrap_or_default().to_owned(), attachments)
            })
            .collect();
        let models = ["claude-opus-5", "claude-sonnet-5", "claude-haiku-4-5"];
        // Chat `c` of user `i` is the `i * stride + c`-th slot of ten minutes.
        let chats_of = |i: usize| size.chats_per_user.unwrap_or(i % 4);
        let stride = size.chats_per_user.unwrap_or(4);
        let chats = if organizations.is_empty() {
            Records::new()
        } else {
            let pairs = (0..people.len()).flat_map(|i| (0..chats_of(i)).map(move |c| (i, c)));
            Records::written(pairs, |(i, c), chat| {
                let person = &people[i];
                let slot = (i * stride + c) as i64;
                chat.id(&format!("claude_chat_01{}", rng.token(22)))
                    .field(
                        "name",
                        format!(
                            "Chat {c} of {}",
                            person["full_name"].as_str().unwrap_or_default()
                        ),
                    )
                    .field("created_at", timestamp(EPOCH_SECONDS + slot * 600))
                    .field("updated_at", timestamp(EPOCH_SECONDS + slot * 600 + 120))
                    .field(
                        "deleted_at",
                        ((i + c) % 9 == 8).then(|| timestamp(EPOCH_SECONDS + 30_000_000)),
                    )
                    .field("href", format!("https://claude.ai/chat/{}", rng.uuid()))
                    .field("model", (c != 2).then(|| models[(i + c) % models.len()]))
                    .field("organization_uuid", &org_of(i)["uuid"])
                    .field("organization_id", format!("org_01{}", rng.token(22)))
                    .field(
                        "project_id",
                        projects
                            .get(i % projects.len().max(1))
                            .filter(|_| c == 1)
                            .map(|p| &p["id"]),
                    )
                    .object("user", |user| {
                        user.field("id", &person["id"])
                            .field("email_address", &person["email"]);
                    });
            })
        };
        let rate_limits = [
            ("model_group", json!(["claude-opus-5", "claude-opus-5-20260101"]), "Claude Opus 5.x"),
            ("model_group", json!(["claude-sonnet-5", "claude-sonnet-4-6"]), "Claude Sonnet 5.x"),
            ("batch", Value::Null, ""),
            ("files", Value::Null, ""),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (group_type, models, name))| {
            json!({
                "type": "rate_limit", "id": format!("rl_01{}", rng.token(22)), "group_type": group_type,
                "group": {"id": format!("rlg_{i:02}"), "type": group_type, "display_name": name},
                "models": models,
                "limits": [{"type": "requests_per_minute", "value": 4000 + i * 10}, {"type": "input_tokens_per_minute", "value": 1_000_000}],
            })
        })
        .collect();
        let organizations: Records = organizations.into();
        let activities = Records::written(0..size.activities, |n, event| {
            let at = chrono::DateTime::from_timestamp(EPOCH_SECONDS + n as i64 * 97, 0)
                .expect("in range");
            write_activity(event, &mut rng, n, at, &admin_users, &organizations);
        });
        // Last, and with an id of its own, so the rest of the organisation
        // is generated as it was before the default workspace was listed.
        let mut workspaces = workspaces;
        workspaces.push(json!({
            "id": DEFAULT_WORKSPACE_ID,
            "type": "workspace",
            "name": "Default Workspace",
            "created_at": timestamp(EPOCH_SECONDS),
            "archived_at": null,
            "display_color": "#6C5BB9",
            "data_residency": {"workspace_geo": "us", "allowed_inference_geos": "unrestricted", "default_inference_geo": "global"},
            "tags": {},
        }));
        let workspace_members = workspace_members(&workspaces, &admin_users);
        let mut org = Self {
            size,
            admin_users,
            workspaces,
            workspace_members,
            api_keys,
            invites,
            organizations,
            organization_users,
            organization_roles,
            groups: groups.into(),
            group_members,
            projects: projects.into(),
            project_attachments,
            chats,
            activities,
            rate_limits,
            usage_revisions: Default::default(),
            rng,
            indexes: Indexes::default(),
        };
        org.reindex();
        org
    }

    /// Bring the derived indexes up to date with the lists, after a change
    /// to them ([`super::MockServer::update_org`] does it). A stale index is
    /// never used: requests build a fresh one meanwhile, at the cost of
    /// reading the whole list.
    pub fn reindex(&mut self) {
        if !self.indexes.feed.is_of(&self.activities) {
            self.indexes.feed = Feed::of(&self.activities);
        }
        if !self.indexes.chats_by_user.is_of(&self.chats) {
            self.indexes.chats_by_user = ChatsByUser::of(&self.chats);
        }
    }

    /// The activity feed's order.
    pub fn feed(&self) -> Cow<'_, Feed> {
        match &self.indexes.feed {
            feed if feed.is_of(&self.activities) => Cow::Borrowed(feed),
            _ => Cow::Owned(Feed::of(&self.activities)),
        }
    }

    /// The chats by owner.
    pub fn chats_by_user(&self) -> Cow<'_, ChatsByUser> {
        match &self.indexes.chats_by_user {
            index if index.is_of(&self.chats) => Cow::Borrowed(index),
            _ => Cow::Owned(ChatsByUser::of(&self.chats)),
        }
    }

    /// The values each usage dimension draws from (nulls included), and how
    /// usage is reported.
    pub fn usage_pools(&self) -> super::reports::Pools {
        let ids = |items: &Records, n: usize| -> Vec<Option<String>> {
            let mut v: Vec<Option<String>> = (0..n.min(items.len()))
                .map(|i| items.id(i).map(str::to_owned))
                .collect();
            v.push(None);
            v
        };
        let some = |values: &[&str]| {
            values
                .iter()
                .map(|v| Some((*v).to_owned()))
                .collect::<Vec<_>>()
        };
        super::reports::Pools {
            values: [
                ids(&self.api_keys, 3),
                ids(&self.workspaces, 2),
                some(&["claude-opus-5", "claude-sonnet-5", "claude-haiku-4-5"]),
                some(&["standard", "batch", "priority"]),
                some(&["0-200k", "200k-1M"]),
                some(&["global", "us"]),
                ids(&self.admin_users, 2),
                vec![None, Some("svac_01Hk3R9TWxq7CfQak00OiVw4".into())],
            ],
            series: self.size.usage_series,
        }
    }

    /// The actors of the Claude Code report (console users' emails).
    pub fn claude_code_actors(&self) -> Vec<String> {
        (0..self.admin_users.len().min(5))
            .filter_map(|i| {
                self.admin_users
                    .decode::<Person>(i)
                    .ok()
                    .and_then(|p| p.email.as_str().map(str::to_owned))
            })
            .collect()
    }

    /// A new feed event at `created_at` (not added to the feed).
    pub fn new_activity(&mut self, created_at: chrono::DateTime<chrono::Utc>) -> Value {
        let n = self.activities.len();
        let (rng, users, organizations) = (&mut self.rng, &self.admin_users, &self.organizations);
        let event = Records::written([created_at], |at, event| {
            write_activity(event, rng, n, at, users, organizations);
        });
        event.get(0).expect("one event written")
    }
}

/// The two fields of a user an event names its actor by.
#[derive(Deserialize)]
struct Person {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    email: Value,
}

/// The one field of an organisation an event names it by.
#[derive(Deserialize)]
struct Organization {
    #[serde(default)]
    uuid: Value,
}

/// The `n`-th event of the feed, at `created_at`.
fn write_activity(
    event: &mut RecordWriter<'_>,
    rng: &mut SplitMix64,
    n: usize,
    created_at: chrono::DateTime<chrono::Utc>,
    admin_users: &Records,
    organizations: &Records,
) {
    const TYPES: [&str; 5] = [
        "claude_chat_created",
        "claude_project_created",
        "user_signed_in_sso",
        "claude_file_uploaded",
        "compliance_api_accessed",
    ];
    let kind = TYPES[n % TYPES.len()];
    let by_api = kind == "compliance_api_accessed";
    // The actor's key id is drawn before the event's id.
    let api_key_id = by_api.then(|| format!("apikey_01{}", rng.token(22)));
    let organization_uuid = match organizations.is_empty() || by_api {
        true => Value::Null,
        false => organizations
            .decode::<Organization>(n % organizations.len())
            .map_or(Value::Null, |o| o.uuid),
    };
    event
        .id(&format!("activity_01{}", rng.token(22)))
        .field(
            "created_at",
            created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .field(
            "organization_id",
            (!by_api).then(|| format!("org_01{n:022}")),
        )
        .field("organization_uuid", organization_uuid)
        .object("actor", |actor| match &api_key_id {
            Some(key) => {
                actor
                    .field("type", "api_actor")
                    .field("api_key_id", key)
                    .field("ip_address", "192.0.2.10")
                    .field("user_agent", "anthropic-connector");
            }
            None => {
                let person = admin_users
                    .decode::<Person>(n % admin_users.len().max(1))
                    .ok();
                let (id, email) = person.map_or((Value::Null, Value::Null), |p| (p.id, p.email));
                actor
                    .field("type", "user_actor")
                    .field("user_id", id)
                    .field("email_address", email)
                    .field("ip_address", format!("198.51.100.{}", n % 250))
                    .field("user_agent", "Mozilla/5.0");
            }
        })
        .field("type", kind);
    if kind == "claude_chat_created" {
        event.field("claude_chat_id", format!("claude_chat_01{}", rng.token(22)));
    }
}

/// The two fields of a console user a workspace membership derives from.
#[derive(Deserialize)]
struct Member {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// Who is in each workspace, and as what: user `j` of `n` workspaces belongs
/// to workspace `j % n`, and every eleventh user to every workspace (the
/// default one included), so memberships overlap. The role follows the
/// organisation role where the API derives it (billing gives
/// `workspace_billing`, which cannot be assigned), and varies otherwise.
/// Drawn from no random numbers: the rest of the organisation is generated
/// as it was before members were served.
fn workspace_members(workspaces: &Records, admin_users: &Records) -> Listing {
    let count = workspaces.len().max(1);
    (0..workspaces.len())
        .filter_map(|w| workspaces.id(w).map(|id| (w, id.to_owned())))
        .map(|(w, workspace_id)| {
            let members = (0..admin_users.len())
                .filter(|j| j % count == w || j % 11 == 0)
                .filter_map(|j| admin_users.decode::<Member>(j).ok().map(|m| (j, m)));
            let records = Records::written(members, |(j, user), member| {
                let role = match user.role.as_deref() {
                    Some("admin") => "workspace_admin",
                    Some("billing") => "workspace_billing",
                    Some("developer" | "claude_code_user") => "workspace_developer",
                    _ if j % 3 == 0 => "workspace_restricted_developer",
                    _ => "workspace_user",
                };
                member
                    .field("type", "workspace_member")
                    .key_field("user_id", user.id.as_deref().unwrap_or_default())
                    .field("workspace_id", &workspace_id)
                    .field("workspace_role", role);
            });
            (workspace_id, records)
        })
        .collect()
}

fn admin_users_creator(users: &Records, i: usize) -> Option<&str> {
    if users.is_empty() || i.is_multiple_of(9) {
        return None;
    }
    users.id(i % users.len())
}

/// RFC 3339 with microseconds, as the Admin API writes them (always
/// `.123456`). Written field by field: a format string parsed for each of
/// millions of records is most of their generation time.
fn timestamp(seconds: i64) -> String {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::from_timestamp(seconds, 0).expect("in range");
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.123456Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A tiny deterministic generator (SplitMix64): enough for test data.
#[derive(Debug, Clone, PartialEq)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `len` characters of base62, like the API's tagged ids.
    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..len)
            .map(|_| ALPHABET[self.below(ALPHABET.len())] as char)
            .collect()
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_with_microseconds() {
        for seconds in [EPOCH_SECONDS, EPOCH_SECONDS + 3_607 * 999_999, 0, 86_399] {
            let expected = chrono::DateTime::from_timestamp(seconds, 123_456_000)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string();
            assert_eq!(timestamp(seconds), expected);
        }
    }

    #[test]
    fn same_seed_same_org_and_unique_ids() {
        let size = OrgSize {
            admin_users: 500,
            organizations: 20,
            compliance_users: 100,
            activities: 50,
            seed: 1,
            ..OrgSize::default()
        };
        let a = MockOrg::generate(size);
        assert_eq!(a, MockOrg::generate(size));
        let ids: std::collections::HashSet<_> =
            a.admin_users.iter().map(|u| u["id"].clone()).collect();
        assert_eq!(ids.len(), 500);
        let uuids: std::collections::HashSet<_> =
            a.organizations.iter().map(|o| o["uuid"].clone()).collect();
        assert_eq!(uuids.len(), 20);
        assert_ne!(a, MockOrg::generate(OrgSize { seed: 2, ..size }));
        // Some user is in two organisations under the same id.
        let memberships: usize = a
            .organization_users
            .iter()
            .map(|(_, users)| users.len())
            .sum();
        assert!(memberships > 100, "{memberships}");
    }

    /// FNV-1a over every record of every list, as served.
    fn digest(org: &MockOrg) -> u64 {
        let mut hash = 0xCBF2_9CE4_8422_2325_u64;
        let mut eat = |bytes: &[u8]| {
            for byte in bytes.iter().chain(b"\n") {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01B3);
            }
        };
        for list in [
            &org.admin_users,
            &org.workspaces,
            &org.api_keys,
            &org.invites,
            &org.organizations,
            &org.groups,
            &org.projects,
            &org.chats,
            &org.activities,
            &org.rate_limits,
        ] {
            (0..list.len()).for_each(|p| eat(list.json(p)));
        }
        for listing in [
            &org.organization_users,
            &org.organization_roles,
            &org.group_members,
            &org.project_attachments,
            &org.workspace_members,
        ] {
            for (parent, children) in listing.parents() {
                eat(parent.as_bytes());
                (0..children.len()).for_each(|p| eat(children.json(p)));
            }
        }
        hash
    }

    #[test]
    fn the_default_organisation_is_the_one_tests_were_written_against() {
        // Tests compare warehouses with this data and count on its shape (who
        // is in two organisations, which chats are deleted…): a change to the
        // generated data must be deliberate, and this digest updated with it.
        assert_eq!(
            digest(&MockOrg::generate(OrgSize::default())),
            DEFAULT_DIGEST,
            "the default organisation changed"
        );
    }

    const DEFAULT_DIGEST: u64 = 1_982_098_503_894_084_955;

    #[test]
    fn benchmark_sizes_shape_groups_members_and_chats() {
        let size = OrgSize {
            compliance_users: 50,
            groups: Some(7),
            members_per_group: Some(20),
            chats_per_user: Some(6),
            ..OrgSize::default()
        };
        let org = MockOrg::generate(size);
        assert_eq!(org.groups.len(), 7);
        let members: Vec<usize> = org
            .group_members
            .parents()
            .map(|(_, members)| members.len())
            .collect();
        assert_eq!(members, vec![20; 7]);
        let (_, first) = org.group_members.parents().next().unwrap();
        let (_, third) = org.group_members.parents().nth(2).unwrap();
        assert_eq!(
            third[10..],
            first[..10],
            "the third group has users 40 to 49, then wraps around to 0 to 9"
        );
        assert_eq!(org.chats.len(), 50 * 6);
        let ids: std::collections::HashSet<_> = org.chats.iter().map(|c| c["id"].clone()).collect();
        assert_eq!(ids.len(), 300);
        let created: Vec<&str> = org
            .chats
            .iter()
            .map(|c| c["created_at"].as_str().unwrap())
            .collect();
        assert!(created.is_sorted(), "chats are listed by created_at");
        // More members than users: each user once.
        let few = MockOrg::generate(OrgSize {
            compliance_users: 3,
            members_per_group: Some(10),
            ..OrgSize::default()
        });
        assert!(few.group_members.parents().all(|(_, m)| m.len() == 3));
    }
}
