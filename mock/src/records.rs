//! A list of JSON records kept as their serialised text, in list order, with
//! an index of their ids. A page is written by copying its records' bytes:
//! nothing is cloned, sorted or serialised per request, so a request costs
//! the size of its page whatever the size of the list. Text is also about a
//! fifth of the memory the same records take as `serde_json::Value`s, which
//! is what lets the mock hold a million of them.
//!
//! Tests read a list as `&[Value]` (the ground truth a warehouse is compared
//! with): the records are decoded once, on first use, for that. Serving never
//! decodes the list.

use super::record_writer::RecordWriter;
use serde::Deserialize;
use serde_json::Value;
use std::ops::Deref;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where every list's revision comes from, so two lists (or one list before
/// and after an edit) never share one.
static NEXT_REVISION: AtomicU64 = AtomicU64::new(1);

fn next_revision() -> u64 {
    NEXT_REVISION.fetch_add(1, Ordering::Relaxed)
}

/// JSON records in list order, stored as text, findable by `id`.
pub struct Records {
    /// Every record's JSON, one after another.
    text: Vec<u8>,
    /// Where each record's JSON ends in `text`.
    ends: Vec<usize>,
    /// Every record's `id` (empty when it has no string id), one after another.
    ids: String,
    /// Where each record's id ends in `ids`.
    id_ends: Vec<usize>,
    /// Positions ordered by [`IdKey`]: a cursor is found by binary search.
    by_id: Vec<u32>,
    /// The records decoded, for readers that want values (tests); built on
    /// first use and kept in step with pushes.
    values: OnceLock<Vec<Value>>,
    /// Changes with every edit: what an index derived from the list was built from.
    revision: u64,
}

impl Records {
    pub fn new() -> Self {
        Self {
            text: Vec::new(),
            ends: Vec::new(),
            ids: String::new(),
            id_ends: Vec::new(),
            by_id: Vec::new(),
            values: OnceLock::new(),
            revision: next_revision(),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Add a record at the end of the list.
    pub fn push(&mut self, record: Value) {
        self.append(&record);
        let position = self.len() - 1;
        // The last position: after every record with an equal id.
        let key = IdKey::of(self.id_at(position));
        let at = self
            .by_id
            .partition_point(|p| self.key_at(*p as usize) <= key);
        self.by_id.insert(at, position as u32);
        if let Some(values) = self.values.get_mut() {
            values.push(record);
        }
        self.revision = next_revision();
    }

    /// The JSON text of the record at `position`.
    pub fn json(&self, position: usize) -> &[u8] {
        let start = position.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.text[start..self.ends[position]]
    }

    /// The record at `position`, decoded.
    pub fn get(&self, position: usize) -> Option<Value> {
        (position < self.len()).then(|| self.decode(position).expect("stored records are JSON"))
    }

    /// Part of the record at `position`, decoded into `T` (fields `T` does
    /// not name are skipped without being built).
    pub fn decode<'a, T: Deserialize<'a>>(&'a self, position: usize) -> serde_json::Result<T> {
        serde_json::from_slice(self.json(position))
    }

    /// The record's `id`, when it has a string one.
    pub fn id(&self, position: usize) -> Option<&str> {
        Some(self.id_at(position)).filter(|id| !id.is_empty())
    }

    /// The position of the first record whose id is `id`.
    pub fn position_of_id(&self, id: &str) -> Option<usize> {
        let key = IdKey::of(id);
        let at = self
            .by_id
            .partition_point(|p| self.key_at(*p as usize) < key);
        let position = *self.by_id.get(at)? as usize;
        (self.id_at(position) == id && !id.is_empty()).then_some(position)
    }

    /// Keep only the records `keep` accepts, in list order: what the API
    /// lists after some were removed (a user who left, a revoked key).
    pub fn retain(&mut self, mut keep: impl FnMut(&Value) -> bool) {
        let kept: Records = self.iter().filter(|record| keep(record)).cloned().collect();
        *self = kept;
    }

    /// Changes with every edit of the list.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn key_at(&self, position: usize) -> IdKey<'_> {
        IdKey::of(self.id_at(position))
    }

    fn id_at(&self, position: usize) -> &str {
        let start = position.checked_sub(1).map_or(0, |p| self.id_ends[p]);
        &self.ids[start..self.id_ends[position]]
    }

    /// A list of one record per item, each written by `write` straight into
    /// the list's text (no value built), indexed once at the end.
    pub fn written<T>(
        items: impl IntoIterator<Item = T>,
        mut write: impl FnMut(T, &mut RecordWriter<'_>),
    ) -> Self {
        let mut list = Self::new();
        for item in items {
            let mut record = RecordWriter::new(&mut list.text, Some(&mut list.ids));
            write(item, &mut record);
            record.finish();
            list.ends.push(list.text.len());
            list.id_ends.push(list.ids.len());
        }
        list.indexed()
    }

    /// The list with its storage trimmed and its id index built.
    fn indexed(mut self) -> Self {
        self.text.shrink_to_fit();
        self.ids.shrink_to_fit();
        // Sorted by hash first, with the position alongside: a sort of small
        // keys, rather than of ids scattered across the list's memory.
        let mut keyed: Vec<(u64, u32)> = (0..self.len())
            .map(|p| (IdKey::of(self.id_at(p)).hash, p as u32))
            .collect();
        keyed.sort_unstable_by(|(hash_a, a), (hash_b, b)| {
            hash_a
                .cmp(hash_b)
                .then_with(|| self.id_at(*a as usize).cmp(self.id_at(*b as usize)))
                // Equal ids in position order.
                .then(a.cmp(b))
        });
        self.by_id = keyed.into_iter().map(|(_, p)| p).collect();
        self
    }

    /// Store a record's text and id, without indexing it.
    fn append(&mut self, record: &Value) {
        serde_json::to_writer(&mut self.text, record).expect("a value serialises");
        self.ends.push(self.text.len());
        if let Some(id) = record.get("id").and_then(Value::as_str) {
            self.ids.push_str(id);
        }
        self.id_ends.push(self.ids.len());
    }
}

/// The order of the id index: by a hash of the id, then by the id (any
/// total order serves a binary search; this one sorts a million ids fast).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct IdKey<'a> {
    hash: u64,
    id: &'a str,
}

impl<'a> IdKey<'a> {
    fn of(id: &'a str) -> Self {
        // FNV-1a: short ids, no adversary.
        let hash = id.bytes().fold(0xCBF2_9CE4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
        });
        Self { hash, id }
    }
}

