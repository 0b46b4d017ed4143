//! Children per parent (an organisation's users, a group's members, a
//! project's attachments): each parent's records, found by the parent's id
//! in constant time.

use super::records::Records;
use serde_json::Value;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::OnceLock;

/// `(parent id, children)` in the parents' list order.
#[derive(Clone, Default)]
pub struct Listing {
    parents: Vec<(String, Records)>,
    position: HashMap<String, usize>,
    /// The listing as values, for readers that want them (tests); built on first use.
    values: OnceLock<Vec<(String, Vec<Value>)>>,
}

impl Listing {
    /// Every parent and its children, in the parents' list order.
    pub fn parents(&self) -> impl Iterator<Item = (&str, &Records)> {
        self.parents
            .iter()
            .map(|(parent, children)| (parent.as_str(), children))
    }

    /// Keep only the children `keep` accepts (given the parent's id), in
    /// list order: a member who left a group, a user who left an organisation.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Value) -> bool) {
        for (parent, children) in &mut self.parents {
            children.retain(|child| keep(parent, child));
        }
        self.values = OnceLock::new();
    }

    /// The children of `parent`, or none when it is not a parent here.
    pub fn children(&self, parent: &str) -> Option<&Records> {
        self.position.get(parent).map(|p| &self.parents[*p].1)
    }
}

/// From `(parent id, children)`, children as values or as records.
impl<C: Into<Records>> FromIterator<(String, C)> for Listing {
    fn from_iter<I: IntoIterator<Item = (String, C)>>(parents: I) -> Self {
        let mut listing = Self::default();
        for (parent, children) in parents {
            // The first of two equal parent ids wins, as a search in list order finds it.
            listing
                .position
                .entry(parent.clone())
                .or_insert(listing.parents.len());
            listing.parents.push((parent, children.into()));
        }
        listing
    }
}

/// The listing as values (decoded on first use): how tests read the ground truth.
impl Deref for Listing {
    type Target = [(String, Vec<Value>)];

    fn deref(&self) -> &[(String, Vec<Value>)] {
        self.values.get_or_init(|| {
            self.parents
                .iter()
                .map(|(parent, children)| (parent.clone(), children.to_vec()))
                .collect()
        })
    }
}

impl PartialEq for Listing {
    fn eq(&self, other: &Self) -> bool {
        self.parents == other.parents
    }
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("parents", &self.parents.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn children_are_found_by_their_parent() {
        let listing: Listing = [
            (
                "p1".to_owned(),
                vec![json!({"id": "c1"}), json!({"id": "c2"})],
            ),
            ("p2".to_owned(), vec![]),
        ]
        .into_iter()
        .collect();
        assert_eq!(listing.children("p1").map(Records::len), Some(2));
        assert_eq!(listing.children("p2").map(Records::len), Some(0));
        assert!(listing.children("p3").is_none());
        assert_eq!(listing[0].1[1]["id"], "c2", "read as values");
    }

    #[test]
    fn a_child_removed_from_one_parent_stays_under_the_others() {
        let mut listing: Listing = ["p1", "p2"]
            .into_iter()
            .map(|p| (p.to_owned(), vec![json!({"id": "c1"}), json!({"id": "c2"})]))
            .collect();
        assert_eq!(listing[0].1.len(), 2, "values read before the removal");
        listing.retain(|parent, child| !(parent == "p1" && child["id"] == "c1"));
        assert_eq!(listing.children("p1").map(Records::len), Some(1));
        assert_eq!(listing.children("p2").map(Records::len), Some(2));
        assert_eq!(listing[0].1, vec![json!({"id": "c2"})], "the values follow");
    }
}
