//! A JSON object in canonical form, read in place: its fields in order as
//! slices of its text, looked up by a linear search (a record has a dozen
//! fields, where a search beats a hash map).

use std::borrow::Cow;

/// An object's fields in order: each key as written between its quotes (in
/// canonical form a key has one spelling, so keys compare as written) and
/// each value as canonical JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Object<'a> {
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Object<'a> {
    /// Fields found elsewhere (by the canonical check).
    pub(super) fn from_fields(fields: Vec<(&'a str, &'a str)>) -> Self {
        Self { fields }
    }

    /// The fields of `object`, canonical JSON text; none when it is not an object.
    pub fn of(object: &'a str) -> Option<Self> {
        let bytes = object.as_bytes();
        if bytes.first() != Some(&b'{') {
            return None;
        }
        let mut fields = Vec::with_capacity(16);
        let mut at = 1;
        if bytes.get(at) == Some(&b'}') {
            return Some(Self { fields });
        }
        loop {
            let key_end = end_of_string(bytes, at)?;
            let key = &object[at + 1..key_end - 1];
            if bytes.get(key_end) != Some(&b':') {
                return None;
            }
            let value_start = key_end + 1;
            at = end_of_value(bytes, value_start)?;
            fields.push((key, &object[value_start..at]));
            match bytes.get(at) {
                Some(b',') => at += 1,
                Some(b'}') => return Some(Self { fields }),
                _ => return None,
            }
        }
    }

    /// The value of `name`, as canonical JSON text. `name` is a plain key
    /// (no character JSON escapes), as every name the plugin looks up is.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    }

    /// The value of `name` when it is a string, decoded.
    pub fn get_str(&self, name: &str) -> Option<Cow<'a, str>> {
        self.get(name).and_then(decoded_string)
    }

    /// The fields in order: key as written, value as canonical JSON text.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.fields.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// The text of a JSON string value (canonical), decoded; none for any other value.
pub fn decoded_string(json: &str) -> Option<Cow<'_, str>> {
    let inner = json.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(json).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// Where the string starting at `at` (its opening quote) ends: just past its closing quote.
fn end_of_string(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut i = at + 1;
    loop {
        i = super::scan::special_byte(bytes, i)?;
        match bytes[i] {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            // A control character: not in canonical text, but not the end either.
            _ => i += 1,
        }
    }
}

/// Where the value starting at `at` ends (canonical text: no spaces).
fn end_of_value(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => end_of_string(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match bytes.get(i)? {
                    b'"' => {
                        i = end_of_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']'))
                .unwrap_or(bytes.len() - at);
            Some(at + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_in_order_as_slices() {
        let json =
            r#"{"id":"a","n":-1,"o":{"k":[1,{"x":"}]"}]},"s":"q\"uote}","e":{},"l":[],"z":null}"#;
        let object = Object::of(json).unwrap();
        let keys: Vec<&str> = object.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["id", "n", "o", "s", "e", "l", "z"]);
        assert_eq!(object.get("o"), Some(r#"{"k":[1,{"x":"}]"}]}"#));
        assert_eq!(object.get_str("s").as_deref(), Some("q\"uote}"));
        assert_eq!(object.get_str("id"), Some(Cow::Borrowed("a")));
        assert_eq!(object.get_str("n"), None);
        assert_eq!(object.get("missing"), None);
        assert!(Object::of("{}").unwrap().is_empty());
        assert_eq!(Object::of("[1]"), None);
        assert_eq!(Object::of(r#""{""#), None);
    }
}