impl Default for Records {
    fn default() -> Self {
        Self::new()
    }
}

impl FromIterator<Value> for Records {
    /// Store every record, then index them once (pushing one by one would
    /// keep the index sorted at every step).
    fn from_iter<I: IntoIterator<Item = Value>>(records: I) -> Self {
        let mut list = Self::new();
        for record in records {
            list.append(&record);
        }
        list.indexed()
    }
}

impl From<Vec<Value>> for Records {
    fn from(records: Vec<Value>) -> Self {
        records.into_iter().collect()
    }
}

/// The records as values (decoded on first use): how tests read the ground truth.
impl Deref for Records {
    type Target = [Value];

    fn deref(&self) -> &[Value] {
        self.values.get_or_init(|| {
            (0..self.len())
                .map(|p| self.decode(p).expect("stored records are JSON"))
                .collect()
        })
    }
}

impl Clone for Records {
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            ends: self.ends.clone(),
            ids: self.ids.clone(),
            id_ends: self.id_ends.clone(),
            by_id: self.by_id.clone(),
            values: self.values.clone(),
            // Same records, so whatever was derived from them still holds.
            revision: self.revision,
        }
    }
}

/// Two lists are equal when they hold the same records, whatever their revision.
impl PartialEq for Records {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.text == other.text
    }
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("len", &self.len())
            .field("bytes", &self.text.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_keep_their_text_their_order_and_their_ids() {
        let mut list: Records = [
            json!({"id": "b", "n": 1}),
            json!({"n": 2}),
            json!({"id": "a"}),
        ]
        .into_iter()
        .collect();
        assert_eq!(list.json(0), br#"{"id":"b","n":1}"#);
        assert_eq!(list.json(1), br#"{"n":2}"#);
        assert_eq!(
            (list.id(0), list.id(1), list.id(2)),
            (Some("b"), None, Some("a"))
        );
        assert_eq!(list.position_of_id("a"), Some(2));
        assert_eq!(list.position_of_id("b"), Some(0));
        assert_eq!(list.position_of_id(""), None);
        assert_eq!(list.position_of_id("c"), None);
        assert_eq!(list[1]["n"], 2, "read as values");
        let before = list.revision();
        list.push(json!({"id": "0"}));
        list.push(json!({"id": "b"}));
        assert_ne!(list.revision(), before);
        assert_eq!(list.position_of_id("0"), Some(3));
        assert_eq!(list.position_of_id("b"), Some(0), "the first of equal ids");
        assert_eq!(list.len(), 5);
        assert_eq!(list[3], json!({"id": "0"}), "the values follow pushes");
        assert_eq!(list.get(4), Some(json!({"id": "b"})));
        assert_eq!(list.get(5), None);
    }

    #[test]
    fn a_removal_keeps_the_rest_in_order_and_findable() {
        let mut list: Records = (0..5).map(|n| json!({"id": format!("r{n}")})).collect();
        let before = list.revision();
        list.retain(|record| record["id"] != "r1" && record["id"] != "r3");
        assert_ne!(list.revision(), before, "an index built before is stale");
        assert_eq!(list.len(), 3);
        assert_eq!(list[1]["id"], "r2");
        assert_eq!(list.position_of_id("r4"), Some(2));
        assert_eq!(list.position_of_id("r3"), None);
    }

    #[test]
    fn lists_are_equal_by_their_records() {
        let a: Records = vec![json!({"id": "x"})].into();
        let mut b = Records::new();
        b.push(json!({"id": "x"}));
        assert_eq!(a, b);
        assert_eq!(a.clone().revision(), a.revision());
        b.push(json!({"id": "y"}));
        assert_ne!(a, b);
    }
}
