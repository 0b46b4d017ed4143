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
    /// Seed of every generated value.
    pub seed: u64,
}

impl Default for OrgSize {
    fn default() -> Self {
        Self {
            admin_users: 250,
            organizations: 5,
            compliance_users: 60,
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
    /// `GET /v1/organizations/workspaces?include_archived=true`; every fourth is archived.
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
                    "archived_at": if i % 4 == 3 { json!(timestamp(EPOCH_SECONDS + 9_000_000)) } else { Value::Null },
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
        Self {
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
        }
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
    if users.is_empty() || i % 9 == 0 {
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
