//! A record being reshaped: an object's fields in order, edited (a column
//! added, nested counters flattened) and written out, without a tree of values.
//!
//! It behaves as `serde_json`'s ordered map does, so the record written is
//! the one a `Value` edited the same way would give: setting a key that is
//! there replaces its value where it stands, a new key goes last.

use super::{Canonical, Object};
use std::borrow::Cow;

/// Keys as written between their quotes (canonical form), values as
/// canonical JSON text; each borrowed from the record where it can be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields<'a> {
    fields: Vec<Field<'a>>,
    /// One bit per key, from its length and end bytes ([`Name::bit`]): a key
    /// whose bit is clear is not there, so most keys added go last without
    /// a search.
    present: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Field<'a> {
    /// The key's length, which a search for a key compares first.
    len: usize,
    name: Name<'a>,
    value: Cow<'a, str>,
}

/// A key as written between its quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Name<'a> {
    Plain(Cow<'a, str>),
    /// `outer.inner`: a nested field flattened, kept in its two pieces so
    /// the name costs no allocation (a report row has several).
    Dotted(&'a str, &'a str),
}

impl<'a> From<&'a str> for Name<'a> {
    fn from(name: &'a str) -> Self {
        Self::Plain(Cow::Borrowed(name))
    }
}

impl From<String> for Name<'_> {
    fn from(name: String) -> Self {
        Self::Plain(Cow::Owned(name))
    }
}

impl Name<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Plain(name) => name.len(),
            Self::Dotted(outer, inner) => outer.len() + 1 + inner.len(),
        }
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        let (first, dot, second) = match self {
            Self::Plain(name) => (name.as_ref(), None, ""),
            Self::Dotted(outer, inner) => (*outer, Some(b'.'), *inner),
        };
        first.bytes().chain(dot).chain(second.bytes())
    }

    /// The bit of [`Fields::present`] for this key.
    fn bit(&self, len: usize) -> u64 {
        let (first, last) = match self {
            Self::Plain(name) => (
                name.as_bytes().first().copied(),
                name.as_bytes().last().copied(),
            ),
            Self::Dotted(outer, inner) => (
                Some(outer.as_bytes().first().copied().unwrap_or(b'.')),
                Some(inner.as_bytes().last().copied().unwrap_or(b'.')),
            ),
        };
        let mix = len
            .wrapping_mul(31)
            .wrapping_add(usize::from(first.unwrap_or(0)) * 7)
            .wrapping_add(usize::from(last.unwrap_or(0)));
        1 << (mix % 64)
    }

    /// Whether it spells the same key as `other` (of the same length).
    fn is(&self, other: &Name<'_>) -> bool {
        match (self, other) {
            (Name::Plain(a), Name::Plain(b)) => same_text(a, b),
            _ => self.bytes().eq(other.bytes()),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Plain(name) => out.push_str(name),
            Self::Dotted(outer, inner) => {
                out.push_str(outer);
                out.push('.');
                out.push_str(inner);
            }
        }
    }
}

impl<'a> From<Object<'a>> for Fields<'a> {
    fn from(object: Object<'a>) -> Self {
        let mut fields = Self::with_capacity(object.len() + 8);
        for (key, value) in object.iter() {
            fields.push(Name::from(key), Cow::Borrowed(value));
        }
        fields
    }
}

impl<'a> Fields<'a> {
    /// No fields yet: `{}`.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            fields: Vec::with_capacity(capacity),
            present: 0,
        }
    }

    /// Set `name` to `value` (canonical JSON text): in place when it is
    /// there, last otherwise. `name` is written as it is: a plain key, or one
    /// already escaped as canonical JSON writes it.
    pub fn insert(&mut self, name: impl Into<Name<'a>>, value: impl Into<Cow<'a, str>>) {
        let name = name.into();
        let value = value.into();
        match self.position(&name) {
            Some(i) => self.fields[i].value = value,
            None => self.push(name, value),
        }
    }

    /// Set `name` to `value` only when it is not there.
    pub fn insert_if_absent(&mut self, name: &'a str, value: &'a str) {
        let name = Name::from(name);
        if self.position(&name).is_none() {
            self.push(name, Cow::Borrowed(value));
        }
    }

    /// The value of `name`, as canonical JSON text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.position(&Name::from(name))
            .map(|i| self.fields[i].value.as_ref())
    }

    /// The object, written as `serde_json` writes it.
    pub fn to_canonical(&self) -> Canonical<'static> {
        let size = 2 + self
            .fields
            .iter()
            .map(|field| field.len + field.value.len() + 4)
            .sum::<usize>();
        let mut out = String::with_capacity(size);
        out.push('{');
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            field.name.write(&mut out);
            out.push_str("\":");
            out.push_str(&field.value);
        }
        out.push('}');
        Canonical::trusted(Cow::Owned(out))
    }

    fn position(&self, name: &Name<'_>) -> Option<usize> {
        let len = name.len();
        if self.present & name.bit(len) == 0 {
            return None;
        }
        self.fields
            .iter()
            .position(|field| field.len == len && field.name.is(name))
    }

    fn push(&mut self, name: Name<'a>, value: Cow<'a, str>) {
        let len = name.len();
        self.present |= name.bit(len);
        self.fields.push(Field { len, name, value });
    }
}

/// Whether `a` and `b` (of the same length) are the same text. Keys of a
/// length often differ in their first or last bytes, which are compared
/// before a call to compare them whole.
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.first() == b.first() && a.last() == b.last() && a == b
}

/// `text` as a JSON string, as `serde_json` writes it.
pub fn string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn an_object_read_and_written_back_is_unchanged() {
        let json =
            r#"{"id":"a","n":-1,"o":{"k":[1,{"x":"}]"}]},"s":"q\"uote}","e":{},"l":[],"z":null}"#;
        let fields = Fields::from(Object::of(json).unwrap());
        assert_eq!(fields.to_canonical().as_str(), json);
        let empty = Fields::from(Object::of("{}").unwrap());
        assert_eq!(empty.to_canonical().as_str(), "{}");
    }

    #[test]
    fn a_dotted_name_is_the_same_key_as_the_text_it_spells() {
        let mut fields = Fields::with_capacity(4);
        fields.insert("a.b", "1");
        fields.insert(Name::Dotted("a", "b"), "2");
        fields.insert(Name::Dotted("a.b", ""), "3");
        fields.insert(Name::Dotted("a", "b."), "4");
        assert_eq!(fields.get("a.b"), Some("2"));
        assert_eq!(fields.to_canonical().as_str(), r#"{"a.b":2,"a.b.":4}"#);
    }

    #[test]
    fn setting_a_key_behaves_as_serde_jsons_ordered_map() {
        let json = r#"{"a":1,"b":"x","c":null}"#;
        let mut fields = Fields::from(Object::of(json).unwrap());
        fields.insert("b", "2");
        fields.insert("d", string("new \"one\""));
        fields.insert_if_absent("a", "false");
        fields.insert_if_absent("e", "false");
        assert_eq!(fields.get("b"), Some("2"));

        let mut value: Value = serde_json::from_str(json).unwrap();
        let map = value.as_object_mut().unwrap();
        map.insert("b".into(), json!(2));
        map.insert("d".into(), json!("new \"one\""));
        map.entry("a").or_insert(json!(false));
        map.entry("e").or_insert(json!(false));

        assert_eq!(fields.to_canonical().as_str(), value.to_string());
    }
}
