//! Which chats each user owns: `GET /v1/compliance/apps/chats?user_ids[]=…`
//! reads the chats of up to ten users through this index instead of testing
//! every chat.

use super::records::Records;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// Chat positions by their owner's id, each list ascending.
#[derive(Debug, Clone, Default)]
pub struct ChatsByUser {
    /// The revision of the chats this was built from.
    revision: u64,
    positions: HashMap<String, Vec<usize>>,
}

/// The one field of a chat the index reads: `user.id`.
#[derive(Deserialize)]
struct Owned<'a> {
    #[serde(borrow)]
    user: Option<Owner<'a>>,
}

#[derive(Deserialize)]
struct Owner<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
}

impl ChatsByUser {
    pub fn of(chats: &Records) -> Self {
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for position in 0..chats.len() {
            let owner = match chats.decode::<Owned<'_>>(position) {
                Ok(chat) => chat.user.and_then(|u| u.id).map(Cow::into_owned),
                // Not the shape above (a field of another type): read it as a value.
                Err(_) => chats
                    .get(position)
                    .and_then(|chat| chat["user"]["id"].as_str().map(str::to_owned)),
            };
            if let Some(owner) = owner {
                positions.entry(owner).or_default().push(position);
            }
        }
        Self {
            revision: chats.revision(),
            positions,
        }
    }

    /// Whether this is the index of `chats` as they are now.
    pub fn is_of(&self, chats: &Records) -> bool {
        self.revision == chats.revision()
    }

    /// The positions of the chats of these users, user after user (a user
    /// named twice, twice).
    pub fn chats_of(&self, users: &[&str]) -> Vec<usize> {
        users
            .iter()
            .filter_map(|user| self.positions.get(*user))
            .flatten()
            .copied()
            .collect()
    }
}
