//! The mock's organisation: generated deterministically from a seed and a size,
//! so two runs (and a test and the server it talks to) see the same data. It is
//! also the ground truth a test compares the warehouse with.

use serde_json::{Value, json};

/// How big the generated organisation is.
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
            seed: 7,
        }
    }
}

/// The generated data, in the order the API lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct MockOrg {
    pub size: OrgSize,
    /// `GET /v1/organizations/users`, oldest member first.
    pub admin_users: Vec<Value>,
    /// `GET /v1/organizations/workspaces?include_archived=true`; one in four is archived.
    pub workspaces: Vec<Value>,
    /// `GET /v1/organizations/api_keys`, every status.
    pub api_keys: Vec<Value>,
    /// `GET /v1/organizations/invites`.
    pub invites: Vec<Value>,
    /// `GET /v1/compliance/organizations`, by `created_at` ascending.
    pub organizations: Vec<Value>,
    /// `GET /v1/compliance/organizations/{uuid}/users`, per organisation uuid.
    /// Every fifth user belongs to two organisations, with the same id.
    pub organization_users: Vec<(String, Vec<Value>)>,
    /// `GET /v1/compliance/organizations/{uuid}/roles`, per organisation uuid.
    pub organization_roles: Vec<(String, Vec<Value>)>,
    /// `GET /v1/compliance/groups`.
    pub groups: Vec<Value>,
    /// `GET /v1/compliance/groups/{id}/members`, per group id (no group id in the records).
    pub group_members: Vec<(String, Vec<Value>)>,
    /// `GET /v1/compliance/apps/projects`, by `created_at`; every fifth is soft-deleted.
    pub projects: Vec<Value>,
    /// `GET /v1/compliance/apps/projects/{id}/attachments`, per project id (files and docs).
    pub project_attachments: Vec<(String, Vec<Value>)>,
    /// `GET /v1/compliance/apps/chats`, by `created_at` (metadata only).
    pub chats: Vec<Value>,
    /// The activity feed, in no particular order (the endpoint sorts newest first).
    pub activities: Vec<Value>,
    /// `GET /v1/organizations/rate_limits`: two model groups, batch, files.
    pub rate_limits: Vec<Value>,
    /// Late revisions of usage: extra output tokens per hour (unix seconds).
    pub usage_revisions: super::reports::Revisions,
    /// Where new activity ids come from.
    rng: SplitMix64,
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
        let admin_users: Vec<Value> = (0..size.admin_users)
            .map(|i| {
                let first = FIRST_NAMES[i % FIRST_NAMES.len()];
                let last = LAST_NAMES[(i / FIRST_NAMES.len()) % LAST_NAMES.len()];
                json!({
                    "id": format!("user_01{}", rng.token(22)),
                    "type": "user",
                    "email": format!("{}.{}.{i}@example.com", first.to_lowercase(), last.to_lowercase()),
                    "name": format!("{first} {last}"),
                    "role": ROLES[rng.below(ROLES.len())],
                    "added_at": timestamp(EPOCH_SECONDS + i as i64 * 3_607),
                })
            })
            .collect();
        let workspaces: Vec<Value> = (0..(size.admin_users / 50).max(3))
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
        let api_keys = (0..size.admin_users / 5 + 3)
            .map(|i| {
                let workspace = &workspaces[i % workspaces.len()];
                let creator = admin_users_creator(&admin_users, i);
                json!({
                    "id": format!("apikey_01{}", rng.token(22)),
                    "type": "api_key",
                    "name": format!("key {i}"),
                    "partial_key_hint": format!("sk-ant-api03-{}...{}", rng.token(3), rng.token(4)),
                    "status": statuses[i % statuses.len()],
                    "created_at": timestamp(EPOCH_SECONDS + i as i64 * 5_000),
                    "expires_at": if i % 3 == 0 { Value::Null } else { json!(timestamp(EPOCH_SECONDS + 40_000_000)) },
                    "created_by": creator.map(|id| json!({"id": id, "type": "user"})).unwrap_or(Value::Null),
                    "workspace_id": if i % 7 == 0 { Value::Null } else { workspace["id"].clone() },
                    "scope": if i % 7 == 0 { json!({"type": "organization"}) } else { json!({"type": "workspace", "workspace_id": workspace["id"]}) },
                })
            })
            .collect();
        let invite_statuses = ["pending", "accepted", "expired"];
        let invites = (0..size.admin_users / 10 + 2)
            .map(|i| {
                let status = invite_statuses[i % invite_statuses.len()];
                json!({
                    "id": format!("invite_01{}", rng.token(22)),
                    "type": "invite",
                    "email": format!("invitee{i}@example.com"),
                    "role": ROLES[i % ROLES.len()],
                    "status": status,
                    "invited_at": timestamp(EPOCH_SECONDS + i as i64 * 3_000),
                    "expires_at": timestamp(EPOCH_SECONDS + i as i64 * 3_000 + 1_814_400),
                    "accepted_at": if status == "accepted" { json!(timestamp(EPOCH_SECONDS + i as i64 * 3_000 + 600)) } else { Value::Null },
                    "rbac_group_ids": [],
                })
            })
            .collect();
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
                let members = people
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
                let roles = ["Compliance Reviewer", "Analyst", "Project Lead"]
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
        let groups: Vec<Value> = (0..(size.compliance_users / 20).max(2))
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
        let group_count = groups.len();
        let group_members = groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let members = people
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % group_count == g || i % 7 == 0)
                    .map(|(_, p)| json!({"user_id": p["id"], "email": p["email"], "created_at": "2025-06-01T10:00:00Z", "updated_at": "2025-06-15T14:30:00Z"}))
                    .collect();
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
                let attachments = (0..p % 4)
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
        let mut chats: Vec<Value> = Vec::new();
        if !organizations.is_empty() {
            for (i, person) in people.iter().enumerate() {
                for c in 0..i % 4 {
                    let id = format!("claude_chat_01{}", rng.token(22));
                    chats.push(json!({
                        "id": id,
                        "name": format!("Chat {c} of {}", person["full_name"].as_str().unwrap_or_default()),
                        "created_at": timestamp(EPOCH_SECONDS + (i * 4 + c) as i64 * 600),
                        "updated_at": timestamp(EPOCH_SECONDS + (i * 4 + c) as i64 * 600 + 120),
                        "deleted_at": if (i + c) % 9 == 8 { json!(timestamp(EPOCH_SECONDS + 30_000_000)) } else { Value::Null },
                        "href": format!("https://claude.ai/chat/{}", rng.uuid()),
                        "model": if c == 2 { Value::Null } else { json!(models[(i + c) % models.len()]) },
                        "organization_uuid": org_of(i)["uuid"],
                        "organization_id": format!("org_01{}", rng.token(22)),
                        "project_id": projects.get(i % projects.len().max(1)).filter(|_| c == 1).map(|p| p["id"].clone()).unwrap_or(Value::Null),
                        "user": {"id": person["id"], "email_address": person["email"]},
                    }));
                }
            }
        }
        let mut org = Self {
            size,
            admin_users,
            workspaces,
            api_keys,
            invites,
            organizations,
            organization_users,
            organization_roles,
            groups,
            group_members,
            projects,
            project_attachments,
            chats,
            activities: Vec::new(),
            rate_limits: Vec::new(),
            usage_revisions: Default::default(),
            rng,
        };
        org.rate_limits = [
            ("model_group", json!(["claude-opus-5", "claude-opus-5-20260101"]), "Claude Opus 5.x"),
            ("model_group", json!(["claude-sonnet-5", "claude-sonnet-4-6"]), "Claude Sonnet 5.x"),
            ("batch", Value::Null, ""),
            ("files", Value::Null, ""),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (group_type, models, name))| {
            json!({
                "type": "rate_limit", "id": format!("rl_01{}", org.rng.token(22)), "group_type": group_type,
                "group": {"id": format!("rlg_{i:02}"), "type": group_type, "display_name": name},
                "models": models,
                "limits": [{"type": "requests_per_minute", "value": 4000 + i * 10}, {"type": "input_tokens_per_minute", "value": 1_000_000}],
            })
        })
        .collect();
        for i in 0..size.activities {
            let at = chrono::DateTime::from_timestamp(EPOCH_SECONDS + i as i64 * 97, 0)
                .expect("in range");
            let activity = org.new_activity(at);
            org.activities.push(activity);
        }
        org
    }

    /// The values each usage dimension draws from (nulls included).
    pub fn usage_pools(&self) -> super::reports::Pools {
        let ids = |items: &[Value], n: usize| -> Vec<Option<String>> {
            let mut v: Vec<Option<String>> = items
                .iter()
                .take(n)
                .map(|i| i["id"].as_str().map(str::to_owned))
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
        }
    }

    /// The actors of the Claude Code report (console users' emails).
    pub fn claude_code_actors(&self) -> Vec<String> {
        self.admin_users
            .iter()
            .take(5)
            .filter_map(|u| u["email"].as_str().map(str::to_owned))
            .collect()
    }

    /// A new feed event at `created_at` (not added to the feed).
    pub fn new_activity(&mut self, created_at: chrono::DateTime<chrono::Utc>) -> Value {
        const TYPES: [&str; 5] = [
            "claude_chat_created",
            "claude_project_created",
            "user_signed_in_sso",
            "claude_file_uploaded",
            "compliance_api_accessed",
        ];
        let n = self.activities.len();
        let kind = TYPES[n % TYPES.len()];
        let org = self.organizations.get(n % self.organizations.len().max(1));
        let actor = if kind == "compliance_api_accessed" {
            json!({"type": "api_actor", "api_key_id": format!("apikey_01{}", self.rng.token(22)),
                   "ip_address": "192.0.2.10", "user_agent": "anthropic-connector"})
        } else {
            let person = &self.admin_users.get(n % self.admin_users.len().max(1));
            json!({"type": "user_actor", "user_id": person.map(|p| p["id"].clone()).unwrap_or(Value::Null),
                   "email_address": person.map(|p| p["email"].clone()).unwrap_or(Value::Null),
                   "ip_address": format!("198.51.100.{}", n % 250), "user_agent": "Mozilla/5.0"})
        };
        let mut activity = json!({
            "id": format!("activity_01{}", self.rng.token(22)),
            "created_at": created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "organization_id": if kind == "compliance_api_accessed" { Value::Null } else { json!(format!("org_01{n:022}")) },
            "organization_uuid": match org { Some(o) if kind != "compliance_api_accessed" => o["uuid"].clone(), _ => Value::Null },
            "actor": actor,
            "type": kind,
        });
        if kind == "claude_chat_created" {
            activity["claude_chat_id"] = json!(format!("claude_chat_01{}", self.rng.token(22)));
        }
        activity
    }

    /// The members of one parent in a per-parent listing.
    pub fn children_of<'a>(
        listing: &'a [(String, Vec<Value>)],
        parent: &str,
    ) -> Option<&'a [Value]> {
        listing
            .iter()
            .find(|(id, _)| id == parent)
            .map(|(_, items)| items.as_slice())
    }
}

fn admin_users_creator(users: &[Value], i: usize) -> Option<&str> {
    if users.is_empty() || i.is_multiple_of(9) {
        return None;
    }
    users[i % users.len()]["id"].as_str()
}

/// RFC 3339 with microseconds, as the Admin API writes them.
fn timestamp(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 123_456_000)
        .expect("in range")
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
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
    fn same_seed_same_org_and_unique_ids() {
        let size = OrgSize {
            admin_users: 500,
            organizations: 20,
            compliance_users: 100,
            activities: 50,
            cost_rows_per_day: None,
            seed: 1,
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
}
