//! The mock's organisation: generated deterministically from a seed and a size,
//! so two runs (and a test and the server it talks to) see the same data. It is
//! also the ground truth a test compares the warehouse with.

use serde_json::{Value, json};

/// How big the generated organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgSize {
    /// Console users (`admin_users`).
    pub admin_users: usize,
    /// Linked organisations under the compliance parent (`organizations`).
    pub organizations: usize,
    /// Seed of every generated value.
    pub seed: u64,
}

impl Default for OrgSize {
    fn default() -> Self {
        Self {
            admin_users: 250,
            organizations: 5,
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
    /// `GET /v1/compliance/organizations`, by `created_at` ascending.
    pub organizations: Vec<Value>,
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
        let admin_users = (0..size.admin_users)
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
        let organizations = (0..size.organizations)
            .map(|i| {
                json!({
                    "uuid": rng.uuid(),
                    "name": format!("Acme {} {i}", DEPARTMENTS[i % DEPARTMENTS.len()]),
                    "created_at": timestamp(EPOCH_SECONDS + i as i64 * 86_400),
                })
            })
            .collect();
        Self {
            size,
            admin_users,
            organizations,
        }
    }
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
    }
}
